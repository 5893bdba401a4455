"""The MLflow proxy against a replay of the recorded MLflow 3.6 server (test-support/mlflow_replay.py).

The replay answers as the recorded server did, including its basic-auth layer (401 with WWW-Authenticate,
a refused Bearer token) and MLflow 3's security middleware (403 for a foreign Origin or Host). Each test runs
a real Jupyter server with the esdl_lab extension whose MLflow server is the replay, configured from the
environment as MLflow's own client is; the replay logs every request it receives, so the tests see what the
proxy forwarded.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import JupyterServer, Response, closed_port, request

ROOT = Path(__file__).resolve().parents[3]
REPLAY = ROOT / "test-support" / "mlflow_replay.py"
FIXTURES = ROOT / "test-fixtures" / "mlflow"
ADMIN, ADMIN_PASSWORD = "admin", "password1234"
TOKEN = "tok-7c1e-mlflow-bearer"
SEARCH = "/esdl-lab/mlflow/api/2.0/mlflow/experiments/search?max_results=5"


class Replay:
    """The replay server in its own process, with its request log."""

    def __init__(self, log: Path, *args: str) -> None:
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, str(REPLAY), "--port", "0", "--request-log", str(log), *args],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line.startswith("LISTENING"), line
        self.port = int(line.split()[1])
        self.url = f"http://127.0.0.1:{self.port}"

    def requests(self) -> list[dict]:
        """Every request the replay received so far: method, path and headers."""
        return [json.loads(line) for line in self.log.read_text().splitlines() if line]

    def last(self, path_part: str) -> dict:
        return [r for r in self.requests() if path_part in r["path"]][-1]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def headers_of(entry: dict) -> dict[str, str]:
    """The request headers a recorded reply received, case-folded."""
    return {k.lower(): v for k, v in entry["headers"].items()}


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def recorded(name: str, index: str = "index.json") -> tuple[dict, bytes]:
    for entry in json.loads((FIXTURES / index).read_text()):
        if entry["name"] == name:
            return entry, (FIXTURES / entry["file"]).read_bytes()
    raise KeyError(name)


def assert_no_secret(response: Response, *secrets: str) -> None:
    """Neither the headers nor the body of a response hold a secret, plain or base64."""
    text = repr(response.headers) + response.body.decode("utf-8", "replace")
    for secret in secrets:
        assert secret not in text
        assert base64.b64encode(secret.encode()).decode()[:-2] not in text


@pytest.fixture(scope="module")
def auth_replay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replay]:
    replay = Replay(tmp_path_factory.mktemp("replay-auth") / "requests.jsonl", "--auth")
    yield replay
    replay.stop()


@pytest.fixture(scope="module")
def plain_replay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replay]:
    replay = Replay(tmp_path_factory.mktemp("replay") / "requests.jsonl")
    yield replay
    replay.stop()


def jupyter_with(tmp: Path, env: dict[str, str], config: str = "") -> JupyterServer:
    return JupyterServer(tmp, config, env).start()


# ---- the replay itself ------------------------------------------------------------------------------------


def send_recorded(port: int, entry: dict, extra_headers: dict[str, str]) -> Response:
    body = json.dumps(entry["body"]).encode() if entry["body"] is not None else None
    headers = {"Content-Type": "application/json"} if body else {}
    headers.update(extra_headers)
    return request(port, entry["method"], entry["path"], headers=headers, body=body)


def curl_headers(curl_extra: str | None) -> dict[str, str]:
    """The headers of a recording's extra curl arguments (`-u user:pw`, `-H Name: value`)."""
    if not curl_extra:
        return {}
    if curl_extra.startswith("-u "):
        user, _, password = curl_extra[3:].partition(":")
        return {"Authorization": basic(user, password)}
    headers = {}
    for part in curl_extra.split("-H ")[1:]:
        name, _, value = part.strip().partition(": ")
        headers[name] = value
    return headers


