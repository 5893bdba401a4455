"""esdl_lab.show / esdl_lab.Viewer in a kernel, against the real cube server behind the proxy."""

from __future__ import annotations

import json

from conftest import run_in_kernel


def test_show_gives_the_viewer_state_as_its_mime_bundle(demo_jupyter):
    code = (
        "import esdl_lab, json\n"
        "v = esdl_lab.show('coads', 'SST', time='0000-07-16', cmap='viridis', vmin=0, vmax=30)\n"
        "print(json.dumps(v._repr_mimebundle_()))\n"
        "print(esdl_lab.Viewer('navy_winds').variable)\n"
        "print(json.dumps(esdl_lab.show('levitus', 'TEMP', depth=100, norm='log').state()))\n"
    )
    text, reply = run_in_kernel(demo_jupyter, code)
    assert reply.get("status") == "ok", reply
    bundle_line, default_variable, levitus = text.splitlines()
    bundle = json.loads(bundle_line)
    assert bundle["application/vnd.esdl-lab.viewer+json"] == {
        "dataset": "coads",
        "variable": "SST",
        "server": "demo",
        "time": "0000-07-16",
        "cmap": "viridis",
        "vmin": 0,
        "vmax": 30,
    }
    assert "coads.SST" in bundle["text/plain"]
    assert default_variable == "UWND"
    assert json.loads(levitus) == {
        "dataset": "levitus",
        "variable": "TEMP",
        "server": "demo",
        "norm": "log",
        "dims": {"depth": 100},
    }


def test_bad_arguments_are_exceptions_that_name_what_exists(demo_jupyter):
    code = (
        "import esdl_lab\n"
        "cases = [(('nope',), {}), (('coads', 'NOPE'), {}),\n"
        "         (('coads', 'SST'), {'vmin': 5, 'vmax': 1}), (('coads',), {'opacity': 2})]\n"
        "for args, kwargs in cases:\n"
        "    try:\n"
        "        esdl_lab.show(*args, **kwargs)\n"
        "    except Exception as e:\n"
        "        print(type(e).__name__, e)\n"
    )
    text, reply = run_in_kernel(demo_jupyter, code)
    assert reply.get("status") == "ok", reply
    dataset, variable, limits, opacity = text.splitlines()
    assert dataset.startswith(
        "ESDLConnectionError The cube server 'demo' has no dataset 'nope'; it has coads"
    )
    assert variable.startswith(
        "ESDLConnectionError The dataset 'coads' has no variable 'NOPE' with lat and lon"
    )
    assert "AIRT" in variable
    assert limits == "ValueError vmin (5) must be below vmax (1)"
    assert opacity == "ValueError opacity must be between 0 and 1, not 2"
