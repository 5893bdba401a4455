"""The real ESDL cube server behind the proxy: the URLs it writes for the browser go through the proxy."""

from __future__ import annotations


def test_wmts_capabilities_name_tile_urls_behind_the_proxy(demo_jupyter):
    response = demo_jupyter.get("/esdl-lab/cubes/demo/wmts/1.0.0/WMTSCapabilities.xml", timeout=60)
    assert response.status == 200, response.body[:500]
    text = response.body.decode()
    assert f"http://127.0.0.1:{demo_jupyter.port}/esdl-lab/cubes/demo/wmts/1.0.0/" in text
    assert "127.0.0.1:{port}" not in text


def test_a_tile_url_from_the_capabilities_works_through_the_proxy(demo_jupyter):
    text = demo_jupyter.get("/esdl-lab/cubes/demo/wmts/1.0.0/WMTSCapabilities.xml", timeout=60).body.decode()
    prefix = f"http://127.0.0.1:{demo_jupyter.port}"
    template = next(
        part.split('"')[0]
        for part in text.split('template="')[1:]
        if "coads" in part.split('"')[0] and "SST" in part.split('"')[0]
    )
    assert template.startswith(prefix + "/esdl-lab/cubes/demo/")
    path = template[len(prefix) :]
    for name, value in {
        "TileMatrixSet": "WorldWebMercatorQuad",
        "TileMatrix": "0",
        "TileRow": "0",
        "TileCol": "0",
    }.items():
        path = path.replace("{" + name + "}", value)
    path = path.replace("{Time}", "")
    response = demo_jupyter.get(path, timeout=60)
    assert response.status == 200, (path, response.body[:300])
    assert response.body.startswith(b"\x89PNG")
