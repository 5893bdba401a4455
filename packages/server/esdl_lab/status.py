"""``GET /esdl-lab/status``: every upstream with its state, version and last error.

The JSON is mirrored by ``IStatusResponse`` in packages/core/src/types.ts; change both together.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import aiohttp
from jupyter_server.base.handlers import APIHandler
from tornado import web
from yarl import URL

from . import __version__
from .errors import connection_failure
from .upstreams import Upstream, Upstreams

# polls from many browser tabs share one check per upstream for this long
CHECK_TTL_SECONDS = 5.0
CHECK_TIMEOUT_SECONDS = 3.0
MAX_CHECK_BODY = 1 << 20


@dataclass(frozen=True)
class Health:
    state: str
    version: str | None
    error: str | None
    checked_at: str


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class HealthChecks:
    """Cheap checks of running upstreams (cube: ``GET /`` with a JSON ``version``; MLflow: ``GET /version``),
    cached for a few seconds and shared by concurrent polls."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], tuple[float, str, Health]] = {}
        self._running: dict[tuple[str, str], asyncio.Future[Health]] = {}

    def last(self, upstream: Upstream) -> Health | None:
        cached = self._cache.get((upstream.kind, upstream.name))
        return cached[2] if cached else None

    async def check(self, upstream: Upstream, origin: str) -> Health:
        key = (upstream.kind, upstream.name)
        cached = self._cache.get(key)
        if cached is not None and cached[1] == origin and time.monotonic() - cached[0] < CHECK_TTL_SECONDS:
            return cached[2]
        running = self._running.get(key)
        if running is None:
            running = self._running[key] = asyncio.ensure_future(self._probe(upstream, origin))
            running.add_done_callback(lambda _: self._running.pop(key, None))
        health = await asyncio.shield(running)
        self._cache[key] = (time.monotonic(), origin, health)
        return health

    async def _probe(self, upstream: Upstream, origin: str) -> Health:
        path = "/version" if upstream.kind == "mlflow" else "/"
        headers = {"Accept": "text/plain" if upstream.kind == "mlflow" else "application/json"}
        if upstream.authorization:
            headers["Authorization"] = upstream.authorization
        where = upstream.where()
        try:
            async with upstream.session().get(
                URL(origin + upstream.base_path + path, encoded=True),
                headers=headers,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=CHECK_TIMEOUT_SECONDS),
            ) as response:
                status = response.status
                body = await response.content.read(MAX_CHECK_BODY)
        except asyncio.TimeoutError:
            error = (
                f"{upstream.label} {where} did not answer GET {path} within {CHECK_TIMEOUT_SECONDS:g} s. "
                "It may be overloaded or stuck: check its log."
            )
            return Health("down", None, error, _now_iso())
        except (aiohttp.ClientError, OSError) as e:
            return Health("down", None, connection_failure(upstream, e, where).payload["message"], _now_iso())
        except Exception as e:  # the status must answer whatever the upstream does
            return Health("down", None, f"{upstream.label} {where}: check failed: {e!r}", _now_iso())
        if status in (401, 403):
            return Health("down", None, _credentials_error(upstream, status), _now_iso())
        if status >= 400:
            error = f"{upstream.label} {where} answered HTTP {status} to GET {path}. Check its log."
            return Health("down", None, error, _now_iso())
        return Health("up", _version(upstream, body), None, _now_iso())


def _credentials_error(upstream: Upstream, status: int) -> str:
    if upstream.kind == "mlflow":
        given = "rejected the credentials" if upstream.authorization else "requires credentials"
        return (
            f"{upstream.label} {upstream.where()} {given} (HTTP {status}). Set MLFLOW_TRACKING_USERNAME and "
            "MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) for the Jupyter server, or "
            "c.ESDLLab.mlflow_username / mlflow_password / mlflow_token."
        )
    return (
        f"{upstream.label} {upstream.where()} refused access (HTTP {status}). Give its URL's credentials in "
        f"{upstream.config_hint}, or open it to the Jupyter server."
    )


def _version(upstream: Upstream, body: bytes) -> str | None:
    if upstream.kind == "mlflow":
        text = body.decode("utf-8", "replace").strip()
        return text if text and len(text) <= 64 and text.isprintable() else None
    try:
        info = json.loads(body)
    except ValueError:
        return None
    version = info.get("version") if isinstance(info, dict) else None
    return str(version) if isinstance(version, (str, int, float)) else None


async def upstream_status(upstream: Upstream, checks: HealthChecks) -> dict[str, Any]:
    """One entry of the status: ``IUpstreamStatus`` in packages/core/src/types.ts."""
    process = upstream.process
    last = checks.last(upstream)
    state, version, error = "down", None, upstream.problem
    checked_at = last.checked_at if last else None
    if upstream.problem is not None:
        state = "down" if upstream.configured else "unconfigured"
    elif process is not None and process.state != "up":
        state, error = process.state, process.error
        version = last.version if last and state == "starting" else None
    else:
        origin = upstream.origin if process is None else f"http://127.0.0.1:{process.port}"
        health = await checks.check(upstream, origin)
        state, version, error, checked_at = health.state, health.version, health.error, health.checked_at
    return {
        "name": upstream.name,
        "kind": upstream.kind,
        "title": upstream.title,
        "state": state,
        "version": version,
        "error": error,
        "proxyPath": upstream.proxy_path,
        "managed": upstream.managed,
        "pid": process.pid if process else None,
        "restarts": process.restarts if process else 0,
        "checkedAt": checked_at,
        "kernelUrl": _without_userinfo(upstream.direct_url()) if upstream.problem is None else None,
    }


def _without_userinfo(url: str | None) -> str | None:
    """A URL for kernel code without any user:password@ part: credentials stay on the server."""
    if url is None:
        return None
    parsed = URL(url)
    return str(parsed.with_user(None)) if parsed.user or parsed.password else url


async def status(upstreams: Upstreams, checks: HealthChecks) -> dict[str, Any]:
    """The answer of ``GET /esdl-lab/status``: ``IStatusResponse`` in packages/core/src/types.ts."""
    entries = await asyncio.gather(*(upstream_status(u, checks) for u in upstreams.all()))
    return {"version": __version__, "upstreams": list(entries)}


class StatusHandler(APIHandler):
    # the front end polls this: the polls must not count as activity that keeps an idle server alive
    _track_activity = False

    def initialize(self, upstreams: Upstreams, checks: HealthChecks) -> None:
        self._upstreams = upstreams
        self._checks = checks

    @web.authenticated
    async def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(await status(self._upstreams, self._checks)))
