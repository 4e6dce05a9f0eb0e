#!/usr/bin/env bash
# A real single-node SLURM cluster on this machine (Debian/Ubuntu, as root), for the SLURM tests
# (tests/calibration/test_slurm.py) and for trying `--scheduler slurm` before using a real cluster.
#
#   bash scripts/local_slurm.sh                 install slurm-wlm and munge if missing, start munged, slurmctld
#                                               and slurmd, wait until the node is idle (says so if already up)
#   bash scripts/local_slurm.sh --install-only  install the packages if missing; start nothing
#   bash scripts/local_slurm.sh --stop          stop the daemons this script started
#
# One node (this host: CPUs from its affinity mask, at least 2, each one allocatable whatever the hardware's
# cores and threads, as this config says rather than what slurmd detects; memory from /proc/meminfo), one
# default partition `debug`, no cgroups, no accounting. Config /etc/slurm/slurm.conf (written only if absent
# or written by this script), state in /var/spool/slurm-local, logs in /var/log/slurm-local. Exits non-zero
# with a message on failure.
set -euo pipefail

MARK="# written by mfdem scripts/local_slurm.sh"
CONF_DIR=/etc/slurm
CONF=$CONF_DIR/slurm.conf
STATE=/var/spool/slurm-local
LOGS=/var/log/slurm-local
PARTITION=debug
WAIT_S=60

die() { echo "local_slurm: $*" >&2; exit 1; }
say() { echo "local_slurm: $*"; }

have_binaries() {
    local b
    for b in munged munge slurmctld slurmd sinfo sbatch squeue scancel scontrol; do
        command -v "$b" >/dev/null 2>&1 || return 1
    done
}

install() {
    local log=/tmp/local_slurm-apt.log
    have_binaries && return 0
    [ "$(id -u)" -eq 0 ] || die "slurm-wlm and munge are not installed; run this as root to install them"
    command -v apt-get >/dev/null 2>&1 \
        || die "apt-get not found: install SLURM (slurmctld, slurmd, client) and munge with the package manager"
    say "installing slurm-wlm and munge"
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends slurm-wlm munge; } >"$log" 2>&1; then
        tail -n 5 "$log" >&2
        die "apt-get install slurm-wlm munge failed (full output: $log)"
    fi
    have_binaries || die "the packages are installed but a SLURM or munge command is still missing from PATH"
}

# the pid in a pid file if that process is alive
live_pid() {
    local pid
    [ -s "$1" ] || return 1
    pid=$(cat "$1")
    kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# the CPUs this host lets us use (its affinity mask); plain nproc would also obey OMP_NUM_THREADS, which a CI
# environment may set to 1
host_cpus() { env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc; }

node_state() { sinfo -h -n "$HOST" -o %T 2>/dev/null | head -n1; }

stop() {
    local f pid
    [ "$(id -u)" -eq 0 ] || die "stopping the daemons needs root"
    for f in /run/slurmd-local.pid /run/slurmctld-local.pid /run/munge/munged-local.pid; do
        pid=$(live_pid "$f") || continue
        kill "$pid"
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done   # up to 10 s
        kill -0 "$pid" 2>/dev/null && die "process $pid ($f) did not stop"
        rm -f "$f"
    done
    say "stopped"
}

write_conf() {
    local cpus mem
    cpus=$(host_cpus)
    [ "$cpus" -ge 2 ] || cpus=2   # two one-CPU jobs side by side even on a one-CPU host (they share it)
    mem=$(awk '/^MemTotal:/ {printf "%d", $2 / 1024 * 0.95}' /proc/meminfo)   # MiB, a margin below the total
    if [ -e "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then
        die "$CONF exists and was not written by this script (a real cluster's config?); not touching it"
    fi
    mkdir -p "$CONF_DIR" "$STATE/ctld" "$STATE/d" "$LOGS"
    cat >"$CONF.tmp" <<EOF
$MARK: a single-node test cluster
ClusterName=mfdem-local
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldPidFile=/run/slurmctld-local.pid
SlurmdPidFile=/run/slurmd-local.pid
SlurmctldLogFile=$LOGS/slurmctld.log
SlurmdLogFile=$LOGS/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SlurmdParameters=config_overrides
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
ReturnToService=2
KillWait=5
MinJobAge=30
SlurmdTimeout=30
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$cpus Boards=1 SocketsPerBoard=1 CoresPerSocket=$cpus ThreadsPerCore=1 RealMemory=$mem State=UNKNOWN
PartitionName=$PARTITION Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
    mv "$CONF.tmp" "$CONF"
}

start_munge() {
    if live_pid /run/munge/munged-local.pid >/dev/null || munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
        return 0
    fi
    [ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key >/dev/null
    chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
    mkdir -p /run/munge /var/lib/munge /var/log/munge
    chown munge:munge /run/munge /var/lib/munge /var/log/munge
    runuser -u munge -- munged --pid-file=/run/munge/munged-local.pid \
        || die "munged did not start; see /var/log/munge/munged.log"
    munge -n | unmunge >/dev/null || die "munge does not work (munge -n | unmunge); see /var/log/munge/munged.log"
}

start() {
    [ "$(id -u)" -eq 0 ] || die "starting the daemons needs root"
    local state
    state=$(node_state || true)
    if [ -n "$state" ] && live_pid /run/slurmctld-local.pid >/dev/null \
            && live_pid /run/slurmd-local.pid >/dev/null; then
        say "already running: node $HOST is ${state}, partition $PARTITION"
        return 0
    fi
    write_conf
    start_munge
    live_pid /run/slurmctld-local.pid >/dev/null || slurmctld || die "slurmctld did not start; see $LOGS/slurmctld.log"
    live_pid /run/slurmd-local.pid >/dev/null || slurmd || die "slurmd did not start; see $LOGS/slurmd.log"
    local t0=$SECONDS
    while true; do
        state=$(node_state || true)
        case "$state" in
            idle|mixed|allocated) break ;;
            down*|drain*|fail*) scontrol update NodeName="$HOST" State=RESUME 2>/dev/null || true ;;
        esac
        if [ $((SECONDS - t0)) -ge $WAIT_S ]; then
            echo "local_slurm: node $HOST not idle after ${WAIT_S} s (state: '${state:-no answer}')" >&2
            tail -n 5 "$LOGS/slurmctld.log" "$LOGS/slurmd.log" >&2 2>/dev/null || true
            exit 1
        fi
        sleep 0.5
    done
    say "running: node $HOST ($(sinfo -h -n "$HOST" -o %c | head -n1) CPUs) is ${state}, partition $PARTITION" \
        "(sinfo, sbatch, squeue, scancel)"
}

HOST=$(hostname -s)
case "${1:-}" in
    "") install; start ;;
    --install-only) install; say "slurm-wlm and munge are installed" ;;
    --stop) stop ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' ;;
    *) die "unknown option '$1'; use --install-only, --stop or no option" ;;
esac
