"""The upstreams the proxy forwards to, read and checked from ``c.ESDLLab``, each with its HTTP session."""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import re
import shutil
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import aiohttp

from .processes import ManagedProcess, ProcessSpec

NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]+\Z")
URL_KEYS = {"url", "title"}
PROCESS_KEYS = {"command", "environment", "cwd", "ready_path", "start_timeout", "title"}
# under the 5 s idle timeout of Node and uvicorn: never reuse a pooled connection as the upstream drops it
KEEPALIVE_SECONDS = 4.0
CONNECTIONS_PER_UPSTREAM = 256


class ConfigError(ValueError):
    """A configuration entry that cannot be used; the message says what to change."""


class Upstream:
    """One configured upstream: a URL, or a managed process, or a configuration problem."""

    def __init__(
        self,
        kind: str,
        name: str,
        *,
        title: str | None = None,
        url: str | None = None,
        process: ProcessSpec | None = None,
        authorization: str | None = None,
        problem: str | None = None,
        configured: bool = True,
        connect_timeout: float = 5.0,
        log: logging.Logger | None = None,
    ) -> None:
        self.kind = kind
        self.name = name
        self.title = title or ("MLflow" if kind == "mlflow" else name)
        self.authorization = authorization
        self.problem = problem
        # False when nothing is configured at all (the status says "unconfigured" rather than "down")
        self.configured = configured
        self.connect_timeout = connect_timeout
        self.origin = ""
        self.base_path = ""
        self.url: str | None = None
        if url is not None:
            self.origin, self.base_path = split_base_url(url)
            self.url = self.origin + self.base_path
        self.process: ManagedProcess | None = None
        if process is not None:
            self.process = ManagedProcess(name, self.label, process, log or logging.getLogger("esdl_lab"))
        self._session: aiohttp.ClientSession | None = None

    @property
    def label(self) -> str:
        """How messages name this upstream."""
        return f"Cube server '{self.name}'" if self.kind == "cube" else "The MLflow tracking server"

    @property
    def config_hint(self) -> str:
        """The configuration a person should look at when this upstream fails."""
        if self.kind == "cube":
            return f"c.ESDLLab.cube_servers[{self.name!r}]"
        if self.process is not None:
            return "c.ESDLLab.mlflow_command"
        return "c.ESDLLab.mlflow_url (or MLFLOW_TRACKING_URI)"

    @property
    def proxy_path(self) -> str:
        """The proxy's path for this upstream, relative to the Jupyter server's base URL."""
        if self.kind == "cube":
            return f"esdl-lab/cubes/{quote(self.name, safe='')}/"
        return "esdl-lab/mlflow/"

    @property
    def managed(self) -> bool:
        return self.process is not None

    @property
    def usable(self) -> bool:
        return self.problem is None and (self.url is not None or self.process is not None)

    def where(self) -> str:
        """Where the upstream is, for messages: "at http://host:port/base"."""
        if self.process is not None:
            port = self.process.port
            return f"(managed process, port {port})" if port else "(managed process)"
        return f"at {self.url}"

    def direct_url(self) -> str | None:
        """The base URL at which a process on the Jupyter server's machine reaches the upstream, if known."""
        if self.process is not None:
            port = self.process.port if self.process.state in ("up", "starting") else None
            return f"http://127.0.0.1:{port}{self.base_path}/" if port else None
        return f"{self.url}/" if self.url else None

    async def ready_origin(self) -> str:
        """The origin (scheme://host:port) to send a request to, starting a managed process if needed.

        Raises ``NotReady`` when a managed process does not become ready.
        """
        if self.process is None:
            return self.origin
        port = await self.process.ensure_ready()
        return f"http://127.0.0.1:{port}"

    async def recover_origin(self, failed_origin: str) -> str:
        """The origin to retry at after a connection to ``failed_origin`` of a managed process failed."""
        assert self.process is not None
        port = await self.process.ensure_restarted(int(failed_origin.rpartition(":")[2]))
        return f"http://127.0.0.1:{port}"

    def session(self) -> aiohttp.ClientSession:
        """The upstream's HTTP session, made on first use on the running loop; it keeps connections alive."""
        session = self._session
        if session is None or session.closed:
            session = self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=CONNECTIONS_PER_UPSTREAM, keepalive_timeout=KEEPALIVE_SECONDS, ttl_dns_cache=60
                ),
                # read timeouts are the proxy's own (see proxy.Watchdog): the upstream may legitimately send
                # nothing while a long request body streams in
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=self.connect_timeout),
                auto_decompress=False,
                cookie_jar=aiohttp.DummyCookieJar(),
                skip_auto_headers=("Accept", "Accept-Encoding", "User-Agent", "Content-Type"),
            )
        return session

    async def close(self) -> None:
        if self.process is not None:
            await self.process.stop()
        if self._session is not None:
            await self._session.close()
            self._session = None


