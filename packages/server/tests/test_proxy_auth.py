"""Every proxied request needs Jupyter's authentication; a refused one never reaches the upstream."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_no_token_is_refused_and_nothing_is_forwarded(server, upstream, marker, method):
    body = b"payload" if method in ("POST", "PUT", "PATCH") else None
    response = server.request(method, f"/esdl-lab/cubes/echo/{marker}?q={marker}", token=False, body=body)
    assert response.status == 403
    if method != "HEAD":
        assert "message" in response.json()
    assert upstream.seen(marker) == 0


def test_a_wrong_token_is_refused(server, upstream, marker):
    response = server.get(f"/esdl-lab/mlflow/{marker}", token=False, headers={"Authorization": "token wrong"})
    assert response.status == 403
    assert upstream.seen(marker) == 0


def test_status_needs_authentication(server):
    assert server.get("/esdl-lab/status", token=False).status == 403


def login_cookie(server) -> str:
    """The cookie Jupyter gives a browser that logged in with the token."""
    response = server.get("/api/me")
    cookie = response.header("Set-Cookie")
    assert cookie, response.headers
    return cookie.split(";", 1)[0]


def test_a_cookie_authenticated_post_without_xsrf_token_is_refused(server, upstream, marker):
    cookie = login_cookie(server)
    assert server.get(f"/esdl-lab/cubes/echo/{marker}", token=False, headers={"Cookie": cookie}).status == 200
    refused = server.request(
        "POST", f"/esdl-lab/cubes/echo/{marker}/post", token=False, headers={"Cookie": cookie}, body=b"x"
    )
    assert refused.status == 403
    assert upstream.seen(f"{marker}/post") == 0


def test_a_cookie_authenticated_post_with_xsrf_token_passes_without_it(server):
    headers = {"Cookie": login_cookie(server) + "; _xsrf=xsrf-value", "X-XSRFToken": "xsrf-value"}
    response = server.request("POST", "/esdl-lab/cubes/echo/post", token=False, headers=headers, body=b"x")
    assert response.status == 200, response.body
    seen = {k.lower() for k, _ in response.json()["headers"]}
    assert "x-xsrftoken" not in seen
    assert "cookie" not in seen


def test_a_cross_origin_cookie_request_is_refused(server, upstream, marker):
    headers = {"Cookie": login_cookie(server), "Origin": "http://evil.example"}
    response = server.get(f"/esdl-lab/cubes/echo/{marker}", token=False, headers=headers)
    assert response.status in (403, 404)
    assert upstream.seen(marker) == 0
