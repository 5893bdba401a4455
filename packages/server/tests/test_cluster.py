"""GPU kernels as jobs of a real Slurm (scripts/slurm/start.sh: one node, 4 fake GPUs), through a real Jupyter
server with kernel profiles."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator

import pytest
from conftest import JupyterServer, run_in_kernel


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
