"""Requests and responses pass the proxy unchanged: methods, paths, query strings, bodies, caching headers."""

from __future__ import annotations

import gzip
import hashlib
import json

import pytest
from conftest import TOKEN
from upstream_server import TILE, TILE_ETAG


def test_get_reaches_the_upstream_with_path_and_query_unchanged(server):
    query = "a=1&a=2&b=%20x+y&c=%C3%A9t%C3%A9&d=&e=%2F%3F&f"
    response = server.get(f"/esdl-lab/cubes/echo/datasets/demo/vars/sst%20mean/tiles/0/1/2.png?{query}")
    assert response.status == 200
    echo = response.json()
    assert echo["method"] == "GET"
    assert echo["path"] == "/datasets/demo/vars/sst%20mean/tiles/0/1/2.png"
    assert echo["query"] == query


def test_the_configured_base_path_is_kept(server):
    echo = server.get("/esdl-lab/cubes/based/datasets?x=1").json()
    assert echo["path"] == "/base/path/datasets"
    assert echo["query"] == "x=1"


def test_the_upstream_root_with_and_without_a_slash(server):
    assert server.get("/esdl-lab/cubes/based/").json()["path"] == "/base/path/"
    assert server.get("/esdl-lab/cubes/based").json()["path"] == "/base/path"


def test_post_json_body(server):
    body = json.dumps({"experiment_ids": ["1"], "max_results": 100}).encode()
    headers = {"Content-Type": "application/json"}
    response = server.request(
        "POST", "/esdl-lab/mlflow/api/2.0/mlflow/runs/search", body=body, headers=headers
    )
    echo = response.json()
    assert echo["method"] == "POST"
    assert echo["path"] == "/api/2.0/mlflow/runs/search"
    assert echo["body_sha256"] == hashlib.sha256(body).hexdigest()
    assert dict(echo["headers"])["Content-Type"] == "application/json"
    assert dict(echo["headers"])["Content-Length"] == str(len(body))


def test_binary_body_with_every_byte_value(server):
    body = bytes(range(256)) * 4096 + b"\r\n\r\n\x00"
    headers = {"Content-Type": "application/octet-stream"}
    echo = server.request("PUT", "/esdl-lab/cubes/echo/s3/bucket/key.bin", body=body, headers=headers).json()
    assert echo["method"] == "PUT"
    assert echo["body_length"] == len(body)
    assert echo["body_sha256"] == hashlib.sha256(body).hexdigest()


def test_chunked_request_body(server):
    chunks = [b"first,", b"second,", bytes(range(256)) * 100]
    # an iterable body without a length: http.client sends it chunked
    echo = server.request("POST", "/esdl-lab/cubes/echo/upload", body=iter(chunks)).json()
    assert echo["body_sha256"] == hashlib.sha256(b"".join(chunks)).hexdigest()


@pytest.mark.parametrize("method", ["DELETE", "PATCH", "OPTIONS"])
def test_other_methods(server, method):
    body = b"{}" if method == "PATCH" else None
    echo = server.request(method, "/esdl-lab/cubes/echo/thing?x=1", body=body).json()
    assert echo["method"] == method
    assert echo["path"] == "/thing"


def test_head_gives_headers_without_body(server):
    response = server.request("HEAD", "/esdl-lab/cubes/echo/bytes?size=12345")
    assert response.status == 200
    assert response.header("Content-Length") == "12345"
    assert response.body == b""


def test_caching_headers_pass_and_compressed_bodies_stay_compressed(server):
    response = server.get("/esdl-lab/cubes/echo/tile", headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.header("ETag") == TILE_ETAG
    assert response.header("Cache-Control") == "public, max-age=3600"
    assert response.header("Last-Modified") == "Tue, 24 Nov 2026 07:19:48 GMT"
    assert response.header("Content-Encoding") == "gzip"
    assert response.header("Content-Type") == "image/png"
    assert response.header("Content-Length") == str(len(TILE))
    assert response.body == TILE
    assert gzip.decompress(response.body).startswith(b"tile ")


def test_a_304_passes_through_so_the_browser_keeps_its_cached_tile(server):
    response = server.get("/esdl-lab/cubes/echo/tile", headers={"If-None-Match": TILE_ETAG})
    assert response.status == 304
    assert response.body == b""
    assert response.header("ETag") == TILE_ETAG
    assert response.header("Cache-Control") == "public, max-age=3600"


def test_conditional_headers_reach_the_upstream(server):
    headers = {"If-None-Match": '"abc"', "If-Modified-Since": "Tue, 24 Nov 2026 07:19:48 GMT"}
    echo = dict(server.get("/esdl-lab/cubes/echo/x", headers=headers).json()["headers"])
    assert echo["If-None-Match"] == '"abc"'
    assert echo["If-Modified-Since"] == "Tue, 24 Nov 2026 07:19:48 GMT"


def test_upstream_status_and_body_of_errors_pass_through(server):
    response = server.get("/esdl-lab/cubes/echo/login")
    assert response.status == 401
    assert response.body == b"who are you?"
    assert response.header("Content-Type").startswith("text/plain")


def test_a_redirect_to_the_upstream_is_rewritten_through_the_proxy(server):
    response = server.get("/esdl-lab/cubes/echo/redirect")
    assert response.status == 302
    assert response.header("Location") == "/esdl-lab/cubes/echo/echo/after-redirect?x=1"


def test_the_jupyter_token_in_the_query_is_not_forwarded(server):
    response = server.get(f"/esdl-lab/cubes/echo/x?a=1&token={TOKEN}&b=2", token=False)
    assert response.status == 200
    assert response.json()["query"] == "a=1&b=2"


def test_connections_to_the_upstream_are_reused(server):
    ports = {server.get(f"/esdl-lab/cubes/echo/reuse/{i}").json()["peer_port"] for i in range(40)}
    assert len(ports) <= 2, ports


def test_large_chunked_download_is_complete(server):
    response = server.get("/esdl-lab/cubes/echo/bytes?size=5000000&chunked=1")
    assert response.status == 200
    assert len(response.body) == 5_000_000
    assert response.body[:512] == bytes(range(256)) * 2
