"""Kernels started by the Jupyter server can find it: the kernel-side API reaches upstreams through it."""

from __future__ import annotations

import json

from conftest import TOKEN
from jupyter_client.blocking import BlockingKernelClient


def test_a_kernel_finds_the_server_url_and_token_through_its_info_file(server):
    started = server.request("POST", "/api/kernels", body=json.dumps({"name": "python3"}).encode())
    assert started.status == 201, started.body
    kernel_id = started.json()["id"]
    outputs: list[dict] = []
    client = BlockingKernelClient()
    client.load_connection_file(str(server.tmp / "runtime" / f"kernel-{kernel_id}.json"))
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        code = (
            "import json, os; info = json.load(open(os.environ['ESDL_LAB_SERVER_INFO']));"
            "print(info['port'], info['token'])"
        )
        reply = client.execute_interactive(code, timeout=60, output_hook=outputs.append)
        assert reply["content"]["status"] == "ok"
    finally:
        client.stop_channels()
        server.request("DELETE", f"/api/kernels/{kernel_id}")
    printed = "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")
    assert printed.split() == [str(server.port), TOKEN]
