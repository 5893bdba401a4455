"""An unreachable, slow or broken upstream gets a JSON error that names it and says what to check."""

from __future__ import annotations

import http.client
import time

from conftest import TOKEN


def test_an_unreachable_upstream_gives_502_json(server):
    response = server.get("/esdl-lab/cubes/down/datasets")
    assert response.status == 502
    assert response.header("Content-Type") == "application/json"
    body = response.json()
    assert body["upstream"] == "down"
    assert body["reason"] == "unreachable"
    assert "Cube server 'down' at http://127.0.0.1:" in body["message"]
    assert "refused the connection" in body["message"]
    assert "c.ESDLLab.cube_servers['down']" in body["message"]


def test_a_slow_upstream_gives_504_json(server):
    response = server.get("/esdl-lab/cubes/echo/slow?delay=5")
    assert response.status == 504
    body = response.json()
    assert body["upstream"] == "echo"
    assert body["reason"] == "timeout"
    assert "sent nothing for 1.5 s" in body["message"]
    assert "c.ESDLLab.read_timeout" in body["message"]


def test_a_slow_mlflow_gives_504_json_naming_it(server):
    body = server.get("/esdl-lab/mlflow/slow?delay=5").json()
    assert body["upstream"] == "mlflow"
    assert body["message"].startswith("The MLflow tracking server at http://127.0.0.1:")


def test_an_upstream_that_stalls_mid_body_has_the_connection_cut(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
    conn.request("GET", "/esdl-lab/cubes/echo/stall?delay=10", headers={"Authorization": f"token {TOKEN}"})
    response = conn.getresponse()
    assert response.status == 200
    try:
        body = response.read()
    except http.client.IncompleteRead as e:
        body = e.partial
    except (TimeoutError, ConnectionError) as e:
        raise AssertionError("the proxy did not cut the connection") from e
    finally:
        conn.close()
    assert len(body) < 1 << 20


def test_an_upload_to_an_unreachable_upstream_is_answered_at_once(server):
    body = b"x" * (50 * 1024 * 1024)
    response = server.request("PUT", "/esdl-lab/cubes/down/s3/big", body=body, timeout=20)
    assert response.status == 502
    assert response.json()["reason"] == "unreachable"


def test_an_upload_that_the_upstream_does_not_read_gets_504(server):
    body = (b"y" * (1 << 20) for _ in range(100))
    response = server.request(
        "PUT", "/esdl-lab/cubes/echo/stall", body=body, headers={"Content-Length": str(100 << 20)}, timeout=30
    )
    assert response.status == 504
    assert response.json()["reason"] == "timeout"


def test_a_browser_that_leaves_while_the_upstream_thinks_leaves_no_error(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", "/esdl-lab/cubes/echo/slow?delay=1", headers={"Authorization": f"token {TOKEN}"})
    time.sleep(0.3)
    conn.close()
    time.sleep(1.2)
    assert "Traceback" not in server.log()
    assert "Uncaught exception" not in server.log()


def test_the_server_keeps_serving_after_upstream_errors(server):
    assert server.get("/esdl-lab/cubes/echo/after-errors").status == 200
