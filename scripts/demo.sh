#!/usr/bin/env bash
# `npm run demo`: installs what is missing, builds, makes the demo cubes, and starts JupyterLab with ESDL
# Lab on 127.0.0.1, printing the URL to open.
#   ESDL_DEMO_PORT (default 8888)    the port of JupyterLab
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_system_packages
bash scripts/build.sh

if [ -x packages/cube-server/scripts/build-demo-cubes.sh ]; then
  log "building the demo cubes that are missing (first time only)"
  packages/cube-server/scripts/build-demo-cubes.sh
fi

mkdir -p "$ROOT/examples"
config_dir="$ROOT/.esdl-lab/jupyter"
mkdir -p "$config_dir"
cat >"$config_dir/jupyter_server_config.py" <<PYEOF
# Written by scripts/demo.sh: the demo's Jupyter server configuration.
c.ServerApp.ip = "127.0.0.1"
c.ServerApp.port = ${ESDL_DEMO_PORT:-8888}
c.ServerApp.open_browser = False
c.ServerApp.root_dir = "$ROOT/examples"
c.ServerApp.allow_root = True
c.LabApp.extension_manager = "readonly"
c.ESDLLab.cube_servers = {
    "demo": {
        "title": "ESDL demo cubes",
        "command": ["$VENV/bin/esdl-cube-server", "--config", "$ROOT/packages/cube-server/demo/cubes.yaml", "--port", "{port}"],
    },
}
PYEOF

# GPU kernels as Slurm jobs: a single-node Slurm with 4 fake GPUs when this machine can run one (as root)
if is_root && command -v slurmctld >/dev/null && conf=$(bash scripts/slurm/start.sh | tail -1); then
  export "${conf?}"
  cat >>"$config_dir/jupyter_server_config.py" <<PYEOF
c.ESDLLab.kernel_profiles = [
    {"name": "gpu-1", "gpus": 1, "cpus": 2, "memory": "4G", "walltime": "04:00:00"},
    {"name": "gpu-2", "gpus": 2, "cpus": 4, "memory": "8G", "walltime": "01:00:00"},
]
PYEOF
  log "GPU kernel profiles run as jobs of the local Slurm ($conf)"
else
  # the local backend: the same launcher cards, jobs panel, lease and walltime, kernels as local processes
  cat >>"$config_dir/jupyter_server_config.py" <<PYEOF
c.ESDLLab.cluster_backend = "local"
c.ESDLLab.kernel_profiles = [
    {"name": "cpu-2", "gpus": 0, "cpus": 2, "memory": "4G", "walltime": "04:00:00"},
]
PYEOF
  log "no Slurm here (it needs root and slurm-wlm): kernel profiles run on this machine (the local backend)"
fi

export JUPYTER_CONFIG_DIR="$config_dir"
log "starting JupyterLab; open the URL with the token that it prints below (Ctrl-C stops it)"
exec jupyter lab
