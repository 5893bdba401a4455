"""Custom GPU kernels: resources a user picks within the limits the configuration allows.

``GET /esdl-lab/cluster/limits``: the limits and the defaults of the form. ``POST /esdl-lab/cluster/estimate``
``{gpus, cpus, memory, walltime, partition}``: Slurm's estimated start (``sbatch --test-only``, nothing is
submitted). ``POST /esdl-lab/cluster/kernelspecs`` with the same body: a kernel spec for exactly those
resources (written into this server's kernels folder, gone with it), which the front end then starts like
any other; JupyterLab's kernel start request carries no resources of its own. Every value is checked before
anything reaches Slurm, and nothing goes through a shell.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from jupyter_server.base.handlers import APIHandler
from tornado import web

from . import slurm
from .backends import current
from .profiles import (
    MEMORY,
    PARTITION,
    WALLTIME,
    ProfileError,
    check_profile,
    walltime_seconds,
    write_kernel_specs,
)

UNITS = {"K": 1 / 1024, "M": 1, "G": 1024, "T": 1024 * 1024}


def memory_mb(text: str) -> float:
    number, unit = re.match(r"^(\d+)([KMGT]?)$", text).groups()  # type: ignore[union-attr]
    return int(number) * UNITS[unit or "M"]


def default_limits(profiles: list[dict[str, Any]]) -> dict[str, Any]:
    """The largest of each resource over the profiles, and their partitions."""
    return {
        "gpus": max((p["gpus"] for p in profiles), default=1),
        "cpus": max((p["cpus"] for p in profiles), default=1),
        "memory": max((p["memory"] for p in profiles), key=memory_mb, default="4G"),
        "walltime": max((p["walltime"] for p in profiles), key=walltime_seconds, default="01:00:00"),
        "partitions": sorted({p["partition"] for p in profiles if p["partition"]}),
        # custom kernels encrypt their sockets when any profile does
        "curve": any(p.get("curve") for p in profiles),
    }


def check_limits(raw: dict[str, Any], profiles: list[dict[str, Any]]) -> dict[str, Any]:
    """``c.ESDLLab.kernel_limits`` over the defaults from the profiles; ProfileError names a wrong field."""
    limits = {**default_limits(profiles), **raw}
    for field, high in (("gpus", 16), ("cpus", 256)):
        value = limits[field]
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= high:
            raise ProfileError(
                f"kernel_limits: {field} must be a whole number from 0 to {high}, not {value!r}"
            )
    if not MEMORY.match(str(limits["memory"])):
        raise ProfileError(f"kernel_limits: memory must be like 16G or 4000M, not {limits['memory']!r}")
    if not WALLTIME.match(str(limits["walltime"])):
        raise ProfileError(
            f"kernel_limits: walltime must be HH:MM:SS or D-HH:MM:SS, not {limits['walltime']!r}"
        )
    if not isinstance(limits["curve"], bool):
        raise ProfileError(f"kernel_limits: curve must be True or False, not {limits['curve']!r}")
    partitions = limits["partitions"]
    if not isinstance(partitions, list) or not all(
        isinstance(p, str) and PARTITION.match(p) for p in partitions
    ):
        raise ProfileError(f"kernel_limits: partitions must be a list of partition names, not {partitions!r}")
    return limits


def check_request(body: Any, limits: dict[str, Any]) -> dict[str, Any]:
    """The profile of a custom kernel from the form's values; web.HTTPError 400 saying what is wrong."""
    if not isinstance(body, dict):
        raise web.HTTPError(400, "Send a JSON object: {gpus, cpus, memory, walltime, partition}.")
    unknown = set(body) - {"gpus", "cpus", "memory", "walltime", "partition"}
    if unknown:
        raise web.HTTPError(
            400,
            f"Unknown field(s) {', '.join(sorted(unknown))}: use gpus, cpus, memory, walltime, partition.",
        )
    partition = body.get("partition") or ""
    if partition and partition not in limits["partitions"]:
        allowed = ", ".join(limits["partitions"]) or "none: leave it empty for the default"
        raise web.HTTPError(400, f"Partition {partition!r} is not offered here (allowed: {allowed}).")
    name = "custom"
    try:
        profile = check_profile({**body, "name": name, "partition": partition})
    except ProfileError as e:
        raise web.HTTPError(400, str(e).replace("kernel profile 'custom': ", "")) from None
    if profile["gpus"] > limits["gpus"]:
        raise web.HTTPError(
            400, f"At most {limits['gpus']} GPUs may be asked for here, not {profile['gpus']}."
        )
    if profile["cpus"] > limits["cpus"]:
        raise web.HTTPError(
            400, f"At most {limits['cpus']} CPUs may be asked for here, not {profile['cpus']}."
        )
    if memory_mb(profile["memory"]) > memory_mb(limits["memory"]):
        raise web.HTTPError(
            400, f"At most {limits['memory']} of memory may be asked for here, not {profile['memory']}."
        )
    if walltime_seconds(profile["walltime"]) > walltime_seconds(limits["walltime"]):
        raise web.HTTPError(
            400, f"The walltime may be at most {limits['walltime']} here, not {profile['walltime']}."
        )
    if memory_mb(profile["memory"]) < 1:
        raise web.HTTPError(400, "Ask for at least 1M of memory.")
    profile["name"] = "custom-{gpus}g-{cpus}c-{memory}-{wall}{part}".format(
        gpus=profile["gpus"],
        cpus=profile["cpus"],
        memory=profile["memory"],
        wall=profile["walltime"].replace(":", "").replace("-", "d"),
        part=f"-{partition}" if partition else "",
    ).lower()  # Jupyter lists kernel specs by lower-case folder names
    profile["curve"] = bool(limits.get("curve"))
    profile["display_name"] = _display(profile)
    return profile


