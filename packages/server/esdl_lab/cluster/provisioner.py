"""A jupyter_client kernel provisioner that runs each kernel as a Slurm job.

The job runs ipykernel on its node with a connection file on a shared path: the provisioner writes the key
there (never on a command line) with ports 0, the kernel binds free ports and writes them back, and the
provisioner hands that connection to Jupyter. A lease file that the provisioner touches while it lives is
watched inside the job: when the Jupyter server is gone (even killed with -9), the job ends itself within the
lease time; walltime is the last guard. Shutdown, restart and a failed start cancel the job.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
import time
from pathlib import Path
from typing import Any

import zmq
from jupyter_client.provisioning import KernelProvisionerBase
from tornado import web
from traitlets import Bool, Int, Unicode

from . import slurm
from .backends import current as backend
from .jobs import WHY, comment, log_tail

JOB_SCRIPT = """#!/bin/bash
# ESDL Lab kernel job: ipykernel, ended when the Jupyter server stops renewing the lease file
lease={lease}
ttl={lease_seconds}
echo "${{SLURMD_NODENAME:-$(hostname -s)}}" > {node_file}
{python} -m ipykernel_launcher -f {connection} &
kernel=$!
trap 'kill -INT $kernel' INT
trap 'kill -TERM $kernel' TERM
while kill -0 $kernel 2>/dev/null; do
  if [ $(( $(date +%s) - $(stat -c %Y "$lease" 2>/dev/null || echo 0) )) -gt $ttl ]; then
    echo "esdl-lab: the Jupyter server stopped renewing the lease: ending the kernel" >&2
    kill -TERM $kernel; sleep 5; kill -KILL $kernel 2>/dev/null
    exit 75
  fi
  sleep 2 & wait $!
