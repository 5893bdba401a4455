"""esdl_lab.open_dataset in a kernel of a Jupyter server with the real demo cube server behind the proxy."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import run_in_kernel


def test_open_dataset_gives_the_cube_with_dates_and_values(demo_jupyter):
    code = (
        "import esdl_lab, warnings\n"
        "warnings.simplefilter('error')\n"
        "print([d['id'] for d in esdl_lab.list_datasets()])\n"
        "ds = esdl_lab.open_dataset('coads')\n"
        "print(dict(ds.sizes), ds.time.values[0].strftime('%m-%d'), ds.SST.attrs['units'])\n"
        "print(round(float(ds.SST.sel(lat=1, lon=-151, method='nearest').mean()), 1))\n"
        "print(esdl_lab.open_dataset('navy_winds', server='demo').time.dtype)\n"
    )
    text, reply = run_in_kernel(demo_jupyter, code)
    assert reply.get("status") == "ok", reply
    lines = text.splitlines()
    assert "coads" in lines[0] and "etopo5" in lines[0]
    assert lines[1] == "{'time': 12, 'lat': 90, 'lon': 180} 01-16 degC"
    assert 26 < float(lines[2]) < 30  # the tropical Pacific
    assert lines[3] == "datetime64[ns]"


def test_a_missing_dataset_or_server_is_named_with_what_exists(demo_jupyter):
    code = (
        "import esdl_lab\n"
        "for args in [('nope',), ('coads', 'elsewhere')]:\n"
        "    try:\n"
        "        esdl_lab.open_dataset(*args)\n"
        "    except Exception as e:\n"
        "        print(type(e).__name__, e)\n"
    )
    text, reply = run_in_kernel(demo_jupyter, code)
    assert reply.get("status") == "ok", reply
    lines = [line for line in text.splitlines() if line.startswith("ESDLConnectionError")]
    assert len(lines) == 2, text
    missing, server = lines
    assert missing.startswith(
        "ESDLConnectionError The cube server 'demo' has no dataset 'nope'; it has coads"
    )
    # "local" (notebook datasets) is there once an earlier test of this server showed an xarray dataset
    assert re.fullmatch(
        r"ESDLConnectionError There is no cube server 'elsewhere'; the configured ones are demo(, local)?\.",
        server,
    ), server


def test_outside_jupyter_the_error_says_what_to_do():
    code = "import esdl_lab\ntry:\n    esdl_lab.open_dataset('coads')\nexcept Exception as e:\n    print(e)\n"
    env = {"PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert "ESDL_LAB_SERVER_INFO is not set" in out
    assert "Run the notebook in JupyterLab" in out


@pytest.mark.parametrize("content", ["", "{not json", '{"token": "x"}'])
def test_a_broken_info_file_is_named(tmp_path, content):
    info = tmp_path / "info.json"
    info.write_text(content)
    code = "import esdl_lab\ntry:\n    esdl_lab.open_dataset('coads')\nexcept Exception as e:\n    print(e)\n"
    env = {"PATH": "/usr/bin:/bin", "ESDL_LAB_SERVER_INFO": str(info)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert str(info) in out
