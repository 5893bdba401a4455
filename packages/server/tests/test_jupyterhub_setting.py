"""As JupyterHub runs a single-user server: a base URL, and unauthenticated access switched off."""

from __future__ import annotations

import pytest
from conftest import JupyterServer

BASE = "/user/alice/"


@pytest.fixture(scope="module")
def hub_server(upstream, tmp_path_factory):
    config = (
        f"c.ServerApp.base_url = {BASE!r}\n"
        "c.ServerApp.allow_unauthenticated_access = False\n"
        f"c.ESDLLab.cube_servers = {{'echo': {{'url': {upstream.url!r}}}}}\n"
    )
    jupyter = JupyterServer(tmp_path_factory.mktemp("hub"), config, status_path=BASE + "api/status").start()
    yield jupyter
    jupyter.stop()


def test_routes_are_joined_onto_the_base_url(hub_server):
    echo = hub_server.get(BASE + "esdl-lab/cubes/echo/datasets?x=1").json()
    assert echo["path"] == "/datasets"
    assert echo["query"] == "x=1"
    assert hub_server.get("/esdl-lab/cubes/echo/datasets").status == 404


def test_redirects_are_rewritten_under_the_base_url(hub_server):
    response = hub_server.get(BASE + "esdl-lab/cubes/echo/redirect")
    assert response.header("Location") == BASE + "esdl-lab/cubes/echo/echo/after-redirect?x=1"


def test_the_status_paths_are_relative_to_the_base_url(hub_server):
    entry = hub_server.get(BASE + "esdl-lab/status").json()["upstreams"][0]
    assert entry["proxyPath"] == "esdl-lab/cubes/echo/"


def test_without_token_403_and_no_warning_about_undecorated_handlers(hub_server, upstream, marker):
    response = hub_server.get(BASE + f"esdl-lab/cubes/echo/{marker}", token=False)
    assert response.status == 403
    assert upstream.seen(marker) == 0
    assert "without @allow_unauthenticated" not in hub_server.log()