def split_base_url(url: str) -> tuple[str, str]:
    """``http://h:1/base/`` → (``http://h:1``, ``/base``); raises ConfigError for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{_without_credentials(url)!r} is not an http:// or https:// URL with a host")
    if parts.query or parts.fragment:
        raise ConfigError(f"{_without_credentials(url)!r} must not have a query or fragment")
    try:
        port = parts.port
    except ValueError as e:
        raise ConfigError(f"{_without_credentials(url)!r} has a bad port: {e}") from None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    origin = f"{parts.scheme}://{host}" + (f":{port}" if port else "")
    return origin, parts.path.rstrip("/")


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def url_credentials(url: str) -> tuple[str | None, str | None]:
    """The user and password written into a URL (``http://user:pass@host``), if any."""
    parts = urlsplit(url)
    return (
        unquote(parts.username) if parts.username else None,
        unquote(parts.password) if parts.password else None,
    )


def authorization(username: str | None, password: str | None, token: str | None) -> str | None:
    """The Authorization header MLflow's own client would send: Basic for a user and password, else Bearer."""
    if username and password:
        return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    if token:
        return f"Bearer {token}"
    return None


def parse_process_spec(spec: Mapping[str, Any], what: str) -> ProcessSpec:
    """Check a managed-process spec (command, environment, cwd, ready_path, start_timeout)."""
    command = spec.get("command")
    if not isinstance(command, list) or not command or not all(isinstance(a, str) and a for a in command):
        raise ConfigError(
            f"{what}: 'command' must be a non-empty list of strings, e.g. ['prog', '--port', '{{port}}']"
        )
    environment = spec.get("environment", {})
    if not isinstance(environment, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in environment.items()
    ):
        raise ConfigError(f"{what}: 'environment' must map names to strings")
    if not any("{port}" in arg for arg in command) and not any("{port}" in v for v in environment.values()):
        raise ConfigError(
            f"{what}: '{{port}}' appears neither in 'command' nor in 'environment', so the process cannot "
            "be told the free port it must listen on"
        )
    cwd = spec.get("cwd")
    if cwd is not None and (not isinstance(cwd, str) or not os.path.isdir(cwd)):
        raise ConfigError(f"{what}: 'cwd' {cwd!r} is not an existing directory")
    ready_path = spec.get("ready_path", "/")
    if (
        not isinstance(ready_path, str)
        or not ready_path.startswith("/")
        or any(c in ready_path for c in " \r\n")
    ):
        raise ConfigError(f"{what}: 'ready_path' must be a path starting with '/', e.g. '/'")
    start_timeout = spec.get("start_timeout", 30)
    if isinstance(start_timeout, bool) or not isinstance(start_timeout, (int, float)) or start_timeout <= 0:
        raise ConfigError(f"{what}: 'start_timeout' must be a positive number of seconds")
    search_path = environment.get("PATH", os.environ.get("PATH"))
    if "{port}" not in command[0] and shutil.which(command[0], path=search_path) is None:
        raise ConfigError(
            f"{what}: the program {command[0]!r} was not found (not executable, or not on PATH)"
        )
    return ProcessSpec(
        command=list(command),
        environment=dict(environment),
        cwd=cwd,
        ready_path=ready_path,
        start_timeout=float(start_timeout),
    )


def parse_cube_server(name: Any, spec: Any, *, connect_timeout: float, log: logging.Logger) -> Upstream:
    """One entry of ``c.ESDLLab.cube_servers``; a bad one comes back with ``problem`` saying what is wrong."""
    display = str(name)
    what = f"c.ESDLLab.cube_servers[{display!r}]"
    try:
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            raise ConfigError(
                f"{what}: the name {display!r} cannot be part of a URL: use only letters, digits, '-' and '_'"
            )
        if not isinstance(spec, Mapping):
            raise ConfigError(f"{what} must be a dict with a 'url' or a 'command', not {type(spec).__name__}")
        title = spec.get("title")
        if title is not None and not isinstance(title, str):
            raise ConfigError(f"{what}: 'title' must be a string")
        if ("url" in spec) == ("command" in spec):
            raise ConfigError(
                f"{what} needs exactly one of 'url' (a running server) or 'command' (one to run)"
            )
        allowed = URL_KEYS if "url" in spec else PROCESS_KEYS
        unknown = sorted(set(spec) - allowed)
        if unknown:
            raise ConfigError(
                f"{what}: unknown key(s) {', '.join(map(repr, unknown))}; allowed: {sorted(allowed)}"
            )
        if "url" in spec:
            url = spec["url"]
            if not isinstance(url, str):
                raise ConfigError(f"{what}: 'url' must be a string")
            try:
                split_base_url(url)
            except ConfigError as e:
                raise ConfigError(f"{what}: {e}") from None
            user, password = url_credentials(url)
            return Upstream(
                "cube",
                name,
                title=title,
                url=url,
                authorization=authorization(user, password, None),
                connect_timeout=connect_timeout,
                log=log,
            )
        process = parse_process_spec(spec, what)
        return Upstream("cube", name, title=title, process=process, connect_timeout=connect_timeout, log=log)
    except ConfigError as e:
        return Upstream(
            "cube", display, title=display, problem=str(e), connect_timeout=connect_timeout, log=log
        )


def mlflow_upstream(
    *,
    url: str,
    env_uri: str | None,
    command: Any,
    username: str,
    password: str,
    token: str,
    connect_timeout: float,
    log: logging.Logger,
) -> Upstream:
    """The ``mlflow`` upstream: a managed process, a URL, or "unconfigured" with a message on how to fix it.

    ``url`` is ``c.ESDLLab.mlflow_url`` (which defaults to an http(s) ``MLFLOW_TRACKING_URI``); ``env_uri`` is
    the raw ``MLFLOW_TRACKING_URI``, which explains why no server is configured when it names a local store.
    """
    if command:
        spec = {"command": command} if isinstance(command, list) else command
        what = "c.ESDLLab.mlflow_command"
        try:
            if not isinstance(spec, Mapping):
                raise ConfigError(f"{what} must be a list (the command) or a dict with a 'command'")
            unknown = sorted(set(spec) - PROCESS_KEYS)
            if unknown:
                raise ConfigError(f"{what}: unknown key(s) {', '.join(map(repr, unknown))}")
            process = parse_process_spec(spec, what)
        except ConfigError as e:
            return Upstream("mlflow", "mlflow", problem=str(e), connect_timeout=connect_timeout, log=log)
        return Upstream(
            "mlflow",
            "mlflow",
            title=spec.get("title"),
            process=process,
            authorization=authorization(username, password, token),
            connect_timeout=connect_timeout,
            log=log,
        )
    source, uri = ("c.ESDLLab.mlflow_url", url) if url else ("MLFLOW_TRACKING_URI", env_uri)
    if not uri:
        problem = (
            "No MLflow tracking server is configured. Set MLFLOW_TRACKING_URI to its http(s) URL before "
            "starting Jupyter, or set c.ESDLLab.mlflow_url, or c.ESDLLab.mlflow_command to have Jupyter run "
            "one."
        )
        return Upstream(
            "mlflow", "mlflow", problem=problem, configured=False, connect_timeout=connect_timeout, log=log
        )
    scheme = urlsplit(uri).scheme
    if scheme not in ("http", "https"):
        kind = f"uses {scheme!r}" if scheme else "is a path"
        problem = (
            f"{source} {kind}: a local store that only MLflow's Python client reads, not a tracking server. "
            "Start one (`mlflow server --port 5000`) and set MLFLOW_TRACKING_URI or c.ESDLLab.mlflow_url to "
            "its http(s) URL, or set c.ESDLLab.mlflow_command to have Jupyter run it."
        )
        return Upstream(
            "mlflow", "mlflow", problem=problem, configured=False, connect_timeout=connect_timeout, log=log
        )
    try:
        split_base_url(uri)
    except ConfigError as e:
        problem = (
            f"The MLflow tracking URL from {source} is unusable: {e}. The proxy needs the http(s) URL of a "
            "running `mlflow server`."
        )
        return Upstream("mlflow", "mlflow", problem=problem, connect_timeout=connect_timeout, log=log)
    url_user, url_password = url_credentials(uri)
    return Upstream(
        "mlflow",
        "mlflow",
        url=uri,
        authorization=authorization(username or url_user, password or url_password, token),
        connect_timeout=connect_timeout,
        log=log,
    )


class Upstreams:
    """Every configured upstream: the cube servers by name (bad entries too, with their problem), MLflow."""

    def __init__(self, cubes: dict[str, Upstream], mlflow: Upstream) -> None:
        self.cubes = cubes
        self.mlflow = mlflow

    def all(self) -> list[Upstream]:
        return [*self.cubes.values(), self.mlflow]

    def cube_names(self) -> list[str]:
        return [name for name, upstream in self.cubes.items() if upstream.problem is None]

    async def close(self) -> None:
        await asyncio.gather(*(upstream.close() for upstream in self.all()), return_exceptions=True)
