"""Cube servers for the data-catalogue UI tests, beside the real ``demo`` cube server.

Run by jupyter_server_test_config.py (with ``c`` in scope), it configures three managed upstreams that run
this same file as a small HTTP server (without ``c``):

- ``recorded``: answers with the responses recorded from a real xcube 1.7.1 server (test-fixtures/xcube), so
  the catalogue is shown what a real xcube server sends, and serves the recorded ``demo`` cube itself
  (rebuilt with xarray from its recipe in test-fixtures/xcube/README.md) under xcube's S3 API, so that a
  kernel opens it;
- ``hostile``: an xcube-shaped catalogue whose every string carries HTML and script, for the sanitizing test;
- ``garbage``: answers every request with an HTML page, for the per-server error row.
"""

import json
import shutil
import sys
import tempfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

# run by the test config, ROOT is in scope; run as a server, __file__ is
HERE = ROOT / "ui-tests" / "config.d" / "catalog.py" if "c" in globals() else Path(__file__).resolve()  # noqa: F821
FIXTURES = HERE.parent.parent.parent / "test-fixtures" / "xcube" / "v1.7.1"

# every payload sets window.__esdlPwned when it runs; the test checks that it never does
IMG = "<img src=x onerror=\"window.__esdlPwned=(window.__esdlPwned||[]).concat('{where}')\">"
SCRIPT = "<script>window.__esdlPwned=(window.__esdlPwned||[]).concat('{where}-script')</script>"


def hostile(where: str) -> str:
    return f"{IMG.format(where=where)}{SCRIPT.format(where=where)}"


def hostile_catalogue() -> dict:
    demo = json.loads((FIXTURES / "dataset-demo.json").read_text())
    for variable in demo["variables"]:
        variable.pop("htmlRepr", None)
        variable["title"] = f"Hostile {variable['name']} {hostile('variable-title')}"
        variable["units"] = hostile("units")
        variable["attrs"] = {
            **variable.get("attrs", {}),
            "long_name": hostile("long-name"),
            "comment": hostile("var-attr"),
        }
    demo.update(
        {
            "id": "hostile",
            "title": f"Hostile cube {hostile('title')}",
            "description": (
                "Markdown with **bold** text.\n\n"
                f"{hostile('description')}\n\n"
                "<a href=\"javascript:window.__esdlPwned='link'\">a javascript link</a>\n\n"
                "<iframe src=\"javascript:window.__esdlPwned='iframe'\"></iframe>"
            ),
            "groupTitle": f"Group {hostile('group')}",
            "tags": [hostile("tag"), "plain-tag"],
            "attributions": [hostile("attribution")],
            "attrs": {
                "title": hostile("attr-title"),
                "license": hostile("license"),
                "doi": "javascript:window.__esdlPwned='doi'",
                f"key-{hostile('attr-key')}": hostile("attr-value"),
                "esdl_provenance": {
                    "tool": hostile("tool"),
                    "sources": [{"path": hostile("source"), "sha256": hostile("sha")}],
                    "steps": [hostile("step")],
                    "accuracy": [{"variable": "sst", "note": hostile("accuracy")}],
                },
                "esdl_known_limitations": [hostile("limitation")],
            },
        }
    )
    return demo


def write_demo_cube(target: Path) -> None:
    """The recorded server's ``demo`` cube, from its recipe: 720 x 360 x 10 days of sst and chl."""
    import numpy as np
    import pandas as pd
    import xarray as xr

    lon = np.arange(720) * 0.5 - 179.75
    lat = 89.75 - np.arange(360) * 0.5
    time = pd.Timestamp("2024-01-01T12:00") + pd.to_timedelta(np.arange(10), unit="D")
    t = np.arange(10)[:, None, None]
    rlat = np.radians(lat)[None, :, None]
    rlon = np.radians(lon)[None, None, :]
    sst = (15 + 15 * np.cos(rlat) + 3 * np.sin(3 * rlon + 0.3 * t)).astype("float32")
    chl = np.abs(np.sin(4 * rlat) * np.cos(2 * rlon + 0.2 * t)).astype("float32")
    cube = xr.Dataset(
        {
            "sst": (
                ("time", "lat", "lon"),
                sst,
                {"units": "degC", "long_name": "Sea surface temperature (synthetic)"},
            ),
            "chl": (("time", "lat", "lon"), chl, {"units": "mg m-3", "long_name": "Chlorophyll (synthetic)"}),
        },
        coords={
            "time": time,
            "lat": ("lat", lat, {"units": "degrees_north", "standard_name": "latitude"}),
            "lon": ("lon", lon, {"units": "degrees_east", "standard_name": "longitude"}),
        },
        attrs={"title": "Synthetic demo cube", "Conventions": "CF-1.7"},
    )
    chunks = {name: {"chunks": (1, 180, 180)} for name in ("sst", "chl")}
    cube.to_zarr(target, consolidated=True, encoding=chunks)


