"""ESDL Lab: the research environment of ESA's Deep Earth System Data Lab inside JupyterLab.

In a notebook: ``esdl_lab.show("demo", "coads", "SST")`` opens the map viewer in the cell's output,
``esdl_lab.Cube3D(dataarray)`` shows a 3D cube. The kernel-side API is imported on first use, so that the
Jupyter server extension does not load numpy or xarray.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> the module that defines it
_KERNEL_API = {
    "show": "esdl_lab.viewer",
    "Viewer": "esdl_lab.viewer",
    "Cube3D": "esdl_lab.cube3d",
    "show_cube": "esdl_lab.cube3d",
    "open_dataset": "esdl_lab.datasets",
    "list_datasets": "esdl_lab.datasets",
}


def __getattr__(name: str) -> Any:
    module = _KERNEL_API.get(name)
    if module is None:
        raise AttributeError(f"module 'esdl_lab' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_KERNEL_API])


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "@esdl-lab/labextension"}]


def _jupyter_server_extension_points():
    from .extension import ESDLLab

    return [{"module": "esdl_lab", "app": ESDLLab}]
