"""esdl_lab.show_cube in a kernel, against the real cube server behind the proxy."""

from __future__ import annotations

import json

from conftest import run_in_kernel


def test_show_cube_gives_the_cube_reference_as_its_mime_bundle(demo_jupyter):
    code = (
        "import esdl_lab, json\n"
        "c = esdl_lab.show_cube('coads', 'SST', cmap='viridis', vmin=0, vmax=30)\n"
        "print(json.dumps(c._repr_mimebundle_()))\n"
        "print(esdl_lab.show_cube('navy_winds').variable)\n"
    )
    text, reply = run_in_kernel(demo_jupyter, code)
    assert reply.get("status") == "ok", reply
    bundle_line, default_variable = text.splitlines()
    bundle = json.loads(bundle_line)
    assert bundle["application/vnd.esdl-lab.cube3d+json"] == {
        "dataset": "coads",
        "variable": "SST",
        "server": "demo",
        "cmap": "viridis",
        "vmin": 0,
        "vmax": 30,
    }
    assert "3D cube of coads.SST" in bundle["text/plain"]
    assert default_variable == "UWND"


def test_bad_arguments_are_exceptions_that_name_what_exists(demo_jupyter):
    code = (
        "import esdl_lab\n"
        "cases = [(('nope',), {}), (('coads', 'NOPE'), {}), (('coads', 'SST'), {'vmin': 5, 'vmax': 1})]\n"
        "for args, kwargs in cases:\n"
        "    try:\n"
        "        esdl_lab.show_cube(*args, **kwargs)\n"
        "    except Exception as e:\n"
        "        print(type(e).__name__, e)\n"
    )
    text, reply = run_in_kernel(demo_jupyter, code)
    assert reply.get("status") == "ok", reply
    dataset, variable, limits = text.splitlines()
    assert dataset.startswith(
        "ESDLConnectionError The cube server 'demo' has no dataset 'nope'; it has coads"
    )
    assert variable.startswith(
        "ESDLConnectionError The dataset 'coads' has no variable 'NOPE' with three dimensions; it has"
    )
    assert "AIRT" in variable
    assert limits == "ValueError vmin (5) must be below vmax (1)"


OCEAN_ATLAS = (
    "import esdl_lab, json, xarray as xr\n"
    "ds = xr.open_dataset('/usr/share/ferret-vis/data/ocean_atlas_subset.nc', decode_times=False)\n"
    "ds = ds.rename(XAX_SUBSET='lon', YAX_SUBSET='lat', ZAXLEVIT19='depth', TIME='time')\n"
    "v = esdl_lab.show(ds, name='ocean_atlas')\n"
)


def test_a_four_dimensional_variable_asks_which_three_dims_to_show(demo_jupyter):
    code = OCEAN_ATLAS + (
        "c = esdl_lab.show_cube('ocean_atlas', 'TEMP', server=v.server, dims=['time', 'lat', 'lon'],"
        " at={'depth': 3})\n"
        "print(json.dumps(c.state()))\n"
        "cases = [{}, {'dims': ['time', 'lat']}, {'dims': ['time', 'lat', 'x']},\n"
        "         {'dims': ['time', 'lat', 'lon'], 'at': {'lat': 1}},\n"
        "         {'dims': ['time', 'lat', 'lon'], 'at': {'depth': 19}}]\n"
        "for kwargs in cases:\n"
        "    try:\n"
        "        esdl_lab.show_cube('ocean_atlas', 'TEMP', server=v.server, **kwargs)\n"
        "    except Exception as e:\n"
        "        print(type(e).__name__, e)\n"
    )
    text, reply = run_in_kernel(demo_jupyter, code)
    assert reply.get("status") == "ok", reply
    state, ask, two, unknown, shown_at, beyond = text.splitlines()
    assert json.loads(state) == {
        "dataset": "ocean_atlas",
        "variable": "TEMP",
        "server": "local",
        "dims": ["time", "lat", "lon"],
        "at": {"depth": 3},
    }
    assert ask == (
        "ValueError 'TEMP' has 4 dimensions (time, depth, lat, lon): say which three to show, "
        "e.g. dims=['time', 'lat', 'lon'] (the others are taken at their first index, or at "
        "at={name: index})."
    )
    assert two == (
        "ValueError dims must name three different dimensions of ['time', 'depth', 'lat', 'lon'], "
        "not ['time', 'lat']"
    )
    assert unknown.endswith("not ['time', 'lat', 'x']")
    assert shown_at == "ValueError at= takes indices of the dimensions not shown (['depth']), not 'lat'"
    assert beyond == "ValueError at['depth'] must be an index from 0 to 18, not 19"
