"""The local backend (c.ESDLLab.cluster_backend = "local"): the same kernel profiles, jobs route, lease and
walltime, with kernels as processes of this machine. Needs no Slurm and no root."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator

import pytest
from conftest import JupyterServer, run_in_kernel


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"not within {timeout:g} s: {what}")


def alive(job_id: str) -> bool:
    """Whether any process of the job (its own session and process group) is left."""
    try:
        os.killpg(int(job_id), 0)
    except ProcessLookupError:
        return False
    return True


def config(profiles: list[dict], shared: str) -> str:
    return (
        f"c.ESDLLab.kernel_profiles = {profiles!r}\n"
        f"c.ESDLLab.cluster_shared_dir = {shared!r}\n"
        "c.ESDLLab.cluster_backend = 'local'\n"
    )


@pytest.fixture(scope="module")
def local_jupyter(tmp_path_factory) -> Iterator[JupyterServer]:
    profiles = [
        {"name": "gpu-1", "gpus": 1, "memory": "1G", "walltime": "00:20:00", "lease_seconds": 10},
        {"name": "short", "gpus": 1, "memory": "1G", "walltime": "00:00:06", "lease_seconds": 10},
    ]
    shared = str(tmp_path_factory.mktemp("shared"))
    server = JupyterServer(tmp_path_factory.mktemp("local"), config(profiles, shared)).start()
    yield server
    server.stop()


def listed(server: JupyterServer) -> dict[str, dict]:
    body = server.get("/esdl-lab/cluster/jobs").json()
    assert body["backend"] == "local" and body["available"], body
    return {job["kernel_id"]: job for job in body["jobs"]}


def start(server: JupyterServer, name: str) -> str:
    started = server.request("POST", "/api/kernels", body=json.dumps({"name": name}).encode(), timeout=60)
    assert started.status == 201, started.body
    return started.json()["id"]


def test_a_profile_kernel_runs_as_a_local_job_that_the_jobs_route_lists_and_cancels(local_jupyter):
    assert "as processes of this machine (no Slurm here)" in local_jupyter.log()
    text, reply = run_in_kernel(local_jupyter, "import os; print('pid', os.getpid())", kernel="esdl-gpu-1")
    assert reply.get("status") == "ok" and text.startswith("pid "), (text, reply)

    kernel_id = start(local_jupyter, "esdl-gpu-1")
    wait_until(lambda: kernel_id in listed(local_jupyter), 10, "the kernel's job is listed")
    job = listed(local_jupyter)[kernel_id]
    assert job["state"] == "RUNNING" and job["partition"] == "local" and job["gpus_requested"] == 1
    assert job["time_limit_s"] == 20 * 60 and job["remaining_s"] > 0
    assert alive(job["job_id"])
    estimate = local_jupyter.request(
        "POST",
        "/esdl-lab/cluster/estimate",
        body=json.dumps({"gpus": 1, "cpus": 1, "memory": "1G", "walltime": "00:10:00"}).encode(),
    )
    assert estimate.status == 200 and "starts at once" in estimate.json()["message"], estimate.body
    cancelled = local_jupyter.request("DELETE", f"/esdl-lab/cluster/jobs/{job['job_id']}")
    assert cancelled.status == 200 and cancelled.json()["done"] == "kernel shut down", cancelled.body
    wait_until(lambda: not alive(job["job_id"]), 15, "every process of the job ended")
    assert kernel_id not in {k["id"] for k in local_jupyter.get("/api/kernels").json()}


def test_walltime_ends_a_local_kernel_which_is_reported_dead_and_not_restarted(local_jupyter):
    kernel_id = start(local_jupyter, "esdl-short")
    wait_until(lambda: kernel_id in listed(local_jupyter), 10, "the kernel's job is listed")
    job_id = listed(local_jupyter)[kernel_id]["job_id"]
    wait_until(lambda: not listed(local_jupyter)[kernel_id]["live"], 30, "the walltime ended the job")
    ended = listed(local_jupyter)[kernel_id]
    assert ended["state"] == "TIMEOUT" and ended["why"] == "reached its walltime"
    wait_until(
        lambda: kernel_id not in {k["id"] for k in local_jupyter.get("/api/kernels").json()},
        20,
        "Jupyter reports the kernel dead",
    )
    assert f"the kernel job {job_id} reached its walltime" in local_jupyter.log()
    assert not alive(job_id)
    assert not [j for j in listed(local_jupyter).values() if j["kernel_id"] == kernel_id and j["live"]]


def test_a_local_job_ends_by_itself_when_the_jupyter_server_is_killed(tmp_path):
    profiles = [{"name": "lease", "gpus": 0, "memory": "1G", "walltime": "00:20:00", "lease_seconds": 6}]
    server = JupyterServer(tmp_path / "jupyter", config(profiles, str(tmp_path / "shared"))).start()
    try:
        kernel_id = start(server, "esdl-lease")
        wait_until(lambda: kernel_id in listed(server), 10, "the kernel's job is listed")
        job_id = listed(server)[kernel_id]["job_id"]
    finally:
        server.stop(signal.SIGKILL)
    assert alive(job_id)
    wait_until(lambda: not alive(job_id), 30, f"local job {job_id} ended after the server was killed")
