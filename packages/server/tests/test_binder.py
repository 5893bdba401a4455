"""The Binder files are well formed: the environment parses, the scripts pass bash -n and shellcheck, and
every path they name exists in the repository."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest
import yaml
from conftest import ROOT

BINDER = ROOT / "binder"
SCRIPTS = ["postBuild", "start"]
# repository paths as the scripts write them (relative to the checkout, or under "$repo/")
REPO_PATH = re.compile(
    r"(?<![\w/.-])(?:\$repo/|\./)?((?:packages|examples|binder|scripts|data)/[\w./@-]*[\w@-])"
)
BUILT = (
    "packages/server/esdl_lab/node",
    "packages/server/esdl_lab/labextension",
    "packages/labextension/node_modules",
    "data/cubes",
)


def test_the_environment_parses_and_pins_the_jupyterlab_release():
    environment = yaml.safe_load((BINDER / "environment.yml").read_text())
    dependencies = environment["dependencies"]
    release = json.loads((ROOT / "package.json").read_text())["jupyterlabRelease"]
    pip = next(d["pip"] for d in dependencies if isinstance(d, dict))
    assert f"jupyterlab=={release}" in pip
    assert any(str(d).startswith("nodejs=20") for d in dependencies)
    for needed in ("xarray", "scikit-learn", "cftime"):
        assert any(str(d).split("=")[0].split("<")[0] == needed for d in dependencies), needed


def test_apt_txt_names_the_demo_data():
    assert "ferret-datasets" in (BINDER / "apt.txt").read_text().split()


@pytest.mark.parametrize("name", SCRIPTS)
def test_a_script_is_executable_and_parses(name):
    path = BINDER / name
    assert os.access(path, os.X_OK), f"chmod +x binder/{name}"
    subprocess.run(["bash", "-n", str(path)], check=True)


@pytest.mark.parametrize("name", SCRIPTS)
def test_a_script_passes_shellcheck(name):
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, "shellcheck is missing: apt-get install shellcheck (scripts/setup.sh installs it)"
    result = subprocess.run([shellcheck, str(BINDER / name)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_every_path_the_scripts_name_exists():
    named = set()
    for name in SCRIPTS:
        named.update(REPO_PATH.findall((BINDER / name).read_text()))
    assert {"packages/cube-server/demo/cubes.yaml", "packages/server"} <= named
    for path in named:
        if path.startswith(BUILT):
            continue
        assert (ROOT / path).exists(), f"binder names {path}, which is not in the repository"


def test_binder_opens_the_first_example():
    text = (BINDER / "postBuild").read_text()
    default = re.search(r'default_url = "/lab/tree/(.+?)"', text)
    assert default, "postBuild sets no default URL"
    assert (ROOT / default.group(1)).exists()
