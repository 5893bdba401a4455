"""Cubes of the configured cube servers as xarray datasets, in a kernel started by Jupyter with ESDL Lab.

``esdl_lab.open_dataset("coads")`` opens the cube lazily over the cube server's Zarr (S3) API, as the code
that the catalogue inserts does, but with no URL or port in the notebook: they change with each server start.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from .connection import ESDLConnectionError, JupyterServer, cube_server_url


def list_datasets(server: str | None = None) -> list[dict[str, Any]]:
    """The datasets of a cube server (the first configured one by default): id, title and variable names."""
    jupyter = JupyterServer.from_environment()
    name, _ = cube_server_url(server, jupyter=jupyter)
    answer = jupyter.request_json(f"esdl-lab/cubes/{urllib.parse.quote(name)}/datasets?details=1")
    return [
        {
            "id": d["id"],
            "title": d.get("title") or d["id"],
            "variables": [v["name"] for v in d.get("variables", [])],
        }
        for d in answer.get("datasets", [])
    ]


def open_dataset(dataset: str, server: str | None = None, **kwargs: Any):
    """The cube ``dataset`` of a cube server as a lazy ``xarray.Dataset`` (chunks load when used).

    Keyword arguments go to ``xarray.open_zarr``; times decode with cftime, so that climatologies in year 0
    keep their dates.
    """
    import xarray as xr

    jupyter = JupyterServer.from_environment()
    name, url = cube_server_url(server, jupyter=jupyter)
    known = [d["id"] for d in list_datasets(name)]
    if dataset not in known:
        raise ESDLConnectionError(
            f"The cube server {name!r} has no dataset {dataset!r}; it has {', '.join(known) or 'none'}."
        )
    kwargs.setdefault("consolidated", True)
    store = f"{url}s3/datasets/{urllib.parse.quote(dataset)}.zarr"
    if "use_cftime" in kwargs or kwargs.get("decode_times") is False:
        return xr.open_zarr(store, **kwargs)
    raw = xr.open_zarr(store, **{**kwargs, "decode_times": False})
    return xr.decode_cf(raw, use_cftime=_needs_cftime(raw))


def _needs_cftime(dataset) -> bool:
    """Whether a time coordinate has dates that numpy's datetime64[ns] cannot hold (COADS' year 0)."""
    import cftime

    for name, variable in dataset.coords.items():
        units = variable.attrs.get("units", "")
        if " since " not in str(units) or variable.size == 0 or variable.ndim != 1:
            continue
        ends = [float(variable[0]), float(variable[-1])]
        calendar = variable.attrs.get("calendar", "standard")
        try:
            dates = cftime.num2date(ends, units, calendar)
        except ValueError as e:
            raise ESDLConnectionError(f"The time coordinate {name!r} cannot be decoded: {e}") from None
        if any(date.year < 1678 or date.year > 2261 for date in dates):
            return True
    return False
