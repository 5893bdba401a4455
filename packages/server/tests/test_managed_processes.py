"""Managed upstream processes: started on first use, restarted when they die, gone when Jupyter stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest
from conftest import JupyterServer, Upstream, managed_upstream_command


def wait_for(condition, timeout: float = 20, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out waiting")


def is_gone(pid: int) -> bool:
    """Exited (a zombie that no init reaps counts as gone)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_a_managed_process_starts_on_first_use_and_is_restarted_after_a_kill(server):
    response = server.get("/esdl-lab/cubes/managed/datasets?x=1")
    assert response.status == 200, response.body
    assert response.json()["path"] == "/datasets"
    entry = server.status()["managed"]
    assert entry["state"] == "up"
    assert entry["version"] == "1.7.1"
    pid = entry["pid"]
    assert psutil.Process(pid).is_running()
    assert entry["kernelUrl"].startswith("http://127.0.0.1:")

    os.kill(pid, signal.SIGKILL)
    # the next request waits for the restarted process
    response = server.get("/esdl-lab/cubes/managed/after-restart")
    assert response.status == 200, response.body
    entry = wait_for(lambda: (e := server.status()["managed"])["state"] == "up" and e)
    assert entry["pid"] != pid
    assert entry["restarts"] >= 1
    log = server.log()
    assert "Cube server 'managed' exited with code -9; restarting in 1 s" in log
    assert "[esdl_lab managed] LISTENING" in log


def test_a_process_that_exits_at_start_gives_502_with_its_output(server):
    response = server.get("/esdl-lab/cubes/crashing/x")
    assert response.status == 502
    body = response.json()
    assert body["upstream"] == "crashing"
    assert body["reason"] in ("exited", "down")
    assert "boom: no data" in body["message"]
    entry = server.status()["crashing"]
    assert entry["state"] in ("starting", "down")
    assert entry["error"]


def test_a_process_that_never_answers_gives_504(server):
    response = server.get("/esdl-lab/cubes/hanging/x", timeout=30)
    assert response.status == 504
    body = response.json()
    assert body["reason"] == "timeout"
    assert "did not become ready within 1 s" in body["message"]


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGKILL])
def test_managed_processes_are_gone_after_the_jupyter_server_stops(upstream: Upstream, tmp_path, stop_signal):
    config = f"c.ESDLLab.cube_servers = {{'m': {{'command': {managed_upstream_command()!r}}}}}\n"
    jupyter = JupyterServer(tmp_path, config).start()
    try:
        assert jupyter.get("/esdl-lab/cubes/m/x").status == 200
        pid = jupyter.status()["m"]["pid"]
        assert not is_gone(pid)
    finally:
        jupyter.stop(stop_signal)
    wait_for(lambda: is_gone(pid), timeout=15)
    if stop_signal == signal.SIGTERM:
        assert "Cube server 'm' stopped" in jupyter.log()


def test_the_die_with_parent_wrapper_reports_a_missing_program():
    result = subprocess.run(
        [sys.executable, "-m", "esdl_lab.die_with_parent", str(os.getpid()), "no-such-program-esdl"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 127
    assert "cannot run 'no-such-program-esdl'" in result.stderr
