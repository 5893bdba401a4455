"""Where kernel jobs run: Slurm, or this machine (the local backend: laptops and Binder, with no scheduler).

A backend is small on purpose, so that a Kubernetes one can follow: ``submit`` a job script with the options
the provisioner builds (sbatch's spelling), the ``state`` of one job, ``cancel`` (optionally with a signal to
the job script only), ``jobs`` (every job in the shape of ``squeue --json``'s entries, which ``jobs.py``
describes), and ``estimate`` a start. The server extension picks one at start-up
(``c.ESDLLab.cluster_backend``); the provisioner, which jupyter_client creates, finds it with ``current()``.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import os
import re
import shutil
import signal as signals
import socket
import subprocess
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import slurm
from .profiles import walltime_seconds
from .slurm import JobState, SlurmError


class SlurmBackend:
    name = "slurm"

    async def submit(self, script: str, options: list[str]) -> str:
        return await slurm.submit(script, options)

    async def state(self, job_id: str) -> JobState | None:
        return await slurm.state(job_id)

    async def cancel(self, job_id: str, signal: str | None = None, batch: bool = False) -> None:
        await slurm.cancel(job_id, signal=signal, batch=batch)

    async def jobs(self) -> list[dict[str, Any]]:
        out = await slurm.run("squeue", "--json", timeout=15)
        try:
            return json.loads(out).get("jobs", [])
        except ValueError as e:
            raise SlurmError(f"squeue --json sent something that is not JSON: {e}") from None

    async def estimate(self, options: list[str]) -> dict[str, Any]:
        text = await slurm.run("sbatch", "--test-only", *options, "--wrap=true", stderr_too=True)
        match = re.search(r"to start at (\S+) using (\d+) processors on nodes (\S+) in partition (\S+)", text)
        if not match:
            raise SlurmError(f"Slurm's estimate was not understood: {text.strip()[:300]}")
        return {
            "start_time": datetime.fromisoformat(match.group(1)).timestamp(),
            "start": match.group(1),
            "nodes": match.group(3),
            "partition": match.group(4),
            "message": text.strip().removeprefix("sbatch: "),
        }


def _option(options: list[str], name: str, default: str = "") -> str:
    prefix = f"--{name}="
    return next((o[len(prefix) :] for o in options if o.startswith(prefix)), default)


@dataclass
class _LocalJob:
    process: asyncio.subprocess.Process
    info: dict[str, Any]
    ended_as: str | None = None
    watch: asyncio.Task | None = field(default=None, repr=False)


class LocalBackend:
    """Kernel jobs as processes of this machine, with the same job script (its lease watchdog included),
    a walltime that ends them (TIMEOUT), and the same listing as Slurm's. GPUs are not allocated: the
    kernel sees the machine's own (CUDA_VISIBLE_DEVICES as it is)."""

    name = "local"
    KEEP_ENDED_SECONDS = 600

    def __init__(self) -> None:
        self._jobs: dict[str, _LocalJob] = {}
        self.node = socket.gethostname().split(".")[0]

    async def submit(self, script: str, options: list[str]) -> str:
        output = _option(options, "output", os.devnull)
        walltime = _option(options, "time", "01:00:00")
        gpus = re.search(r"gpu:(\d+)", _option(options, "gres"))
        with open(output, "ab") as log:  # noqa: ASYNC230 (opening a log file does not block for long)
            process = await asyncio.create_subprocess_exec(
                "bash",
                script,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=_option(options, "chdir") or None,
                # its own session: the job outlives a server killed with -9 until its lease runs out, and a
                # cancel reaches every process of it
                start_new_session=True,
            )
        job_id = str(process.pid)
        now = int(time.time())
        job = _LocalJob(
            process,
            {
                "job_id": job_id,
                "name": _option(options, "job-name"),
                "comment": _option(options, "comment"),
                "job_state": "RUNNING",
                "state_reason": "None",
                "nodes": self.node,
                "batch_host": self.node,
                "partition": "local",
                "gres_detail": [],
                "tres_per_node": f"gres:gpu:{gpus.group(1)}" if gpus else "",
                "cpus": int(_option(options, "cpus-per-task", "1")),
                "submit_time": now,
                "start_time": now,
                "end_time": 0,
                "time_limit": -(-walltime_seconds(walltime) // 60),  # minutes, as Slurm counts them
                "standard_output": output,
                "user_name": getpass.getuser(),
            },
        )
        job.watch = asyncio.ensure_future(self._watch(job, walltime_seconds(walltime)))
        self._jobs[job_id] = job
        return job_id

    async def _watch(self, job: _LocalJob, walltime_s: int) -> None:
        try:
            await asyncio.wait_for(job.process.wait(), walltime_s)
        except asyncio.TimeoutError:
            job.ended_as = job.ended_as or "TIMEOUT"
            await self._end(job)
        code = job.process.returncode
        job.info["job_state"] = job.ended_as or ("COMPLETED" if code == 0 else "FAILED")
        job.info["state_reason"] = "None" if code == 0 else "NonZeroExitCode"
        job.info["end_time"] = int(time.time())

    async def _end(self, job: _LocalJob) -> None:
        for sig, wait in ((signals.SIGTERM, 5.0), (signals.SIGKILL, 5.0)):
            try:
                os.killpg(job.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                await asyncio.wait_for(job.process.wait(), wait)
                return
            except asyncio.TimeoutError:
                continue

    def _forget_old(self) -> None:
        now = time.time()
        for job_id, job in list(self._jobs.items()):
            end = job.info["end_time"]
            if end and now - end > self.KEEP_ENDED_SECONDS:
                del self._jobs[job_id]

    async def state(self, job_id: str) -> JobState | None:
        job = self._jobs.get(job_id)
        if job is None:
            return None
        if job.process.returncode is not None and job.watch is not None:
            await asyncio.shield(job.watch)
        info = job.info
        return JobState(info["job_state"], info["state_reason"], info["nodes"])

    async def cancel(self, job_id: str, signal: str | None = None, batch: bool = False) -> None:
        job = self._jobs.get(job_id)
        if job is None:
            raise SlurmError(f"no local kernel job {job_id}")
        if job.process.returncode is not None:
            return
        if signal:
            # like scancel --batch --signal: to the job script, which passes INT and TERM on to the kernel
            job.process.send_signal(signals.Signals[f"SIG{signal}"])
            return
        job.ended_as = "CANCELLED"
        await self._end(job)
        if job.watch is not None:
            await asyncio.shield(job.watch)

    async def jobs(self) -> list[dict[str, Any]]:
        self._forget_old()
        return [dict(job.info) for job in self._jobs.values()]

    async def estimate(self, options: list[str]) -> dict[str, Any]:
        now = time.time()
        return {
            "start_time": now,
            "start": datetime.fromtimestamp(now).isoformat(timespec="seconds"),
            "nodes": self.node,
            "partition": "local",
            "message": "Kernels run on this machine (no scheduler here): it starts at once.",
        }


_current: dict[str, Any] = {"backend": None}


def current() -> SlurmBackend | LocalBackend:
    """The backend the server extension chose; Slurm where nothing chose (the provisioner used on its own)."""
    if _current["backend"] is None:
        _current["backend"] = SlurmBackend()
    return _current["backend"]


def slurm_answers(timeout: float = 5.0) -> bool:
    if not shutil.which("sbatch") or not shutil.which("sinfo"):
        return False
    try:
        return subprocess.run(["sinfo", "-h"], capture_output=True, timeout=timeout).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def choose(kind: str) -> SlurmBackend | LocalBackend:
    """``auto``: Slurm when its commands are here and answer, else this machine."""
    if kind == "auto":
        kind = "slurm" if slurm_answers() else "local"
    backend: SlurmBackend | LocalBackend = SlurmBackend() if kind == "slurm" else LocalBackend()
    _current["backend"] = backend
    return backend
