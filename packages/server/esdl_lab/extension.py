"""The ESDL Lab Jupyter server extension: its configuration (``c.ESDLLab.…``) and its routes."""

from __future__ import annotations

import gc
import os
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

from jupyter_server.extension.application import ExtensionApp
from jupyter_server.utils import url_path_join
from traitlets import Bool, Dict, Float, List, Unicode, Union, default

from . import __version__
from .cluster.backends import choose as choose_backend
from .cluster.custom import CustomKernels, CustomKernelsHandler, check_limits
from .cluster.jobs import SERVER_TAG, KernelJobs, KernelJobsHandler
from .cluster.profiles import ProfileError, check_profile, write_kernel_specs
from .local_cubes import NAME, LocalCubes, LocalDatasetsHandler
from .proxy import ProxyHandler
from .status import HealthChecks, StatusHandler
from .upstreams import Upstream, Upstreams, mlflow_upstream, parse_cube_server

SERVER_INFO_VARIABLE = "ESDL_LAB_SERVER_INFO"


class ESDLLab(ExtensionApp):
    """Proxies the browser to the cube servers and MLflow, runs those it manages, reports their state."""

    name = "esdl_lab"
    description = "ESDL Lab: proxy to cube servers and MLflow, managed upstream processes, service status"
    load_other_extensions = True

    # ---- upstreams -----------------------------------------------------------------------------------------
    cube_servers = Dict(
        help="""Cube servers (the xcube server REST API) that the proxy forwards to, by name.

        The name becomes part of the URL, /esdl-lab/cubes/<name>/, so it may hold only letters, digits, '-'
        and '_'. A value is either a running server:
            {"url": "http://host:port/base", "title": "ERA5 on the lab server"}
        or a process that the Jupyter server starts on first use, restarts when it dies and stops with itself:
            {"command": ["esdl-cube-server", "--config", "cubes.yaml", "--port", "{port}"],
             "environment": {"NAME": "value"}, "cwd": "/path", "ready_path": "/", "start_timeout": 30}
        where "{port}" (in the command or the environment) becomes a free loopback port, and the process
        counts as ready once a GET of "ready_path" answers. Entries that are wrong are logged and left out;
        the status view shows why.""",
    ).tag(config=True)

    mlflow_url = Unicode(
        help="""The http(s) URL of the MLflow tracking server that /esdl-lab/mlflow/ forwards to.

        Defaults to MLFLOW_TRACKING_URI when that is an http(s) URL. A file: or sqlite: URI is a local store,
        not a server: the status then says so.""",
    ).tag(config=True)

    mlflow_username = Unicode(
        help="User name for the MLflow server's basic authentication (default: MLFLOW_TRACKING_USERNAME). "
        "The proxy adds the credentials itself; the browser never sees them.",
    ).tag(config=True)

    mlflow_password = Unicode(
        help="Password for the MLflow server's basic authentication (default: MLFLOW_TRACKING_PASSWORD).",
    ).tag(config=True)

    mlflow_token = Unicode(
        help="Bearer token for the MLflow server (default: MLFLOW_TRACKING_TOKEN); used when no user name "
        "and password are set, as MLflow's own client does.",
    ).tag(config=True)

    mlflow_command = Union(
        [List(Unicode()), Dict()],
        default_value=None,
        allow_none=True,
        help="""An MLflow tracking server that the Jupyter server runs itself, like a managed cube server:
        a command, e.g. ["mlflow", "server", "--port", "{port}", "--backend-store-uri", "sqlite:///mlflow.db"],
        or a dict with "command", "environment", "cwd", "ready_path" (e.g. "/health") and "start_timeout".
        It takes the place of mlflow_url.""",
    ).tag(config=True)

    connect_timeout = Float(
        5.0,
        help="Seconds to wait for an upstream to accept a connection before answering 504.",
    ).tag(config=True)

    read_timeout = Float(
        60.0,
        help="""Seconds an upstream may stay silent: with no byte for that long, the proxy answers 504 if
        the response has not started, and otherwise closes the connection: the browser sees it cut short.""",
    ).tag(config=True)

    kernel_profiles = List(
        Dict(),
        config=True,
        help="""Kernel profiles that run each kernel as a Slurm job, offered in the launcher and the kernel
        picker, e.g. {"name": "gpu-1", "gpus": 1, "cpus": 4, "memory": "16G", "walltime": "04:00:00",
        "partition": "gpu", "python": "/opt/env/bin/python"}. Fields: gpus (0-16), cpus, memory (16G, 4000M),
        walltime (HH:MM:SS), partition, python (the environment's interpreter, on every node), lease_seconds
        (how soon a job ends itself once this server is gone, default 60), start_timeout (seconds in the queue
        before giving up, default 600), curve (True: CurveZMQ-encrypted kernel sockets). A wrong profile is
        logged and left out.""",
    )

    kernel_limits = Dict(
        config=True,
        help="""What the "Custom GPU kernel…" form may ask for: {"gpus": 4, "cpus": 8, "memory": "32G",
        "walltime": "08:00:00", "partitions": ["gpu", "short"]}. A field left out is the largest of the
        kernel profiles (partitions: those the profiles name). Only offered when there are profiles.""",
    )

    cluster_backend = Unicode(
        "auto",
        config=True,
        help="""Where kernel profiles run their kernels: "slurm", "local" (processes of this machine, with
        the same profiles, jobs panel, lease and walltime, but no GPU allocation: for laptops and Binder) or
        "auto" (Slurm when sbatch and sinfo are here and answer, else local).""",
    )

    cluster_shared_dir = Unicode(
        "",
        config=True,
        help="""A folder that this server and the cluster's nodes share, for the kernels' connection files,
        job scripts, leases and logs (default ~/.esdl-lab/kernels).""",
    )

    local_cubes = Bool(
        True,
        config=True,
        help="""Serve the datasets that notebooks show (esdl_lab.show(xarray_dataset) or a local netCDF/Zarr
        path) with a cube server of their own, "local", started on first use. The kernel writes them as Zarr
        stores on this machine.""",
    )

    freeze_startup_objects = Bool(
        True,
        help="""Once the server has started, move the objects made during start-up (modules, classes,
        configuration) out of the view of Python's cyclic garbage collector (gc.freeze()). Under a stream of
        proxied requests its full passes otherwise visit the whole Jupyter heap, stalling every request for
        about 100 ms several times a minute. Set to False to leave the collector as it is.""",
    ).tag(config=True)

    # ---- cluster kernels: c.ESDLLab.kernel_profiles is declared here by the cluster launcher (issue 8) ---

    @default("mlflow_url")
    def _mlflow_url_from_environment(self) -> str:
        uri = os.environ.get("MLFLOW_TRACKING_URI", "")
        return uri if urlsplit(uri).scheme in ("http", "https") else ""

    @default("mlflow_username")
    def _mlflow_username_from_environment(self) -> str:
        return os.environ.get("MLFLOW_TRACKING_USERNAME", "")

    @default("mlflow_password")
    def _mlflow_password_from_environment(self) -> str:
        return os.environ.get("MLFLOW_TRACKING_PASSWORD", "")

    @default("mlflow_token")
    def _mlflow_token_from_environment(self) -> str:
        return os.environ.get("MLFLOW_TRACKING_TOKEN", "")

    def initialize_settings(self) -> None:
        cubes: dict[str, Upstream] = {}
        for name, spec in self.cube_servers.items():
            upstream = parse_cube_server(name, spec, connect_timeout=self.connect_timeout, log=self.log)
            cubes[upstream.name] = upstream
        server_config = self.serverapp.config
        raw = server_config["ESDLLab"].get("cube_servers") if "ESDLLab" in server_config else None
        if raw is not None and not isinstance(raw, dict):
            # traitlets refused the value and left the default: show why in the status view too
            problem = (
                f"c.ESDLLab.cube_servers must be a dict of name -> spec, not a {type(raw).__name__}, "
                "so no cube server is configured"
            )
            cubes["cube_servers"] = Upstream("cube", "cube_servers", problem=problem, log=self.log)
        mlflow = mlflow_upstream(
            url=self.mlflow_url,
            env_uri=os.environ.get("MLFLOW_TRACKING_URI"),
            command=self.mlflow_command,
            username=self.mlflow_username,
            password=self.mlflow_password,
            token=self.mlflow_token,
            connect_timeout=self.connect_timeout,
            log=self.log,
        )
        if self.mlflow_command and "mlflow_url" in self.config.get("ESDLLab", {}):
            self.log.warning(
                "esdl_lab: both c.ESDLLab.mlflow_command and mlflow_url are set; mlflow_url is ignored"
            )
        self.upstreams = Upstreams(cubes, mlflow)
        SERVER_TAG["value"] = f"{socket.gethostname()}:{self.serverapp.port}"
        profiles_offered = self._register_kernel_profiles()
        backend = None
        if profiles_offered:
            if self.cluster_backend not in ("auto", "slurm", "local"):
                self.log.error(
                    "esdl_lab: c.ESDLLab.cluster_backend %r is not one of auto, slurm, local: using auto",
                    self.cluster_backend,
                )
            backend = choose_backend(
                self.cluster_backend if self.cluster_backend in ("slurm", "local") else "auto"
            )
            where = (
                "as Slurm jobs" if backend.name == "slurm" else "as processes of this machine (no Slurm here)"
            )
            self.log.info("esdl_lab: kernel profiles run their kernels %s", where)
        self.kernel_jobs = KernelJobs(self.serverapp.kernel_manager, self.log, profiles_offered, backend)
        self.local_cubes_registry: LocalCubes | None = None
        if self.local_cubes and NAME not in cubes:
            command = [
                str(Path(sys.executable).parent / "esdl-cube-server"),
                "--workers",
                "1",
                "--port",
                "{port}",
            ]
            self.local_cubes_registry = LocalCubes(
                self.upstreams, self.serverapp.runtime_dir, command, self.connect_timeout, self.log
            )
        if self.kernel_jobs.enabled:
            self.serverapp.io_loop.add_callback(self.kernel_jobs.cancel_leftovers)
        self.health_checks = HealthChecks()
        # kernels inherit this: the kernel-side API (esdl_lab.show, Cube3D) finds this server's URL and token
        # in its runtime info file, as `jupyter server list` does, and reaches the upstreams through the proxy
        os.environ[SERVER_INFO_VARIABLE] = self.serverapp.info_file
        self._log_upstreams()
        if self.freeze_startup_objects:
            self.serverapp.io_loop.add_callback(self._freeze_startup_objects)

    def _register_kernel_profiles(self) -> bool:
        """Writes a kernel spec per valid profile into a kernels folder of this server, and offers them;
        says whether there are any."""
        profiles = []
        for raw in self.kernel_profiles:
            try:
                profiles.append(check_profile(raw))
            except ProfileError as e:
                self.log.error("esdl_lab: %s. This profile is left out until it is fixed.", e)
        shared = self.cluster_shared_dir or os.path.expanduser("~/.esdl-lab/kernels")
        self.custom_kernels = CustomKernels(None, None, sys.executable, shared, self.log)
        if not profiles:
            return False
        folder = Path(self.serverapp.runtime_dir) / f"esdl-lab-kernels-{os.getpid()}"
        names = write_kernel_specs(profiles, folder / "kernels", sys.executable, shared)
        self.serverapp.kernel_spec_manager.kernel_dirs.insert(0, str(folder / "kernels"))
        try:
            self.custom_kernels.limits = check_limits(dict(self.kernel_limits), profiles)
            self.custom_kernels.folder = folder / "kernels"
        except ProfileError as e:
            self.log.error("esdl_lab: %s. The custom GPU kernel form is off until it is fixed.", e)
        self.log.info("esdl_lab: kernel profiles: %s", ", ".join(names))
        return True

    def _freeze_startup_objects(self) -> None:
        gc.collect()
        gc.freeze()
        self.log.info(
            "esdl_lab: %d start-up objects left out of garbage collection (c.ESDLLab.freeze_startup_objects)",
            gc.get_freeze_count(),
        )

    def _log_upstreams(self) -> None:
        for upstream in self.upstreams.all():
            if upstream.problem is None:
                how = (
                    f"runs {upstream.process.program} on first use"
                    if upstream.process
                    else f"at {upstream.url}"
                )
                auth = ", with credentials" if upstream.authorization else ""
                self.log.info("esdl_lab %s: %s %s%s", __version__, upstream.label, how, auth)
            elif upstream.configured:
                self.log.error("esdl_lab: %s. This entry is left out until it is fixed.", upstream.problem)
            else:
                self.log.info("esdl_lab: %s", upstream.problem)

    def initialize_handlers(self) -> None:
        base_url = self.serverapp.base_url
        proxy = {"upstreams": self.upstreams, "read_timeout": self.read_timeout}
        self.handlers.extend(
            [
                (
                    r"/esdl-lab/status",
                    StatusHandler,
                    {"upstreams": self.upstreams, "checks": self.health_checks},
                ),
                (r"/esdl-lab/cluster/jobs(?:/([^/]*))?", KernelJobsHandler, {"jobs": self.kernel_jobs}),
                (
                    r"/esdl-lab/cluster/(limits|estimate|kernelspecs)",
                    CustomKernelsHandler,
                    {"custom": self.custom_kernels},
                ),
                (r"/esdl-lab/local-datasets", LocalDatasetsHandler, {"local": self.local_cubes_registry}),
                (
                    r"/esdl-lab/cubes(?:/.*)?",
                    ProxyHandler,
                    {**proxy, "kind": "cube", "route_prefix": url_path_join(base_url, "esdl-lab/cubes")},
                ),
                (
                    r"/esdl-lab/mlflow(?:/.*)?",
                    ProxyHandler,
                    {**proxy, "kind": "mlflow", "route_prefix": url_path_join(base_url, "esdl-lab/mlflow")},
                ),
            ]
        )

    async def stop_extension(self) -> None:
        await self.upstreams.close()
        if self.local_cubes_registry is not None:
            self.local_cubes_registry.remove_config()
