"""Kernels started by the Jupyter server can find it: the kernel-side API reaches upstreams through it."""

from __future__ import annotations

from conftest import TOKEN, run_in_kernel


def test_a_kernel_finds_the_server_url_and_token_through_its_info_file(server):
    code = (
        "import json, os; info = json.load(open(os.environ['ESDL_LAB_SERVER_INFO']));"
        "print(info['port'], info['token'])"
    )
    printed, reply = run_in_kernel(server, code)
    assert reply.get("status") == "ok", reply
    assert printed.split() == [str(server.port), TOKEN]
