"""The map viewer in a notebook cell: ``esdl_lab.show("coads", "SST")``.

The cell's output is a small JSON state (MIME type ``application/vnd.esdl-lab.viewer+json``) that ESDL Lab's
front end renders as a live viewer, so the output survives saving and reopening the notebook. The dataset and
variable are checked against the cube server first, so that a typo is a Python exception, not a blank map.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .connection import ESDLConnectionError, JupyterServer, cube_server_url

MIME_TYPE = "application/vnd.esdl-lab.viewer+json"
LOCAL_SUFFIXES = {".nc", ".nc4", ".cdf", ".netcdf", ".zarr"}


@dataclass
class Viewer:
    """A map of a cube variable. ``Viewer("coads", "SST").show()``, or just leave it last in a cell."""

    dataset: str
    variable: str | None = None
    server: str | None = None
    time: str | None = None
    cmap: str | None = None
    vmin: float | None = None
    vmax: float | None = None
    opacity: float | None = None
    norm: str | None = None
    dims: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.norm not in (None, "lin", "log"):
            raise ValueError(f"norm must be 'lin' or 'log', not {self.norm!r}")
        if self.vmin is not None and self.vmax is not None and self.vmin >= self.vmax:
            raise ValueError(f"vmin ({self.vmin}) must be below vmax ({self.vmax})")
        if self.opacity is not None and not 0 <= self.opacity <= 1:
            raise ValueError(f"opacity must be between 0 and 1, not {self.opacity}")
        jupyter = JupyterServer.from_environment()
        self.server, _ = cube_server_url(self.server, jupyter=jupyter)
        path = f"esdl-lab/cubes/{urllib.parse.quote(self.server)}/datasets"
        datasets = jupyter.request_json(path)["datasets"]
        ids = [d["id"] for d in datasets]
        if self.dataset not in ids:
            raise ESDLConnectionError(
                f"The cube server {self.server!r} has no dataset {self.dataset!r}; it has {', '.join(ids)}."
            )
        details = jupyter.request_json(f"{path}/{urllib.parse.quote(self.dataset)}")
        mappable = [
            v["name"] for v in details["variables"] if v.get("dims", [])[-2:] in (["lat", "lon"], ["y", "x"])
        ]
        if self.variable is None:
            if not mappable:
                raise ESDLConnectionError(
                    f"The dataset {self.dataset!r} has no variable with lat and lon to map."
                )
            self.variable = mappable[0]
        elif self.variable not in mappable:
            raise ESDLConnectionError(
                f"The dataset {self.dataset!r} has no variable {self.variable!r} with lat and lon; "
                f"it has {', '.join(mappable)}."
            )

    def state(self) -> dict[str, Any]:
        """What the front end needs to draw the map (and what the notebook keeps)."""
        return {key: value for key, value in asdict(self).items() if value is not None}

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        text = f"Map viewer of {self.dataset}.{self.variable} on the cube server {self.server!r}"
        return {
            MIME_TYPE: self.state(),
            "text/plain": text + " (open the notebook in JupyterLab with ESDL Lab)",
        }

    def show(self) -> Viewer:
        """Displays the viewer in the cell's output."""
        from IPython.display import display

        display(self)
        return self


def _is_local(data: Any) -> bool:
    """Data the notebook brings (an xarray object, a netCDF file or Zarr store path), not a dataset id."""
    if isinstance(data, os.PathLike):
        return True
    if not isinstance(data, str):
        return True
    return Path(data).expanduser().exists() and (os.sep in data or Path(data).suffix in LOCAL_SUFFIXES)


def show(
    dataset: Any,
    variable: str | None = None,
    *,
    server: str | None = None,
    time: str | None = None,
    cmap: str | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    opacity: float | None = None,
    norm: str | None = None,
    **dims: Any,
) -> Viewer:
    """A live map of ``variable`` (the first mappable one by default) of ``dataset``, in the cell's output.

    ``server`` is a configured cube server (the first by default); ``time`` a date to show first (the nearest
    step is taken); ``cmap`` a matplotlib colour map name (``_r`` reversed), ``vmin``/``vmax`` its range,
    ``norm="log"`` a logarithmic scale; other dimensions by label, e.g. ``depth=100``.

    ``dataset`` may also be an ``xarray.Dataset`` or ``DataArray`` with lat and lon, or the path of a netCDF
    file or Zarr store: it is written as a Zarr store and served by the Jupyter server's "local" cube server.
    """
    if _is_local(dataset):
        from .notebook_cubes import register

        server, dataset = register(dataset, dims.pop("name", None))
    return Viewer(dataset, variable, server, time, cmap, vmin, vmax, opacity, norm, dims or None)
