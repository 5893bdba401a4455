"""The installed package enables its server extension, and Jupyter validates it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path


def test_jupyter_server_extension_list_reports_esdl_lab_enabled_and_ok():
    jupyter = Path(sys.executable).with_name("jupyter")
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_")}
    result = subprocess.run(
        [str(jupyter), "server", "extension", "list"], capture_output=True, text=True, env=env, timeout=120
    )
    output = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    assert result.returncode == 0, output
    assert re.search(r"esdl_lab\s+enabled", output), output
    assert re.search(r"esdl_lab \S+ OK", output), output
