"""Cubes that notebooks bring: ``esdl_lab.show(dataset)`` for an in-memory xarray dataset or a local file.

The kernel writes the dataset as a Zarr store on this machine and registers it here; a cube server of its own,
"local", started on the first registration, serves those stores. Its configuration file is rewritten whole
(written beside it, then renamed) and the cube server reloads it when it changes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from jupyter_server.base.handlers import APIHandler
from tornado import web

from .upstreams import Upstreams, parse_cube_server

NAME = "local"
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")


class LocalCubes:
    """The registered stores and the configuration file of the "local" cube server."""

    def __init__(
        self, upstreams: Upstreams, runtime_dir: str, command: list[str], connect_timeout: float, log
    ):
        self._upstreams = upstreams
        self._command = command
        self._connect_timeout = connect_timeout
        self._log = log
        self._folder = Path(tempfile.mkdtemp(prefix="esdl-lab-local-cubes-", dir=runtime_dir))
        self.config_file = self._folder / "cubes.yaml"
        self.datasets: dict[str, dict[str, str]] = {}
        self._write()

    def register(self, dataset_id: str, path: str, title: str) -> None:
        if not ID_PATTERN.match(dataset_id):
            raise web.HTTPError(
                400,
                f"The dataset id {dataset_id!r} may hold only letters, digits, '_', '.' and '-' (80 at most)",
            )
        store = Path(path)
        if not store.is_absolute():
            raise web.HTTPError(400, f"The store path {path!r} must be absolute.")
        if not (store / ".zmetadata").is_file():
            raise web.HTTPError(
                400,
                f"{path} is not a Zarr store with consolidated metadata (no .zmetadata): write it with "
                "xarray's to_zarr(..., consolidated=True).",
            )
        self.datasets[dataset_id] = {
            "Identifier": dataset_id,
            "Title": title or dataset_id,
            "Path": str(store),
        }
        self._write()
        if NAME not in self._upstreams.cubes:
            spec = {
                "title": "Notebook datasets",
                "command": [*self._command, "--config", str(self.config_file)],
            }
            upstream = parse_cube_server(NAME, spec, connect_timeout=self._connect_timeout, log=self._log)
            self._upstreams.cubes[NAME] = upstream

    def remove_config(self) -> None:
        """Removes the configuration folder (the stores belong to the kernels that wrote them)."""
        shutil.rmtree(self._folder, ignore_errors=True)

    def _write(self) -> None:
        # JSON is YAML: the cube server reads it as its configuration
        config: dict[str, Any] = {"Datasets": list(self.datasets.values())}
        partial = self.config_file.with_suffix(".yaml.partial")
        partial.write_text(json.dumps(config, indent=2))
        os.replace(partial, self.config_file)
        self.changed_at = time.monotonic()


class LocalDatasetsHandler(APIHandler):
    """``POST /esdl-lab/local-datasets`` ``{"id", "path", "title"}``: serve a Zarr store of this machine."""

    def initialize(self, local: LocalCubes | None) -> None:
        self.local = local

    @web.authenticated
    async def get(self) -> None:
        datasets = self.local.datasets if self.local else {}
        self.finish(json.dumps({"server": NAME, "datasets": list(datasets.values())}))

    @web.authenticated
    async def post(self) -> None:
        if self.local is None:
            raise web.HTTPError(
                503, "Notebook datasets are switched off on this server (c.ESDLLab.local_cubes = False)."
            )
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            raise web.HTTPError(
                400, "The body must be JSON: {'id': ..., 'path': ..., 'title': ...}"
            ) from None
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("id"), str)
            or not isinstance(body.get("path"), str)
        ):
            raise web.HTTPError(400, "Give the dataset's 'id' and the store's absolute 'path' as strings.")
        self.local.register(body["id"], body["path"], str(body.get("title") or ""))
        self.finish(json.dumps({"server": NAME, "dataset": body["id"]}))
