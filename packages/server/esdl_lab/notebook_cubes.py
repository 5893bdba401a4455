"""Data from a notebook on the map: an xarray dataset (or a netCDF/Zarr path) written as a Zarr store that the
Jupyter server's "local" cube server serves (see ``local_cubes.py`` on the server side)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from .connection import ESDLConnectionError, JupyterServer

SPATIAL_NAMES = {"latitude": "lat", "longitude": "lon"}
# tiles read one time step and at most 512 x 512 cells at a time
CHUNKS = {"time": 1, "lat": 512, "lon": 512}


def stores_folder() -> Path:
    """Where this user's notebook stores go (they live as long as the machine's temporary files)."""
    folder = Path(tempfile.gettempdir()) / f"esdl-lab-notebook-cubes-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def as_dataset(data: Any):
    """An xarray Dataset with lat and lon from a Dataset, a DataArray, or a netCDF path."""
    import xarray as xr

    if isinstance(data, (str, os.PathLike)):
        path = Path(data).expanduser()
        if not path.exists():
            raise FileNotFoundError(f"{path} does not exist")
        try:
            data = xr.open_dataset(path)
        except ValueError:
            # times xarray cannot decode (a climatology in year 0 of the standard calendar) stay numbers with
            # their CF units, which the cube server decodes itself
            data = xr.open_dataset(path, decode_times=False)
    if isinstance(data, xr.DataArray):
        data = data.to_dataset(name=data.name or "data")
    if not isinstance(data, xr.Dataset):
        raise TypeError(
            f"show() takes a dataset name, an xarray Dataset or DataArray, or a netCDF/Zarr path, "
            f"not {type(data).__name__}"
        )
    data = data.rename(
        {old: new for old, new in SPATIAL_NAMES.items() if old in data.dims or old in data.coords}
    )
    if "lat" not in data.dims or "lon" not in data.dims:
        raise ValueError(
            f"The data has no lat and lon dimensions (its dimensions: {', '.join(map(str, data.dims))}); "
            "rename them, e.g. ds.rename({'y': 'lat', 'x': 'lon'})"
        )
    data = _year_zero_as_proleptic(data)
    mappable = [name for name, v in data.data_vars.items() if "lat" in v.dims and "lon" in v.dims]
    if not mappable:
        raise ValueError("None of the data's variables has both lat and lon dimensions.")
    return data[mappable].transpose(..., "lat", "lon")


def _year_zero_as_proleptic(data):
    """Undecoded climatology times ("hour since 0000-01-01") read in the proleptic Gregorian calendar.

    The standard calendar has no year 0, so the cube server refuses such an axis; like cube-gen, the calendar
    that keeps the mid-month dates is named instead.
    """
    for name, coord in data.coords.items():
        units = str(coord.attrs.get("units", ""))
        calendar = str(coord.attrs.get("calendar", "standard")).lower()
        if re.search(r"since\s+0+-", units) and calendar in ("standard", "gregorian"):
            data = data.assign_coords({name: coord.copy()})
            data[name].attrs["calendar"] = "proleptic_gregorian"
    return data


def write_store(dataset, dataset_id: str) -> Path:
    """Writes the dataset as a Zarr store (consolidated, chunked for tiles): whole, or not at all."""
    target = stores_folder() / f"{dataset_id}.zarr"
    partial = target.with_name(f".{dataset_id}.{uuid.uuid4().hex[:8]}.partial")
    encoding = {}
    for name, variable in dataset.data_vars.items():
        chunks = tuple(
            min(CHUNKS.get(str(dim), size), size)
            for dim, size in zip(variable.dims, variable.shape, strict=True)
        )
        encoding[name] = {"chunks": chunks}
        variable.encoding.pop("chunks", None)
    try:
        dataset.to_zarr(partial, mode="w", consolidated=True, encoding=encoding)
        if target.exists():
            shutil.rmtree(target)
        os.replace(partial, target)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


def register(data: Any, name: str | None = None, *, jupyter: JupyterServer | None = None) -> tuple[str, str]:
    """Serves ``data`` with the "local" cube server; returns its server and dataset id once it is listed."""
    jupyter = jupyter or JupyterServer.from_environment()
    dataset_id = name or f"notebook-{uuid.uuid4().hex[:8]}"
    if not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$", dataset_id):
        raise ValueError(f"name {dataset_id!r} may hold only letters, digits, '_', '.' and '-'")
    path = Path(data).expanduser() if isinstance(data, (str, os.PathLike)) else None
    if path is not None and (path / ".zmetadata").is_file():
        store = path.resolve()
        title = path.stem
    else:
        dataset = as_dataset(data)
        store = write_store(dataset, dataset_id)
        title = str(dataset.attrs.get("title") or (path.name if path else dataset_id))
    answer = jupyter.request_json(
        "esdl-lab/local-datasets", body={"id": dataset_id, "path": str(store), "title": title}
    )
    server = answer["server"]
    # the local cube server starts on first use and reloads its configuration when it changes
    deadline = time.monotonic() + 30
    while True:
        try:
            listed = jupyter.request_json(f"esdl-lab/cubes/{server}/datasets")["datasets"]
            if any(d["id"] == dataset_id for d in listed):
                return server, dataset_id
        except ESDLConnectionError:
            pass
        if time.monotonic() > deadline:
            raise ESDLConnectionError(
                f"The local cube server did not list {dataset_id!r} within 30 s: see the server log."
            )
        time.sleep(0.2)
