"""Kernel profiles (``c.ESDLLab.kernel_profiles``) checked and turned into kernel specs whose provisioner runs
the kernel as a Slurm job; JupyterLab's launcher and kernel picker then offer them like any kernel."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

PROVISIONER = "esdl-slurm-provisioner"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$")
MEMORY = re.compile(r"^\d+[KMGT]?$")
WALLTIME = re.compile(r"^(\d+-)?\d{1,2}:\d{2}:\d{2}$")
PARTITION = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
GPU_ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect x="6" y="16" width="52" height="32" '
    'rx="4" fill="#3b7d3b"/><rect x="14" y="24" width="16" height="16" fill="#d9f0d9"/><rect x="34" y="24" '
    'width="16" height="16" fill="#d9f0d9"/><g fill="#3b7d3b"><rect x="12" y="48" width="4" height="8"/>'
    '<rect x="22" y="48" width="4" height="8"/><rect x="32" y="48" width="4" height="8"/>'
    '<rect x="42" y="48" width="4" height="8"/></g></svg>'
)


class ProfileError(ValueError):
    """A kernel profile that cannot be offered; the message names the profile and the field."""


def walltime_seconds(walltime: str) -> int:
    """``D-HH:MM:SS`` or ``HH:MM:SS`` (checked by WALLTIME) in seconds."""
    days, _, clock = walltime.rpartition("-")
    h, m, s = (int(part) for part in clock.split(":"))
    return ((int(days or 0) * 24 + h) * 60 + m) * 60 + s


def _hours(walltime: str) -> str:
    minutes = walltime_seconds(walltime) // 60
    total = minutes // 60 + (1 if minutes % 60 >= 30 else 0)
    return f"{total} h" if total else f"{minutes} min"


def check_profile(raw: Any) -> dict[str, Any]:
    """A profile with its defaults, or ProfileError saying what is wrong."""
    if not isinstance(raw, dict):
        raise ProfileError(f"a kernel profile must be a dict, not {type(raw).__name__}")
    name = raw.get("name")
    if not isinstance(name, str) or not NAME.match(name):
        raise ProfileError(f"kernel profile name {name!r}: use letters, digits, '-' and '_' (41 at most)")
    where = f"kernel profile {name!r}"
    profile = {
        "name": name,
        "gpus": raw.get("gpus", 0),
        "cpus": raw.get("cpus", 1),
        "memory": str(raw.get("memory", "4G")),
        "walltime": str(raw.get("walltime", "01:00:00")),
        "partition": raw.get("partition", ""),
        "python": raw.get("python", ""),
        "lease_seconds": raw.get("lease_seconds", 60),
        "start_timeout": raw.get("start_timeout", 600),
        # CurveZMQ: the kernel's sockets encrypt and authenticate (its keys only in the 0600 connection file)
        "curve": raw.get("curve", False),
    }
    for field, low, high in (
        ("gpus", 0, 16),
        ("cpus", 1, 256),
        ("lease_seconds", 5, 3600),
        ("start_timeout", 5, 86400),
    ):
        value = profile[field]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ProfileError(f"{where}: {field} must be a whole number from {low} to {high}, not {value!r}")
    if not isinstance(profile["curve"], bool):
        raise ProfileError(f"{where}: curve must be True or False, not {profile['curve']!r}")
    if not MEMORY.match(profile["memory"]):
        raise ProfileError(f"{where}: memory must be like 16G or 4000M, not {profile['memory']!r}")
    if not WALLTIME.match(profile["walltime"]):
        raise ProfileError(f"{where}: walltime must be HH:MM:SS or D-HH:MM:SS, not {profile['walltime']!r}")
    if profile["partition"] and not (
        isinstance(profile["partition"], str) and PARTITION.match(profile["partition"])
    ):
        raise ProfileError(
            f"{where}: partition {profile['partition']!r} may hold only letters, digits, '-', '_'"
        )
    python = profile["python"]
    if python and not (isinstance(python, str) and os.path.isabs(python) and os.access(python, os.X_OK)):
        raise ProfileError(f"{where}: python {python!r} is not an executable at an absolute path")
    return profile


def display_name(profile: dict[str, Any]) -> str:
    gpus = profile["gpus"]
    what = (
        f"{gpus} GPU{'s' if gpus != 1 else ''}"
        if gpus
        else f"{profile['cpus']} CPU{'s' if profile['cpus'] != 1 else ''}"
    )
    return str(profile.get("display_name") or f"Python 3 · {what} · {_hours(profile['walltime'])}")


def write_kernel_specs(
    profiles: list[dict[str, Any]], folder: Path, python: str, shared_dir: str
) -> list[str]:
    """Writes one kernel spec per profile into ``folder`` (a kernels directory); returns their names."""
    names = []
    for profile in profiles:
        spec_dir = folder / f"esdl-{profile['name']}"
        spec_dir.mkdir(parents=True, exist_ok=True)
        interpreter = profile["python"] or python
        config = {**profile, "python": interpreter, "shared_dir": shared_dir}
        config.pop("display_name", None)
        spec = {
            "argv": [interpreter, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": display_name(profile),
            "language": "python",
            "metadata": {
                "kernel_provisioner": {"provisioner_name": PROVISIONER, "config": config},
                "esdl_lab": {"gpus": profile["gpus"], "walltime": profile["walltime"]},
                # ipykernel on the node: JupyterLab's debugger works with it
                "debugger": True,
            },
        }
        (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=2))
        (spec_dir / "logo-svg.svg").write_text(GPU_ICON)
        names.append(spec_dir.name)
    return names
