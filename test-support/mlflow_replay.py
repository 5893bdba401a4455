"""An HTTP server that answers like the MLflow 3.6 tracking server recorded in test-fixtures/mlflow.

    python mlflow_replay.py --port 0 [--auth] [--generated-runs N] [--xss] [--request-log FILE]

prints ``LISTENING <port>`` once it accepts connections.

- A request that was recorded (same method, path, query and JSON body, MLflow's defaults filled in) gets the
  recorded status, headers and body.
- Any other request to an endpoint of the recordings is answered from the data they hold (the 3
  experiments, their 15 runs, the metric points, artifacts, logged models and datasets), the way the recorded
  server answers: MLflow's filter and order syntax, opaque page tokens, its error messages, and its pitfalls
  (``get-history`` without ``max_results`` answers no points and a token that never advances; a missing
  artifact is an HTML 500).
- ``--generated-runs N`` adds a generated experiment ("generated-sweep", tagged ``esdl.replay=generated``) of
  N runs in the recordings' shape, with nested runs, running and failed runs, image and table artifacts, and
  one run with a 100,000-point history; ``--xss`` adds an experiment whose names, params, tags and note
  hold HTML.
- As MLflow 3's security middleware: a Host that is not local gets 403, and so does a POST whose Origin is
  not local (the recorded answers).
- ``--auth`` replays the basic-auth server of index-auth.json instead: its users, its 401s with
  ``WWW-Authenticate``, a refused Bearer token, and its 403.
- ``--request-log FILE`` appends every request (method, path, headers) as a JSON line, for tests that check
  what a proxy forwarded.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import math
import re
import struct
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "test-fixtures" / "mlflow"
API = "/api/2.0/mlflow"
FRAMING_HEADERS = {"content-length", "transfer-encoding", "date", "server", "connection"}
COMMON_HEADERS = {"x-content-type-options": "nosniff", "x-frame-options": "SAMEORIGIN", "vary": "Origin"}
LOCAL_HOST = re.compile(r"^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$", re.IGNORECASE)
LOCAL_ORIGIN = re.compile(r"^https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$", re.IGNORECASE)
COMPARATORS_NUMERIC = {">", "!=", "<", "=", "<=", ">="}
COMPARATORS_TEXT = {"=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"}
MAX_RUNS_PER_PAGE = 50_000
MAX_HISTORY_PAGE = 25_000
MAX_BULK_POINTS = 2_500
MAX_BULK_RUNS = 100


class MlflowError(Exception):
    """An error MLflow answers as JSON ``{error_code, message}``."""

    def __init__(self, message: str, status: int = 400, code: str = "INVALID_PARAMETER_VALUE") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


# ---- recordings ------------------------------------------------------------------------------------------


@dataclass
class Recording:
    name: str
    method: str
    path: str
    query: list[tuple[str, str]]
    body: Any
    # the basic-auth user:password it was recorded with, if any
    user: str | None
    # recorded with extra request headers (the security middleware's answers): served only by its emulation
    with_headers: bool
    status: int
    headers: list[tuple[str, str]]
    content: bytes

    def response(self) -> web.Response:
        headers = [(k, v) for k, v in self.headers if k.lower() not in FRAMING_HEADERS]
        response = web.Response(status=self.status, body=self.content)
        for key, value in headers:
            response.headers.add(key, value)
        return response


def api_path(path: str) -> str:
    """Every endpoint exists under /api/2.0 and /ajax-api/2.0: match them as one."""
    return "/api/2.0/" + path[len("/ajax-api/2.0/") :] if path.startswith("/ajax-api/2.0/") else path


def load_recordings(index: str) -> list[Recording]:
    recordings = []
    for entry in json.loads((FIXTURES / index).read_text()):
        url = urlsplit(entry["path"])
        head = (FIXTURES / re.sub(r"\.json(\.body)?$", ".headers", entry["file"])).read_text().splitlines()
        headers = [tuple(part.strip() for part in line.split(":", 1)) for line in head[1:] if ":" in line]
        user = None
        if entry.get("curl_extra") and entry["curl_extra"].startswith("-u "):
            user = entry["curl_extra"][3:]
        recordings.append(
            Recording(
                name=entry["name"],
                method=entry["method"],
                path=api_path(url.path),
                query=sorted(parse_qsl(url.query, keep_blank_values=True)),
                body=entry["body"],
                user=user,
                with_headers=bool(entry.get("curl_extra")) and user is None,
                status=entry["status"],
                headers=headers,
                content=(FIXTURES / entry["file"]).read_bytes(),
            )
        )
    return recordings


def recorded_json(name: str) -> dict[str, Any]:
    for entry in json.loads((FIXTURES / "index.json").read_text()):
        if entry["name"] == name:
            return json.loads((FIXTURES / entry["file"]).read_text())
    raise KeyError(name)


def normalized_body(path: str, body: Any) -> Any:
    """MLflow's defaults filled in, so that a request that leaves them out matches one that sends them."""
    if not isinstance(body, dict):
        return body
    body = dict(body)
    if path.endswith("/runs/search"):
        body.setdefault("run_view_type", "ACTIVE_ONLY")
        if not body.get("order_by"):
            body.pop("order_by", None)
    return body


def body_matches(recording: Recording, body: Any) -> bool:
    recorded = normalized_body(recording.path, recording.body)
    sent = normalized_body(recording.path, body)
    if not isinstance(recorded, dict) or not isinstance(sent, dict):
        return recorded == sent
    if "max_results" not in recorded and "max_results" in sent:
        # a page size the recording left to MLflow's default matches when the recorded answer fits in it
        answer = json.loads(recording.content or b"{}")
        count = max((len(v) for v in answer.values() if isinstance(v, list)), default=0)
        if (
            "next_page_token" in answer
            or not isinstance(sent["max_results"], int)
            or sent["max_results"] < count
        ):
            return False
        sent = {k: v for k, v in sent.items() if k != "max_results"}
    return recorded == sent


