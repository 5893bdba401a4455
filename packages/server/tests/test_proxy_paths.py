"""Path tricks never reach another host or a path outside the upstream's base."""

from __future__ import annotations

import pytest

from esdl_lab.proxy_paths import path_problem, strip_token

TRICKS = [
    "/../{m}",
    "/a/../../{m}",
    "/%2e%2e/{m}",
    "/%2E%2E/{m}",
    "/%2E./{m}",
    "/.%2e/{m}",
    "/%252e%252e/{m}",
    "/./{m}",
    "/a/%2e/{m}",
    "/..",
    "/a%2F..%2F{m}",
    "/a%2f{m}",
    "/a%5c{m}",
    "/a\\..\\{m}",
    "/%255c{m}",
    "//evil.example/{m}",
    "/a//{m}",
    "/http://evil.example/{m}",
    "/http:%2F%2Fevil.example/{m}",
    "/HTTPS:/evil.example/{m}",
    "/x/http:/{m}",
    "/%00{m}",
]


@pytest.mark.parametrize("trick", TRICKS)
@pytest.mark.parametrize("route", ["/esdl-lab/cubes/echo", "/esdl-lab/cubes/based", "/esdl-lab/mlflow"])
def test_path_tricks_are_refused_with_400_json(server, upstream, marker, route, trick):
    response = server.get(route + trick.format(m=marker) + f"?q={marker}")
    assert response.status == 400, response.body
    body = response.json()
    assert body["reason"] == "bad_path"
    assert body["upstream"] in ("echo", "based", "mlflow")
    assert "refused" in body["message"]
    assert upstream.seen(marker) == 0


def test_an_unknown_upstream_gets_404_naming_it_and_the_configured_ones(server, upstream, marker):
    response = server.get(f"/esdl-lab/cubes/nope/{marker}")
    assert response.status == 404
    body = response.json()
    assert body["reason"] == "unknown_upstream"
    assert body["upstream"] == "nope"
    assert "'nope'" in body["message"]
    assert "'echo'" in body["message"] and "'managed'" in body["message"]
    assert upstream.seen(marker) == 0


@pytest.mark.parametrize("name", ["%65cho", "127.0.0.1:80", "http:", "", "bad%20name"])
def test_names_are_matched_raw_and_never_read_as_hosts(server, upstream, marker, name):
    response = server.get(f"/esdl-lab/cubes/{name}/{marker}")
    assert response.status in (404, 503), response.body
    assert upstream.seen(marker) == 0


def test_a_misconfigured_upstream_is_not_proxied(server):
    response = server.get("/esdl-lab/cubes/nourl/x")
    assert response.status == 503
    assert response.json()["reason"] == "unconfigured"


def test_a_host_header_from_the_browser_does_not_choose_the_upstream(server, upstream):
    echo = server.get("/esdl-lab/cubes/echo/x", headers={"Host": "localhost:1"}).json()
    assert echo["path"] == "/x"
    assert dict(echo["headers"])["Host"] == f"127.0.0.1:{upstream.port}"


@pytest.mark.parametrize(
    "rest",
    [
        "",
        "/",
        "/a/b/",
        "/.zmetadata",
        "/demo.zarr/sst/.zarray",
        "/a..b/...",
        "/sst%20mean",
        "/urn:ogc:def",
        "/a:b",
    ],
)
def test_ordinary_paths_are_allowed(rest):
    assert path_problem(rest) is None


def test_the_token_is_cut_from_queries_and_nothing_else():
    assert strip_token("token=abc") == ""
    assert strip_token("a=1&token=abc&b=%20") == "a=1&b=%20"
    assert strip_token("page_token=x&tokens=2") == "page_token=x&tokens=2"
