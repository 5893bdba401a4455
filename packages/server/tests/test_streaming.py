"""Bodies of hundreds of megabytes stream through the proxy both ways; the server's memory stays flat."""

from __future__ import annotations

import hashlib
import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psutil
from conftest import TOKEN
from upstream_server import pattern_chunks

SIZE = 200 * 1024 * 1024
MAX_GROWTH = 50 * 1024 * 1024


@contextmanager
def peak_rss(pid: int) -> Iterator[dict[str, int]]:
    """Samples the process's resident memory while the block runs: {"before", "peak"}."""
    process = psutil.Process(pid)
    result = {"before": process.memory_info().rss, "peak": 0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            result["peak"] = max(result["peak"], process.memory_info().rss)
            stop.wait(0.02)

    thread = threading.Thread(target=sample)
    thread.start()
    try:
        yield result
    finally:
        stop.set()
        thread.join()


def warm_up(server) -> None:
    """One mid-sized transfer each way, so that buffers and code paths exist before measuring."""
    assert len(server.get("/esdl-lab/cubes/echo/bytes?size=20000000").body) == 20_000_000
    assert server.request("POST", "/esdl-lab/cubes/echo/up", body=b"x" * 20_000_000).status == 200


def test_a_200_mb_download_streams_with_flat_memory(server):
    warm_up(server)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    digest, received = hashlib.sha256(), 0
    with peak_rss(server.pid) as rss:
        conn.request(
            "GET", f"/esdl-lab/cubes/echo/bytes?size={SIZE}", headers={"Authorization": f"token {TOKEN}"}
        )
        response = conn.getresponse()
        assert response.status == 200
        assert response.getheader("Content-Length") == str(SIZE)
        while chunk := response.read(1 << 20):
            digest.update(chunk)
            received += len(chunk)
    conn.close()
    assert received == SIZE
    expected = hashlib.sha256()
    for chunk in pattern_chunks(SIZE):
        expected.update(chunk)
    assert digest.hexdigest() == expected.hexdigest()
    growth = rss["peak"] - rss["before"]
    assert growth < MAX_GROWTH, f"the Jupyter server grew by {growth / 2**20:.1f} MiB"


def test_a_200_mb_upload_streams_with_flat_memory(server):
    warm_up(server)
    expected = hashlib.sha256()
    for chunk in pattern_chunks(SIZE):
        expected.update(chunk)
    with peak_rss(server.pid) as rss:
        response = server.request(
            "PUT",
            "/esdl-lab/cubes/echo/s3/big.bin",
            body=pattern_chunks(SIZE),
            headers={"Content-Length": str(SIZE)},
            timeout=120,
        )
    assert response.status == 200, response.body
    echo = response.json()
    assert echo["body_length"] == SIZE
    assert echo["body_sha256"] == expected.hexdigest()
    assert dict(echo["headers"])["Content-Length"] == str(SIZE)
    growth = rss["peak"] - rss["before"]
    assert growth < MAX_GROWTH, f"the Jupyter server grew by {growth / 2**20:.1f} MiB"


def test_a_chunked_upload_streams_through(server):
    expected = hashlib.sha256()
    for chunk in pattern_chunks(50 * 1024 * 1024, 100_000):
        expected.update(chunk)
    response = server.request(
        "POST", "/esdl-lab/cubes/echo/chunked", body=pattern_chunks(50 * 1024 * 1024, 100_000)
    )
    assert response.json()["body_sha256"] == expected.hexdigest()
