#!/usr/bin/env bash
# Stops the Slurm that scripts/slurm/start.sh started, by its pid files: slurmd, slurmctld, and munged
# when start.sh started it. Jobs still running are cancelled first. Idempotent.
set -euo pipefail

RUN=${ESDL_SLURM_DIR:-/tmp/esdl-slurm}
export SLURM_CONF=$RUN/slurm.conf

stop() {
  local file=$1 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

if [ -f "$RUN/slurmctld.pid" ] && kill -0 "$(cat "$RUN/slurmctld.pid")" 2>/dev/null; then
  scancel --full --quiet --user=root 2>/dev/null || true
fi
stop "$RUN/slurmd.pid"
stop "$RUN/slurmctld.pid"
stop "$RUN/munged.pid"
echo "[esdl-slurm] stopped" >&2
