"""Managed upstream processes: started on first use on a free loopback port, watched, restarted, stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
from collections import deque
from dataclasses import dataclass, field

OUTPUT_LINES = 50
FIRST_RESTART_DELAY = 1.0
MAX_RESTART_DELAY = 30.0
# a process that stayed up this long is healthy again: its next crash restarts after the first delay
STABLE_SECONDS = 60.0
# consecutive starts that never became ready before the process is left down until the next request
MAX_FAILED_STARTS = 5
STOP_GRACE_SECONDS = 5.0


@dataclass
class ProcessSpec:
    """What to run: ``{port}`` in the command, the environment values and cwd is replaced by the port."""

    command: list[str]
    environment: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None
    ready_path: str = "/"
    start_timeout: float = 30.0


class NotReady(Exception):
    """The process did not become ready for a request; ``reason`` is "timeout", "exited" or "down"."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def accepts_connections(port: int, timeout: float = 0.5) -> bool:
    """Whether something listens on the loopback ``port``."""
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    except (OSError, asyncio.TimeoutError):
        return False
    writer.close()
    return True


async def answers_http(port: int, path: str, timeout: float = 2.0) -> bool:
    """Whether a GET of ``path`` on the loopback ``port`` gets an HTTP answer below 500."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    except (OSError, asyncio.TimeoutError):
        return False
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
        status_line = await asyncio.wait_for(reader.readline(), timeout)
    except (OSError, asyncio.TimeoutError):
        return False
    finally:
        writer.close()
    parts = status_line.split()
    return len(parts) >= 2 and parts[0].startswith(b"HTTP/") and parts[1].isdigit() and int(parts[1]) < 500


class ManagedProcess:
    """One upstream server that the Jupyter server runs itself.

    ``state`` is "idle" (not needed yet), "starting" (spawned or waiting to restart), "up" (answers HTTP)
    or "down" (failed to start repeatedly, or stopped). The process runs in its own process group, is
    killed by the kernel if the Jupyter server dies (see ``die_with_parent``), and is restarted with a
    growing delay when it exits on its own.
    """

    def __init__(self, name: str, label: str, spec: ProcessSpec, log: logging.Logger) -> None:
        self.name = name
        self.label = label
        self.spec = spec
        self.log = log
        self.state = "idle"
        self.error: str | None = None
        self.pid: int | None = None
        self.port: int | None = None
        self.restarts = 0
        self._output: deque[str] = deque(maxlen=OUTPUT_LINES)
        self._proc: asyncio.subprocess.Process | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._changed: asyncio.Future[None] | None = None
        self._exits = 0
        self._stopping = False

    @property
    def program(self) -> str:
        return self.spec.command[0]

    def last_output(self) -> str:
        """The last lines the process wrote, as a paragraph for an error message, or ""."""
        if not self._output:
            return ""
        return " Its last output:\n" + "\n".join(self._output)

    def _set_state(self, state: str, error: str | None) -> None:
        self.state = state
        self.error = error
        self._notify()

    def _notify(self) -> None:
        """Wake the requests waiting in ``ensure_ready``."""
        if self._changed is not None and not self._changed.done():
            self._changed.set_result(None)
        self._changed = None

    async def ensure_ready(self) -> int:
        """Start the process if needed and wait until it answers; returns its port or raises ``NotReady``."""
        if self.state == "up" and self.port is not None:
            return self.port
        if self._stopping:
            raise NotReady("down", f"{self.label} is not running: the Jupyter server is stopping.")
        if self._supervisor is None or self._supervisor.done():
            self._set_state("starting", None)
            self._supervisor = asyncio.ensure_future(self._supervise())
        loop = asyncio.get_running_loop()
        timeout = self.spec.start_timeout
        deadline = loop.time() + timeout
        exits = self._exits
        while self.state != "up" or self.port is None:
            if self._exits != exits:
                raise NotReady(
                    "exited", f"{self.label} exited before it was ready ({self.error}).{self.last_output()}"
                )
            if self.state == "down":
                raise NotReady("down", f"{self.error}{self.last_output()}")
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise NotReady(
                    "timeout",
                    f"{self.label} did not become ready within {timeout:g} s: GET {self.spec.ready_path} on "
                    f"port {self.port} did not answer. Raise its 'start_timeout' if it needs longer."
                    f"{self.last_output()}",
                )
            if self._changed is None:
                self._changed = loop.create_future()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._changed), remaining)
        return self.port

    async def ensure_restarted(self, failed_port: int) -> int:
        """After a connection to ``failed_port`` failed: if nothing listens there any more, wait until the
        process is seen to exit and is ready again; returns its port or raises ``NotReady``."""
        if self.state == "up" and self.port == failed_port:
            # alive: it was a kept-alive connection that the process had just closed; unless the process is
            # still dying (a SIGKILL takes a moment to close its sockets): ask again after a short wait
            if await accepts_connections(failed_port):
                await asyncio.sleep(0.2)
                if self.state == "up" and self.port == failed_port and await accepts_connections(failed_port):
                    return failed_port
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.spec.start_timeout
            while self.state == "up" and self.port == failed_port:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise NotReady(
                        "timeout",
                        f"{self.label} (pid {self.pid}) stopped accepting connections on port {failed_port} "
                        f"but has not exited for {self.spec.start_timeout:g} s.{self.last_output()}",
                    )
                if self._changed is None:
                    self._changed = loop.create_future()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(asyncio.shield(self._changed), remaining)
        return await self.ensure_ready()

    async def _supervise(self) -> None:
        loop = asyncio.get_running_loop()
        delay = FIRST_RESTART_DELAY
        failed_starts = 0
        while not self._stopping:
            started = loop.time()
            became_ready, returncode = await self._run_once()
            if self._stopping:
                return
            failed_starts = 0 if became_ready else failed_starts + 1
            if loop.time() - started >= STABLE_SECONDS:
                delay = FIRST_RESTART_DELAY
            if failed_starts >= MAX_FAILED_STARTS:
                error = (
                    f"{self.label} failed to start {failed_starts} times in a row "
                    f"(last exit code {returncode}); it starts again on the next request. Check its command "
                    "and its output in the Jupyter log."
                )
                self.log.error("esdl_lab: %s", error)
                self._set_state("down", error)
                return
            self.log.warning(
                "esdl_lab: %s exited with code %s; restarting in %g s", self.label, returncode, delay
            )
            self._set_state(
                "starting", f"{self.label} exited with code {returncode}; restarting in {delay:g} s"
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RESTART_DELAY)
            self.restarts += 1

    async def _run_once(self) -> tuple[bool, int | None]:
        """Run the process once: returns whether it became ready, and its exit code."""
        port = free_loopback_port()
        spec = self.spec
        command = [arg.replace("{port}", str(port)) for arg in spec.command]
        env = dict(os.environ)
        env.update({key: value.replace("{port}", str(port)) for key, value in spec.environment.items()})
        cwd = spec.cwd.replace("{port}", str(port)) if spec.cwd else None
        try:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "esdl_lab.die_with_parent",
                str(os.getpid()),
                *command,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                env=env,
                cwd=cwd,
                start_new_session=True,
            )
        except OSError as e:
            self.error = f"{self.label} could not be started: {e}"
            self.log.error("esdl_lab: %s", self.error)
            self._exits += 1
            self._notify()
            return False, None
        self._proc, self.pid, self.port = proc, proc.pid, port
        self._set_state("starting", None)
        self.log.info("esdl_lab: %s started: %s (pid %d, port %d)", self.label, self.program, proc.pid, port)
        assert proc.stdout is not None
        pump = asyncio.ensure_future(self._pump_output(proc.stdout))
        try:
            became_ready = await self._wait_until_ready(proc, port)
            if became_ready:
                self.log.info("esdl_lab: %s is ready on port %d", self.label, port)
                self._set_state("up", None)
            returncode = await proc.wait()
        finally:
            # a grandchild that inherited the pipe must not keep this task alive
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(pump, 0.5)
        self.pid = None
        self._exits += 1
        if self.error is None:
            self.error = f"exit code {returncode}"
        self._notify()
        return became_ready, returncode

    async def _wait_until_ready(self, proc: asyncio.subprocess.Process, port: int) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.spec.start_timeout
        interval = 0.05
        exited = asyncio.ensure_future(proc.wait())
        try:
            while True:
                if exited.done():
                    self.error = f"exit code {proc.returncode}"
                    return False
                if await answers_http(port, self.spec.ready_path):
                    return True
                if loop.time() >= deadline:
                    self.error = (
                        f"no answer to GET {self.spec.ready_path} on port {port} within "
                        f"{self.spec.start_timeout:g} s, so it was stopped"
                    )
                    self.log.error("esdl_lab: %s: %s", self.label, self.error)
                    await self._terminate(proc)
                    return False
                await asyncio.wait([exited], timeout=interval)
                interval = min(interval * 1.5, 0.5)
        finally:
            exited.cancel()

    async def _pump_output(self, stream: asyncio.StreamReader) -> None:
        pending = b""
        while True:
            data = await stream.read(65536)
            if not data:
                break
            lines = (pending + data).split(b"\n")
            pending = lines.pop()
            for line in lines:
                self._log_line(line)
        if pending:
            self._log_line(pending)

    def _log_line(self, raw: bytes) -> None:
        line = raw.decode("utf-8", "replace").rstrip("\r")
        self._output.append(line)
        self.log.info("[esdl_lab %s] %s", self.name, line)

    async def _terminate(self, proc: asyncio.subprocess.Process) -> None:
        """SIGTERM the process group, then SIGKILL it if it is still there after a grace period."""
        if proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), STOP_GRACE_SECONDS)
        except asyncio.TimeoutError:
            self.log.warning(
                "esdl_lab: %s ignored SIGTERM for %g s; killing it", self.label, STOP_GRACE_SECONDS
            )
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()

    async def stop(self) -> None:
        """Stop the process and do not restart it (the Jupyter server is stopping)."""
        self._stopping = True
        supervisor, proc = self._supervisor, self._proc
        if proc is not None and proc.returncode is None:
            pid = proc.pid
            await self._terminate(proc)
            self.log.info("esdl_lab: %s stopped (pid %d)", self.label, pid)
        if supervisor is not None:
            supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await supervisor
        self._set_state("down", f"{self.label} was stopped with the Jupyter server.")
