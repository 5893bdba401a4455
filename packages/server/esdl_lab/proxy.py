"""The proxy: ``/esdl-lab/cubes/<name>/…`` and ``/esdl-lab/mlflow/…`` to the configured upstreams.

Bodies stream both ways (the request body is fed to the upstream as it arrives; the response is written and
flushed chunk by chunk), so memory stays flat whatever their size. Connections to each upstream are kept
alive.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import aiohttp
from jupyter_server.base.handlers import JupyterHandler
from tornado import httputil, iostream, web
from yarl import URL

from .errors import UpstreamError, connection_failure, read_timeout
from .headers import forward_headers, public_url_headers, response_drop
from .processes import NotReady
from .proxy_paths import path_problem, strip_token
from .upstreams import Upstream, Upstreams
from .websocket_tunnel import tunnel_websocket

# request bodies stream, so their size does not cost memory; tornado's default limit is 100 MB
MAX_BODY_SIZE = 1 << 40
BODY_CHUNKS_IN_FLIGHT = 4


def not_ready(upstream: Upstream, e: NotReady) -> UpstreamError:
    return UpstreamError(504 if e.reason == "timeout" else 502, upstream.name, e.reason, e.message)


class BodyPipe:
    """Carries a request body from tornado's ``data_received`` to aiohttp, a few chunks at a time.

    ``on_stall`` is called when the upstream takes no chunk for ``timeout`` seconds; the rest of the body is
    then dropped, as it is once the upstream request has failed (``abandon``).
    """

    def __init__(self, timeout: float, on_stall: Callable[[], Any]) -> None:
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue(BODY_CHUNKS_IN_FLIGHT)
        self._timeout = timeout
        self._on_stall = on_stall
        self._abandoned = False
        self.stalled = False

    async def feed(self, chunk: bytes | None) -> None:
        """Queue a chunk (None ends the body), waiting while the upstream is behind."""
        if self._abandoned:
            return
        try:
            self._queue.put_nowait(chunk)
        except asyncio.QueueFull:
            try:
                await asyncio.wait_for(self._queue.put(chunk), self._timeout)
            except asyncio.TimeoutError:
                self.stalled = True
                self.abandon()
                self._on_stall()

    def abandon(self) -> None:
        """Drop what is queued and whatever still comes: the upstream request failed or was cancelled."""
        self._abandoned = True
        while not self._queue.empty():
            self._queue.get_nowait()

    def __aiter__(self) -> BodyPipe:
        return self

    async def __anext__(self) -> bytes:
        chunk = await self._queue.get()
        if chunk is None:
            raise StopAsyncIteration
        return chunk


class Watchdog:
    """Calls ``on_expire`` when the upstream has been waited for longer than ``timeout`` at a stretch.

    Cheaper than a timer per chunk: ``arm`` and ``disarm`` only move a deadline that one timer checks.
    """

    def __init__(self, timeout: float, on_expire: Callable[[], Any]) -> None:
        self._loop = asyncio.get_running_loop()
        self._timeout = timeout
        self.on_expire = on_expire
        self._deadline: float | None = None
        self._handle: asyncio.TimerHandle | None = None
        self.expired = False

    def arm(self) -> None:
        self._deadline = self._loop.time() + self._timeout
        if self._handle is None:
            self._handle = self._loop.call_at(self._deadline, self._check)

    def disarm(self) -> None:
        self._deadline = None

    def cancel(self) -> None:
        self._deadline = None
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _check(self) -> None:
        self._handle = None
        deadline = self._deadline
        if deadline is None:
            return
        if self._loop.time() >= deadline:
            self.expired = True
            self.on_expire()
        else:
            self._handle = self._loop.call_at(deadline, self._check)


@web.stream_request_body
class ProxyHandler(JupyterHandler):
    """Forwards one request, or tunnels one websocket, to the upstream its path names.

    Authenticated like Jupyter's API handlers (403 rather than a login redirect; origin and XSRF checks), but
    not one of them: the upstream's Content-Type and Content-Security-Policy are kept.
    """

    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")

    def initialize(self, upstreams: Upstreams, kind: str, route_prefix: str, read_timeout: float) -> None:
        self._upstreams = upstreams
        self._kind = kind
        self._route_prefix = route_prefix
        self._read_timeout = read_timeout
        self._upstream: Upstream | None = None
        self._body: BodyPipe | None = None
        self._pending: asyncio.Future[aiohttp.ClientResponse] | None = None
        self._response: aiohttp.ClientResponse | None = None
        self._origin = ""
        self._websocket_target: str | None = None
        self._gone = False
        self._watchdog: Watchdog | None = None
        self._recovering = False

    def compute_etag(self) -> None:
        # the upstream's ETag, or none: tornado must not invent one from a partial body
        return None

    def get_login_url(self) -> str:
        # a proxied request is an API call: refuse it rather than redirect to the login page
        raise web.HTTPError(403, "Authentication required: log in to Jupyter, or send its token")

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, UpstreamError):
            body = exc.json()
        else:
            message = httputil.responses.get(status_code, "Unknown HTTP Error")
            if isinstance(exc, web.HTTPError) and exc.log_message:
                message = exc.log_message % exc.args
            body = json.dumps({"message": message, "upstream": None, "reason": None})
        self.set_header("Content-Type", "application/json")
        self.finish(body)

    async def prepare(self) -> None:  # type: ignore[override]
        # Jupyter's checks: host, user, XSRF for cookie-authenticated unsafe methods; origin as APIHandler
        await super().prepare()
        if self.current_user is None:
            raise web.HTTPError(403, "Authentication required: log in to Jupyter, or send its token")
        if not self.check_origin():
            raise web.HTTPError(404)
        # proxied requests are the user's activity (the idle culler must not stop a server in use)
        self.settings["api_last_activity"] = datetime.now(timezone.utc)
        upstream, rest = self._resolve()
        self._upstream = upstream
        query = strip_token(self.request.query)
        target = upstream.base_path + rest + ("?" + query if query else "")
        try:
            origin = await upstream.ready_origin()
        except NotReady as e:
            raise not_ready(upstream, e) from None
        self._origin = origin
        if self.request.headers.get("Upgrade", "").lower() == "websocket":
            self._websocket_target = target
            return
        headers = forward_headers(self.request.headers)
        if self._kind == "cube":
            prefix = self._route_prefix + "/" + upstream.name
            headers.extend(public_url_headers(self.request.protocol, self.request.host, prefix))
        if upstream.authorization:
            headers.append(("Authorization", upstream.authorization))
        request_headers = self.request.headers
        if "Transfer-Encoding" in request_headers or request_headers.get("Content-Length", "0") != "0":
            self.request.connection.set_max_body_size(MAX_BODY_SIZE)  # type: ignore[union-attr]
            self._body = BodyPipe(self._read_timeout, self._cancel_send)
        self._pending = asyncio.ensure_future(self._send(upstream, origin, target, headers, self._body))
        self._pending.add_done_callback(self._on_sent)

    def _cancel_send(self) -> None:
        if self._pending is not None:
            self._pending.cancel()

    def _on_sent(self, sent: asyncio.Future[aiohttp.ClientResponse]) -> None:
        # a failed upstream request takes no more body: drop the rest so that the handler gets to answer
        if self._body is not None and (sent.cancelled() or sent.exception() is not None):
            self._body.abandon()

    def _resolve(self) -> tuple[Upstream, str]:
        """The upstream and the rest of the path, from the raw request path (never tornado's decoded one)."""
        rest = self.request.path[len(self._route_prefix) :]
        if self._kind == "cube":
            name, slash, tail = rest[1:].partition("/")
            upstream = self._upstreams.cubes.get(name)
            if upstream is None:
                configured = ", ".join(repr(n) for n in self._upstreams.cube_names()) or "none"
                if not name:
                    raise UpstreamError(
                        404,
                        "",
                        "unknown_upstream",
                        "The path names no cube server: use esdl-lab/cubes/<name>/… "
                        f"(configured: {configured}).",
                    )
                raise UpstreamError(
                    404,
                    name,
                    "unknown_upstream",
                    f"There is no cube server named {name!r} on this Jupyter server "
                    f"(configured: {configured}). Cube servers are added with c.ESDLLab.cube_servers.",
                )
            rest = slash + tail
        else:
            upstream = self._upstreams.mlflow
        if not upstream.usable:
            raise UpstreamError(503, upstream.name, "unconfigured", upstream.problem or "not configured")
        problem = path_problem(rest)
        if problem:
            raise UpstreamError(
                400,
                upstream.name,
                "bad_path",
                f"The path {rest!r} was refused: {problem}. The proxy forwards only paths inside the "
                "upstream's base URL.",
            )
        return upstream, rest

    async def _send(
        self,
        upstream: Upstream,
        origin: str,
        target: str,
        headers: list[tuple[str, str]],
        body: BodyPipe | None,
    ) -> aiohttp.ClientResponse:
        method = self.request.method or "GET"
        session = upstream.session()
        try:
            return await session.request(
                method, URL(origin + target, encoded=True), headers=headers, data=body, allow_redirects=False
            )
        except aiohttp.ClientConnectorError:
            if upstream.process is None:
                raise
            # nothing was sent: a managed process that died since its last answer is waited for, once
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError):
            if body is not None or method not in ("GET", "HEAD", "OPTIONS"):
                raise
            # a kept-alive connection that the upstream closed as it was reused (or a managed process died)
        if upstream.process is not None:
            # waiting for a restart is bounded by the process's start_timeout, not by the read timeout
            self._recovering = True
            if self._watchdog is not None:
                self._watchdog.disarm()
            try:
                origin = await upstream.recover_origin(origin)
            finally:
                self._recovering = False
                if self._watchdog is not None:
                    self._watchdog.arm()
        return await session.request(
            method, URL(origin + target, encoded=True), headers=headers, data=body, allow_redirects=False
        )

    def data_received(self, chunk: bytes) -> Any:
        if self._body is not None:
            return self._body.feed(chunk)
        return None

    def on_connection_close(self) -> None:
        """The browser went away: stop talking to the upstream."""
        self._gone = True
        if self._body is not None:
            self._body.abandon()
        if self._pending is not None:
            self._pending.cancel()
        if self._response is not None:
            self._response.close()

    def on_finish(self) -> None:
        self._release()

    def _release(self) -> None:
        """Let go of the upstream response and the request task.

        The task's context holds this handler (Jupyter's CallContext): keeping the task would make a reference
        cycle of the whole request, left for the cyclic garbage collector, whose full passes stall the server.
        """
        response = self._response
        if response is not None and not response.closed:
            response.close()
        self._response = self._pending = self._body = None

    async def _relay(self) -> None:
        upstream, pending = self._upstream, self._pending
        assert upstream is not None and pending is not None
        if self._body is not None:
            await self._body.feed(None)
        watchdog = self._watchdog = Watchdog(self._read_timeout, pending.cancel)
        if not self._recovering:
            watchdog.arm()
        try:
            response = await pending
        except asyncio.CancelledError:
            if self._gone:
                self._abort()
                return
            if watchdog.expired or (self._body is not None and self._body.stalled):
                raise read_timeout(upstream, upstream.where(), self._read_timeout) from None
            raise
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as e:
            raise connection_failure(upstream, e, upstream.where()) from None
        except NotReady as e:
            raise not_ready(upstream, e) from None
        finally:
            watchdog.disarm()
            self._pending = self._watchdog = None
        self._response = response
        watchdog.on_expire = response.close
        try:
            self._start_response(response)
            content = response.content
            while True:
                watchdog.arm()
                try:
                    chunk = await content.readany()
                except aiohttp.ClientError as e:
                    if watchdog.expired:
                        raise read_timeout(upstream, upstream.where(), self._read_timeout) from None
                    raise connection_failure(upstream, e, upstream.where()) from None
                watchdog.disarm()
                if watchdog.expired:
                    raise read_timeout(upstream, upstream.where(), self._read_timeout)
                if not chunk:
                    break
                self.write(chunk)
                if not content.is_eof():
                    await self.flush()
        except UpstreamError:
            if self._gone:
                self._abort()
                return
            if not self._headers_written:
                raise
            # the status line is out: only cutting the connection tells the browser that the body is short
            self.log.warning("esdl_lab: %s %s: cut short by the upstream", upstream.label, self.request.path)
            self._abort()
            return
        except iostream.StreamClosedError:
            response.close()
            self._abort()
            return
        finally:
            watchdog.cancel()
        self.finish()

    def _start_response(self, response: aiohttp.ClientResponse) -> None:
        self.set_status(response.status, response.reason or "Unknown")
        self.clear_header("Content-Type")
        drop = response_drop(response.headers.get("Connection"))
        seen: set[str] = set()
        for raw_name, raw_value in response.raw_headers:
            name = raw_name.decode("latin-1")
            lower = name.lower()
            if lower in drop:
                continue
            value = raw_value.decode("latin-1")
            if lower == "location":
                value = self._local_location(value)
            # the first of a name replaces Jupyter's default (Content-Security-Policy, Server, Date, ...)
            if lower in seen:
                self.add_header(name, value)
            else:
                seen.add(lower)
                self.set_header(name, value)

    def _local_location(self, location: str) -> str:
        """A redirect to a place inside the upstream's base, rewritten to go through the proxy again."""
        upstream = self._upstream
        assert upstream is not None
        if location.startswith(self._origin):
            path = location[len(self._origin) :]
            if path[:1] not in ("", "/", "?"):
                return location
        elif location.startswith("/") and not location.startswith("//"):
            path = location
        else:
            return location
        base = upstream.base_path
        if base and not (path.startswith(base) and path[len(base) : len(base) + 1] in ("", "/", "?")):
            return location
        local = self._route_prefix + ("/" + upstream.name if self._kind == "cube" else "")
        return local + path[len(base) :]

    def _abort(self) -> None:
        """Close the browser's connection at once (and stop tornado from finishing the response)."""
        self._release()
        with contextlib.suppress(Exception):
            self.detach().close()

    async def _tunnel(self) -> None:
        upstream, target = self._upstream, self._websocket_target
        assert upstream is not None and target is not None
        await tunnel_websocket(self, upstream, self._origin, target, timeout=self._read_timeout)

    @web.authenticated
    async def get(self, *args: str) -> None:
        if self._websocket_target is not None:
            await self._tunnel()
        else:
            await self._relay()

    @web.authenticated
    async def head(self, *args: str) -> None:
        await self._relay()

    @web.authenticated
    async def post(self, *args: str) -> None:
        await self._relay()

    @web.authenticated
    async def put(self, *args: str) -> None:
        await self._relay()

    @web.authenticated
    async def delete(self, *args: str) -> None:
        await self._relay()

    @web.authenticated
    async def patch(self, *args: str) -> None:
        await self._relay()

    @web.authenticated
    async def options(self, *args: str) -> None:
        await self._relay()