done
wait $kernel
"""


class SlurmProvisioner(KernelProvisionerBase):
    """Runs the kernel as a Slurm job of its kernel spec's profile (``kernel_provisioner.config``)."""

    # the profile, from the kernel spec's provisioner config (profiles.py checked it)
    name = Unicode("")
    gpus = Int(0)
    cpus = Int(1)
    memory = Unicode("4G")
    walltime = Unicode("01:00:00")
    partition = Unicode("")
    python = Unicode("")
    lease_seconds = Int(60)
    start_timeout = Int(600)
    shared_dir = Unicode("")
    curve = Bool(False)

    job_id: str | None = None
    node: str | None = None
    ended_state: str | None = None
    _lease_task: asyncio.Task | None = None

    @property
    def profile(self) -> dict[str, Any]:
        names = (
            "gpus",
            "cpus",
            "memory",
            "walltime",
            "partition",
            "python",
            "lease_seconds",
            "start_timeout",
        )
        return {name: getattr(self, name) for name in (*names, "shared_dir")}

    @property
    def has_process(self) -> bool:
        return self.job_id is not None

    def _files(self) -> dict[str, Path]:
        folder = (
            Path(self.profile.get("shared_dir") or os.path.expanduser("~/.esdl-lab/kernels")) / self.kernel_id
        )
        return {
            "folder": folder,
            "connection": folder / "connection.json",
            "script": folder / "job.sh",
            "lease": folder / "lease",
            "log": folder / "job.log",
            "node": folder / "node",
        }

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        km = self.parent
        # the kernel manager expects the command; the job script runs the profile's python instead
        cmd = km.format_kernel_cmd(extra_arguments=kwargs.pop("extra_arguments", [])) if km else []
        kwargs = await super().pre_launch(cmd=cmd, **kwargs)
        files = self._files()
        files["folder"].mkdir(parents=True, exist_ok=True, mode=0o700)
        seed = {
            # the kernel listens on its node's interfaces; Jupyter connects to the node
            "ip": "0.0.0.0",  # noqa: S104
            "transport": "tcp",
            "shell_port": 0,
            "iopub_port": 0,
            "stdin_port": 0,
            "control_port": 0,
            "hb_port": 0,
            "key": secrets.token_hex(32),
            "signature_scheme": "hmac-sha256",
            "kernel_name": self.kernel_spec.display_name,
        }
        if self.curve:
            public, secret = zmq.curve_keypair()
            seed["curve_publickey"] = public.decode("ascii")
            seed["curve_secretkey"] = secret.decode("ascii")
        fd = os.open(files["connection"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            json.dump(seed, file)
        self._seed = seed
        files["lease"].touch()
        files["node"].unlink(missing_ok=True)  # from a start before a restart
        python = self.profile.get("python") or self.kernel_spec.argv[0]
        files["script"].write_text(
            JOB_SCRIPT.format(
                python=python,
                connection=files["connection"],
                node_file=files["node"],
                lease=files["lease"],
                lease_seconds=int(self.profile.get("lease_seconds", 60)),
            )
        )
        files["script"].chmod(0o700)
        return kwargs

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> dict[str, Any]:
        files = self._files()
        profile = self.profile
        options = [
            f"--job-name=esdl-kernel-{self.kernel_id[:8]}",
            # the jobs panel finds the kernel of each job by this
            f"--comment={comment(self.kernel_id, getattr(self.parent, 'kernel_name', '') or '')}",
            f"--output={files['log']}",
            f"--chdir={kwargs.get('cwd') or os.getcwd()}",
            f"--cpus-per-task={int(profile.get('cpus', 1))}",
            f"--mem={profile.get('memory', '4G')}",
            f"--time={profile.get('walltime', '01:00:00')}",
        ]
        if int(profile.get("gpus", 0)) > 0:
            options.append(f"--gres=gpu:{int(profile['gpus'])}")
        if profile.get("partition"):
            options.append(f"--partition={profile['partition']}")
        try:
            self.job_id = await backend().submit(str(files["script"]), options)
        except slurm.SlurmError as e:
            # Slurm's own words reach the notebook's "Error Starting Kernel" (other errors become "Unhandled")
            raise web.HTTPError(503, f"Slurm did not take the kernel job: {e}") from None
        self._lease_task = asyncio.ensure_future(self._renew_lease())
        try:
            info = await self._wait_for_kernel(float(profile.get("start_timeout", 600)))
        except BaseException as e:
            await self._cancel()
            if isinstance(e, (RuntimeError, TimeoutError, slurm.SlurmError)):
                raise web.HTTPError(504 if isinstance(e, TimeoutError) else 503, str(e)) from None
            raise
        self.connection_info = info
        return info

    async def _wait_for_kernel(self, timeout: float) -> dict[str, Any]:
        """Waits until the kernel in the job has written the ports it bound. The connection file is read every
        50 ms (the fast path: no Slurm call once the job runs); Slurm is asked about once a second whether
        the job still lives and why it waits."""
        files = self._files()
        deadline = time.monotonic() + timeout
        # Slurm is first asked after a second: a query right after sbatch held up the job's start here
        next_check = time.monotonic() + 1.0
        job: slurm.JobState | None = None
        while True:
            try:
                info = json.loads(files["connection"].read_text() or "{}")
            except ValueError:
                info = {}  # the kernel is writing it (not atomically)
            if all(info.get(f"{name}_port") for name in ("shell", "iopub", "stdin", "control", "hb")):
                node = files["node"].read_text().strip() if files["node"].exists() else ""
                if not node:
                    job = await backend().state(self.job_id)
                    node = job.node if job else ""
                self.node = node
                info["ip"] = self._node_address(node)
                info["key"] = self._seed["key"].encode()
                for name in ("curve_publickey", "curve_secretkey"):
                    if name in self._seed:
                        # as strings: jupyter_client compares them with its own get_connection_info()
                        info[name] = self._seed[name]
                return info
            now = time.monotonic()
            if now >= next_check:
                next_check = now + 1.0
                job = await backend().state(self.job_id)
                if job is None or not job.live:
                    why = job.state if job else "ended"
                    log = self._log_tail()
                    raise RuntimeError(
                        f"The kernel job {self.job_id} {why} before the kernel started"
                        + (f". The job log ends with:\n{log}" if log else " (it wrote no log).")
                    )
            if now > deadline:
                state = f"{job.state}: {job.reason}" if job else "unknown"
                raise TimeoutError(
                    f"The kernel job {self.job_id} did not start within {timeout:g} s ({state})"
                )
            await asyncio.sleep(0.05)

    @staticmethod
    def _node_address(node: str) -> str:
        if node in (socket.gethostname(), socket.gethostname().split(".")[0]):
            return "127.0.0.1"
        try:
            return socket.gethostbyname(node)
        except OSError:
            return node

    def _log_tail(self) -> str:
        return log_tail(str(self._files()["log"]))

    async def _renew_lease(self) -> None:
        lease = self._files()["lease"]
        interval = max(1.0, int(self.profile.get("lease_seconds", 60)) / 4)
        while True:
            try:
                os.utime(lease)
            except OSError:
                return
            await asyncio.sleep(interval)

    async def poll(self) -> int | None:
        if self.job_id is None:
            return 0
        try:
            job = await backend().state(self.job_id)
        except slurm.SlurmError:
            # squeue failing means "unknown", never "gone"
            return None
        if job is not None and job.live:
            return None
        ended = job.state if job is not None else "ended"
        if ended != "COMPLETED" and self.ended_state is None:
            self.ended_state = ended
            self.log.warning(
                "esdl_lab: the kernel job %s %s. Its log ends with:\n%s",
                self.job_id,
                WHY.get(ended, ended),
                self._log_tail(),
            )
            # a job that Slurm ended (cancelled, walltime, memory, node) is not started again behind the
            # user's back, burning GPU hours: the kernel is reported dead, and a restart is the user's choice
            restarter = getattr(self.parent, "_restarter", None)
            if restarter is not None:
                restarter.restart_limit = 0
        return 0 if ended == "COMPLETED" else 1

    async def wait(self) -> int | None:
        while True:
            status = await self.poll()
            if status is not None:
                return status
            await asyncio.sleep(0.1)

    async def send_signal(self, signum: int) -> None:
        if self.job_id is None:
            return
        if signum == 0:
            return
        name = signal.Signals(signum).name.removeprefix("SIG")
        # the batch step is the job script, which passes INT and TERM on to the kernel
        await backend().cancel(self.job_id, signal=name, batch=True)

    async def kill(self, restart: bool = False) -> None:
        await self._cancel()

    async def terminate(self, restart: bool = False) -> None:
        await self._cancel()

    async def _cancel(self) -> None:
        if self.job_id is not None:
            try:
                await backend().cancel(self.job_id)
            except slurm.SlurmError as e:
                self.log.warning("esdl_lab: scancel %s: %s", self.job_id, e)

    async def cleanup(self, restart: bool = False) -> None:
        if self._lease_task is not None:
            self._lease_task.cancel()
            self._lease_task = None
        await self._cancel()
        if not restart:
            for name in ("connection", "script", "lease", "node"):
                self._files()[name].unlink(missing_ok=True)
        self.job_id = None

    async def get_provisioner_info(self) -> dict[str, Any]:
        info = await super().get_provisioner_info()
        info.update(job_id=self.job_id, node=self.node)
        return info

    async def load_provisioner_info(self, provisioner_info: dict) -> None:
        await super().load_provisioner_info(provisioner_info)
        self.job_id = provisioner_info.get("job_id")
        self.node = provisioner_info.get("node")
        if self.job_id:
            self._lease_task = asyncio.ensure_future(self._renew_lease())

    def get_shutdown_wait_time(self, recommended: float = 5.0) -> float:
        return max(recommended, 10.0)