# ---- the data of the recordings, and generated data ------------------------------------------------------


@dataclass
class Store:
    experiments: dict[str, dict[str, Any]] = field(default_factory=dict)
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (run_id, key) -> {step: (value, timestamp)}
    histories: dict[tuple[str, str], dict[int, tuple[float, int]]] = field(default_factory=dict)
    # run_id -> {path: bytes}
    artifacts: dict[str, dict[str, bytes]] = field(default_factory=dict)
    # run_id -> folders known to exist even when empty
    folders: dict[str, set[str]] = field(default_factory=dict)
    logged_models: dict[str, dict[str, Any]] = field(default_factory=dict)
    model_files: dict[str, dict[str, bytes]] = field(default_factory=dict)
    datasets: list[dict[str, Any]] = field(default_factory=list)
    generated: Generated | None = None

    def history(self, run_id: str, key: str) -> dict[int, tuple[float, int]]:
        points = self.histories.get((run_id, key))
        if points is None and self.generated is not None and run_id in self.generated.index:
            points = self.generated.history(run_id, key)
        return points or {}


def add_point(store: Store, run_id: str, metric: dict[str, Any]) -> None:
    points = store.histories.setdefault((run_id, metric["key"]), {})
    points[int(metric.get("step", 0))] = (metric["value"], int(metric.get("timestamp", 0)))


def store_from_recordings(recordings: list[Recording]) -> Store:
    store = Store()
    for experiment in recorded_json("experiments-search-view-all-order-name")["experiments"]:
        store.experiments[experiment["experiment_id"]] = experiment
    for recording in recordings:
        if recording.status != 200 or not recording.content.strip().startswith(b"{"):
            continue
        answer = json.loads(recording.content)
        runs = answer.get("runs", []) if recording.path.endswith("/runs/search") else []
        if recording.path.endswith("/runs/get"):
            runs.append(answer["run"])
        for run in runs:
            store.runs[run["info"]["run_id"]] = run
        if "/metrics/get-history" in recording.path:
            run_id = dict(recording.query).get("run_id")
            for metric in answer.get("metrics", []):
                add_point(store, metric.get("run_id", run_id), metric)
    for run in store.runs.values():
        for metric in run["data"].get("metrics", []):
            add_point(store, run["info"]["run_id"], metric)
    by_name = {r.name: r for r in recordings}
    for recording in recordings:
        query = dict(recording.query)
        if recording.path == f"{API}/artifacts/list" and recording.status == 200:
            folder = query.get("path", "")
            store.folders.setdefault(query["run_id"], set()).add(folder)
            for entry in json.loads(recording.content).get("files", []):
                if entry["is_dir"]:
                    store.folders[query["run_id"]].add(entry["path"])
        if recording.path == "/get-artifact" and recording.status == 200:
            store.artifacts.setdefault(query["run_uuid"], {})[query["path"]] = recording.content
    for model in recorded_json("logged-models-search")["models"]:
        store.logged_models[model["info"]["model_id"]] = model
    mlmodel = by_name["ajax-logged-models-artifact-file"]
    model_id = mlmodel.path.split("/")[-3]
    listing = recorded_json("logged-models-artifacts-directories")["files"]
    store.model_files[model_id] = {entry["path"]: b"" for entry in listing}
    store.model_files[model_id]["MLmodel"] = mlmodel.content
    store.datasets = recorded_json("ajax-experiments-search-datasets")["dataset_summaries"]
    return store


def png(width: int, height: int, pixel) -> bytes:
    """A real RGB PNG, drawn by ``pixel(x, y) -> (r, g, b)``."""
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def unit(seed: str) -> float:
    """A deterministic number in [0, 1) from a string."""
    return int.from_bytes(hashlib.blake2b(seed.encode(), digest_size=8).digest(), "big") / 2**64


