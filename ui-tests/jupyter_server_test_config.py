"""The Jupyter server of the galata tests: JupyterLab with ESDL Lab and real upstreams.

- ``demo``: the real Node cube server, run by the server extension as a managed process, over the demo cubes;
- ``offline``: a cube server URL where nothing listens, so the status view has a "down" upstream to show;
- MLflow: not configured, so the status view shows how to configure it.
"""

import os
import sys
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

ROOT = Path(__file__).resolve().parent.parent

c = get_config()  # type: ignore[name-defined]  # noqa: F821
configure_jupyter_server(c)

# galata clears the token; the tests send this one in an Authorization header, so anonymous access is refused
c.IdentityProvider.token = os.environ.get("ESDL_UI_TOKEN", "esdl-ui-tests-token")
c.ServerApp.port = int(os.environ.get("ESDL_UI_PORT", "18888"))
c.ServerApp.ip = "127.0.0.1"
c.ServerApp.allow_root = True
c.LabApp.extension_manager = "readonly"

os.environ.pop("MLFLOW_TRACKING_URI", None)
c.ESDLLab.cube_servers = {
    "demo": {
        "title": "ESDL demo cubes",
        "command": [
            str(Path(sys.executable).parent / "esdl-cube-server"),
            "--config",
            str(ROOT / "packages" / "cube-server" / "demo" / "cubes.yaml"),
            "--port",
            "{port}",
        ],
    },
    "offline": {"title": "Offline cube server", "url": "http://127.0.0.1:9/"},
}

# Each feature's tests may add their own upstreams and settings in config.d/<feature>.py, run here in name
# order with `c`, ROOT and sys.executable's folder in scope.
for snippet in sorted((ROOT / "ui-tests" / "config.d").glob("*.py")):
    scope = {"c": c, "ROOT": ROOT, "BIN": Path(sys.executable).parent}
    exec(compile(snippet.read_text(), str(snippet), "exec"), scope)
