"""Console scripts that run the Node tools shipped inside this package: the cube server and cube-gen.

One ``pip install esdl-lab`` brings them as bundled JavaScript; they need a ``node`` (20 or newer) on PATH.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

NODE_DIR = Path(__file__).parent / "node"


def node_executable() -> str:
    """The node executable to use: $ESDL_LAB_NODE, else the first ``node`` on PATH."""
    node = os.environ.get("ESDL_LAB_NODE") or shutil.which("node")
    if not node:
        raise SystemExit(
            "esdl-lab: Node.js was not found. The cube server and cube-gen run on Node 20 or newer: "
            "install it (for example `apt-get install nodejs`) or set ESDL_LAB_NODE to its path."
        )
    return node


def tool_command(tool: str, args: list[str] | None = None) -> list[str]:
    """The command line that runs a bundled tool (``cube-server`` or ``cube-gen``) with ``args``."""
    script = NODE_DIR / f"{tool}.mjs"
    if not script.exists():
        raise SystemExit(
            f"esdl-lab: {script} is missing: this installation was built without the Node tools. "
            "Build them with `npm run build` in the ESDL Lab repository, then reinstall the package."
        )
    return [node_executable(), str(script), *(args or [])]


def _run(tool: str) -> None:
    command = tool_command(tool, sys.argv[1:])
    os.execv(command[0], command)


def cube_server() -> None:
    """``esdl-cube-server --config cubes.yaml --port 8080``"""
    _run("cube-server")


def cube_gen() -> None:
    """``esdl-cube-gen RECIPE.yaml``"""
    _run("cube-gen")