class Handler(BaseHTTPRequestHandler):
    mode = "recorded"
    stores: Path | None = None

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, value, status: int = 200) -> None:
        self._send(status, json.dumps(value).encode(), "application/json")

    def _store_file(self, path: str) -> Path | None:
        """The file of an S3 key ``/s3/datasets/<id>.zarr/<key>`` in the served stores, if there is one."""
        prefix = "/s3/datasets/"
        if self.stores is None or not path.startswith(prefix):
            return None
        store = self.stores.resolve()
        file = (store / path[len(prefix) :]).resolve()
        return file if file.is_file() and store in file.parents else None

    def do_HEAD(self) -> None:
        file = self._store_file(urlsplit(self.path).path)
        self.send_response(200 if file else 404)
        self.send_header("Content-Length", str(file.stat().st_size if file else 0))
        self.end_headers()

    def do_GET(self) -> None:
        path = urlsplit(self.path).path.rstrip("/")
        file = self._store_file(path)
        if file is not None:
            self._send(200, file.read_bytes(), "application/octet-stream")
            return
        query = urlsplit(self.path).query
        if self.mode == "garbage":
            if path == "":
                self._json({"name": "garbage", "version": "0"})
            else:
                self._send(
                    200,
                    b"<!DOCTYPE html><html><title>Welcome</title><body>Not xcube</body></html>",
                    "text/html",
                )
            return
        info = json.loads((FIXTURES / "server-info.json").read_text())
        if path == "":
            self._json(info)
        elif path == "/datasets":
            if self.mode == "hostile":
                catalogue = hostile_catalogue()
                self._json(
                    {
                        "datasets": [
                            catalogue
                            if "details=1" in query
                            else {"id": "hostile", "title": catalogue["title"]}
                        ]
                    }
                )
            else:
                name = "datasets-details.json" if "details=1" in query else "datasets.json"
                self._send(200, (FIXTURES / name).read_bytes(), "application/json")
        elif path == "/datasets/demo" and self.mode == "recorded":
            self._send(200, (FIXTURES / "dataset-demo.json").read_bytes(), "application/json")
        elif path == "/datasets/hostile" and self.mode == "hostile":
            self._json(hostile_catalogue())
        elif path.startswith("/tiles/"):
            self._send(200, (FIXTURES / "tile-demo-sst-z0-y0-x0-3857.png").read_bytes(), "image/png")
        else:
            self._json({"error": {"status_code": 404, "message": f"HTTP 404: {path} not found"}}, 404)


def demo_stores() -> Path:
    """The folder holding demo.zarr, built once and reused: a fixed place in the temp folder, so that servers
    killed without a chance to clean up leave nothing new behind."""
    stores = Path(tempfile.gettempdir()) / "esdl-catalog-ui-tests"
    if not (stores / "demo.zarr" / ".zmetadata").is_file():
        stores.mkdir(exist_ok=True)
        # written beside, then renamed: a server started at the same time never sees half a store
        partial = Path(tempfile.mkdtemp(prefix=".demo-", dir=stores))
        try:
            write_demo_cube(partial / "demo.zarr")
            (partial / "demo.zarr").rename(stores / "demo.zarr")
        except OSError:
            if not (stores / "demo.zarr" / ".zmetadata").is_file():
                raise
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    return stores


def serve(mode: str, port: int) -> None:
    Handler.mode = mode
    if mode == "recorded":
        Handler.stores = demo_stores()
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if "c" in globals():
    for name, title in (
        ("recorded", "Recorded xcube 1.7.1"),
        ("hostile", "Hostile <b>server</b>"),
        ("garbage", "Garbage server"),
    ):
        c.ESDLLab.cube_servers[name] = {  # type: ignore[name-defined]  # noqa: F821
            "title": title,
            "command": [sys.executable, str(HERE), name, "{port}"],
        }
elif __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
