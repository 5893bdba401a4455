# MLflow: a replay of the recorded MLflow 3.6 server (test-support/mlflow_replay.py), run by the server
# extension as a managed process; it adds a generated experiment of 10,000 runs and one whose names, params,
# tags and note hold HTML and script.
c.ESDLLab.mlflow_command = {  # noqa: F821
    "command": [
        str(BIN / "python"),  # noqa: F821
        str(ROOT / "test-support" / "mlflow_replay.py"),  # noqa: F821
        "--port",
        "{port}",
        "--generated-runs",
        "10000",
        "--xss",
    ],
    "ready_path": "/health",
    "start_timeout": 60,
}