@pytest.mark.parametrize("index", ["index.json", "index-auth.json"])
def test_the_replay_answers_every_recording_as_recorded(index, plain_replay, auth_replay):
    replay = auth_replay if index == "index-auth.json" else plain_replay
    for entry in json.loads((FIXTURES / index).read_text()):
        extra = curl_headers(entry["curl_extra"])
        # curl sent its own Host; a recorded foreign Host must reach the replay as such
        response = send_recorded(replay.port, entry, extra)
        expected = (FIXTURES / entry["file"]).read_bytes()
        assert response.status == entry["status"], entry["name"]
        if entry["file"].endswith(".json"):
            assert json.loads(response.body or b"{}") == json.loads(expected or b"{}"), entry["name"]
        else:
            assert response.body == expected, entry["name"]
        if entry["status"] == 401:
            assert response.header("WWW-Authenticate") == 'Basic realm="mlflow"'


# ---- credentials ------------------------------------------------------------------------------------------


def test_basic_credentials_from_the_environment_reach_mlflow(auth_replay, tmp_path):
    env = {
        "MLFLOW_TRACKING_URI": auth_replay.url,
        "MLFLOW_TRACKING_USERNAME": ADMIN,
        "MLFLOW_TRACKING_PASSWORD": ADMIN_PASSWORD,
    }
    jupyter = jupyter_with(tmp_path, env)
    try:
        response = jupyter.get(SEARCH)
        assert response.status == 200, response.body
        _, body = recorded("auth-admin-ok", "index-auth.json")
        assert response.json() == json.loads(body)
        seen = headers_of(auth_replay.last("experiments/search?max_results=5"))
        assert seen["authorization"] == basic(ADMIN, ADMIN_PASSWORD)
        assert_no_secret(response, ADMIN_PASSWORD, f"{ADMIN}:{ADMIN_PASSWORD}")

        status = jupyter.status()["mlflow"]
        assert status["state"] == "up"
        assert status["version"] == "3.6.1.dev0"
        assert_no_secret(jupyter.get("/esdl-lab/status"), ADMIN_PASSWORD, f"{ADMIN}:{ADMIN_PASSWORD}")
    finally:
        jupyter.stop()
    assert ADMIN_PASSWORD not in jupyter.log()


def test_a_bearer_token_from_the_environment_reaches_mlflow(auth_replay, tmp_path):
    jupyter = jupyter_with(tmp_path, {"MLFLOW_TRACKING_URI": auth_replay.url, "MLFLOW_TRACKING_TOKEN": TOKEN})
    try:
        response = jupyter.get(SEARCH)
        seen = headers_of(auth_replay.last("experiments/search?max_results=5"))
        assert seen["authorization"] == f"Bearer {TOKEN}"
        # MLflow's built-in basic-auth app refuses Bearer tokens (recorded): the browser sees its 401,
        # without the WWW-Authenticate that would pop up a login box
        assert response.status == 401
        assert "WWW-Authenticate".lower() not in response.header_names()
        assert b"You are not authenticated" in response.body
        assert_no_secret(response, TOKEN)
        status = jupyter.status()["mlflow"]
        assert status["state"] == "down"
        assert "rejected the credentials" in status["error"]
        assert_no_secret(jupyter.get("/esdl-lab/status"), TOKEN)
    finally:
        jupyter.stop()


def test_a_401_reaches_the_browser_without_www_authenticate(auth_replay, tmp_path):
    env = {
        "MLFLOW_TRACKING_URI": auth_replay.url,
        "MLFLOW_TRACKING_USERNAME": ADMIN,
        "MLFLOW_TRACKING_PASSWORD": "wrong-password-0",
    }
    jupyter = jupyter_with(tmp_path, env)
    try:
        response = jupyter.get(SEARCH)
        assert response.status == 401
        assert "www-authenticate" not in response.header_names()
        _, body = recorded("auth-wrong-password", "index-auth.json")
        assert response.body == body
        assert_no_secret(response, "wrong-password-0")
        # the upstream did send it: the proxy dropped it
        assert auth_replay.last("experiments/search?max_results=5")["headers"]
    finally:
        jupyter.stop()


