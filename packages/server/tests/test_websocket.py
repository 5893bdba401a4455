"""Websockets pass the proxy (subprotocol, text, binary), and only with Jupyter's authentication."""

from __future__ import annotations

import pytest
import websocket
from conftest import TOKEN


def ws_url(server, path: str) -> str:
    return f"ws://127.0.0.1:{server.port}{path}"


def test_a_websocket_is_proxied_both_ways(server):
    ws = websocket.create_connection(
        ws_url(server, f"/esdl-lab/cubes/echo/ws?x=1&token={TOKEN}"),
        subprotocols=["esdl.test"],
        cookie="secret=1",
        timeout=10,
    )
    try:
        assert ws.subprotocol == "esdl.test"
        # the upstream greets with the query and the cookie it saw: the Jupyter token and cookie stay behind
        assert ws.recv() == "hello x=1 cookie=None"
        ws.send("ping")
        assert ws.recv() == "echo:ping"
        payload = bytes(range(256)) * 1000
        ws.send_binary(payload)
        assert ws.recv() == payload[::-1]
    finally:
        ws.close()


def test_a_websocket_with_the_token_in_a_header(server):
    ws = websocket.create_connection(
        ws_url(server, "/esdl-lab/mlflow/ws"), header=[f"Authorization: token {TOKEN}"], timeout=10
    )
    try:
        assert ws.recv() == "hello  cookie=None"
    finally:
        ws.close()


@pytest.mark.parametrize("auth", ["", "&token=wrong"])
def test_a_websocket_without_token_is_refused_and_nothing_forwarded(server, upstream, marker, auth):
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(ws_url(server, f"/esdl-lab/cubes/echo/ws?m={marker}{auth}"), timeout=10)
    assert refused.value.status_code == 403
    assert upstream.seen(marker) == 0


def test_a_websocket_to_an_unreachable_upstream_gets_502(server):
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(ws_url(server, f"/esdl-lab/cubes/down/ws?token={TOKEN}"), timeout=10)
    assert refused.value.status_code == 502


def test_a_websocket_refused_by_the_upstream_passes_its_answer(server):
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(ws_url(server, f"/esdl-lab/cubes/echo/login?token={TOKEN}"), timeout=10)
    assert refused.value.status_code == 401
    assert "www-authenticate" not in {k.lower() for k in refused.value.resp_headers}
