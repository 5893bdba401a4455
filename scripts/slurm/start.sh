#!/usr/bin/env bash
# Starts a real single-node Slurm (Debian's slurm-wlm 22.05 and munge) with 4 fake GPUs, for the tests and
# the demo. Needs root and no systemd: munged, slurmctld and slurmd are started by hand, with their pid
# files, configuration, state and logs in one run folder. Idempotent: when it already runs, it only waits
# until the node is idle. scripts/slurm/stop.sh stops it.
#
#   scripts/slurm/start.sh         prints SLURM_CONF=<run folder>/slurm.conf on its last line
#
# Environment: ESDL_SLURM_DIR (run folder, default /tmp/esdl-slurm), ESDL_SLURM_PORT (slurmctld's port,
# default 6817; slurmd listens on the next one), ESDL_SLURM_CGROUPS=no to skip cgroups.
set -euo pipefail

RUN=${ESDL_SLURM_DIR:-/tmp/esdl-slurm}
CTLD_PORT=${ESDL_SLURM_PORT:-6817}
SLURMD_PORT=$((CTLD_PORT + 1))
NODE=$(hostname -s)
CONF=$RUN/slurm.conf
# fake GPUs: character devices with a major number from the local/experimental range (240-254). They must
# be character devices for Slurm to set CUDA_VISIBLE_DEVICES, and never /dev/null's numbers, or the device
# cgroup of every job would deny /dev/null.
GPU_MAJOR=240
GPUS=4
CPUS=8
MEMORY_MB=16000

say() { printf '[esdl-slurm] %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (slurmd runs jobs as their users; munged runs as the munge user)."
for program in munged slurmctld slurmd sinfo; do
  command -v "$program" >/dev/null || die "$program is missing: apt-get install -y slurm-wlm munge"
done

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

export SLURM_CONF=$CONF

node_state() { sinfo -h -N -n "$NODE" -o '%T' 2>/dev/null | head -1; }

wait_idle() {
  local state=""
  for _ in $(seq 1 120); do
    state=$(node_state)
    case "$state" in
      idle | mixed | allocated) return 0 ;;
      drain* | down* | inval*)
        scontrol update NodeName="$NODE" State=RESUME >/dev/null 2>&1 || true ;;
    esac
    sleep 0.5
  done
  say "the node did not become idle (state: '${state:-none}'). Logs: $RUN/log/"
  return 1
}

if alive "$RUN/slurmctld.pid" && alive "$RUN/slurmd.pid" && [ -f "$CONF" ]; then
  wait_idle
  say "already running"
  echo "SLURM_CONF=$CONF"
  exit 0
fi

mkdir -p "$RUN"/{state,spool,log,dev,jobs}
chmod 755 "$RUN"

# ---- munge ------------------------------------------------------------------------------------------------
start_munge() {
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    return 0  # a munged is already running (the system's or ours)
  fi
  [ -f /etc/munge/munge.key ] || {
    /usr/sbin/mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null || /usr/sbin/create-munge-key -f
    chown munge:munge /etc/munge/munge.key
    chmod 400 /etc/munge/munge.key
  }
  # /run is a tmpfs: its munge folder is gone after a reboot
  install -d -o munge -g munge -m 755 /run/munge
  runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid
  cp /run/munge/munged.pid "$RUN/munged.pid"
  for _ in $(seq 1 50); do
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "munged did not start: munge -n | unmunge fails"
}
start_munge

# ---- fake GPUs ----------------------------------------------------------------------------------------------
for i in $(seq 0 $((GPUS - 1))); do
  device=$RUN/dev/nvidia$i
  if [ ! -c "$device" ]; then
    rm -f "$device"
    mknod -m 666 "$device" c "$GPU_MAJOR" "$i"
  fi
done

