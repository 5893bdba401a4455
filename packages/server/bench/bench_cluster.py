"""Benchmark: submit → kernel ready through our Slurm provisioner, against the raw path (the same job script
submitted with sbatch, its connection file read as soon as the kernel wrote it, a client connected), and
shutdown → job gone. Medians of 5, interleaved, on the test Slurm (scripts/slurm/start.sh; needs root).

    python packages/server/bench/bench_cluster.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client import AsyncKernelManager
from jupyter_client.asynchronous import AsyncKernelClient

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "packages" / "server"))

from esdl_lab.cluster import slurm  # noqa: E402
from esdl_lab.cluster.profiles import check_profile, write_kernel_specs  # noqa: E402
from esdl_lab.cluster.provisioner import JOB_SCRIPT  # noqa: E402

PROFILE = {"name": "bench", "gpus": 1, "cpus": 1, "memory": "1G", "walltime": "00:10:00", "lease_seconds": 30}


async def job_gone(job_id: str) -> float:
    start = time.perf_counter()
    while True:
        job = await slurm.state(job_id)
        if job is None or not job.live:
            return time.perf_counter() - start
        await asyncio.sleep(0.05)


async def through_provisioner(kernels: Path) -> tuple[float, float]:
    km = AsyncKernelManager(kernel_name="esdl-bench")
    km.kernel_spec_manager.kernel_dirs = [str(kernels)]
    start = time.perf_counter()
    await km.start_kernel()
    client = km.client()
    client.start_channels()
    await client.wait_for_ready(timeout=60)
    ready = time.perf_counter() - start
    job_id = km.provisioner.job_id
    client.stop_channels()
    start = time.perf_counter()
    await km.shutdown_kernel()
    gone = time.perf_counter() - start + await job_gone(job_id)
    return ready, gone


async def raw(folder: Path) -> tuple[float, float]:
    folder.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (a benchmark's set-up, before the clock)
    connection, lease, script = folder / "connection.json", folder / "lease", folder / "job.sh"
    key = secrets.token_hex(32)
    seed = {"ip": "0.0.0.0", "transport": "tcp", "key": key, "signature_scheme": "hmac-sha256"}
    seed.update({f"{name}_port": 0 for name in ("shell", "iopub", "stdin", "control", "hb")})
    connection.write_text(json.dumps(seed))
    lease.touch()
    script.write_text(
        JOB_SCRIPT.format(
            python=sys.executable,
            connection=connection,
            node_file=folder / "node",
            lease=lease,
            lease_seconds=30,
        )
    )
    script.chmod(0o700)
    start = time.perf_counter()
    job_id = await slurm.submit(
        str(script),
        [
            f"--output={folder / 'job.log'}",
            "--cpus-per-task=1",
            "--mem=1G",
            "--time=00:10:00",
            "--gres=gpu:1",
        ],
    )
    while True:
        try:
            info = json.loads(connection.read_text() or "{}")
        except ValueError:
            info = {}
        if info.get("shell_port") and info.get("hb_port"):
            break
        await asyncio.sleep(0.02)
    info["ip"] = "127.0.0.1"
    client = AsyncKernelClient()
    client.load_connection_info(info)
    client.start_channels()
    await client.wait_for_ready(timeout=60)
    ready = time.perf_counter() - start
    client.shutdown()
    client.stop_channels()
    start = time.perf_counter()
    gone = await job_gone(job_id)
    return ready, time.perf_counter() - start if gone else 0.0


async def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        shared = Path(tmp) / "shared"
        kernels = Path(tmp) / "kernels"
        write_kernel_specs([check_profile(PROFILE)], kernels, sys.executable, str(shared))
        ours, theirs = [], []
        for i in range(runs):
            # the node settles between jobs (cgroups, GPU release): without a pause the next start waits
            await asyncio.sleep(2)
            theirs.append(await raw(Path(tmp) / f"raw-{i}"))
            await asyncio.sleep(2)
            ours.append(await through_provisioner(kernels))
        ready_ours = statistics.median(r for r, _ in ours)
        ready_raw = statistics.median(r for r, _ in theirs)
        gone_ours = statistics.median(g for _, g in ours)
        gone_raw = statistics.median(g for _, g in theirs)
        print(f"submit → kernel ready, medians of {runs} (1 GPU job on the test Slurm; Slurm's scheduling")
        print("cycles make single runs vary by a second):")
        print(f"  raw sbatch + ipykernel + connect   {ready_raw:6.2f} s")
        print(
            f"  through the ESDL provisioner       {ready_ours:6.2f} s   ratio {ready_ours / ready_raw:.2f}, "
            f"added {ready_ours - ready_raw:+.2f} s (goal ≤ 0.5 s)"
        )
        print("shutdown → job gone:")
        print(f"  raw shutdown_request               {gone_raw:6.2f} s")
        print(
            f"  provisioner shutdown               {gone_ours:6.2f} s   "
            f"ratio {gone_ours / max(gone_raw, 1e-3):.2f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("cluster benchmark skipped: the test Slurm needs root")
        sys.exit(0)
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "slurm" / "start.sh")], capture_output=True, text=True, timeout=180
    )
    if out.returncode != 0:
        print(f"cluster benchmark skipped: the test Slurm did not start:\n{out.stderr[-1000:]}")
        sys.exit(1)
    os.environ["SLURM_CONF"] = out.stdout.strip().splitlines()[-1].split("=", 1)[1]
    asyncio.run(main(args.runs))
