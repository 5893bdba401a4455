"""``GET /esdl-lab/status``: the shape the front end reads (packages/core/src/types.ts) and every state."""

from __future__ import annotations

import re

import esdl_lab

KEYS = {
    "name",
    "kind",
    "title",
    "state",
    "version",
    "error",
    "proxyPath",
    "managed",
    "pid",
    "restarts",
    "checkedAt",
    "kernelUrl",
}
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def test_the_status_lists_every_cube_server_then_mlflow(server):
    response = server.get("/esdl-lab/status")
    assert response.status == 200
    assert response.header("Content-Type") == "application/json"
    assert response.header("Cache-Control") == "no-store"
    status = response.json()
    assert status["version"] == esdl_lab.__version__
    names = [entry["name"] for entry in status["upstreams"]]
    assert names[:4] == ["echo", "based", "down", "managed"]
    assert names[-1] == "mlflow"
    for entry in status["upstreams"]:
        assert set(entry) == KEYS, entry["name"]
        assert entry["state"] in ("up", "starting", "down", "idle", "unconfigured")
        assert entry["kind"] == ("mlflow" if entry["name"] == "mlflow" else "cube")
        assert entry["checkedAt"] is None or ISO.fullmatch(entry["checkedAt"])


def test_a_running_cube_server_is_up_with_its_version(server, upstream):
    entry = server.status()["echo"]
    assert entry["state"] == "up"
    assert entry["version"] == "1.7.1"
    assert entry["error"] is None
    assert entry["title"] == "Echo server"
    assert entry["proxyPath"] == "esdl-lab/cubes/echo/"
    assert entry["managed"] is False
    assert entry["pid"] is None
    assert entry["restarts"] == 0
    assert entry["kernelUrl"] == upstream.url + "/"


def test_mlflow_is_up_with_its_version(server):
    entry = server.status()["mlflow"]
    assert entry["state"] == "up"
    assert entry["version"] == "3.6.1.dev0"
    assert entry["proxyPath"] == "esdl-lab/mlflow/"
    assert entry["kernelUrl"].startswith("http://127.0.0.1:")


def test_an_unreachable_cube_server_is_down_with_an_actionable_error(server):
    entry = server.status()["down"]
    assert entry["state"] == "down"
    assert "refused the connection" in entry["error"]
    assert "c.ESDLLab.cube_servers['down']" in entry["error"]
    assert ISO.fullmatch(entry["checkedAt"])


def test_bad_entries_are_down_with_the_configuration_error(server):
    status = server.status()
    assert "cannot be part of a URL" in status["bad name"]["error"]
    assert "exactly one of 'url'" in status["nourl"]["error"]
    assert "exactly one of 'url'" in status["both"]["error"]
    assert "'{port}' appears neither" in status["noport"]["error"]
    assert "'no-such-program-esdl' was not found" in status["missing"]["error"]
    assert "not an http:// or https:// URL" in status["badurl"]["error"]
    for name in ("bad name", "nourl", "both", "noport", "missing", "badurl"):
        assert status[name]["state"] == "down"


def test_an_idle_process_is_not_started_by_polls_but_by_first_use(server):
    for _ in range(3):
        entry = server.status()["idle"]
        assert entry["state"] == "idle"
        assert entry["pid"] is None
        assert entry["managed"] is True
        assert entry["title"] == "Never used"
        assert entry["kernelUrl"] is None
    assert server.get("/esdl-lab/cubes/idle/").status == 200
    entry = server.status()["idle"]
    assert entry["state"] == "up"
    assert isinstance(entry["pid"], int)
    assert entry["version"] == "1.7.1"
