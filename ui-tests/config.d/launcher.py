# GPU kernels: a real single-node Slurm with 4 fake GPUs (scripts/slurm/start.sh, as root), and two kernel
# profiles that run kernels as its jobs (gpu-1 with CurveZMQ-encrypted sockets).
import os
import subprocess

_started = subprocess.run(
    ["bash", str(ROOT / "scripts" / "slurm" / "start.sh")],  # noqa: F821
    capture_output=True,
    text=True,
    timeout=180,
)
if _started.returncode != 0:
    raise RuntimeError(f"the test Slurm did not start:\n{_started.stderr[-2000:]}")
os.environ["SLURM_CONF"] = _started.stdout.strip().splitlines()[-1].split("=", 1)[1]
c.ESDLLab.kernel_profiles = [  # noqa: F821
    {
        "name": "gpu-1",
        "gpus": 1,
        "cpus": 1,
        "memory": "2G",
        "walltime": "04:00:00",
        "lease_seconds": 30,
        "curve": True,
    },
    {"name": "gpu-2", "gpus": 2, "cpus": 2, "memory": "2G", "walltime": "01:00:00", "lease_seconds": 30},
]
