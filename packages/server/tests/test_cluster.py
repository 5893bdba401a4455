"""GPU kernels as jobs of a real Slurm (scripts/slurm/start.sh: one node, 4 fake GPUs), through a real Jupyter
server with kernel profiles."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
from conftest import JupyterServer, run_in_kernel
from jupyter_client import BlockingKernelClient


def jobs() -> dict[str, dict]:
    out = subprocess.run(["squeue", "--json"], capture_output=True, text=True, check=True).stdout
    return {str(j["job_id"]): j for j in json.loads(out)["jobs"] if j["job_state"] in ("PENDING", "RUNNING")}


def kernel_jobs() -> dict[str, dict]:
    return {k: j for k, j in jobs().items() if j["name"].startswith("esdl-kernel-")}


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"not within {timeout:g} s: {what}")


@pytest.fixture(scope="module")
def cluster_jupyter(slurm_env, tmp_path_factory) -> Iterator[JupyterServer]:
    shared = tmp_path_factory.mktemp("shared")
    profiles = [
        {"name": "gpu-2", "gpus": 2, "cpus": 1, "memory": "1G", "walltime": "00:20:00", "lease_seconds": 10},
        {
            "name": "curve",
            "gpus": 1,
            "memory": "1G",
            "walltime": "00:20:00",
            "lease_seconds": 10,
            "curve": True,
        },
        {"name": "bad; rm -rf /", "gpus": 1},
        {"name": "too-many", "gpus": 99},
    ]
    config = f"c.ESDLLab.kernel_profiles = {profiles!r}\nc.ESDLLab.cluster_shared_dir = {str(shared)!r}\n"
    server = JupyterServer(tmp_path_factory.mktemp("cluster"), config, env=slurm_env).start()
    yield server
    server.stop()


def test_profiles_become_kernel_specs_and_wrong_ones_are_named_in_the_log(cluster_jupyter):
    specs = cluster_jupyter.get("/api/kernelspecs").json()["kernelspecs"]
    assert "esdl-gpu-2" in specs
    spec = specs["esdl-gpu-2"]["spec"]
    assert spec["display_name"] == "Python 3 · 2 GPUs · 0 h" or spec["display_name"].startswith(
        "Python 3 · 2 GPUs"
    )
    assert spec["metadata"]["kernel_provisioner"]["provisioner_name"] == "esdl-slurm-provisioner"
    assert not any(name.startswith("esdl-bad") or name == "esdl-too-many" for name in specs)
    log = cluster_jupyter.log()
    assert "kernel profile name 'bad; rm -rf /'" in log
    assert "kernel profile 'too-many': gpus must be a whole number from 0 to 16, not 99" in log


def test_a_gpu_kernel_runs_as_a_job_sees_its_gpus_and_its_job_ends_with_it(cluster_jupyter):
    before = set(kernel_jobs())
    names = "'SLURM_JOB_GPUS', 'CUDA_VISIBLE_DEVICES', 'SLURM_JOB_ID'"
    code = f"import os; print(*(os.environ[k] for k in ({names})))"
    text, reply = run_in_kernel(cluster_jupyter, code, kernel="esdl-gpu-2")
    assert reply.get("status") == "ok", reply
    gpus, cuda, job_id = text.split()
    assert len(gpus.split(",")) == 2 and len(cuda.split(",")) == 2
    assert job_id not in before
    # run_in_kernel shut the kernel down: its job is gone within seconds
    wait_until(lambda: job_id not in kernel_jobs(), 20, f"job {job_id} cancelled after the kernel's shutdown")


def test_the_job_ends_by_itself_when_the_jupyter_server_is_killed(slurm_env, tmp_path):
    profiles = [{"name": "lease", "gpus": 1, "memory": "1G", "walltime": "00:20:00", "lease_seconds": 8}]
    shared = str(tmp_path / "shared")
    config = f"c.ESDLLab.kernel_profiles = {profiles!r}\nc.ESDLLab.cluster_shared_dir = {shared!r}\n"
    server = JupyterServer(tmp_path / "jupyter", config, env=slurm_env).start()
    before = set(kernel_jobs())
    try:
        started = server.request(
            "POST", "/api/kernels", body=json.dumps({"name": "esdl-lease"}).encode(), timeout=120
        )
        assert started.status == 201, started.body
        wait_until(lambda: set(kernel_jobs()) - before, 30, "a kernel job runs")
        job_id = next(iter(set(kernel_jobs()) - before))
    finally:
        server.stop(signal.SIGKILL)
    # nobody renews the lease any more: the job ends itself within the lease time (plus its check interval)
    wait_until(lambda: job_id not in kernel_jobs(), 40, f"job {job_id} ended after the server was killed")


def start_kernel(server: JupyterServer, name: str) -> str:
    started = server.request("POST", "/api/kernels", body=json.dumps({"name": name}).encode(), timeout=120)
    assert started.status == 201, started.body
    return started.json()["id"]


def listed(server: JupyterServer) -> dict[str, dict]:
    response = server.get("/esdl-lab/cluster/jobs")
    assert response.status == 200, response.body
    body = response.json()
    assert body["backend"] == "slurm" and body["available"], body
    return {job["kernel_id"]: job for job in body["jobs"]}


def job_of(server: JupyterServer, kernel_id: str) -> dict:
    """The kernel's job in the listing (which polls may see up to 2 s late)."""
    wait_until(lambda: kernel_id in listed(server), 10, f"kernel {kernel_id}'s job is listed")
    return listed(server)[kernel_id]


