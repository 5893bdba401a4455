"""Real processes for the tests: upstream HTTP servers and Jupyter servers with the esdl_lab extension."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from jupyter_client.blocking import BlockingKernelClient

HERE = Path(__file__).parent
UPSTREAM_SERVER = HERE / "upstream_server.py"
TOKEN = "esdl-test-token"
# the real cube server over the demo cubes (built by packages/cube-server/scripts/build-demo-cubes.sh)
ROOT = Path(__file__).resolve().parents[3]
DEMO_CONFIG = ROOT / "packages" / "cube-server" / "demo" / "cubes.yaml"
CUBE_SERVER = Path(sys.executable).parent / "esdl-cube-server"
# Jupyter's own extensions are switched off so that each server starts quickly
ONLY_ESDL_LAB = (
    'c.ServerApp.jpserver_extensions = {"esdl_lab": True, "jupyterlab": False, "jupyter_lsp": False, '
    '"jupyter_server_terminals": False, "notebook_shim": False}\n'
)


def closed_port() -> int:
    """A loopback port that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def header_names(self) -> set[str]:
        return {k.lower() for k, _ in self.headers}

    def json(self):
        return json.loads(self.body)


def request(
    port: int,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | Iterable[bytes] | None = None,
    timeout: float = 30,
) -> Response:
    """One HTTP request with the path sent exactly as given (http.client does not normalise it)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return Response(response.status, response.getheaders(), response.read())
    finally:
        conn.close()


class Upstream:
    """tests/upstream_server.py in its own process."""

    def __init__(self, port: int = 0) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(UPSTREAM_SERVER), "--port", str(port)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line.startswith("LISTENING"), line
        self.port = int(line.split()[1])
        self.url = f"http://127.0.0.1:{self.port}"

    def seen(self, marker: str) -> int:
        """How many requests whose path or query holds ``marker`` reached this upstream."""
        return int(request(self.port, "GET", f"/_seen?marker={marker}").json()["count"])

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


@dataclass
class JupyterServer:
    """``python -m jupyter_server`` with a config file, its own Jupyter dirs and a known token."""

    tmp: Path
    config: str
    env: dict[str, str] = field(default_factory=dict)
    status_path: str = "/api/status"
    proc: subprocess.Popen | None = None
    port: int = 0

    def start(self) -> JupyterServer:
        for name in ("config", "data", "runtime", "root"):
            (self.tmp / name).mkdir(parents=True, exist_ok=True)
        config_file = self.tmp / "jupyter_server_config.py"
        config_file.write_text(ONLY_ESDL_LAB + self.config)
        self.port = self.port or closed_port()
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("MLFLOW_", "JUPYTER_")) and key != "JPY_SESSION_NAME"
        }
        env.update(
            JUPYTER_CONFIG_DIR=str(self.tmp / "config"),
            JUPYTER_DATA_DIR=str(self.tmp / "data"),
            JUPYTER_RUNTIME_DIR=str(self.tmp / "runtime"),
            JUPYTER_PLATFORM_DIRS="1",
        )
        env.update(self.env)
        self.log_file = open(self.tmp / "jupyter.log", "wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter_server",
                f"--config={config_file}",
                f"--port={self.port}",
                "--ip=127.0.0.1",
                "--port-retries=0",
                f"--IdentityProvider.token={TOKEN}",
                "--ServerApp.allow_root=True",
                "--ServerApp.open_browser=False",
                f"--ServerApp.root_dir={self.tmp / 'root'}",
            ],
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the Jupyter server exited: {self.log()}")
            try:
                if self.get(self.status_path).status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the Jupyter server did not start: {self.log()}")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def log(self) -> str:
        return (self.tmp / "jupyter.log").read_text(errors="replace")

    def request(self, method: str, path: str, *, token: bool = True, headers=None, body=None, timeout=30):
        all_headers = {"Authorization": f"token {TOKEN}"} if token else {}
        all_headers.update(headers or {})
        return request(self.port, method, path, headers=all_headers, body=body, timeout=timeout)

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def status(self) -> dict[str, dict]:
        response = self.get("/esdl-lab/status")
        assert response.status == 200, response.body
        return {entry["name"]: entry for entry in response.json()["upstreams"]}

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()


def run_in_kernel(server: JupyterServer, code: str, kernel: str = "python3") -> tuple[str, dict]:
    """Runs code in a new kernel of the server: what it printed, and the error or the execute reply."""
    started = server.request("POST", "/api/kernels", body=json.dumps({"name": kernel}).encode(), timeout=120)
    assert started.status == 201, started.body
    kernel_id = started.json()["id"]
    outputs: list[dict] = []
    client = BlockingKernelClient()
    client.load_connection_file(str(server.tmp / "runtime" / f"kernel-{kernel_id}.json"))
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        reply = client.execute_interactive(code, timeout=120, output_hook=outputs.append)
    finally:
        client.stop_channels()
        server.request("DELETE", f"/api/kernels/{kernel_id}")
    text = "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")
    errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
    return text, (errors[0] if errors else reply["content"])


CRASH = "import sys; print('boom: no data', flush=True); sys.exit(3)"


def managed_upstream_command() -> list[str]:
    return [sys.executable, str(UPSTREAM_SERVER), "--port", "{port}"]


@pytest.fixture(scope="session")
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def server(upstream: Upstream, tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """The Jupyter server most tests share: every kind of upstream, good and bad."""
    cube_servers = {
        "echo": {"url": upstream.url, "title": "Echo server"},
        "based": {"url": upstream.url + "/base/path/"},
        "down": {"url": f"http://127.0.0.1:{closed_port()}"},
        "managed": {"command": managed_upstream_command()},
        "idle": {"command": managed_upstream_command(), "title": "Never used"},
        "crashing": {"command": [sys.executable, "-c", CRASH, "{port}"]},
        "hanging": {
            "command": [sys.executable, "-c", "import time; time.sleep(60)", "{port}"],
            "start_timeout": 1,
        },
        "bad name": {"url": upstream.url},
        "nourl": {},
        "both": {"url": upstream.url, "command": managed_upstream_command()},
        "noport": {"command": [sys.executable, "-c", "pass"]},
        "missing": {"command": ["no-such-program-esdl", "--port", "{port}"]},
        "badurl": {"url": "ftp://example.org/cubes"},
    }
    config = (
        f"c.ESDLLab.cube_servers = {cube_servers!r}\n"
        f"c.ESDLLab.mlflow_url = {upstream.url!r}\n"
        "c.ESDLLab.read_timeout = 1.5\n"
    )
    env = {"MLFLOW_TRACKING_USERNAME": "alice", "MLFLOW_TRACKING_PASSWORD": "s3cret:pw"}
    jupyter = JupyterServer(tmp_path_factory.mktemp("jupyter"), config, env).start()
    yield jupyter
    jupyter.stop()


@pytest.fixture
def marker() -> str:
    """A string unique to the test, to find its requests in the upstream's record."""
    return "mark" + uuid.uuid4().hex


