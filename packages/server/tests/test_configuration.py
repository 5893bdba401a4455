"""c.ESDLLab: every bad entry is reported clearly and left out; the Jupyter server always starts."""

from __future__ import annotations

import logging
import sys

import pytest
from conftest import JupyterServer

from esdl_lab.upstreams import mlflow_upstream, parse_cube_server

LOG = logging.getLogger("test")


def cube(name, spec):
    return parse_cube_server(name, spec, connect_timeout=5, log=LOG)


def mlflow(**kwargs):
    settings = {
        "url": "",
        "env_uri": None,
        "command": None,
        "username": "",
        "password": "",
        "token": "",
        "connect_timeout": 5,
        "log": LOG,
    }
    settings.update(kwargs)
    return mlflow_upstream(**settings)


def test_every_bad_entry_is_logged_by_name_and_the_server_serves(server):
    log = server.log()
    for name in ("bad name", "nourl", "both", "noport", "missing", "badurl"):
        assert f"c.ESDLLab.cube_servers[{name!r}]" in log, name
    assert "This entry is left out until it is fixed." in log
    assert server.get("/esdl-lab/cubes/echo/still-serving").status == 200


def test_a_cube_servers_value_of_the_wrong_type_is_shown_in_the_status(tmp_path):
    jupyter = JupyterServer(
        tmp_path, "c.ESDLLab.cube_servers = ['demo']\nc.ESDLLab.read_timeout = 'slow'\n"
    ).start()
    try:
        entry = jupyter.status()["cube_servers"]
        assert entry["state"] == "down"
        assert "must be a dict" in entry["error"]
    finally:
        jupyter.stop()


def test_credentials_never_reach_the_log(server):
    log = server.log()
    assert "s3cret" not in log
    assert "YWxpY2U6czNjcmV0OnB3" not in log  # base64 of alice:s3cret:pw


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("http://x", "must be a dict"),
        ({"url": "http://x", "colour": "red"}, "unknown key(s) 'colour'"),
        ({"url": "http://x", "start_timeout": 3}, "unknown key(s) 'start_timeout'"),
        ({"url": "http://x?a=1"}, "must not have a query"),
        ({"url": "http://x:99999"}, "bad port"),
        ({"url": 5}, "'url' must be a string"),
        ({"command": "prog --port {port}"}, "non-empty list of strings"),
        ({"command": []}, "non-empty list of strings"),
        ({"command": [sys.executable, "{port}"], "environment": {"A": 1}}, "'environment' must map"),
        ({"command": [sys.executable, "{port}"], "cwd": "/no/such/dir"}, "not an existing directory"),
        ({"command": [sys.executable, "{port}"], "ready_path": "health"}, "'ready_path' must be a path"),
        ({"command": [sys.executable, "{port}"], "start_timeout": 0}, "positive number"),
        ({"command": [sys.executable, "{port}"], "title": 3}, "'title' must be a string"),
    ],
)
def test_bad_cube_server_specs_say_what_is_wrong(spec, words):
    upstream = cube("demo", spec)
    assert upstream.problem is not None
    assert upstream.problem.startswith("c.ESDLLab.cube_servers['demo']")
    assert words in upstream.problem
    assert not upstream.usable


def test_credentials_in_a_url_become_basic_auth_and_leave_the_messages():
    upstream = cube("demo", {"url": "http://bob:pa%40ss@127.0.0.1:8080/cubes/"})
    assert upstream.problem is None
    assert upstream.url == "http://127.0.0.1:8080/cubes"
    assert upstream.authorization == "Basic Ym9iOnBhQHNz"
    assert "pa" not in upstream.where()


def test_the_port_may_be_given_in_the_environment():
    upstream = cube("demo", {"command": [sys.executable], "environment": {"PORT": "{port}"}})
    assert upstream.problem is None
    assert upstream.managed


def test_mlflow_unconfigured_says_how_to_configure_it():
    upstream = mlflow()
    assert upstream.configured is False
    assert "MLFLOW_TRACKING_URI" in upstream.problem
    assert "c.ESDLLab.mlflow_url" in upstream.problem


@pytest.mark.parametrize("uri", ["file:///home/me/mlruns", "sqlite:///mlflow.db", "./mlruns", "databricks"])
def test_mlflow_with_a_local_store_is_unconfigured(uri):
    upstream = mlflow(env_uri=uri)
    assert upstream.configured is False
    assert "not a tracking server" in upstream.problem


def test_mlflow_credentials_follow_mlflow_client_precedence():
    assert mlflow(url="http://m:5000", token="t0k").authorization == "Bearer t0k"
    assert mlflow(url="http://m:5000", username="u", password="p", token="t").authorization == "Basic dTpw"
    assert mlflow(url="http://u:p@m:5000").authorization == "Basic dTpw"


def test_mlflow_command_as_a_list_or_a_dict():
    assert mlflow(command=[sys.executable, "--port", "{port}"]).managed
    dict_spec = {"command": [sys.executable, "{port}"], "ready_path": "/health"}
    assert mlflow(command=dict_spec).process.spec.ready_path == "/health"
    assert (
        "unknown key(s) 'port'" in mlflow(command={"command": [sys.executable, "{port}"], "port": 1}).problem
    )
