"""Benchmark of the esdl_lab proxy: throughput, latency and the Jupyter server's CPU per request for 20 kB
GETs (through the proxy, direct to the upstream, and to a bare authenticated Jupyter handler, the floor of
any request through the Jupyter server), and the server's memory while 1 GiB streams through each way.

Run with the project's Python: ``.venv/bin/python packages/server/bench/bench_proxy.py [--duration 10]``.
Needs ``wrk`` and ``node`` on PATH. It prints figures and never fails.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

HERE = Path(__file__).parent
TOKEN = "bench-token"
AUTH = f"Authorization: token {TOKEN}"
GIB = 1 << 30
# jupyter-server-proxy 4.4 on this kind of machine, wrk at 8 connections (issue 2); not measured here
REFERENCE = {"req/s": 570, "cpu_ms": 1.9, "p50_ms": 13.5, "floor_req/s": 1900, "floor_cpu_ms": 0.5}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_upstream() -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen(["node", str(HERE / "fast_upstream.mjs")], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("LISTENING"):
        raise RuntimeError(f"the Node upstream did not start: {line!r}")
    return proc, int(line.split()[1])


def start_jupyter(upstream_port: int, tmp: Path, extra_config: str = "") -> tuple[subprocess.Popen, int]:
    tmp.mkdir(parents=True)
    port = free_port()
    config = tmp / "jupyter_server_config.py"
    config.write_text(
        'c.ServerApp.jpserver_extensions = {"esdl_lab": True, "jupyterlab": False, "jupyter_lsp": False, '
        '"jupyter_server_terminals": False, "notebook_shim": False}\n'
        f"c.ESDLLab.cube_servers = {{'fast': {{'url': 'http://127.0.0.1:{upstream_port}'}}}}\n" + extra_config
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER_", "MLFLOW_"))}
    env.update(JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter_server",
            f"--config={config}",
            f"--port={port}",
            "--port-retries=0",
            "--ip=127.0.0.1",
            f"--IdentityProvider.token={TOKEN}",
            "--ServerApp.allow_root=True",
            "--ServerApp.open_browser=False",
            f"--ServerApp.root_dir={tmp}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(tmp / "jupyter.log", "wb"),
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if get(port, "/api/status")[0] == 200:
                return proc, port
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the Jupyter server did not start")


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (names in lower case) and body of one GET."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Authorization": f"token {TOKEN}", **(headers or {})})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, duration: float, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--latency", "-H", AUTH, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests": requests,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50": _milliseconds(re.search(r"\s50%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        "p99": _milliseconds(re.search(r"\s99%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        "errors": int(errors.group(1)) if errors else 0,
    }


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def measure(url: str, jupyter: psutil.Process, duration: float, connections: int) -> dict[str, float]:
    wrk(url, 1, connections)  # warm-up: connections, caches, code paths
    before = cpu_seconds(jupyter)
    result = wrk(url, duration, connections)
    result["cpu_ms"] = (cpu_seconds(jupyter) - before) * 1000 / max(result["requests"], 1)
    return result


class PeakRss:
    """Samples a process's resident memory in a thread."""

    def __init__(self, process: psutil.Process) -> None:
        self.process = process
        self.before = process.memory_info().rss
        self.peak = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            self._stop.wait(0.02)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def stream_download(port: int, jupyter: psutil.Process, size: int) -> tuple[float, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    received = 0
    with PeakRss(jupyter) as rss:
        started = time.perf_counter()
        conn.request(
            "GET", f"/esdl-lab/cubes/fast/bytes?size={size}", headers={"Authorization": f"token {TOKEN}"}
        )
        response = conn.getresponse()
        while chunk := response.read(1 << 20):
            received += len(chunk)
        elapsed = time.perf_counter() - started
    conn.close()
    if received != size:
        raise RuntimeError(f"received {received} of {size} bytes")
    return (rss.peak - rss.before) / 2**20, size / elapsed / 2**20


def stream_upload(port: int, jupyter: psutil.Process, size: int) -> tuple[float, float]:
    block = b"\x05" * (1 << 20)

    def body():
        left = size
        while left > 0:
            yield block[: min(left, len(block))]
            left -= len(block)

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    with PeakRss(jupyter) as rss:
        started = time.perf_counter()
        conn.request(
            "PUT",
            "/esdl-lab/cubes/fast/sink",
            body=body(),
            headers={"Authorization": f"token {TOKEN}", "Content-Length": str(size)},
        )
        answer = json.loads(conn.getresponse().read())
        elapsed = time.perf_counter() - started
    conn.close()
    if answer.get("received") != size:
        raise RuntimeError(f"the upstream received {answer} of {size} bytes")
    return (rss.peak - rss.before) / 2**20, size / elapsed / 2**20


def upstream_connections(port: int) -> int:
    return int(json.loads(get(port, "/stats")[2])["connections"])


def median_row(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5, help="seconds per wrk run (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over the three targets (default 3)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    args = parser.parse_args()
    for tool in ("wrk", "node"):
        if shutil.which(tool) is None:
            print(f"bench_proxy: {tool} is not installed; nothing measured")
            return
    tmp = Path(tempfile.mkdtemp(prefix="esdl-bench-"))
    upstream, upstream_port = start_upstream()
    try:
        jupyter_proc, port = start_jupyter(upstream_port, tmp / "default")
        try:
            run(args, port, upstream_port, psutil.Process(jupyter_proc.pid))
        finally:
            stop(jupyter_proc)
        print(
            "\nthe proxy again with c.ESDLLab.freeze_startup_objects = False (Python's collector untouched)"
        )
        jupyter_proc, port = start_jupyter(
            upstream_port, tmp / "unfrozen", "c.ESDLLab.freeze_startup_objects = False\n"
        )
        try:
            url = f"http://127.0.0.1:{port}/esdl-lab/cubes/fast/tile"
            row = median_row(
                [
                    measure(url, psutil.Process(jupyter_proc.pid), args.duration, args.connections)
                    for _ in range(2)
                ]
            )
            print_row("(a) proxy, collector untouched", row)
        finally:
            stop(jupyter_proc)
    except (subprocess.CalledProcessError, RuntimeError, OSError, AttributeError) as e:
        print(f"bench_proxy: failed: {e}")
    finally:
        upstream.terminate()
        upstream.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


HEADER = f"{'':32} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>11} {'non-2xx':>8}"


def print_row(label: str, row: dict[str, float], cpu: bool = True) -> None:
    cpu_text = f"{row['cpu_ms']:.3f}" if cpu else "-"
    print(
        f"{label:32} {row['rps']:7.0f} {row['p50']:8.2f} {row['p99']:8.2f} {cpu_text:>11} "
        f"{row['errors']:8.0f}"
    )


def run(args: argparse.Namespace, port: int, upstream_port: int, jupyter: psutil.Process) -> None:
    print(
        f"esdl_lab proxy benchmark: wrk -t1 -c{args.connections}, {args.rounds} rounds of "
        f"{args.duration:g} s per target (medians), {os.cpu_count()} CPUs"
    )
    print("20 kB GETs; CPU is the Jupyter server's (user + system) per request\n")
    targets = {
        "proxy": f"http://127.0.0.1:{port}/esdl-lab/cubes/fast/tile",
        "direct": f"http://127.0.0.1:{upstream_port}/tile",
        "floor": f"http://127.0.0.1:{port}/api/status",
    }
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
    opened = 0
    for _ in range(args.rounds):
        for name, url in targets.items():
            before = upstream_connections(upstream_port)
            runs[name].append(measure(url, jupyter, args.duration, args.connections))
            if name == "proxy":
                opened += upstream_connections(upstream_port) - before
    rows = {name: median_row(results) for name, results in runs.items()}
    labels = {
        "proxy": "(a) through the proxy",
        "direct": "(b) direct to the upstream",
        "floor": "(c) bare Jupyter /api/status",
    }
    print(HEADER)
    for name, row in rows.items():
        print_row(labels[name], row, cpu=name != "direct")
    ref = REFERENCE
    print(
        f"{'jupyter-server-proxy 4.4 (ref)':32} {ref['req/s']:7.0f} {ref['p50_ms']:8.2f} {'':>8} "
        f"{ref['cpu_ms']:11.3f}    (issue 2; not measured here)"
    )
    proxy, floor, direct = rows["proxy"], rows["floor"], rows["direct"]
    proxied = sum(run["requests"] for run in runs["proxy"])
    print("\nratios")
    print(f"  proxy CPU / floor CPU:                {proxy['cpu_ms'] / floor['cpu_ms']:.2f}")
    print(f"  proxy CPU - floor CPU:                {proxy['cpu_ms'] - floor['cpu_ms']:.3f} ms per request")
    print(f"  proxy req/s / floor req/s:            {proxy['rps'] / floor['rps']:.2f}")
    print(f"  proxy req/s / direct req/s:           {proxy['rps'] / direct['rps']:.3f}")
    print(f"  proxy CPU / jupyter-server-proxy CPU: {proxy['cpu_ms'] / ref['cpu_ms']:.2f} (reference)")
    verdict = "met" if proxy["cpu_ms"] <= 1.0 else "NOT met"
    print(f"  goal <= 1.0 ms CPU per proxied request: {verdict} ({proxy['cpu_ms']:.3f} ms)")
    print(f"  upstream connections opened: {opened} for {proxied:.0f} proxied requests (with warm-ups)")
    headers = get(port, "/esdl-lab/cubes/fast/tile")[1]
    etag, cache = headers.get("etag"), headers.get("cache-control")
    again = get(port, "/esdl-lab/cubes/fast/tile", {"If-None-Match": etag or ""})[0]
    print(
        f"\ncaching headers through the proxy: ETag {etag}, Cache-Control {cache!r}; If-None-Match -> {again}"
    )
    print("\n1 GiB through the proxy (the Jupyter server's resident memory)")
    for name, transfer in (("download", stream_download), ("upload", stream_upload)):
        try:
            growth, rate = transfer(port, jupyter, GIB)
            verdict = "met" if growth < 50 else "NOT met"
            print(f"  {name:9} peak growth {growth:6.1f} MiB (goal < 50 MiB: {verdict}), {rate:6.0f} MiB/s")
        except (OSError, RuntimeError, ValueError) as e:
            print(f"  {name}: failed: {e}")


if __name__ == "__main__":
    main()
