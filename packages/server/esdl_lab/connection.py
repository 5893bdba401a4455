"""The kernel's way to the Jupyter server it was started by, and through it to the cube servers.

The server extension gives its kernels ``ESDL_LAB_SERVER_INFO``, the path of the server's info file (the JSON
that ``jupyter server list`` reads: URL, base URL, token). Everything here uses only the standard library, so
that importing it costs nothing.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

SERVER_INFO_VARIABLE = "ESDL_LAB_SERVER_INFO"


class ESDLConnectionError(RuntimeError):
    """The Jupyter server or an upstream behind it cannot be reached, or refused the request."""


@dataclass(frozen=True)
class JupyterServer:
    """The Jupyter server a kernel belongs to: where it listens and the token that lets the kernel in."""

    url: str
    token: str

    @classmethod
    def from_environment(cls) -> JupyterServer:
        path = os.environ.get(SERVER_INFO_VARIABLE)
        if not path:
            raise ESDLConnectionError(
                f"{SERVER_INFO_VARIABLE} is not set: this kernel was not started by a Jupyter server with "
                "ESDL Lab. Run the notebook in JupyterLab with the esdl-lab package installed "
                "(pip install esdl-lab)."
            )
        try:
            with open(path, encoding="utf-8") as file:
                info = json.load(file)
        except (OSError, ValueError) as e:
            raise ESDLConnectionError(
                f"The Jupyter server's info file {path} cannot be read ({e}): is that server still running?"
            ) from None
        url = str(info.get("url") or "")
        if not url.startswith(("http://", "https://")):
            raise ESDLConnectionError(f"The Jupyter server's info file {path} names no http(s) URL.")
        return cls(url=url if url.endswith("/") else url + "/", token=str(info.get("token") or ""))

    def request_json(self, path: str, timeout: float = 60, body: Any = None) -> Any:
        """GET (or, with a body, POST) JSON to one of the server's routes, e.g. ``esdl-lab/status``."""
        data = None if body is None else json.dumps(body).encode()
        # the URL is http(s), checked in from_environment
        request = urllib.request.Request(self.url + path.lstrip("/"), data=data)  # noqa: S310
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"token {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return json.load(response)
        except urllib.error.HTTPError as e:
            method = "GET" if data is None else "POST"
            raise ESDLConnectionError(f"{method} {path} failed with {e.code}: {_message(e)}") from None
        except (urllib.error.URLError, OSError) as e:
            raise ESDLConnectionError(f"The Jupyter server at {self.url} cannot be reached: {e}") from None


def _message(error: urllib.error.HTTPError) -> str:
    """The message inside a JSON error answer (ours, Jupyter's or xcube's), else the reason."""
    try:
        body = json.loads(error.read() or b"null")
    except ValueError:
        return str(error.reason)
    if isinstance(body, dict):
        inner = body.get("error")
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if body.get("message"):
            return str(body["message"])
    return str(error.reason)


def cube_server_url(server: str | None = None, *, jupyter: JupyterServer | None = None) -> tuple[str, str]:
    """The name and the URL at which this kernel reaches a configured cube server (the first if no name).

    A managed cube server that has not started yet is started by a request through the proxy.
    """
    jupyter = jupyter or JupyterServer.from_environment()
    cubes = [u for u in jupyter.request_json("esdl-lab/status")["upstreams"] if u["kind"] == "cube"]
    if not cubes:
        raise ESDLConnectionError(
            "No cube server is configured: set c.ESDLLab.cube_servers in the server's config."
        )
    names = [u["name"] for u in cubes]
    if server is None:
        server = names[0]
    elif server not in names:
        raise ESDLConnectionError(
            f"There is no cube server {server!r}; the configured ones are {', '.join(names)}."
        )
    entry = next(u for u in cubes if u["name"] == server)
    if not entry.get("kernelUrl"):
        # an idle managed server starts on its first request
        jupyter.request_json(f"esdl-lab/cubes/{urllib.parse.quote(server)}/")
        entry = next(u for u in jupyter.request_json("esdl-lab/status")["upstreams"] if u["name"] == server)
    url = entry.get("kernelUrl")
    if not url:
        raise ESDLConnectionError(
            f"The cube server {server!r} is {entry['state']}: {entry.get('error') or ''}"
        )
    return server, url
