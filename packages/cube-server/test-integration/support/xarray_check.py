"""Opens a cube through the cube server's S3 API with Debian's xarray + zarr (over HTTP with fsspec) and
compares it with a reference; prints one JSON line with what it found, exits non-zero on a difference.

    python xarray_check.py store URL LOCAL_ZARR      every variable and coordinate equal to the local store
    python xarray_check.py coads URL SOURCE_NETCDF   the COADS cube equal to Ferret's netCDF source
"""

import json
import sys
import warnings

import numpy as np
import xarray as xr

warnings.simplefilter("ignore")


def same(a, b) -> bool:
    a = np.asarray(a)
    b = np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype.kind == "f" or b.dtype.kind == "f":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def check_store(url: str, local: str) -> dict:
    remote = xr.open_zarr(url, decode_times=False)
    reference = xr.open_zarr(local, decode_times=False)
    problems = []
    for name in list(reference.variables):
        if name not in remote.variables:
            problems.append(f"{name} missing")
        elif not same(remote[name].values, reference[name].values):
            problems.append(f"{name} differs")
    decoded = xr.open_zarr(url)
    return {
        "variables": sorted(map(str, remote.data_vars)),
        "time": [str(t) for t in decoded["time"].values[:2]] if "time" in decoded else [],
        "problems": problems,
    }


def check_coads(url: str, source: str) -> dict:
    cube = xr.open_zarr(url, decode_times=False)
    src = xr.open_dataset(source, decode_times=False)
    # cube-gen normalised 21..379 longitudes to -180..180 and wrote latitudes north to south
    src = (
        src.assign_coords(COADSX=((src.COADSX + 180) % 360) - 180)
        .sortby("COADSX")
        .sortby("COADSY", ascending=False)
    )
    problems = []
    if not same(cube.lon.values, src.COADSX.values) or not same(cube.lat.values, src.COADSY.values):
        problems.append("coordinates differ")
    compared = 0
    for name in src.data_vars:
        values = cube[name].values
        expected = src[name].values.astype(values.dtype)
        if not same(values, expected):
            problems.append(
                f"{name} differs: {int(np.sum(~np.isclose(values, expected, equal_nan=True)))} values"
            )
        compared += int(np.sum(~np.isnan(values)))
    months = [t.month for t in xr.open_zarr(url, use_cftime=True).time.values]
    return {
        "variables": sorted(map(str, cube.data_vars)),
        "valid_values": compared,
        "months": months,
        "problems": problems,
    }


if __name__ == "__main__":
    mode, url, reference = sys.argv[1:4]
    result = check_store(url, reference) if mode == "store" else check_coads(url, reference)
    print(json.dumps(result))
    sys.exit(1 if result["problems"] else 0)
