"""A real HTTP server that the proxy tests forward to: echoes requests, streams large bodies, answers slowly,
serves tiles with caching headers, asks for logins, redirects, and echoes websocket messages.

Run: ``python upstream_server.py --port 0`` prints ``LISTENING <port>`` once it accepts connections.
It answers ``GET /`` like xcube server (JSON with a version) and ``GET /version`` like MLflow.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import sys
from collections import Counter
from pathlib import Path

from aiohttp import WSMsgType, web

FIXTURES = Path(__file__).parent / "fixtures"
BLOCK = bytes(range(256)) * 1024  # 256 KiB
TILE = gzip.compress(b"tile " * 4000, mtime=0)
TILE_ETAG = '"tile-v1"'


def pattern_chunks(size: int, chunk: int = len(BLOCK)):
    """The bytes that /bytes serves and the tests send: BLOCK repeated, cut to ``size``."""
    while size > 0:
        n = min(size, chunk)
        yield BLOCK[:n]
        size -= n


def make_app() -> web.Application:
    seen: Counter[str] = Counter()
    peers: set[int] = set()

    @web.middleware
    async def record(request: web.Request, handler):
        if not request.path.startswith("/_"):
            seen[request.raw_path] += 1
        peer = request.transport.get_extra_info("peername") if request.transport else None
        if peer:
            peers.add(peer[1])
        return await handler(request)

    async def root(request: web.Request) -> web.Response:
        return web.Response(
            body=(FIXTURES / "xcube-server-info.json").read_bytes(), content_type="application/json"
        )

    async def version(request: web.Request) -> web.Response:
        return web.Response(body=(FIXTURES / "mlflow-version.txt").read_bytes(), content_type="text/plain")

    async def echo(request: web.Request) -> web.Response:
        digest = hashlib.sha256()
        length = 0
        async for chunk in request.content.iter_any():
            digest.update(chunk)
            length += len(chunk)
        peer = request.transport.get_extra_info("peername") if request.transport else None
        return web.json_response(
            {
                "method": request.method,
                "path": request.raw_path.partition("?")[0],
                "query": request.raw_path.partition("?")[2],
                "headers": [[k, v] for k, v in request.headers.items()],
                "body_sha256": digest.hexdigest(),
                "body_length": length,
                "peer_port": peer[1] if peer else None,
            }
        )

    async def bytes_(request: web.Request) -> web.StreamResponse:
        size = int(request.query.get("size", "0"))
        response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        if request.query.get("chunked") != "1":
            response.content_length = size
        await response.prepare(request)
        if request.method == "HEAD":
            # aiohttp sends a body even for HEAD; those bytes would poison the kept-alive connection
            await response.write_eof()
            return response
        for chunk in pattern_chunks(size):
            await response.write(chunk)
        await response.write_eof()
        return response

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(float(request.query.get("delay", "5")))
        return web.Response(text="late")

    async def stall(request: web.Request) -> web.StreamResponse:
        """Sends the head and a first chunk, then nothing."""
        response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        response.content_length = 1 << 20
        await response.prepare(request)
        await response.write(b"x" * 1000)
        await asyncio.sleep(float(request.query.get("delay", "30")))
        return response

    async def stall_upload(request: web.Request) -> web.Response:
        """Takes a request and never reads its body."""
        await asyncio.sleep(float(request.query.get("delay", "30")))
        return web.Response(text="too late")

    async def tile(request: web.Request) -> web.Response:
        headers = {
            "ETag": TILE_ETAG,
            "Cache-Control": "public, max-age=3600",
            "Last-Modified": "Tue, 24 Nov 2026 07:19:48 GMT",
        }
        if request.headers.get("If-None-Match") == TILE_ETAG:
            return web.Response(status=304, headers=headers)
        headers["Content-Encoding"] = "gzip"
        return web.Response(body=TILE, headers=headers, content_type="image/png")

    async def login(request: web.Request) -> web.Response:
        return web.Response(
            status=401,
            text="who are you?",
            headers={
                "WWW-Authenticate": 'Basic realm="upstream"',
                "Set-Cookie": "upstream_session=secret; Path=/",
                "X-Kept": "yes",
            },
        )

    async def redirect(request: web.Request) -> web.Response:
        host = request.headers["Host"]
        raise web.HTTPFound(f"http://{host}/echo/after-redirect?x=1")

    async def seen_count(request: web.Request) -> web.Response:
        marker = request.query["marker"]
        return web.json_response({"count": sum(n for path, n in seen.items() if marker in path)})

    async def peer_ports(request: web.Request) -> web.Response:
        return web.json_response({"ports": sorted(peers)})

    async def websocket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(protocols=("esdl.test",))
        await ws.prepare(request)
        await ws.send_str(f"hello {request.query_string} cookie={request.headers.get('Cookie')}")
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await ws.send_str("echo:" + msg.data)
            elif msg.type == WSMsgType.BINARY:
                await ws.send_bytes(msg.data[::-1])
        return ws

    app = web.Application(middlewares=[record], client_max_size=1 << 40)
    app.router.add_get("/", root)
    app.router.add_get("/version", version)
    app.router.add_get("/bytes", bytes_)
    app.router.add_get("/slow", slow)
    app.router.add_get("/stall", stall)
    app.router.add_put("/stall", stall_upload)
    app.router.add_get("/tile", tile)
    app.router.add_get("/login", login)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/_seen", seen_count)
    app.router.add_get("/_peers", peer_ports)
    app.router.add_get("/ws", websocket)
    app.router.add_route("*", "/{tail:.*}", echo)
    return app


async def main(port: int) -> None:
    runner = web.AppRunner(make_app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    actual = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"LISTENING {actual}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    try:
        asyncio.run(main(args.port))
    except KeyboardInterrupt:
        sys.exit(0)
