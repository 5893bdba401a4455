"""Slurm's commands, run with argument lists (never through a shell): submit, a job's state, cancel."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

# states in which a job may still run the kernel
LIVE_STATES = {"PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING"}


class SlurmError(RuntimeError):
    """A Slurm command failed; the message is what Slurm said."""


@dataclass
class JobState:
    state: str
    reason: str
    node: str

    @property
    def live(self) -> bool:
        return self.state in LIVE_STATES


async def run(*args: str, timeout: float = 30, stderr_too: bool = False) -> str:
    process = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except asyncio.TimeoutError:
        process.kill()
        raise SlurmError(f"{args[0]} did not answer within {timeout:g} s: is slurmctld running?") from None
    if process.returncode != 0:
        raise SlurmError(f"{args[0]} failed: {err.decode(errors='replace').strip() or out.decode().strip()}")
    return out.decode() + (err.decode(errors="replace") if stderr_too else "")


async def submit(script: str, options: list[str]) -> str:
    """``sbatch --parsable``: the job's id."""
    out = await run("sbatch", "--parsable", *options, script)
    return out.strip().split(";")[0]


async def state(job_id: str) -> JobState | None:
    """The job's state, or None when Slurm no longer knows it (it has ended). A failing squeue raises."""
    out = await run("squeue", "--json", "--jobs", job_id)
    jobs = [job for job in json.loads(out).get("jobs", []) if str(job.get("job_id")) == job_id]
    if not jobs:
        return None
    job = jobs[0]
    return JobState(
        str(job.get("job_state", "")), str(job.get("state_reason", "")), str(job.get("nodes", ""))
    )


async def cancel(job_id: str, signal: str | None = None, batch: bool = False) -> None:
    args = ["scancel"]
    if signal:
        args.append(f"--signal={signal}")
    if batch:
        args.append("--batch")
    await run(*args, job_id)