def _display(profile: dict[str, Any]) -> str:
    gpus, cpus = profile["gpus"], profile["cpus"]
    hours = walltime_seconds(profile["walltime"]) / 3600
    # short enough for the notebook toolbar: the jobs panel shows every resource
    parts = [f"{gpus} GPU{'s' if gpus != 1 else ''}" if gpus else f"{cpus} CPU{'s' if cpus != 1 else ''}"]
    parts.append(profile["memory"])
    parts.append(f"{hours:g} h" if hours >= 1 else f"{round(hours * 60)} min")
    return f"Python 3 · {' · '.join(parts)} (custom)"


def slurm_options(profile: dict[str, Any]) -> list[str]:
    options = [
        f"--cpus-per-task={profile['cpus']}",
        f"--mem={profile['memory']}",
        f"--time={profile['walltime']}",
    ]
    if profile["gpus"]:
        options.append(f"--gres=gpu:{profile['gpus']}")
    if profile["partition"]:
        options.append(f"--partition={profile['partition']}")
    return options


async def estimate(profile: dict[str, Any]) -> dict[str, Any]:
    """When and where the backend would start such a job now (Slurm: ``sbatch --test-only``; nothing is
    submitted)."""
    try:
        return await current().estimate(slurm_options(profile))
    except slurm.SlurmError as e:
        raise web.HTTPError(409, f"Slurm would not run this kernel: {e}") from None


class CustomKernels:
    def __init__(
        self, limits: dict[str, Any] | None, folder: Path | None, python: str, shared_dir: str, log: Any
    ):
        self.limits = limits
        self.folder = folder
        self.python = python
        self.shared_dir = shared_dir
        self.log = log

    def kernelspec(self, profile: dict[str, Any]) -> str:
        assert self.folder is not None
        (name,) = write_kernel_specs([profile], self.folder, self.python, self.shared_dir)
        return name


class CustomKernelsHandler(APIHandler):
    _track_activity = False

    def initialize(self, custom: CustomKernels) -> None:
        self.custom = custom

    def _limits(self) -> dict[str, Any]:
        if self.custom.limits is None:
            raise web.HTTPError(
                404, "No GPU kernel profiles are configured on this server (c.ESDLLab.kernel_profiles)."
            )
        return self.custom.limits

    def _profile(self) -> dict[str, Any]:
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            raise web.HTTPError(
                400, "The body must be JSON: {gpus, cpus, memory, walltime, partition}."
            ) from None
        return check_request(body, self._limits())

    @web.authenticated
    async def get(self, what: str) -> None:
        if what != "limits":
            raise web.HTTPError(404, f"No such route: cluster/{what}")
        limits = self._limits()
        defaults = {
            "gpus": min(1, limits["gpus"]),
            "cpus": 1,
            "memory": "4G",
            "walltime": "01:00:00",
            "partition": "",
        }
        if memory_mb(defaults["memory"]) > memory_mb(limits["memory"]):
            defaults["memory"] = limits["memory"]
        if walltime_seconds(defaults["walltime"]) > walltime_seconds(limits["walltime"]):
            defaults["walltime"] = limits["walltime"]
        self.finish(json.dumps({"limits": limits, "defaults": defaults}))

    @web.authenticated
    async def post(self, what: str) -> None:
        if what == "estimate":
            self.finish(json.dumps(await estimate(self._profile())))
        elif what == "kernelspecs":
            profile = self._profile()
            name = self.custom.kernelspec(profile)
            self.log.info("esdl_lab: custom GPU kernel spec %s (%s)", name, profile["display_name"])
            self.finish(json.dumps({"name": name, "display_name": profile["display_name"]}))
        else:
            raise web.HTTPError(404, f"No such route: cluster/{what}")
