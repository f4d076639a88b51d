#!/bin/sh
# slurm_cluster.sh — a throwaway single-node Slurm cluster for the tests, so that `make test`
# runs liandan's Slurm job arrays and `executor: slurm` against the real daemons.
#
#   tests/slurm_cluster.sh start DIR   munged, slurmctld and slurmd, configured in DIR, on free
#                                      ports; writes DIR/env (SLURM_CONF and friends, sh syntax)
#   tests/slurm_cluster.sh stop DIR    stops the daemons it started, by the PIDs in DIR
#
# Needs root (slurmd runs jobs as their submitter) and Debian's slurmctld, slurmd, slurm-client
# and munge packages (scripts/deps.sh --test). Exit status 77 when the cluster cannot exist here
# (not root, no packages): the caller counts its test as skipped. No systemd, no cgroups: process
# tracking by parent PID (proctrack/linuxproc), no task binding, no accounting. The node claims
# 16 CPUs whatever the machine has (SlurmdParameters=config_overrides), so 4 workers of
# examples/slurm (4 CPUs each) or a dozen one-CPU trial jobs run side by side on 2 cores. KillWait is 5 s: a cancelled or timed-out job's
# processes get SIGTERM, then SIGKILL 5 s later.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH # whatever PATH a failing test left behind
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
case $dir in /*) ;; *) dir=$PWD/$dir ;; esac

stop_pid_file() {
    [ -f "$1" ] || return 0
    pid=$(cat "$1" 2>/dev/null || true)
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || return 0
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -9 "$pid" 2>/dev/null || true
}

if [ "$cmd" = stop ]; then
    # the jobs' processes first (slurmd would otherwise leave them running), then the daemons
    if [ -f "$dir/env" ]; then
        . "$dir/env"
        scancel --full --quiet --user="$(id -un)" 2>/dev/null || true
        sleep 1
    fi
    stop_pid_file "$dir/slurmd.pid"
    stop_pid_file "$dir/slurmctld.pid"
    stop_pid_file "$dir/munged.pid"
    exit 0
fi
[ "$cmd" = start ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

skip() { echo "slurm_cluster: skipped: $*" >&2; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "slurmd must run as root to start jobs"
for c in munged mungekey slurmctld slurmd sbatch squeue scontrol scancel; do
    command -v "$c" >/dev/null 2>&1 || [ -x "/usr/sbin/$c" ] ||
        skip "no '$c' (apt-get install slurmctld slurmd slurm-client munge)"
done
id munge >/dev/null 2>&1 || skip "no user 'munge' (the munge package makes it)"

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

mkdir -p "$dir/munge" "$dir/state" "$dir/spool"
chmod 755 "$dir"
chown munge:munge "$dir/munge"
chmod 700 "$dir/munge"
runuser -u munge -- mungekey --create --keyfile="$dir/munge/munge.key" >/dev/null 2>&1 ||
    runuser -u munge -- dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$dir/munge/munge.key"
runuser -u munge -- munged --force --socket="$dir/munge/munge.socket" \
    --key-file="$dir/munge/munge.key" --log-file="$dir/munge/munged.log" \
    --pid-file="$dir/munge/munged.pid" --seed-file="$dir/munge/munged.seed" ||
    { cat "$dir/munge/munged.log" >&2 2>/dev/null; exit 1; }
cp "$dir/munge/munged.pid" "$dir/munged.pid"

host=$(hostname -s)
cat > "$dir/slurm.conf" <<EOF
# written by tests/slurm_cluster.sh
ClusterName=liandantest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SlurmdParameters=config_overrides
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
KillWait=5
MinJobAge=600
SchedulerParameters=sched_interval=1
NodeName=$host NodeAddr=127.0.0.1 CPUs=16 RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
cat > "$dir/env" <<EOF
SLURM_CONF=$dir/slurm.conf
PATH=\$PATH:/usr/sbin
export SLURM_CONF PATH
EOF
export SLURM_CONF="$dir/slurm.conf"
slurmctld -i -f "$SLURM_CONF" || { tail -n 20 "$dir/slurmctld.log" >&2; exit 1; }
slurmd -f "$SLURM_CONF" || { tail -n 20 "$dir/slurmd.log" >&2; exit 1; }
# ready when the node takes jobs
i=0
while [ $i -lt 150 ]; do
    state=$(sinfo -h -N -o %t 2>/dev/null | head -n 1)
    case $state in idle*|mix*|alloc*) exit 0 ;; esac
    sleep 0.2
    i=$((i + 1))
done
echo "slurm_cluster: the node did not come up (state '${state:-none}')" >&2
tail -n 20 "$dir/slurmctld.log" "$dir/slurmd.log" >&2
exit 1
