#!/usr/bin/env bash
# `npm run bench`: every benchmark of ESDL Lab. Each prints figures and ratios against a reference measured
# in the same run; none fails on a figure. Set ESDL_SKIP_BUILD=1 to run against what is already built.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
if [ -z "${ESDL_SKIP_BUILD:-}" ]; then
  bash scripts/build.sh
  [ -x packages/cube-server/scripts/build-demo-cubes.sh ] && packages/cube-server/scripts/build-demo-cubes.sh
fi
command -v wrk >/dev/null || apt_install wrk

status=0
if [ -f packages/server/bench/bench_proxy.py ]; then
  log "── proxy ──"
  "$PY" packages/server/bench/bench_proxy.py || status=1
fi
if [ -f packages/server/bench/bench_cluster.py ]; then
  log "── cluster kernels ──"
  "$PY" packages/server/bench/bench_cluster.py || status=1
fi
log "── packages ──"
npm run --workspaces --if-present bench || status=1
[ $status -eq 0 ] || log "a benchmark could not run to its end: see above"
