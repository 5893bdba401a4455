"""MLflow configured from MLFLOW_TRACKING_* as MLflow's own client reads them."""

from __future__ import annotations

from conftest import JupyterServer


def test_a_token_from_the_environment_is_sent_as_bearer(upstream, tmp_path):
    env = {"MLFLOW_TRACKING_URI": upstream.url + "/", "MLFLOW_TRACKING_TOKEN": "tok-123"}
    jupyter = JupyterServer(tmp_path, "", env).start()
    try:
        response = jupyter.get("/esdl-lab/mlflow/api/2.0/mlflow/experiments/search")
        headers = dict(response.json()["headers"])
        assert headers["Authorization"] == "Bearer tok-123"
        assert "tok-123" not in repr(response.headers)
        assert jupyter.status()["mlflow"]["state"] == "up"
    finally:
        jupyter.stop()
    assert "tok-123" not in jupyter.log()


def test_a_local_store_uri_leaves_mlflow_unconfigured_with_a_reason(tmp_path):
    jupyter = JupyterServer(tmp_path, "", {"MLFLOW_TRACKING_URI": "file:///tmp/mlruns"}).start()
    try:
        status = jupyter.status()
        assert list(status) == ["mlflow"]
        entry = status["mlflow"]
        assert entry["state"] == "unconfigured"
        assert "MLFLOW_TRACKING_URI uses 'file'" in entry["error"]
        assert "mlflow server" in entry["error"]
        response = jupyter.get("/esdl-lab/mlflow/api/2.0/mlflow/experiments/search")
        assert response.status == 503
        assert response.json()["reason"] == "unconfigured"
    finally:
        jupyter.stop()
