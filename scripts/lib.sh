# Shared helpers of the ESDL Lab scripts (sourced, never run). They keep every step idempotent, so that
# `npm run demo` and `npm test` install only what is missing on a fresh machine and are fast the second time.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
JUPYTERLAB_VERSION=4.6.4
export PATH="$VENV/bin:$ROOT/node_modules/.bin:$PATH"

log() { printf '\033[1;34m[esdl-lab]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[esdl-lab] %s\033[0m\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

# apt-get install of Debian packages that are missing; only as root on a Debian-like system.
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! is_root || ! command -v apt-get >/dev/null; then
    die "Missing system packages: ${missing[*]}. Install them (e.g. sudo apt-get install ${missing[*]}) and run again."
  fi
  log "installing Debian packages: ${missing[*]}"
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    apt-get update -qq
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# pip spends minutes retrying an unreachable public index. When the configured index cannot be reached
# but pip has local (file://) indexes configured, use those as the index; a machine whose pip reaches its
# index keeps the normal behaviour.
configure_pip() {
  [ -n "${PIP_INDEX_URL:-}" ] && return 0
  local index extra
  index=$(python3 -m pip config get global.index-url 2>/dev/null || true)
  index=${index:-https://pypi.org/simple}
  if python3 - "$index" <<'PYEOF' 2>/dev/null; then
import sys, urllib.request
urllib.request.urlopen(sys.argv[1].rstrip("/") + "/pip/", timeout=3)
PYEOF
    return 0
  fi
  extra=$(python3 -m pip config get global.extra-index-url 2>/dev/null || true)
  local local_indexes=()
  for url in $extra; do
    case "$url" in file://*) local_indexes+=("$url") ;; esac
  done
  if [ ${#local_indexes[@]} -gt 0 ]; then
    export PIP_INDEX_URL="${local_indexes[0]}"
    export PIP_EXTRA_INDEX_URL="${local_indexes[*]:1}"
    log "pip index $index is unreachable: using the local index $PIP_INDEX_URL"
  fi
}

# The Python for the virtual environment: Debian's python3 with xarray and zarr when it has them, so that
# the kernel can open cubes (zarr is not on every pip index); otherwise the first python3.
base_python() {
  local candidate
  for candidate in /usr/bin/python3 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import xarray, zarr, venv' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  command -v python3 || die "python3 was not found: install Python 3.10 or newer."
}

ensure_system_packages() {
  # Debian: the kernel's xarray + zarr, venv support, the demo data (ferret-datasets), the cube server's
  # integration tests and benchmark (GDAL reads its WMTS, wrk loads it), and Slurm for the GPU kernel jobs
  if [ -f /etc/debian_version ] && is_root; then
    apt_install python3-venv python3-xarray python3-zarr python3-fsspec python3-aiohttp python3-netcdf4 python3-cftime \
      python3-sklearn ferret-datasets gdal-bin wrk shellcheck slurm-wlm
  fi
}

ensure_node_modules() {
  command -v node >/dev/null || die "Node.js 20 or newer is needed: install it and run again."
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || die "Node.js $(node --version) is too old: ESDL Lab needs Node 20 or newer."
  if [ ! -f "$ROOT/node_modules/.package-lock.json" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    log "installing npm packages (npm ci)"
    (cd "$ROOT" && npm ci --no-audit --no-fund)
  fi
}

ensure_venv() {
  configure_pip
  if [ ! -x "$PY" ]; then
    local base
    base=$(base_python)
    log "creating the Python virtual environment .venv from $base"
    "$base" -m venv --system-site-packages "$VENV"
  fi
  local stamp="$VENV/.esdl-requirements"
  local wanted="jupyterlab==$JUPYTERLAB_VERSION ipykernel ipywidgets hatchling editables ruff pytest pytest-asyncio psutil nbclient"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    log "installing JupyterLab $JUPYTERLAB_VERSION and the test tools into .venv"
    # shellcheck disable=SC2086
    "$PY" -m pip install -q $wanted
    echo "$wanted" >"$stamp"
  fi
  "$PY" -c 'import xarray, zarr' 2>/dev/null ||
    log "warning: the kernel has no xarray/zarr; on Debian: apt-get install python3-xarray python3-zarr, then rm -rf .venv"
}

# Installs the esdl-lab Python package in development mode, with its labextension linked (not copied),
# so that a rebuild is seen without reinstalling.
ensure_python_package() {
  local stamp="$VENV/.esdl-package"
  local fingerprint
  fingerprint=$(cat "$ROOT/packages/server/pyproject.toml" | sha256sum | cut -c1-16)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$fingerprint" ]; then
    log "installing the esdl-lab Python package (editable)"
    # `jupyter labextension develop` leaves a copy of install.json in the built extension, which the wheel
    # also takes from packages/server/install.json: two files at one path stop the build
    rm -f "$ROOT/packages/server/esdl_lab/labextension/install.json"
    "$PY" -m pip install -q --no-build-isolation -e "$ROOT/packages/server[test]"
    echo "$fingerprint" >"$stamp"
  fi
  jupyter labextension develop --overwrite "$ROOT/packages/server" >/dev/null 2>&1 ||
    die "linking the labextension failed: run 'jupyter labextension develop --overwrite packages/server' to see why"
}
