"""What the upstream sees of the browser's headers, and what the browser sees of the upstream's."""

from __future__ import annotations

import base64


def forwarded(server, path: str = "/esdl-lab/cubes/echo/h", headers=None) -> dict[str, str]:
    response = server.get(path, headers=headers)
    assert response.status == 200, response.body
    return {k.lower(): v for k, v in response.json()["headers"]}


def test_browser_credentials_and_origin_are_not_forwarded(server):
    seen = forwarded(
        server,
        headers={
            "Cookie": "_xsrf=abc; username-127-0-0-1=secret",
            "Origin": f"http://127.0.0.1:{server.port}",
            "Referer": f"http://127.0.0.1:{server.port}/lab",
            "X-XSRFToken": "abc",
            "Accept": "image/png",
            "Accept-Language": "de",
        },
    )
    for name in ("cookie", "authorization", "origin", "referer", "x-xsrftoken"):
        assert name not in seen, name
    assert seen["accept"] == "image/png"
    assert seen["accept-language"] == "de"


def test_host_is_the_upstream_own(server, upstream):
    assert forwarded(server)["host"] == f"127.0.0.1:{upstream.port}"


def test_hop_by_hop_headers_and_those_named_in_connection_are_stripped(server):
    seen = forwarded(
        server,
        headers={
            "Connection": "keep-alive, X-Private-Hop",
            "X-Private-Hop": "1",
            "Keep-Alive": "timeout=5",
            "TE": "trailers",
            "Proxy-Authorization": "Basic Zm9vOmJhcg==",
            "X-End-To-End": "kept",
        },
    )
    for name in ("x-private-hop", "keep-alive", "te", "proxy-authorization"):
        assert name not in seen, name
    assert seen["x-end-to-end"] == "kept"


def test_basic_credentials_from_the_environment_are_added_for_mlflow(server):
    seen = forwarded(server, "/esdl-lab/mlflow/api/2.0/mlflow/experiments/search")
    assert seen["authorization"] == "Basic " + base64.b64encode(b"alice:s3cret:pw").decode()


def test_no_credentials_are_added_for_a_cube_server_without_them(server):
    assert "authorization" not in forwarded(server)


def test_credentials_never_come_back_and_login_prompts_and_cookies_are_dropped(server):
    response = server.get("/esdl-lab/mlflow/login")
    assert response.status == 401
    names = response.header_names()
    assert "www-authenticate" not in names
    assert all("upstream_session" not in v for k, v in response.headers if k.lower() == "set-cookie")
    assert response.header("X-Kept") == "yes"
    everything = repr(response.headers) + response.body.decode()
    assert "s3cret" not in everything
    assert base64.b64encode(b"alice:s3cret:pw").decode() not in everything


def test_a_cube_server_is_told_its_public_url_and_the_browser_cannot_forge_it(server):
    seen = forwarded(
        server,
        headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Prefix": "/x", "Forwarded": "host=evil"},
    )
    assert seen["x-forwarded-proto"] == "http"
    assert seen["x-forwarded-host"] == f"127.0.0.1:{server.port}"
    assert seen["x-forwarded-prefix"] == "/esdl-lab/cubes/echo"
    assert "forwarded" not in seen


def test_mlflow_is_not_sent_forwarding_headers(server):
    path = "/esdl-lab/mlflow/api/2.0/mlflow/experiments/search"
    seen = forwarded(server, path, {"X-Forwarded-Host": "evil"})
    assert not any(name.startswith("x-forwarded") for name in seen)
