"""The 3D cube in a notebook cell: ``esdl_lab.show_cube("coads", "SST")``.

The cell's output is a small JSON state (MIME type ``application/vnd.esdl-lab.cube3d+json``) that ESDL Lab's
front end renders as a live cube reading the cube server's Zarr store through the Jupyter server: the kernel
holds no data. The dataset and variable are checked against the cube server first, so that a typo is a Python
exception, not a blank output.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import asdict, dataclass
from typing import Any

from .connection import ESDLConnectionError, JupyterServer, cube_server_url

MIME_TYPE = "application/vnd.esdl-lab.cube3d+json"


def __getattr__(name: str) -> Any:
    # the ipywidget (and ipywidgets itself) loads only when a notebook asks for it
    if name == "Cube3D":
        from .cube3d_widget import Cube3D

        return Cube3D
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class CubeView:
    """A 3D cube of a cube-server variable; leave it last in a cell or call ``show()``."""

    dataset: str
    variable: str | None = None
    server: str | None = None
    cmap: str | None = None
    vmin: float | None = None
    vmax: float | None = None
    dims: list[str] | None = None
    at: dict[str, int] | None = None

    def __post_init__(self) -> None:
        if self.vmin is not None and self.vmax is not None and self.vmin >= self.vmax:
            raise ValueError(f"vmin ({self.vmin}) must be below vmax ({self.vmax})")
        jupyter = JupyterServer.from_environment()
        self.server, _ = cube_server_url(self.server, jupyter=jupyter)
        path = f"esdl-lab/cubes/{urllib.parse.quote(self.server)}/datasets"
        ids = [d["id"] for d in jupyter.request_json(path)["datasets"]]
        if self.dataset not in ids:
            raise ESDLConnectionError(
                f"The cube server {self.server!r} has no dataset {self.dataset!r}; it has {', '.join(ids)}."
            )
        details = jupyter.request_json(f"{path}/{urllib.parse.quote(self.dataset)}")
        variables = {v["name"]: v for v in details["variables"]}
        cubes = [name for name, v in variables.items() if len(v.get("dims", [])) >= 3]
        if self.variable is None:
            if not cubes:
                raise ESDLConnectionError(
                    f"The dataset {self.dataset!r} has no variable with three dimensions to show as a cube."
                )
            self.variable = cubes[0]
        elif self.variable not in cubes:
            raise ESDLConnectionError(
                f"The dataset {self.dataset!r} has no variable {self.variable!r} with three dimensions; "
                f"it has {', '.join(cubes) or 'none'}."
            )
        info = variables[self.variable]
        names = list(info["dims"])
        sizes = dict(zip(names, info.get("shape") or [2] * len(names), strict=True))
        if self.dims is None and len(names) > 3:
            suggest = [d for d in names if d in ("time", "lat", "lon")]
            suggest = suggest if len(suggest) == 3 else names[-3:]
            raise ValueError(
                f"{self.variable!r} has {len(names)} dimensions ({', '.join(names)}): say which three to "
                f"show, e.g. dims={suggest} (the others are taken at their first index, or at "
                "at={name: index})."
            )
        shown = list(self.dims) if self.dims is not None else names
        if len(shown) != 3 or len(set(shown)) != 3 or any(d not in names for d in shown):
            raise ValueError(f"dims must name three different dimensions of {names}, not {shown}")
        for name, index in (self.at or {}).items():
            if name not in names or name in shown:
                others = [d for d in names if d not in shown]
                raise ValueError(
                    f"at= takes indices of the dimensions not shown ({others or 'none'}), not {name!r}"
                )
            if not isinstance(index, int) or not 0 <= index < sizes[name]:
                raise ValueError(f"at[{name!r}] must be an index from 0 to {sizes[name] - 1}, not {index!r}")
        short = [d for d in shown if sizes[d] < 2]
        if short:
            raise ValueError(
                f"{self.variable!r} has a single element along {', '.join(short)}; a cube needs at least two "
                "along each dimension it shows."
            )

    def state(self) -> dict[str, Any]:
        """What the front end needs to draw the cube (and what the notebook keeps)."""
        return {key: value for key, value in asdict(self).items() if value is not None}

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        text = f"3D cube of {self.dataset}.{self.variable} on the cube server {self.server!r}"
        hint = " (open the notebook in JupyterLab with ESDL Lab)"
        return {MIME_TYPE: self.state(), "text/plain": text + hint}

    def show(self) -> CubeView:
        """Displays the cube in the cell's output."""
        from IPython.display import display

        display(self)
        return self


def show_cube(
    dataset: str,
    variable: str | None = None,
    *,
    server: str | None = None,
    cmap: str | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    dims: list[str] | None = None,
    at: dict[str, int] | None = None,
) -> CubeView:
    """A live 3D cube of ``variable`` (the first with three dimensions by default) of ``dataset``.

    ``server`` is a configured cube server (the first by default); ``cmap`` a colour map name (``_r``
    reversed: viridis, magma, RdYlBu, coolwarm, gray), ``vmin``/``vmax`` its range (the variable's own by
    default). A variable of more than three dimensions needs ``dims``, the three to show (e.g.
    ``["time", "lat", "lon"]``); ``at`` gives the index of each other one (``{"depth": 3}``; 0 by default).
    """
    return CubeView(dataset, variable, server, cmap, vmin, vmax, dims, at)
