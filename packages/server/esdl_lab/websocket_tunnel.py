"""Websockets through the proxy: the upgrade is forwarded, then bytes flow both ways untouched.

Relaying bytes rather than messages keeps whatever the browser and the upstream agree on (subprotocol,
compression, ping/pong, close codes) exactly as they agreed it, and streams with backpressure like HTTP does.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tornado import iostream

from .errors import UpstreamError, connection_failure, read_timeout
from .headers import HOP_BY_HOP, forward_headers, named_in_connection

if TYPE_CHECKING:
    from .proxy import ProxyHandler
    from .upstreams import Upstream

MAX_HEAD_BYTES = 65536
MAX_REFUSAL_BODY = 1 << 20
RELAY_CHUNK = 65536
# the upstream's answer to an upgrade keeps its Upgrade and Connection; cookies and login prompts stay out
UPGRADE_RESPONSE_DROP = (HOP_BY_HOP - {"upgrade", "connection"}) | {"set-cookie", "www-authenticate"}


async def tunnel_websocket(
    handler: ProxyHandler, upstream: Upstream, origin: str, target: str, *, timeout: float
) -> None:
    """Forward the handler's upgrade request to ``origin`` + ``target``, then relay the connection.

    ``timeout`` bounds the wait for the upstream's answer to the upgrade; an established tunnel has none.
    """
    address = urlsplit(origin)
    secure = address.scheme == "https"
    where = upstream.where()
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(
                address.hostname,
                address.port or (443 if secure else 80),
                ssl=ssl.create_default_context() if secure else None,
                limit=MAX_HEAD_BYTES,
            ),
            upstream.connect_timeout,
        )
    except (OSError, asyncio.TimeoutError) as e:
        raise connection_failure(upstream, e, where) from None

    headers = forward_headers(handler.request.headers)
    headers += [("Host", address.netloc), ("Upgrade", "websocket"), ("Connection", "Upgrade")]
    if upstream.authorization:
        headers.append(("Authorization", upstream.authorization))
    head = f"GET {target} HTTP/1.1\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers) + "\r\n"
    try:
        writer.write(head.encode("latin-1"))
        response_head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
    except asyncio.TimeoutError:
        writer.close()
        raise read_timeout(upstream, where, timeout) from None
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as e:
        writer.close()
        raise UpstreamError(
            502,
            upstream.name,
            "bad_response",
            f"{upstream.label} {where} did not answer the websocket upgrade properly ({type(e).__name__}).",
        ) from None

    status, reason, response_headers = _parse_head(response_head)
    drop = UPGRADE_RESPONSE_DROP | named_in_connection(
        next((v for n, v in response_headers if n.lower() == "connection"), None)
    ) - {"upgrade"}
    kept = [(n, v) for n, v in response_headers if n.lower() not in drop]
    if status != 101:
        await _relay_refusal(handler, reader, writer, status, reason, kept)
        return

    stream = handler.detach()
    lines = [f"HTTP/1.1 101 {reason or 'Switching Protocols'}"] + [f"{n}: {v}" for n, v in kept]
    try:
        await stream.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    except iostream.StreamClosedError:
        writer.close()
        return
    await _relay(stream, reader, writer)


def _parse_head(head: bytes) -> tuple[int, str, list[tuple[str, str]]]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 502
    reason = parts[2] if len(parts) > 2 else ""
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers.append((name.strip(), value.strip()))
    return status, reason, headers


async def _relay_refusal(
    handler: ProxyHandler,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    status: int,
    reason: str,
    headers: list[tuple[str, str]],
) -> None:
    """The upstream answered the upgrade with an ordinary response: pass it on (a small body only)."""
    try:
        length = next((int(v) for n, v in headers if n.lower() == "content-length" and v.isdigit()), 0)
        body = await reader.readexactly(length) if 0 < length <= MAX_REFUSAL_BODY else b""
    except (OSError, asyncio.IncompleteReadError):
        body = b""
    finally:
        writer.close()
    handler.set_status(status, reason or None)
    handler.clear_header("Content-Type")
    for name, value in headers:
        if name.lower() not in ("upgrade", "connection", "content-length"):
            handler.add_header(name, value)
    handler.finish(body)


async def _relay(
    stream: iostream.IOStream, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    async def browser_to_upstream() -> None:
        while True:
            data = await stream.read_bytes(RELAY_CHUNK, partial=True)
            writer.write(data)
            await writer.drain()

    async def upstream_to_browser() -> None:
        while True:
            data = await reader.read(RELAY_CHUNK)
            if not data:
                return
            await stream.write(data)

    tasks = [asyncio.ensure_future(browser_to_upstream()), asyncio.ensure_future(upstream_to_browser())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, OSError, iostream.StreamClosedError):
                await task
        stream.close()
        writer.close()
