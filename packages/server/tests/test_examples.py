"""Every example notebook runs headless, top to bottom, against the demo cubes behind a Jupyter server."""

from __future__ import annotations

import json
import sys

import nbformat
import pytest
from conftest import ROOT
from nbclient import NotebookClient

from esdl_lab.cluster.profiles import check_profile, write_kernel_specs

EXAMPLES = sorted((ROOT / "examples").glob("*.ipynb"))


def test_there_are_examples():
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_an_example_is_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.cells[0].cell_type == "markdown" and "**Goal:**" in notebook.cells[0].source
    assert any("Challenge" in cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{path.name}: clear the outputs"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_an_example_runs(path, demo_jupyter, monkeypatch, tmp_path, request):
    info = next((demo_jupyter.tmp / "runtime").glob("jpserver-*.json"))
    monkeypatch.setenv("ESDL_LAB_SERVER_INFO", str(info))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    notebook = nbformat.read(path, as_version=4)
    kernel = notebook.metadata.get("kernelspec", {}).get("name", "python3")
    if kernel.startswith("esdl-"):
        # a GPU kernel profile: its kernel spec runs the kernel as a job of the test Slurm
        slurm = request.getfixturevalue("slurm_env")
        monkeypatch.setenv("SLURM_CONF", slurm["SLURM_CONF"])
        profile = {"name": kernel.removeprefix("esdl-"), "gpus": 1, "memory": "1G", "walltime": "04:00:00"}
        write_kernel_specs(
            [check_profile(profile)], tmp_path / "jupyter" / "kernels", sys.executable, str(tmp_path)
        )
        monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    client = NotebookClient(
        notebook, timeout=600, kernel_name=kernel, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    errors = [output for output in outputs if output.output_type == "error"]
    assert not errors, errors
    text = "\n".join(output.get("text", "") for output in outputs if output.output_type == "stream")
    stderr = [output.text for output in outputs if output.output_type == "stream" and output.name == "stderr"]
    assert not stderr, stderr
    (tmp_path / "outputs.json").write_text(json.dumps(text))
    assert text.strip()
