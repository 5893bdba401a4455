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
