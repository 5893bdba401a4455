"""esdl_lab.show(xarray data or a path): the kernel writes a Zarr store, the "local" cube server serves it."""

from __future__ import annotations

import json

from conftest import run_in_kernel

MAKE_DATASET = (
    "import numpy as np, pandas as pd, xarray as xr\n"
    "lat = np.linspace(-89, 89, 90); lon = np.linspace(-179, 179, 180)\n"
    "values = 20 + 10 * np.cos(np.radians(lat))[None, :, None] * np.ones((3, 90, 180), 'float32')\n"
    "ds = xr.Dataset({'warmth': (('time', 'latitude', 'longitude'), values, {'units': 'degC'})},\n"
    "                coords={'time': pd.date_range('2020-01-01', periods=3, freq='MS'), 'latitude': lat,\n"
    "                        'longitude': lon}, attrs={'title': 'A synthetic cube'})\n"
)


def test_an_xarray_dataset_is_served_by_the_local_cube_server_and_mapped(demo_jupyter):
    code = (
        MAKE_DATASET + "import esdl_lab, json\n"
        "v = esdl_lab.show(ds, name='synthetic', vmin=0, vmax=30)\n"
        "print(json.dumps(v.state()))\n"
    )
    text, reply = run_in_kernel(demo_jupyter, code)
    assert reply.get("status") == "ok", reply
    state = json.loads(text.splitlines()[-1])
    assert state == {"dataset": "synthetic", "variable": "warmth", "server": "local", "vmin": 0, "vmax": 30}
    listed = demo_jupyter.get("/esdl-lab/cubes/local/datasets").json()["datasets"]
    assert [d["title"] for d in listed if d["id"] == "synthetic"] == ["A synthetic cube"]
    tile = demo_jupyter.get(
        "/esdl-lab/cubes/local/tiles/synthetic/warmth/0/0/0?vmin=0&vmax=30&time=2020-02-01"
    )
    assert tile.status == 200, tile.body[:300]
    assert tile.body.startswith(b"\x89PNG")
    status = demo_jupyter.status()
    assert status["local"]["title"] == "Notebook datasets"


def test_data_without_lat_and_lon_or_of_another_kind_is_refused_with_what_to_do(demo_jupyter):
    code = (
        "import esdl_lab, numpy as np, xarray as xr\n"
        "cases = [xr.DataArray(np.zeros((2, 3)), dims=('y', 'x')), 42,\n"
        "         '/usr/share/ferret-vis/data/coads_climatology.cdf', '/no/such/file.nc']\n"
        "for data in cases:\n"
        "    try:\n"
        "        esdl_lab.show(data)\n"
        "    except Exception as e:\n"
        "        print(type(e).__name__, e)\n"
    )
    text, reply = run_in_kernel(demo_jupyter, code)
    assert reply.get("status") == "ok", reply
    no_lat, other, coads, missing = text.splitlines()
    assert no_lat.startswith("ValueError The data has no lat and lon dimensions (its dimensions: y, x)")
    assert other.startswith("TypeError show() takes a dataset name, an xarray Dataset or DataArray")
    assert coads.startswith(
        "ValueError The data has no lat and lon dimensions (its dimensions: COADSX, COADSY"
    )
    assert missing.startswith("ESDLConnectionError") or missing.startswith("FileNotFoundError")


def test_the_route_refuses_what_is_not_a_consolidated_store(demo_jupyter, tmp_path):
    def post(body):
        return demo_jupyter.request("POST", "/esdl-lab/local-datasets", body=json.dumps(body).encode())

    assert post({"id": "x", "path": str(tmp_path)}).status == 400
    assert "no .zmetadata" in post({"id": "x", "path": str(tmp_path)}).json()["message"]
    assert "absolute" in post({"id": "x", "path": "relative/store.zarr"}).json()["message"]
    assert "may hold only" in post({"id": "../x", "path": str(tmp_path)}).json()["message"]
    assert post({"path": str(tmp_path)}).status == 400
    assert demo_jupyter.request("POST", "/esdl-lab/local-datasets", token=False, body=b"{}").status == 403