@pytest.fixture(scope="session")
def demo_jupyter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """A Jupyter server whose cube server "demo" is the real ESDL cube server over the demo cubes."""
    if not (ROOT / "data" / "cubes" / "coads.zarr" / ".zmetadata").exists():
        pytest.skip("the demo cubes are not built: run packages/cube-server/scripts/build-demo-cubes.sh")
    command = [str(CUBE_SERVER), "--config", str(DEMO_CONFIG), "--port", "{port}"]
    config = f"c.ESDLLab.cube_servers = {{'demo': {{'command': {command!r}}}}}\n"
    server = JupyterServer(tmp_path_factory.mktemp("cubes"), config).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def slurm_env() -> Iterator[dict[str, str]]:
    """A real single-node Slurm with 4 fake GPUs (scripts/slurm/start.sh; left running for later runs)."""
    if os.geteuid() != 0:
        pytest.skip("a test Slurm needs root (its slurmd runs jobs as their users); CI runs as root")
    if not shutil.which("slurmctld"):
        pytest.fail("Debian's slurm-wlm is missing: scripts/setup.sh installs it (as root)")
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "slurm" / "start.sh")], capture_output=True, text=True, timeout=180
    )
    assert out.returncode == 0, out.stderr[-2000:]
    conf = out.stdout.strip().splitlines()[-1].split("=", 1)[1]
    os.environ["SLURM_CONF"] = conf
    yield {"SLURM_CONF": conf}