def test_a_user_without_permission_gets_mlflow_s_403(auth_replay, tmp_path):
    env = {
        "MLFLOW_TRACKING_URI": auth_replay.url,
        "MLFLOW_TRACKING_USERNAME": "alice",
        "MLFLOW_TRACKING_PASSWORD": "alice-Passw0rd!",
    }
    jupyter = jupyter_with(tmp_path, env)
    try:
        response = jupyter.request(
            "POST",
            "/esdl-lab/mlflow/api/2.0/mlflow/experiments/delete",
            headers={"Content-Type": "application/json"},
            body=json.dumps({"experiment_id": "1"}).encode(),
        )
        assert response.status == 403
        assert response.body == b"Permission denied"
        assert_no_secret(response, "alice-Passw0rd!")
    finally:
        jupyter.stop()


def test_credentials_are_not_echoed_when_mlflow_is_unreachable(tmp_path):
    url = f"http://{ADMIN}:{ADMIN_PASSWORD}@127.0.0.1:{closed_port()}/"
    jupyter = jupyter_with(tmp_path, {"MLFLOW_TRACKING_URI": url, "MLFLOW_TRACKING_TOKEN": TOKEN})
    try:
        response = jupyter.get(SEARCH)
        assert response.status == 502
        assert response.json()["upstream"] == "mlflow"
        assert_no_secret(response, ADMIN_PASSWORD, TOKEN)
        assert_no_secret(jupyter.get("/esdl-lab/status"), ADMIN_PASSWORD, TOKEN)
    finally:
        jupyter.stop()


# ---- what the browser sends -------------------------------------------------------------------------------

PUBLIC_ORIGIN = "http://jupyter.example.org:8888"


def test_the_browser_s_origin_host_cookies_and_token_stay_with_jupyter(plain_replay, tmp_path):
    # a Jupyter server reached under a public name: the browser's Origin and Host are not MLflow's, and MLflow
    # 3's middleware refuses both (the recorded 403s) unless the proxy drops them
    config = f"c.ServerApp.allow_origin = {PUBLIC_ORIGIN!r}\nc.ServerApp.allow_remote_access = True\n"
    jupyter = jupyter_with(tmp_path, {"MLFLOW_TRACKING_URI": plain_replay.url}, config)
    try:
        entry, body = recorded("runs-search-p1")
        response = jupyter.request(
            "POST",
            "/esdl-lab/mlflow/api/2.0/mlflow/runs/search",
            headers={
                "Content-Type": "application/json",
                "Origin": PUBLIC_ORIGIN,
                "Host": "jupyter.example.org:8888",
                "Cookie": "session=browser-cookie-1",
            },
            body=json.dumps(entry["body"]).encode(),
        )
        assert response.status == 200, response.body
        assert response.json() == json.loads(body)
        seen = headers_of(plain_replay.last("/runs/search"))
        assert "origin" not in seen
        assert "cookie" not in seen
        assert "authorization" not in seen
        assert seen["host"] == f"127.0.0.1:{plain_replay.port}"
        assert "vary" in response.header_names()
    finally:
        jupyter.stop()


def test_mlflow_answers_pass_through_with_their_status_and_type(plain_replay, tmp_path):
    jupyter = jupyter_with(tmp_path, {"MLFLOW_TRACKING_URI": plain_replay.url})
    try:
        for name in ("get-artifact-missing", "runs-search-wrong-method", "runs-get-404", "get-artifact-csv"):
            entry, body = recorded(name)
            response = jupyter.request(entry["method"], "/esdl-lab/mlflow" + entry["path"])
            assert response.status == entry["status"], name
            assert response.header("Content-Type") == entry["content_type"], name
            assert response.body == body or json.loads(response.body) == json.loads(body), name
    finally:
        jupyter.stop()