def connect(server: JupyterServer, kernel_id: str) -> BlockingKernelClient:
    client = BlockingKernelClient()
    client.load_connection_file(str(server.tmp / "runtime" / f"kernel-{kernel_id}.json"))
    client.start_channels()
    client.wait_for_ready(timeout=60)
    return client


def test_the_jobs_route_lists_a_kernel_job_and_interrupt_keeps_it_running(cluster_jupyter):
    kernel_id = start_kernel(cluster_jupyter, "esdl-gpu-2")
    client = connect(cluster_jupyter, kernel_id)
    try:
        job = job_of(cluster_jupyter, kernel_id)
        assert job["state"] == "RUNNING" and job["live"] and job["kernel_name"] == "esdl-gpu-2"
        assert len(job["gpus"].split(",")) == 2 and job["gpus_requested"] == 2
        assert job["node"] and job["time_limit_s"] == 20 * 60 and 0 < job["remaining_s"] <= 20 * 60
        # a cell that runs long is interrupted: the kernel answers, and its job still runs
        msg_id = client.execute("import time\nfor _ in range(600): time.sleep(0.1)")
        time.sleep(2)
        interrupted = cluster_jupyter.request("POST", f"/api/kernels/{kernel_id}/interrupt")
        assert interrupted.status == 204, interrupted.body
        reply = client.get_shell_msg(timeout=30)
        assert reply["parent_header"]["msg_id"] == msg_id
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
        assert client.execute_interactive("print(1 + 1)", timeout=30)["content"]["status"] == "ok"
        assert job["job_id"] in kernel_jobs()
    finally:
        client.stop_channels()
    # Cancel in the panel: the kernel is shut down (Jupyter does not start it again) and its job ends
    cancelled = cluster_jupyter.request("DELETE", f"/esdl-lab/cluster/jobs/{job['job_id']}")
    assert cancelled.status == 200, cancelled.body
    assert cancelled.json()["done"] == "kernel shut down"
    wait_until(lambda: job["job_id"] not in kernel_jobs(), 20, "the cancelled kernel's job ended")
    assert kernel_id not in {k["id"] for k in cluster_jupyter.get("/api/kernels").json()}


def test_cancelling_asks_for_a_kernel_job_of_this_user(cluster_jupyter):
    bad = cluster_jupyter.request("DELETE", "/esdl-lab/cluster/jobs/12;rm")
    assert bad.status == 400 and "not a Slurm job id" in bad.json()["message"]
    unknown = cluster_jupyter.request("DELETE", "/esdl-lab/cluster/jobs/999999")
    assert unknown.status == 404 and "not a kernel job" in unknown.json()["message"]
    nameless = cluster_jupyter.request("DELETE", "/esdl-lab/cluster/jobs/")
    assert nameless.status == 400