class Generated:
    """The generated experiments: a sweep of N runs and, optionally, one whose texts hold HTML."""

    SWEEP = "1001"
    XSS = "1002"
    LONG_RUN_STEPS = 100_000
    T0 = 1795500000000

    def __init__(self, store: Store, runs: int, xss: bool) -> None:
        self.store = store
        self.index: dict[str, int] = {}
        self._histories: dict[tuple[str, str], dict[int, tuple[float, int]]] = {}
        if runs > 0:
            self._sweep(runs)
        if xss:
            self._xss()

    def _sweep(self, count: int) -> None:
        store = self.store
        store.experiments[self.SWEEP] = {
            "experiment_id": self.SWEEP,
            "name": "generated-sweep",
            "artifact_location": f"mlflow-artifacts:/{self.SWEEP}",
            "lifecycle_stage": "active",
            "last_update_time": self.T0 + count * 60_000,
            "creation_time": self.T0,
            "tags": [
                {"key": "esdl.replay", "value": "generated"},
                {"key": "mlflow.note.content", "value": f"A generated sweep of {count:,} runs for UI tests."},
            ],
        }
        archs = ["unet", "fno", "vit", "resnet"]
        users = ["ana", "bo", "chen", "dora", "eli"]
        parent = None
        for i in range(count):
            run_id = hashlib.md5(f"generated-run-{i}".encode()).hexdigest()
            self.index[run_id] = i
            lr = [0.0001, 0.0003, 0.001, 0.003, 0.01][i % 5]
            arch = archs[(i // 5) % 4]
            start = self.T0 + i * 60_000
            status = "RUNNING" if i % 50 == 7 else "FAILED" if i % 37 == 5 else "FINISHED"
            final = self._loss(i, self.steps(i) - 1)
            tags = [
                {"key": "mlflow.user", "value": users[i % 5]},
                {"key": "mlflow.runName", "value": f"sweep-{i:05d}"},
                {"key": "mlflow.source.name", "value": "/srv/demo/scripts/sweep.py"},
                {"key": "mlflow.source.type", "value": "LOCAL"},
                {"key": "stage", "value": "prod" if i % 3 == 0 else "dev"},
            ]
            if i % 10 == 0:
                parent = run_id
            elif i % 10 <= 3 and parent is not None:
                tags.append({"key": "mlflow.parentRunId", "value": parent})
            info = {
                "run_uuid": run_id,
                "experiment_id": self.SWEEP,
                "run_name": f"sweep-{i:05d}",
                "user_id": users[i % 5],
                "status": status,
                "start_time": start,
                "artifact_uri": f"mlflow-artifacts:/{self.SWEEP}/{run_id}/artifacts",
                "lifecycle_stage": "active",
                "run_id": run_id,
            }
            if status != "RUNNING":
                info["end_time"] = start + 30_000 + int(unit(run_id) * 600_000)
            last = self.steps(i) - 1
            store.runs[run_id] = {
                "info": info,
                "data": {
                    "metrics": [
                        {
                            "key": "train_loss",
                            "value": final * 0.8,
                            "timestamp": start + last * 100,
                            "step": last,
                        },
                        {"key": "val_loss", "value": final, "timestamp": start + last * 100, "step": last},
                        {
                            "key": "rmse_t2m_K",
                            "value": 0.3 + final,
                            "timestamp": start + last * 100,
                            "step": last,
                        },
                    ],
                    "params": [
                        {"key": "lr", "value": str(lr)},
                        {"key": "arch", "value": arch},
                        {"key": "batch_size", "value": str([16, 32, 64][i % 3])},
                        {"key": "dropout", "value": f"{(i % 4) * 0.1:.1f}"},
                    ],
                    "tags": tags,
                },
                "inputs": {},
                "outputs": {},
            }

    def _xss(self) -> None:
        store = self.store
        store.experiments[self.XSS] = {
            "experiment_id": self.XSS,
            "name": 'xss <img src=x onerror="window.__esdlXss=1">',
            "artifact_location": f"mlflow-artifacts:/{self.XSS}",
            "lifecycle_stage": "active",
            "last_update_time": self.T0 - 1,
            "creation_time": self.T0 - 1,
            "tags": [{"key": "esdl.replay", "value": "generated"}],
        }
        run_id = "e55e55e55e55e55e55e55e55e55e55e5"
        self.index[run_id] = -1
        note = (
            "## A note with markup\n\n**bold** and a [link](https://mlflow.org)\n\n"
            '<script>window.__esdlXss="note-script"</script>\n\n'
            '<img src="x" onerror="window.__esdlXss=\'note-img\'">\n'
        )
        store.runs[run_id] = {
            "info": {
                "run_uuid": run_id,
                "experiment_id": self.XSS,
                "run_name": "<img src=x onerror=\"window.__esdlXss='name'\">",
                "user_id": "<b>mallory</b>",
                "status": "FINISHED",
                "start_time": self.T0,
                "end_time": self.T0 + 5000,
                "artifact_uri": f"mlflow-artifacts:/{self.XSS}/{run_id}/artifacts",
                "lifecycle_stage": "active",
                "run_id": run_id,
            },
            "data": {
                "metrics": [{"key": "<i>loss</i>", "value": 0.5, "timestamp": self.T0 + 100, "step": 9}],
                "params": [{"key": "<b>param</b>", "value": '<script>window.__esdlXss="param"</script>'}],
                "tags": [
                    {"key": "mlflow.runName", "value": "<img src=x onerror=\"window.__esdlXss='name'\">"},
                    {"key": "mlflow.note.content", "value": note},
                    {"key": "comment", "value": "<a href=\"javascript:window.__esdlXss='tag'\">click</a>"},
                ],
            },
            "inputs": {},
            "outputs": {},
        }
        store.histories[(run_id, "<i>loss</i>")] = {s: (1 / (s + 2), self.T0 + s * 10) for s in range(10)}
        store.artifacts[run_id] = {
            "page.html": b'<html><body><script>window.__esdlXss="artifact"</script>hello</body></html>',
            "notes.md": b"# Notes\n\n<script>window.__esdlXss='md'</script>\n",
        }

    def steps(self, i: int) -> int:
        if i < 0:
            return 10
        return self.LONG_RUN_STEPS if i == 0 else 100 + (i * 37) % 900

    def _loss(self, i: int, step: int) -> float:
        rate = 0.002 + 0.01 * unit(f"rate{i}")
        floor = 0.02 + 0.1 * unit(f"floor{i}")
        noise = 0.02 * (unit(f"n{i}-{step}") - 0.5)
        return floor + 1.2 * math.exp(-rate * step * (1000 / max(self.steps(i), 1000))) + noise

    def history(self, run_id: str, key: str) -> dict[int, tuple[float, int]] | None:
        i = self.index[run_id]
        if i < 0 or key not in ("train_loss", "val_loss", "rmse_t2m_K"):
            return None
        cached = self._histories.get((run_id, key))
        if cached is None:
            if len(self._histories) > 1000:
                self._histories.clear()
            cached = self._histories[(run_id, key)] = self._history(i, run_id, key)
        return cached

    def _history(self, i: int, run_id: str, key: str) -> dict[int, tuple[float, int]]:
        start = self.store.runs[run_id]["info"]["start_time"]
        scale = {"train_loss": 0.8, "val_loss": 1.0, "rmse_t2m_K": 1.0}[key]
        offset = 0.3 if key == "rmse_t2m_K" else 0.0
        return {
            step: (offset + scale * self._loss(i, step), start + step * 100) for step in range(self.steps(i))
        }

    def artifacts(self, run_id: str) -> dict[str, bytes]:
        i = self.index[run_id]
        loss = [self._loss(i, s) for s in range(0, self.steps(i), max(1, self.steps(i) // 20))]
        top = max(loss) or 1.0

        def pixel(x: int, y: int) -> tuple[int, int, int]:
            bar = loss[min(len(loss) - 1, x * len(loss) // 96)]
            on = (47 - y) / 48 < bar / top
            return (31, 119, 180) if on else (250, 250, 250)

        table = "step,loss\n" + "".join(
            f"{s * max(1, self.steps(i) // 20)},{v:.4f}\n" for s, v in enumerate(loss)
        )
        return {
            "plots/loss.png": png(96, 48, pixel),
            "plots/loss.csv": table.encode(),
            "config.json": json.dumps(
                {p["key"]: p["value"] for p in self.store.runs[run_id]["data"]["params"]}, indent=2
            ).encode(),
            "model/MLmodel": b"flavors:\n  python_function:\n    loader_module: mlflow.pytorch\n",
        }


# ---- MLflow's filter and order syntax --------------------------------------------------------------------

TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<backtick>`[^`]*`)
    | (?P<number>-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)
    | (?P<op>[<>=!]+)
    | (?P<punct>[(),.])
    | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*)
    )""",
    re.VERBOSE,
)

ENTITIES = {
    "metric": "metrics",
    "metrics": "metrics",
    "param": "params",
    "params": "params",
    "parameter": "params",
    "parameters": "params",
    "tag": "tags",
    "tags": "tags",
    "attribute": "attributes",
    "attributes": "attributes",
    "attr": "attributes",
    "run": "attributes",
    "dataset": "datasets",
    "datasets": "datasets",
}
RUN_ATTRIBUTES = {"run_id", "run_name", "status", "user_id", "start_time", "end_time", "artifact_uri"}
RUN_ATTRIBUTE_ALIASES = {"run_name": "run_name", "created": "start_time", "Created": "start_time"}
EXPERIMENT_ATTRIBUTES = {"creation_time", "last_update_time", "name"}


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise MlflowError(f"Invalid filter '{text}'. Could not parse near '{text[pos : pos + 20]}'")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


@dataclass
class Clause:
    entity: str
    key: str
    comparator: str
    value: Any


def unquote(token: str) -> str:
    return token[1:-1].replace("\\'", "'").replace('\\"', '"')


def parse_filter(text: str | None, experiments: bool = False) -> list[Clause]:
    """``metrics.rmse < 1 and params.lr = "0.01"`` as clauses; MLflow's messages for what it refuses."""
    if not text or not text.strip():
        return []
    tokens = tokenize(text)
    clauses: list[Clause] = []
    i = 0

    def take() -> tuple[str, str]:
        nonlocal i
        if i >= len(tokens):
            raise MlflowError(f"Invalid filter '{text}'. Expected more after '{tokens[-1][1]}'")
        i += 1
        return tokens[i - 1]

    while i < len(tokens):
        kind, word = take()
        if kind != "word" and kind != "backtick":
            raise MlflowError(f"Invalid filter '{text}'. Expected an identifier, got '{word}'")
        entity, key = "attributes", unquote(word) if kind == "backtick" else word
        if i < len(tokens) and tokens[i] == ("punct", "."):
            take()
            entity = ENTITIES.get(word.lower(), "")
            if not entity:
                raise MlflowError(
                    f"Invalid entity type '{word}'. Valid values are "
                    "['metric', 'parameter', 'tag', 'attribute', 'dataset']"
                )
            parts = []
            while i < len(tokens) and (
                tokens[i][0] in ("word", "backtick", "string", "number") or tokens[i] == ("punct", ".")
            ):
                k, v = take()
                parts.append(unquote(v) if k in ("backtick", "string") else v)
                if not (i < len(tokens) and tokens[i] == ("punct", ".")) and k != "punct":
                    break
            key = "".join(parts)
        valid = EXPERIMENT_ATTRIBUTES if experiments else RUN_ATTRIBUTES | set(RUN_ATTRIBUTE_ALIASES)
        if entity == "attributes" and key not in valid:
            raise MlflowError(f"Invalid attribute key '{key}' specified. Valid keys are '{valid}'")
        kind, op = take()
        comparator = op.upper()
        if kind == "word" and comparator == "NOT":
            comparator = "NOT " + take()[1].upper()
        numeric = entity == "metrics" or key in (
            "start_time",
            "end_time",
            "creation_time",
            "last_update_time",
        )
        allowed = COMPARATORS_NUMERIC if numeric else COMPARATORS_TEXT
        if comparator not in allowed:
            allowed_text = "{" + ", ".join(f"'{c}'" for c in sorted(allowed, key=len)) + "}"
            if numeric:
                allowed_text = "{'>', '!=', '<', '=', '<=', '>='}"
            raise MlflowError(f"Invalid comparator '{op}' not one of '{allowed_text}'")
        if comparator in ("IN", "NOT IN"):
            if take() != ("punct", "("):
                raise MlflowError(f"Invalid filter '{text}'. Expected a list of values after {comparator}")
            values = []
            while True:
                kind, word = take()
                if kind != "string":
                    raise MlflowError(
                        f"Invalid filter '{text}'. Values of {comparator} must be quoted strings"
                    )
                values.append(unquote(word))
                sep = take()
                if sep == ("punct", ")"):
                    break
                if sep != ("punct", ","):
                    raise MlflowError(f"Invalid filter '{text}'. Expected ',' or ')' in the list")
            value: Any = values
        else:
            kind, word = take()
            if numeric:
                if kind != "number":
                    raise MlflowError(
                        f"Expected numeric value type for metric. Found {word}"
                        if entity == "metrics"
                        else f"Invalid value {word} for attribute {key}"
                    )
                value = float(word)
            elif kind != "string":
                raise MlflowError(
                    f"Value is either not quoted or unidentified quote types used for string value {word}. "
                    "Use either single or double quotes."
                )
            else:
                value = unquote(word)
        clauses.append(Clause(entity, RUN_ATTRIBUTE_ALIASES.get(key, key), comparator, value))
        if i < len(tokens):
            kind, word = take()
            if word.upper() == "OR":
                raise MlflowError("Invalid clause(s) in filter string: OR")
            if word.upper() != "AND":
                raise MlflowError(f"Invalid clause(s) in filter string: {word}")
    return clauses


def like(pattern: str, text: str, insensitive: bool) -> bool:
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.IGNORECASE | re.DOTALL if insensitive else re.DOTALL) is not None


def compare(value: Any, comparator: str, wanted: Any) -> bool:
    if value is None:
        return False
    if comparator == "=":
        return value == wanted
    if comparator == "!=":
        return value != wanted
    if comparator in ("LIKE", "ILIKE"):
        return like(wanted, str(value), comparator == "ILIKE")
    if comparator == "IN":
        return value in wanted
    if comparator == "NOT IN":
        return value not in wanted
    return {"<": value < wanted, "<=": value <= wanted, ">": value > wanted, ">=": value >= wanted}[
        comparator
    ]


def entries(items: list[dict[str, Any]] | None) -> dict[str, Any]:
    return {item["key"]: item["value"] for item in items or []}


def run_value(run: dict[str, Any], entity: str, key: str) -> Any:
    if entity == "metrics":
        return entries(run["data"].get("metrics")).get(key)
    if entity == "params":
        return entries(run["data"].get("params")).get(key)
    if entity == "tags":
        return entries(run["data"].get("tags")).get(key)
    return run["info"].get(key)


def run_matches(run: dict[str, Any], clause: Clause) -> bool:
    if clause.entity == "datasets":
        inputs = run.get("inputs", {}).get("dataset_inputs", [])
        for item in inputs:
            value = (
                entries(item.get("tags")).get("mlflow.data.context")
                if clause.key == "context"
                else item["dataset"].get(clause.key)
            )
            if compare(value, clause.comparator, clause.value):
                return True
        return False
    return compare(run_value(run, clause.entity, clause.key), clause.comparator, clause.value)


def parse_order(order_by: list[str], experiments: bool = False) -> list[tuple[str, str, bool]]:
    orders = []
    for item in order_by:
        tokens = tokenize(item)
        direction = True
        if tokens and tokens[-1][1].upper() in ("ASC", "DESC"):
            direction = tokens[-1][1].upper() == "ASC"
            tokens = tokens[:-1]
        text = "".join(unquote(v) if k in ("backtick", "string") else v for k, v in tokens)
        entity, _, key = text.partition(".")
        if not key:
            entity, key = "attributes", entity
        entity = ENTITIES.get(entity.lower(), "")
        if not entity or entity == "datasets":
            raise MlflowError(f"Invalid order_by entity type '{text}'")
        valid = EXPERIMENT_ATTRIBUTES | {"experiment_id"} if experiments else RUN_ATTRIBUTES
        if entity == "attributes" and key not in valid:
            raise MlflowError(f"Invalid attribute key '{key}' specified. Valid keys are '{valid}'")
        orders.append((entity, key, direction))
    return orders


def sort_key_value(value: Any) -> tuple[int, Any]:
    if value is None:
        return (1, 0)
    try:
        return (0, float(value))
    except (TypeError, ValueError):
        return (0, str(value))


def sorted_runs(runs: list[dict[str, Any]], orders: list[tuple[str, str, bool]]) -> list[dict[str, Any]]:
    """MLflow's order: the asked keys (missing values last), then start_time DESC, then run_id."""
    result = sorted(runs, key=lambda r: r["info"]["run_id"])
    result.sort(key=lambda r: -(r["info"].get("start_time") or 0))
    for entity, key, ascending in reversed(orders):
        present = [r for r in result if run_value(r, entity, key) is not None]
        missing = [r for r in result if run_value(r, entity, key) is None]
        present.sort(key=lambda r: sort_key_value(run_value(r, entity, key)), reverse=not ascending)
        result = present + missing
    return result


def page_token(offset: int) -> str:
    return base64.b64encode(json.dumps({"offset": offset}).encode()).decode()


def token_offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        offset = json.loads(base64.b64decode(token))["offset"]
        if not isinstance(offset, int) or offset < 0:
            raise ValueError
        return offset
    except (ValueError, KeyError, TypeError):
        raise MlflowError(f"Invalid page token, could not base64-decode: {token}") from None


def page(items: list[Any], token: str | None, size: int) -> tuple[list[Any], str | None]:
    start = token_offset(token)
    end = start + size
    return items[start:end], page_token(end) if end < len(items) else None


def positive_int(value: Any, name: str, default: int | None = None, most: int | None = None) -> int:
    if value is None:
        if default is None:
            raise MlflowError(f"Missing value for required parameter '{name}'.")
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise MlflowError(f"Invalid value {value} for parameter '{name}' supplied.") from None
    if number <= 0 or (most is not None and number > most):
        raise MlflowError(
            f"Invalid value {number} for parameter '{name}' supplied. It must be a positive integer"
            + (f" at most {most}" if most else "")
        )
    return number


# ---- the server ------------------------------------------------------------------------------------------


class Replay:
    def __init__(self, args: argparse.Namespace) -> None:
        self.auth = args.auth
        self.recordings = load_recordings("index-auth.json" if args.auth else "index.json")
        self.plain = load_recordings("index.json")
        self.store = store_from_recordings(self.plain)
        if not args.auth and (args.generated_runs or args.xss):
            self.store.generated = Generated(self.store, args.generated_runs, args.xss)
        self.by_name = {r.name: r for r in [*self.plain, *self.recordings]}
        # the accounts of the auth server: the credentials it accepted (a 401 was recorded for a wrong one)
        self.users = {
            r.user.partition(":")[0]: r.user.partition(":")[2]
            for r in self.recordings
            if r.user and r.status != 401
        }
        self.log = open(args.request_log, "a", encoding="utf-8") if args.request_log else None

    def recorded(self, name: str) -> web.Response:
        return self.by_name[name].response()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body_bytes = await request.read()
        if self.log is not None:
            self.log.write(
                json.dumps(
                    {"method": request.method, "path": request.path_qs, "headers": dict(request.headers)}
                )
                + "\n"
            )
            self.log.flush()
        host = request.headers.get("Host", "")
        if not LOCAL_HOST.match(host):
            return self.recorded("security-foreign-host-header")
        origin = request.headers.get("Origin")
        if origin and not LOCAL_ORIGIN.match(origin):
            if request.method == "OPTIONS":
                return self._with_origin(self.recorded("security-cors-preflight-foreign-origin"), origin)
            if request.method not in ("GET", "HEAD"):
                return self._with_origin(self.recorded("security-cors-post-foreign-origin"), origin)
        try:
            body = json.loads(body_bytes) if body_bytes.strip() else None
        except ValueError:
            return self.error(MlflowError("Malformed JSON in the request body", 400, "MALFORMED_REQUEST"))
        account = None
        if self.auth and request.path not in ("/health",):
            account, refusal = self._authenticate(request)
            if refusal is not None:
                return refusal
        path = api_path(request.path)
        query = sorted(parse_qsl(request.query_string, keep_blank_values=True))
        # the experiment list was recorded without the generated experiments: the data answers it then
        listing = self.store.generated is not None and path == f"{API}/experiments/search"
        signed_in = self.auth and account is not None
        for recording in self.recordings:
            if listing or recording.with_headers or (signed_in and recording.user is None):
                continue
            if (
                recording.method == request.method
                and recording.path == path
                and recording.query == query
                and body_matches(recording, body)
                and (recording.user is None or recording.user == account)
            ):
                return recording.response()
        if self.auth:
            if path == "/version":
                return self.recorded("version")
            return self.error(
                MlflowError(
                    f"The replay has no recording of {request.method} {request.path_qs}",
                    404,
                    "ENDPOINT_NOT_FOUND",
                )
            )
        try:
            return await self.answer(request.method, path, request.query, body)
        except MlflowError as e:
            return self.error(e)

    def _with_origin(self, response: web.Response, origin: str) -> web.Response:
        if "access-control-allow-origin" in response.headers:
            response.headers["access-control-allow-origin"] = origin
        return response

    def _authenticate(self, request: web.Request) -> tuple[str | None, web.Response | None]:
        """The account (``user:password``) of a request the auth layer lets through, or its refusal."""
        header = request.headers.get("Authorization", "")
        if not header:
            return None, self.recorded("auth-no-credentials")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return None, self.recorded("auth-bearer-token-not-supported")
        try:
            user, _, password = base64.b64decode(value).decode().partition(":")
        except ValueError:
            return None, self.recorded("auth-wrong-password")
        if self.users.get(user) != password:
            return None, self.recorded("auth-wrong-password")
        return f"{user}:{password}", None

    def error(self, error: MlflowError) -> web.Response:
        return self.json({"error_code": error.code, "message": str(error)}, error.status)

    def json(self, payload: Any, status: int = 200) -> web.Response:
        response = web.Response(
            status=status, text=json.dumps(payload, indent=2), content_type="application/json"
        )
        response.headers.update(COMMON_HEADERS)
        return response

    def html_500(self) -> web.Response:
        return self.recorded("get-artifact-missing")

    def run(self, run_id: str | None) -> dict[str, Any]:
        if not run_id:
            raise MlflowError("Missing value for required parameter 'run_id'.")
        run = self.store.runs.get(run_id)
        if run is None:
            raise MlflowError(f"Run with id={run_id} not found", 404, "RESOURCE_DOES_NOT_EXIST")
        return run

    async def answer(self, method: str, path: str, query: Any, body: Any) -> web.StreamResponse:
        args = dict(query)
        store = self.store
        if method == "GET" and path in ("/version", "/health"):
            return self.recorded(path.strip("/"))
        if path == f"{API}/experiments/search":
            params = body if method == "POST" else {**args, "order_by": query.getall("order_by", [])}
            if method == "POST" and not (body or {}).get("max_results"):
                raise MlflowError(
                    "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer"
                )
            return self.search_experiments(params or {})
        if path == f"{API}/experiments/get" and method == "GET":
            experiment_id = args.get("experiment_id")
            if not experiment_id:
                return self.recorded("experiments-get-missing-param")
            experiment = store.experiments.get(experiment_id)
            if experiment is None:
                raise MlflowError(
                    f"No Experiment with id={experiment_id} exists", 404, "RESOURCE_DOES_NOT_EXIST"
                )
            return self.json({"experiment": experiment})
        if path == f"{API}/experiments/get-by-name" and method == "GET":
            name = args.get("experiment_name")
            for experiment in store.experiments.values():
                if experiment["name"] == name:
                    return self.json({"experiment": experiment})
            raise MlflowError(f"Could not find experiment with name '{name}'", 404, "RESOURCE_DOES_NOT_EXIST")
        if path == f"{API}/runs/search":
            if method != "POST":
                return self.recorded("runs-search-wrong-method")
            return self.search_runs(body or {})
        if path == f"{API}/runs/get" and method == "GET":
            return self.json({"run": self.run(args.get("run_id") or args.get("run_uuid"))})
        if path == f"{API}/metrics/get-history" and method == "GET":
            return self.metric_history(args)
        if path == f"{API}/metrics/get-history-bulk-interval" and method == "GET":
            return self.bulk_interval(query.getall("run_ids", []), args)
        if path == f"{API}/metrics/get-history-bulk" and method == "GET":
            metrics = []
            for run_id in query.getall("run_id", []):
                points = store.history(run_id, args.get("metric_key", ""))
                metrics += [self.point(args["metric_key"], s, p, run_id) for s, p in sorted(points.items())]
            return self.json({"metrics": metrics} if metrics else {})
        if path == f"{API}/artifacts/list" and method == "GET":
            return self.list_artifacts(args.get("run_id") or args.get("run_uuid"), args.get("path", ""))
        if path == "/get-artifact" and method == "GET":
            return self.get_artifact(args.get("run_uuid") or args.get("run_id"), args.get("path", ""))
        if path == f"{API}/logged-models/search" and method == "POST":
            ids = set((body or {}).get("experiment_ids", []))
            models = [m for m in store.logged_models.values() if m["info"]["experiment_id"] in ids]
            return self.json({"models": models} if models else {})
        match = re.fullmatch(rf"{API}/logged-models/([^/]+)(/artifacts/(directories|files))?", path)
        if match and method == "GET":
            return self.logged_model(match.group(1), match.group(3), args)
        if path == f"{API}/experiments/search-datasets" and method == "POST":
            ids = set((body or {}).get("experiment_ids", []))
            found = [d for d in store.datasets if d["experiment_id"] in ids]
            return self.json({"dataset_summaries": found} if found else {})
        if path == f"{API}/model-versions/search" and method == "GET":
            versions = recorded_json("model-versions-search")["model_versions"]
            clause = parse_filter(args.get("filter"), experiments=False) if args.get("filter") else []
            keep = [v for v in versions if all(compare(v.get(c.key), c.comparator, c.value) for c in clause)]
            return self.json({"model_versions": keep} if keep else {})
        if path.startswith(("/api/2.0/", "/get-artifact", "/model-versions")):
            raise MlflowError(
                f"The replay has no recording of {method} {path}, and no data to answer it",
                404,
                "ENDPOINT_NOT_FOUND",
            )
        raise web.HTTPNotFound()

    def search_experiments(self, params: dict[str, Any]) -> web.Response:
        size = positive_int(params.get("max_results"), "max_results", default=1000, most=50_000)
        view = params.get("view_type") or "ACTIVE_ONLY"
        clauses = parse_filter(params.get("filter"), experiments=True)
        orders = parse_order(params.get("order_by") or ["last_update_time DESC"], experiments=True)
        found = []
        for experiment in self.store.experiments.values():
            stage = experiment["lifecycle_stage"]
            if (view == "ACTIVE_ONLY" and stage != "active") or (
                view == "DELETED_ONLY" and stage != "deleted"
            ):
                continue
            tags = entries(experiment.get("tags"))
            if all(
                compare(
                    tags.get(c.key) if c.entity == "tags" else experiment.get(c.key), c.comparator, c.value
                )
                for c in clauses
            ):
                found.append(experiment)
        found.sort(key=lambda e: int(e["experiment_id"]) if e["experiment_id"].isdigit() else 0)
        for _, key, ascending in reversed(orders):
            found.sort(key=lambda e, k=key: sort_key_value(e.get(k)), reverse=not ascending)
        items, token = page(found, params.get("page_token"), size)
        answer: dict[str, Any] = {"experiments": items} if items else {}
        if token:
            answer["next_page_token"] = token
        return self.json(answer)

    def search_runs(self, body: dict[str, Any]) -> web.Response:
        size = body.get("max_results", 1000)
        if not isinstance(size, int) or size <= 0 or size > MAX_RUNS_PER_PAGE:
            raise MlflowError(
                f"Invalid value {size} for parameter 'max_results' supplied:  Hint: Value was of type "
                f"'{type(size).__name__}'. See the API docs for more information about request parameters."
            )
        ids = set(body.get("experiment_ids") or [])
        view = body.get("run_view_type") or "ACTIVE_ONLY"
        clauses = parse_filter(body.get("filter"))
        orders = parse_order(body.get("order_by") or [])
        found = []
        for run in self.store.runs.values():
            info = run["info"]
            if info["experiment_id"] not in ids:
                continue
            stage = info["lifecycle_stage"]
            if (view == "ACTIVE_ONLY" and stage != "active") or (
                view == "DELETED_ONLY" and stage != "deleted"
            ):
                continue
            if all(run_matches(run, clause) for clause in clauses):
                found.append(run)
        items, token = page(sorted_runs(found, orders), body.get("page_token"), size)
        answer: dict[str, Any] = {"runs": items} if items else {}
        if token:
            answer["next_page_token"] = token
        return self.json(answer)

    @staticmethod
    def point(key: str, step: int, point: tuple[float, int], run_id: str | None = None) -> dict[str, Any]:
        metric = {"key": key, "value": point[0], "timestamp": point[1], "step": step}
        if run_id:
            metric["run_id"] = run_id
        return metric

    def metric_history(self, args: dict[str, str]) -> web.Response:
        run_id, key = args.get("run_id") or args.get("run_uuid"), args.get("metric_key")
        if not run_id or not key:
            raise MlflowError(
                f"Missing value for required parameter '{'run_id' if not run_id else 'metric_key'}'."
            )
        if "max_results" not in args:
            # what MLflow 3.6 answers without max_results: no points, and a token that never advances
            return self.json({"next_page_token": page_token(0)})
        size = positive_int(args.get("max_results"), "max_results", most=MAX_HISTORY_PAGE)
        points = sorted(self.store.history(run_id, key).items())
        if run_id not in self.store.runs or not points:
            return self.json({})
        items, token = page(points, args.get("page_token"), size)
        answer: dict[str, Any] = {"metrics": [self.point(key, s, p) for s, p in items]}
        if token:
            answer["next_page_token"] = token
        return self.json(answer)

    def bulk_interval(self, run_ids: list[str], args: dict[str, str]) -> web.Response:
        if not run_ids:
            raise MlflowError("GetMetricHistoryBulkInterval request must specify at least one run_id.")
        if len(run_ids) > MAX_BULK_RUNS:
            raise MlflowError(
                f"GetMetricHistoryBulkInterval request must specify at most {MAX_BULK_RUNS} run_ids. "
                f"Received {len(run_ids)} run_ids. See the API docs for more information about request "
                "parameters."
            )
        key = args.get("metric_key")
        if not key:
            raise MlflowError("Missing value for required parameter 'metric_key'.")
        size = positive_int(
            args.get("max_results"), "max_results", default=MAX_BULK_POINTS, most=MAX_BULK_POINTS
        )
        start = int(args["start_step"]) if "start_step" in args else None
        end = int(args["end_step"]) if "end_step" in args else None
        metrics = []
        for run_id in run_ids:
            points = self.store.history(run_id, key)
            steps = sorted(s for s in points if (start is None or s >= start) and (end is None or s <= end))
            if len(steps) > size:
                # evenly over the steps, keeping the first and the last (as MLflow samples)
                picked = sorted({steps[(i * len(steps)) // size] for i in range(size)} | {steps[-1]})
            else:
                picked = steps
            metrics += [self.point(key, s, points[s], run_id) for s in picked]
        return self.json({"metrics": metrics} if metrics else {})

    def run_files(self, run_id: str) -> dict[str, bytes]:
        generated = self.store.generated
        if generated is not None and run_id in generated.index and run_id not in self.store.artifacts:
            self.store.artifacts[run_id] = generated.artifacts(run_id)
        return self.store.artifacts.get(run_id, {})

    def list_artifacts(self, run_id: str | None, folder: str) -> web.Response:
        run = self.run(run_id)
        if ".." in folder.split("/") or folder.startswith("/"):
            raise MlflowError("Invalid path")
        files = self.run_files(run["info"]["run_id"])
        folders = set(self.store.folders.get(run["info"]["run_id"], set()))
        for name in files:
            parts = name.split("/")
            folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
        prefix = f"{folder.strip('/')}/" if folder.strip("/") else ""
        listing: dict[str, dict[str, Any]] = {}
        for name, content in files.items():
            if name.startswith(prefix) and "/" not in name[len(prefix) :]:
                listing[name] = {"path": name, "is_dir": False, "file_size": len(content)}
        for name in folders:
            if name and name.startswith(prefix) and "/" not in name[len(prefix) :]:
                listing[name] = {"path": name, "is_dir": True}
        answer: dict[str, Any] = {"root_uri": run["info"]["artifact_uri"]}
        if listing:
            answer["files"] = sorted(listing.values(), key=lambda f: f["path"])
        return self.json(answer)

    def get_artifact(self, run_id: str | None, path: str) -> web.Response:
        content = self.run_files(run_id or "").get(path)
        if content is None or ".." in path.split("/"):
            return self.html_500()
        name = path.rsplit("/", 1)[-1]
        kind = "image/png" if name.endswith(".png") else "text/plain"
        response = web.Response(body=content, content_type=kind)
        response.headers.update(COMMON_HEADERS)
        response.headers["content-disposition"] = f"attachment; filename={name}"
        response.headers["cache-control"] = "no-cache"
        return response

    def logged_model(self, model_id: str, part: str | None, args: dict[str, str]) -> web.Response:
        model = self.store.logged_models.get(model_id)
        if model is None:
            raise MlflowError(f"Logged model with ID '{model_id}' not found.", 404, "RESOURCE_DOES_NOT_EXIST")
        files = self.store.model_files.get(model_id, {})
        if part is None:
            return self.json({"model": model})
        if part == "directories":
            listing = [{"path": p, "is_dir": False, "file_size": len(c)} for p, c in sorted(files.items())]
            return self.json({"root_uri": model["info"]["artifact_uri"], "files": listing})
        content = files.get(args.get("artifact_file_path", ""))
        if not content:
            return self.html_500()
        response = web.Response(body=content, content_type="text/plain")
        response.headers.update(COMMON_HEADERS)
        return response


def make_app(args: argparse.Namespace) -> web.Application:
    replay = Replay(args)
    app = web.Application(client_max_size=16 * 1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", replay.handle)
    return app


async def serve(args: argparse.Namespace) -> None:
    runner = web.AppRunner(make_app(args), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, args.host, args.port)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"LISTENING {port}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=0, help="0 picks a free port (printed as LISTENING <port>)"
    )
    parser.add_argument("--auth", action="store_true", help="replay the basic-auth server of index-auth.json")
    parser.add_argument("--generated-runs", type=int, default=0, help="runs in the generated experiment")
    parser.add_argument(
        "--xss", action="store_true", help="add an experiment whose texts hold HTML and script"
    )
    parser.add_argument("--request-log", help="append every request as a JSON line to this file")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
