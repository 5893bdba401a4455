"""The JSON errors of the proxy and the words that tell a person what failed and what to check."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import TYPE_CHECKING

import aiohttp
from tornado import web

if TYPE_CHECKING:
    from .upstreams import Upstream


class UpstreamError(web.HTTPError):
    """An error answered as ``{"message", "upstream", "reason"}`` JSON."""

    def __init__(self, status_code: int, upstream: str, reason: str, message: str) -> None:
        # tornado %-formats log_message when it logs it; the message may hold a percent-encoded path
        super().__init__(status_code, message.replace("%", "%%"))
        self.payload = {"message": message, "upstream": upstream, "reason": reason}

    def json(self) -> str:
        return json.dumps(self.payload)


def connection_failure(upstream: Upstream, exc: BaseException, where: str) -> UpstreamError:
    """The 502/504 for an exception raised while connecting to ``upstream`` or waiting for its answer.

    ``where`` names the address, e.g. "at http://127.0.0.1:8123".
    """
    label, hint, name = upstream.label, upstream.config_hint, upstream.name
    if isinstance(exc, asyncio.TimeoutError):
        return UpstreamError(
            504,
            name,
            "timeout",
            f"{label} {where} did not accept a connection within {upstream.connect_timeout:g} s. "
            "Check that its host is reachable from the Jupyter server, or raise c.ESDLLab.connect_timeout.",
        )
    if isinstance(exc, aiohttp.ClientSSLError):
        return UpstreamError(
            502,
            name,
            "tls",
            f"{label} {where} failed the TLS handshake ({exc}). Check its certificate, or fix {hint}.",
        )
    if isinstance(exc, aiohttp.ClientConnectorError):
        os_error: OSError | None = exc.os_error
    else:
        os_error = exc if isinstance(exc, OSError) else None
    if isinstance(exc, aiohttp.ServerDisconnectedError) or isinstance(
        os_error, (ConnectionResetError, BrokenPipeError)
    ):
        return UpstreamError(
            502,
            name,
            "disconnected",
            f"{label} {where} closed the connection without answering. Check its log for a crash.",
        )
    if isinstance(os_error, socket.gaierror):
        what = f"its host name could not be resolved ({os_error.strerror})"
        return UpstreamError(502, name, "unreachable", f"{label} {where}: {what}. Fix {hint}.")
    if isinstance(os_error, ConnectionRefusedError):
        return UpstreamError(
            502,
            name,
            "unreachable",
            f"{label} {where} refused the connection. Check that it is running, or fix {hint}.",
        )
    if os_error is not None:
        return UpstreamError(
            502,
            name,
            "unreachable",
            f"{label} {where} could not be reached ({os_error.strerror or os_error}). "
            f"Check that it is running and reachable from the Jupyter server, or fix {hint}.",
        )
    return UpstreamError(
        502, name, "bad_response", f"{label} {where} failed: {type(exc).__name__}: {exc}. Check its log."
    )


def read_timeout(upstream: Upstream, where: str, seconds: float) -> UpstreamError:
    """The 504 for an upstream that sent nothing for ``seconds``."""
    return UpstreamError(
        504,
        upstream.name,
        "timeout",
        f"{upstream.label} {where} sent nothing for {seconds:g} s. It may be overloaded or stuck: check its "
        "log, or raise c.ESDLLab.read_timeout if such requests are expected to take longer.",
    )