def test_a_job_cancelled_from_outside_is_reported_dead_with_its_reason_and_not_restarted(cluster_jupyter):
    kernel_id = start_kernel(cluster_jupyter, "esdl-gpu-2")
    job_id = job_of(cluster_jupyter, kernel_id)["job_id"]
    subprocess.run(["scancel", job_id], check=True)

    def reported_dead() -> bool:
        # Jupyter sends "dead" to the notebook and drops the kernel from its list
        return kernel_id not in {k["id"] for k in cluster_jupyter.get("/api/kernels").json()}

    wait_until(reported_dead, 30, "Jupyter reports the kernel dead")
    assert "restart failed" in cluster_jupyter.log()
    wait_until(lambda: not listed(cluster_jupyter)[kernel_id]["live"], 10, "the listing shows the end")
    ended = listed(cluster_jupyter)[kernel_id]
    assert ended["state"] == "CANCELLED" and not ended["live"]
    assert ended["why"].startswith("cancelled")
    assert f"JOB {job_id} ON" in ended["log_tail"] and "CANCELLED" in ended["log_tail"]
    assert f"the kernel job {job_id} cancelled" in cluster_jupyter.log()
    # no new job was started behind the user's back
    time.sleep(3)
    assert not [j for j in listed(cluster_jupyter).values() if j["kernel_id"] == kernel_id and j["live"]]