# ---- configuration ------------------------------------------------------------------------------------------
cgroups_work() {
  [ "${ESDL_SLURM_CGROUPS:-yes}" != no ] || return 1
  # Slurm 22.05's cgroup/v1 plugin needs the v1 hierarchies it uses, writable
  [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = tmpfs ] || return 1
  local controller probe
  for controller in freezer devices memory cpuset; do
    probe=/sys/fs/cgroup/$controller/esdl-slurm-probe.$$
    mkdir "$probe" 2>/dev/null || return 1
    rmdir "$probe"
  done
}

write_config() {
  local cgroups=$1 proctrack task
  if [ "$cgroups" = yes ]; then
    proctrack=proctrack/cgroup task=task/cgroup
    cat >"$RUN/cgroup.conf" <<EOF
CgroupPlugin=cgroup/v1
CgroupMountpoint=/sys/fs/cgroup
ConstrainCores=yes
ConstrainDevices=yes
ConstrainRAMSpace=yes
EOF
  else
    proctrack=proctrack/linuxproc task=task/none
    printf 'CgroupPlugin=autodetect\n' >"$RUN/cgroup.conf"
  fi
  cat >"$RUN/gres.conf" <<EOF
NodeName=$NODE Name=gpu File=$RUN/dev/nvidia[0-$((GPUS - 1))]
EOF
  cat >"$CONF" <<EOF
# written by scripts/slurm/start.sh ($([ "$cgroups" = yes ] && echo "cgroups" || echo "no cgroups"))
ClusterName=esdl
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$RUN/state
SlurmdSpoolDir=$RUN/spool
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=$RUN/log/slurmctld.log
SlurmdLogFile=$RUN/log/slurmd.log
ProctrackType=$proctrack
TaskPlugin=$task
# a 2-core machine advertised as $CPUS CPUs and $MEMORY_MB MB, so that several kernels fit
SlurmdParameters=config_overrides
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=512
GresTypes=gpu
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=5,sched_min_interval=100000
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
ReturnToService=2
# finished jobs stay visible to scontrol (there is no accounting daemon, so no sacct) for this long
MinJobAge=600
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEMORY_MB Gres=gpu:$GPUS State=UNKNOWN
PartitionName=gpu Nodes=$NODE Default=YES MaxTime=24:00:00 State=UP
PartitionName=short Nodes=$NODE MaxTime=01:00:00 State=UP
EOF
}

stop_daemons() {
  local name pid
  for name in slurmd slurmctld; do
    if alive "$RUN/$name.pid"; then
      pid=$(cat "$RUN/$name.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$RUN/$name.pid"
  done
}

start_daemons() {
  stop_daemons
  # -c: a clean start. Jobs saved in the state folder by an earlier run (a machine that stopped with kernel
  # jobs running) have no processes any more, yet would hold their GPUs as RUNNING until Slurm gave up on them.
  slurmctld -c
  for _ in $(seq 1 100); do
    scontrol ping 2>/dev/null | grep -q 'is UP' && break
    sleep 0.1
  done
  scontrol ping 2>/dev/null | grep -q 'is UP' || { say "slurmctld did not answer: $(tail -5 "$RUN/log/slurmctld.log")"; return 1; }
  slurmd
  for _ in $(seq 1 50); do
    alive "$RUN/slurmd.pid" && return 0
    sleep 0.1
  done
  say "slurmd did not start: $(tail -5 "$RUN/log/slurmd.log")"
  return 1
}

if cgroups_work; then cgroups=yes; else cgroups=no; fi
write_config "$cgroups"
if ! { start_daemons && wait_idle; }; then
  [ "$cgroups" = yes ] || die "Slurm did not start; see $RUN/log/"
  say "Slurm did not start with cgroups; trying again with proctrack/linuxproc and task/none"
  write_config no
  start_daemons && wait_idle || die "Slurm did not start; see $RUN/log/"
fi

say "Slurm runs: node $NODE, $GPUS GPUs, $CPUS CPUs, $(grep -q proctrack/cgroup "$CONF" && echo with || echo without) cgroups; run folder $RUN"
echo "SLURM_CONF=$CONF"
