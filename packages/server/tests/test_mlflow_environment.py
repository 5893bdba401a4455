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
        entry = jupyter.status()["mlflow"]
        assert entry["state"] == "up"
        # kernels get the server's address for mlflow.set_tracking_uri, never its credentials
        assert entry["kernelUrl"] == upstream.url + "/"
    finally:
        jupyter.stop()
    assert "tok-123" not in jupyter.log()


def test_credentials_in_the_tracking_uri_stay_out_of_the_kernel_url(upstream, tmp_path):
    host = upstream.url.split("://", 1)[1]
    jupyter = JupyterServer(tmp_path, "", {"MLFLOW_TRACKING_URI": f"http://ann:s3cret@{host}/"}).start()
    try:
        entry = jupyter.status()["mlflow"]
        assert entry["kernelUrl"] == upstream.url + "/"
        assert "s3cret" not in repr(jupyter.status())
    finally:
        jupyter.stop()


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
