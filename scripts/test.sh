#!/usr/bin/env bash
# Every test of ESDL Lab: lint, vitest, pytest, the cube server's integration tests, and galata in Chromium.
#   scripts/test.sh            set up, build, and run everything
#   scripts/test.sh STAGE...   only these stages: lint unit python integration install ui
# Set ESDL_SKIP_BUILD=1 to run against what is already built.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(lint unit python integration install ui)

if [ -z "${ESDL_SKIP_BUILD:-}" ]; then
  ensure_system_packages
  bash scripts/build.sh
  if [ -x packages/cube-server/scripts/build-demo-cubes.sh ]; then
    log "building the demo cubes that are missing"
    packages/cube-server/scripts/build-demo-cubes.sh
  fi
fi

failed=()
run_stage() {
  local name=$1
  shift
  log "── $name ──"
  if "$@"; then
    log "$name: passed"
  else
    log "$name: FAILED"
    failed+=("$name")
  fi
}

stage_install() {
  # the extension is installed, enabled and OK for both JupyterLab and the Jupyter server
  local lab server
  lab=$(jupyter labextension list 2>&1)
  server=$(jupyter server extension list 2>&1)
  echo "$lab" | grep -E '@esdl-lab/labextension .*enabled.*OK' || { echo "$lab"; return 1; }
  echo "$server" | grep -E 'esdl_lab .*enabled' || { echo "$server"; return 1; }
  echo "$server" | grep -A2 -E 'esdl_lab .*enabled' | grep -q OK || { echo "$server"; return 1; }
}

stage_ui() {
  ensure_chromium
  (cd ui-tests && playwright test)
}

ensure_chromium() {
  [ -x /usr/bin/chromium ] || apt_install chromium
}

for stage in "${stages[@]}"; do
  case "$stage" in
    lint) run_stage lint bash scripts/lint.sh ;;
    unit) run_stage unit vitest run ;;
    python) run_stage python bash -c "cd packages/server && '$PY' -m pytest -q -p no:cacheprovider" ;;
    integration) run_stage integration npm run --workspaces --if-present test:integration ;;
    install) run_stage install stage_install ;;
    ui) run_stage ui stage_ui ;;
    *) die "unknown test stage '$stage' (stages: lint unit python integration install ui)" ;;
  esac
done

if [ ${#failed[@]} -gt 0 ]; then
  die "failed: ${failed[*]}"
fi
log "all tests passed"