def test_a_queued_kernel_shows_its_pending_reason_and_cancels_cleanly(cluster_jupyter, slurm_env):
    # all 4 GPUs busy
    blocker = subprocess.run(
        [
            "sbatch",
            "--parsable",
            "--gres=gpu:4",
            "--mem=100M",
            "--time=00:05:00",
            "--output=/dev/null",
            "--wrap=sleep 300",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    outcome: dict = {}

    def start() -> None:
        outcome["response"] = cluster_jupyter.request(
            "POST", "/api/kernels", body=json.dumps({"name": "esdl-gpu-2"}).encode(), timeout=120
        )

    starter = threading.Thread(target=start)
    try:
        starter.start()
        wait_until(
            lambda: any(j["state"] == "PENDING" for j in listed(cluster_jupyter).values()), 30, "a queued job"
        )
        job = next(j for j in listed(cluster_jupyter).values() if j["state"] == "PENDING")
        assert job["reason"] in ("Resources", "Priority") and job["gpus"] == "" and job["gpus_requested"] == 2
        # Slurm's estimate, once its backfill scheduler has made one (0 until then; bf_interval is 5 s here)
        wait_until(lambda: listed(cluster_jupyter)[job["kernel_id"]]["start_time"] > 0, 20, "an estimate")
        assert listed(cluster_jupyter)[job["kernel_id"]]["start_time"] > time.time() - 5
        cancelled = cluster_jupyter.request("DELETE", f"/esdl-lab/cluster/jobs/{job['job_id']}")
        assert cancelled.status == 200 and cancelled.json()["done"] == "job cancelled", cancelled.body
        starter.join(60)
        response = outcome["response"]
        assert response.status == 503
        assert f"The kernel job {job['job_id']} CANCELLED before the kernel started" in response.body.decode()
        assert job["job_id"] not in kernel_jobs()
        assert listed(cluster_jupyter)[job["kernel_id"]]["why"] == "cancelled from the jobs panel"
    finally:
        subprocess.run(["scancel", blocker], check=False)
        starter.join(60)


def test_a_restarted_server_cancels_the_jobs_its_earlier_run_left(slurm_env, tmp_path):
    # a long lease: without the clean-up at start-up the job would hold its GPU for 10 minutes
    profiles = [{"name": "left", "gpus": 1, "memory": "1G", "walltime": "00:20:00", "lease_seconds": 600}]
    shared = str(tmp_path / "shared")
    config = f"c.ESDLLab.kernel_profiles = {profiles!r}\nc.ESDLLab.cluster_shared_dir = {shared!r}\n"
    first = JupyterServer(tmp_path / "first", config, env=slurm_env).start()
    try:
        kernel_id = start_kernel(first, "esdl-left")
        job_id = job_of(first, kernel_id)["job_id"]
    finally:
        first.stop(signal.SIGKILL)
    assert job_id in kernel_jobs()
    second = JupyterServer(tmp_path / "second", config, env=slurm_env, port=first.port).start()
    try:
        wait_until(lambda: job_id not in kernel_jobs(), 20, f"job {job_id} cancelled by the restarted server")
        assert f"cancelled kernel job {job_id} (kernel {kernel_id}, esdl-left) left running" in second.log()
    finally:
        second.stop()
        subprocess.run(["scancel", job_id], check=False)


def post_json(server: JupyterServer, path: str, body) -> object:
    return server.request("POST", path, body=json.dumps(body).encode(), timeout=60)


def test_the_custom_kernel_form_checks_resources_estimates_a_start_and_runs_the_kernel(cluster_jupyter):
    limits = cluster_jupyter.get("/esdl-lab/cluster/limits").json()
    # no kernel_limits configured: the largest of the profiles
    assert limits["limits"] == {
        "gpus": 2,
        "cpus": 1,
        "memory": "1G",
        "walltime": "00:20:00",
        "partitions": [],
        "curve": True,
    }
    assert limits["defaults"]["gpus"] == 1 and limits["defaults"]["walltime"] == "00:20:00"
    ok = {"gpus": 1, "cpus": 1, "memory": "512M", "walltime": "00:10:00", "partition": ""}
    for bad, message in (
        ({**ok, "gpus": 3}, "At most 2 GPUs"),
        ({**ok, "gpus": "two"}, "gpus must be a whole number"),
        ({**ok, "memory": "2G"}, "At most 1G of memory"),
        ({**ok, "memory": "1G; rm -rf /"}, "memory must be like 16G"),
        ({**ok, "walltime": "01:00:00"}, "The walltime may be at most 00:20:00"),
        ({**ok, "partition": "gpu$(reboot)"}, "is not offered here"),
        ({**ok, "account": "x"}, "Unknown field(s) account"),
        ([1, 2], "Send a JSON object"),
    ):
        for route in ("estimate", "kernelspecs"):
            response = post_json(cluster_jupyter, f"/esdl-lab/cluster/{route}", bad)
            assert response.status == 400, (bad, response.body)
            assert message in response.json()["message"], (bad, response.json())
    estimate = post_json(cluster_jupyter, "/esdl-lab/cluster/estimate", ok)
    assert estimate.status == 200, estimate.body
    assert estimate.json()["nodes"] and abs(estimate.json()["start_time"] - time.time()) < 120
    before = set(kernel_jobs())
    made = post_json(cluster_jupyter, "/esdl-lab/cluster/kernelspecs", ok)
    assert made.status == 200, made.body
    name = made.json()["name"]
    assert made.json()["display_name"] == "Python 3 · 1 GPU · 512M · 10 min (custom)"
    assert name in cluster_jupyter.get("/api/kernelspecs").json()["kernelspecs"]
    assert set(kernel_jobs()) == before  # an estimate and a spec submit nothing
    code = "import os; print(os.environ['SLURM_JOB_GPUS'], os.environ['SLURM_MEM_PER_NODE'])"
    text, reply = run_in_kernel(cluster_jupyter, code, kernel=name)
    assert reply.get("status") == "ok", reply
    assert text.split()[1] == "512"


def test_a_curve_profile_encrypts_the_kernel_sockets(cluster_jupyter):
    kernel_id = start_kernel(cluster_jupyter, "esdl-curve")
    try:
        runtime = json.loads((cluster_jupyter.tmp / "runtime" / f"kernel-{kernel_id}.json").read_text())
        assert runtime["curve_publickey"] and runtime["curve_secretkey"]
        # with the server's public key a client is answered ...
        client = connect(cluster_jupyter, kernel_id)
        try:
            assert client.execute_interactive("print(6 * 7)", timeout=30)["content"]["status"] == "ok"
        finally:
            client.stop_channels()
        # ... without it, the kernel does not answer at all
        plain = BlockingKernelClient()
        plain.load_connection_info({k: v for k, v in runtime.items() if not k.startswith("curve_")})
        plain.start_channels()
        try:
            with pytest.raises(RuntimeError):
                plain.wait_for_ready(timeout=4)
        finally:
            plain.stop_channels()
    finally:
        cluster_jupyter.request("DELETE", f"/api/kernels/{kernel_id}")
