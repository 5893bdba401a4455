"""``/esdl-lab/cluster/jobs``: the kernel jobs of this server's user, from one batched ``squeue --json``.

``GET`` lists every kernel job (queued, running, and ended ones Slurm still remembers, with why they ended and
the last lines of their log); ``DELETE /esdl-lab/cluster/jobs/<id>`` ends one: a kernel that runs is shut down
(so that Jupyter does not start it again), a queued one is cancelled (its kernel start then fails with
"CANCELLED before the kernel started"). A failing ``squeue`` gives ``"available": false`` with Slurm's
message: the jobs are unknown, never gone.

The JSON is mirrored by ``IKernelJobsResponse`` in packages/core/src/cluster/index.ts; change both together.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import re
import time
from pathlib import Path
from typing import Any

from jupyter_server.base.handlers import APIHandler
from tornado import web

from . import slurm
from .backends import LocalBackend, SlurmBackend

# the provisioner puts this into each kernel job's --comment, followed by the kernel's id and spec
COMMENT_PREFIX = "esdl-lab kernel="
CACHE_SECONDS = 2.0
LOG_LINES = 12
JOB_ID = re.compile(r"^\d{1,12}$")
ENDED_BADLY = {
    "CANCELLED",
    "TIMEOUT",
    "OUT_OF_MEMORY",
    "NODE_FAIL",
    "FAILED",
    "PREEMPTED",
    "BOOT_FAIL",
    "DEADLINE",
}
WHY = {
    "CANCELLED": "cancelled (scancel, or by an administrator)",
    "TIMEOUT": "reached its walltime",
    "OUT_OF_MEMORY": "ran out of memory",
    "NODE_FAIL": "lost its node",
    "FAILED": "failed (the kernel exited with an error)",
    "PREEMPTED": "was preempted by a job of higher priority",
    "BOOT_FAIL": "could not boot its node",
    "DEADLINE": "missed its deadline",
    "COMPLETED": "ended (the kernel exited)",
}


# which Jupyter server started a job (its host and port, set by the extension at start-up): the panel lists
# the kernel jobs of this server, not those of the same user's other servers
SERVER_TAG = {"value": ""}


def comment(kernel_id: str, kernel_name: str) -> str:
    return f"{COMMENT_PREFIX}{kernel_id} spec={kernel_name} server={SERVER_TAG['value']}"


def _parse_comment(text: str) -> tuple[str, str, str] | None:
    if not text.startswith(COMMENT_PREFIX):
        return None
    fields = dict(part.partition("=")[::2] for part in text[len("esdl-lab ") :].split(" "))
    return fields.get("kernel", ""), fields.get("spec", ""), fields.get("server", "")


def _indices(gres_detail: list[str]) -> str:
    """``['gpu:2(IDX:0,2-3)']`` → ``'0,2,3'`` (the node's GPU indices, as SLURM_JOB_GPUS says them)."""
    found: list[str] = []
    for detail in gres_detail or []:
        match = re.search(r"IDX:([\d,\-]+)", str(detail))
        if not match:
            continue
        for part in match.group(1).split(","):
            low, _, high = part.partition("-")
            if low.isdigit() and high.isdigit():
                found.extend(str(i) for i in range(int(low), int(high) + 1))
            elif low.isdigit():
                found.append(low)
    return ",".join(found)


def _requested_gpus(job: dict[str, Any]) -> int:
    match = re.search(r"gpu(?::[^:,]+)?:(\d+)", str(job.get("tres_per_node") or ""))
    return int(match.group(1)) if match else 0


def log_tail(path: str) -> str:
    """The last lines of a job's log, reading only its end; empty when there is none."""
    if not path:
        return ""
    try:
        with Path(path).open("rb") as file:
            file.seek(0, 2)
            size = file.tell()
            file.seek(max(0, size - 16384))
            lines = file.read().decode(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(lines[-LOG_LINES:])


def describe(job: dict[str, Any], now: float) -> dict[str, Any] | None:
    """One kernel job as the panel shows it, or None for a job that is not a kernel job of ours."""
    parsed = _parse_comment(str(job.get("comment") or ""))
    if parsed is None:
        return None
    kernel_id, spec, server = parsed
    state = str(job.get("job_state") or "UNKNOWN")
    live = state in slurm.LIVE_STATES
    start = int(job.get("start_time") or 0)
    end = int(job.get("end_time") or 0)
    limit_s = int(job.get("time_limit") or 0) * 60
    running = state == "RUNNING"
    if running and start:
        elapsed = max(0, int(now - start))
    else:
        elapsed = max(0, end - start) if not live and start else 0
    reason = str(job.get("state_reason") or "")
    return {
        "job_id": str(job.get("job_id")),
        "kernel_id": kernel_id,
        "kernel_name": spec,
        "server": server,
        "name": str(job.get("name") or ""),
        "state": state,
        "live": live,
        "reason": "" if reason == "None" else reason,
        "partition": str(job.get("partition") or ""),
        "node": str(job.get("nodes") or ""),
        "gpus": _indices(job.get("gres_detail") or []),
        "gpus_requested": _requested_gpus(job),
        "cpus": int(job.get("cpus") or 0),
        "submit_time": int(job.get("submit_time") or 0),
        # pending: Slurm's estimate (0 when it has none); running or ended: when it started
        "start_time": start if (running or not live or start > now) else 0,
        "end_time": end if not live else 0,
        "time_limit_s": limit_s,
        "elapsed_s": elapsed,
        "remaining_s": max(0, start + limit_s - int(now)) if running and start and limit_s else None,
        "why": WHY.get(state, state.lower()) if not live else "",
        "log_tail": log_tail(str(job.get("standard_output") or "")) if state in ENDED_BADLY else "",
    }


class KernelJobs:
    """The kernel jobs of this server's user, from one ``squeue --json`` shared by concurrent polls."""

    def __init__(
        self, kernel_manager: Any, log: Any, enabled: bool, backend: SlurmBackend | LocalBackend | None = None
    ) -> None:
        self.kernel_manager = kernel_manager
        self.backend = backend or SlurmBackend()
        self.log = log
        self.enabled = enabled
        self.user = getpass.getuser()
        self._cached: tuple[float, dict[str, Any]] | None = None
        # jobs ended through this route: their "why" says so instead of blaming scancel or an administrator
        self._cancelled_here: set[str] = set()
        self._running: asyncio.Future | None = None

    async def list(self, fresh: bool = False) -> dict[str, Any]:
        if not self.enabled:
            return {"backend": None, "available": False, "error": None, "jobs": [], "checked_at": time.time()}
        # (the backend's name is in every answer: the panel says where kernels run)
        if not fresh and self._cached and time.monotonic() - self._cached[0] < CACHE_SECONDS:
            return self._cached[1]
        if self._running is None:
            self._running = asyncio.ensure_future(self._query())
            self._running.add_done_callback(lambda _: setattr(self, "_running", None))
        result = await asyncio.shield(self._running)
        self._cached = (time.monotonic(), result)
        return result

    async def _query(self) -> dict[str, Any]:
        now = time.time()
        try:
            jobs = await self.backend.jobs()
        except (slurm.SlurmError, OSError, ValueError) as e:
            return {
                "backend": self.backend.name,
                "available": False,
                "error": f"The job list is unknown: {e}",
                "jobs": [],
                "checked_at": now,
            }
        described = []
        for job in jobs:
            if str(job.get("user_name") or self.user) != self.user:
                continue
            entry = describe(job, now)
            if entry is None:
                continue
            ours = entry["server"] == SERVER_TAG["value"] or entry["kernel_id"] in self.kernel_manager
            if ours:
                if entry["job_id"] in self._cancelled_here and entry["state"] == "CANCELLED":
                    entry["why"] = "cancelled from the jobs panel"
                described.append(entry)
        described.sort(key=lambda j: (not j["live"], -int(j["job_id"])))
        return {
            "backend": self.backend.name,
            "available": True,
            "error": None,
            "jobs": described,
            "checked_at": now,
        }

    async def cancel_leftovers(self) -> list[str]:
        """At start-up: the live kernel jobs that an earlier run of this server (same host and port) left
        behind, killed with -9 or crashed, are cancelled at once instead of holding their GPUs until their
        lease runs out. Jupyter keeps no kernels across restarts, so nothing could attach to them."""
        listing = await self.list(fresh=True)
        if not listing["available"]:
            self.log.warning(
                "esdl_lab: could not look for kernel jobs left by an earlier run: %s", listing["error"]
            )
            return []
        cancelled = []
        for job in listing["jobs"]:
            if (
                job["live"]
                and job["server"] == SERVER_TAG["value"]
                and job["kernel_id"] not in self.kernel_manager
            ):
                try:
                    await self.backend.cancel(job["job_id"])
                except slurm.SlurmError as e:
                    self.log.warning("esdl_lab: scancel %s: %s", job["job_id"], e)
                    continue
                self._cancelled_here.add(job["job_id"])
                cancelled.append(job["job_id"])
                self.log.warning(
                    "esdl_lab: cancelled kernel job %s (kernel %s, %s) left running by an earlier run of "
                    "this server: Jupyter does not keep kernels across restarts",
                    job["job_id"],
                    job["kernel_id"],
                    job["kernel_name"],
                )
        self._cached = None
        return cancelled

    async def cancel(self, job_id: str) -> dict[str, Any]:
        if not JOB_ID.match(job_id):
            raise web.HTTPError(400, f"{job_id!r} is not a Slurm job id (digits only).")
        listing = await self.list(fresh=True)
        if not listing["available"]:
            raise web.HTTPError(503, listing["error"] or "Slurm did not answer; try again.")
        job = next((j for j in listing["jobs"] if j["job_id"] == job_id), None)
        if job is None:
            raise web.HTTPError(
                404, f"Job {job_id} is not a kernel job of {self.user}: only those can be cancelled here."
            )
        if not job["live"]:
            return {"job_id": job_id, "done": "already ended", "state": job["state"]}
        kernel_id = job["kernel_id"]
        self._cancelled_here.add(job_id)
        if kernel_id in self.kernel_manager and job["state"] == "RUNNING":
            # a running kernel: shut it down, so that Jupyter's restarter does not start a new job for it
            await self.kernel_manager.shutdown_kernel(kernel_id)
            how = "kernel shut down"
        else:
            try:
                await self.backend.cancel(job_id)
            except slurm.SlurmError as e:
                raise web.HTTPError(502, str(e)) from None
            how = "job cancelled"
        self._cached = None
        return {"job_id": job_id, "done": how, "state": job["state"]}


class KernelJobsHandler(APIHandler):
    # the panel polls this: its polls must not keep an idle server alive
    _track_activity = False

    def initialize(self, jobs: KernelJobs) -> None:
        self.jobs = jobs

    @web.authenticated
    async def get(self, job_id: str | None = None) -> None:
        self.set_header("Cache-Control", "no-store")
        listing = await self.jobs.list()
        if job_id:
            job = next((j for j in listing["jobs"] if j["job_id"] == job_id), None)
            if job is None:
                raise web.HTTPError(404, f"No kernel job {job_id} (it may have ended long ago).")
            self.finish(json.dumps(job))
            return
        self.finish(json.dumps(listing))

    @web.authenticated
    async def delete(self, job_id: str | None = None) -> None:
        if not job_id:
            raise web.HTTPError(400, "Name the job: DELETE /esdl-lab/cluster/jobs/<job id>.")
        if not self.jobs.enabled:
            raise web.HTTPError(
                404, "No kernel profiles are configured on this server (c.ESDLLab.kernel_profiles)."
            )
        self.finish(json.dumps(await self.jobs.cancel(job_id)))
