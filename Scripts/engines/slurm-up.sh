#!/usr/bin/env bash
# Starts a private single-node Slurm on 127.0.0.1 for the fleeting plugin tests:
#   slurm-up.sh DIR
# DIR (created if missing, should be empty) receives the configuration, state, logs, a private munged socket and two
# fake GPUs (character devices like /dev/null), and DIR/slurm.env with what clients need:
#   SLURM_CONF, AUTOGIT_SLURM_DIR, AUTOGIT_SLURM_PARTITION, AUTOGIT_SLURM_GPUS, AUTOGIT_SLURM_GPU_TYPE
# Needs root and Debian's slurmctld, slurmd, slurm-client and munge. Stop it with slurm-down.sh DIR.
# Facts behind the choices: ../../../shared/ENGINES.md (single node "localhost", batch_sched_delay=0, fake GPUs).
set -euo pipefail
source "$(dirname "$0")/common.sh"

[ $# -eq 1 ] || die "usage: slurm-up.sh DIR"
[ "$(id -u)" -eq 0 ] || die "needs root (slurmd runs jobs as their users)"
for tool in slurmctld slurmd sbatch squeue scontrol munged setpriv mknod; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install slurmctld slurmd slurm-client munge)"
done

mkdir -p "$1"
dir=$(cd "$1" && pwd)
mkdir -p "$dir"/{etc,state,spool,log,run,dev,munge}
started=$(date +%s%N)

# munged as the munge user, with its own key and socket: it never touches a system munged.
chown munge:munge "$dir/munge"
chmod 0711 "$dir" "$dir/munge"
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chown munge:munge "$dir/munge/munge.key"
chmod 0400 "$dir/munge/munge.key"
socket="$dir/munge/munge.socket"
setpriv --reuid=munge --regid=munge --init-groups \
    munged --force --socket="$socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"
wait_for 10 test -S "$socket" || die "munged did not create its socket; see $dir/munge/munged.log"

# Two fake GPUs: copies of /dev/null, so slurmd accepts them as devices and sets CUDA_VISIBLE_DEVICES.
for i in 0 1; do
    [ -e "$dir/dev/nvidia$i" ] || mknod "$dir/dev/nvidia$i" c 1 3
done

ctld_port=$(free_port)
slurmd_port=$(free_port)
[ "$ctld_port" != "$slurmd_port" ] || slurmd_port=$((ctld_port + 1))

cat >"$dir/etc/slurm.conf" <<CONF
ClusterName=autogit
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SlurmdParameters=config_overrides
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
ReturnToService=2
MinJobAge=60
GresTypes=gpu
NodeName=localhost NodeAddr=127.0.0.1 CPUs=8 RealMemory=4000 Gres=gpu:fake:2 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
cat >"$dir/etc/gres.conf" <<CONF
NodeName=localhost Name=gpu Type=fake File=$dir/dev/nvidia[0-1]
CONF

export SLURM_CONF="$dir/etc/slurm.conf"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF" -N localhost

# Ready when the node is idle *and* its slurmd has registered (a restarted controller reports saved state first).
node_ready() {
    local info
    info=$(scontrol show node localhost 2>/dev/null) || return 1
    grep -q 'State=IDLE' <<<"$info" || return 1
    grep -Eq 'SlurmdStartTime=[0-9]' <<<"$info"
}
if ! wait_for 30 node_ready; then
    scontrol show node localhost >&2 || true
    die "Slurm did not become ready; logs in $dir/log"
fi

cat >"$dir/slurm.env" <<ENV
SLURM_CONF=$SLURM_CONF
AUTOGIT_SLURM_DIR=$dir
AUTOGIT_SLURM_PARTITION=debug
AUTOGIT_SLURM_GPUS=2
AUTOGIT_SLURM_GPU_TYPE=fake
ENV
echo "slurm up in $(elapsed_ms "$started") ms: SLURM_CONF=$SLURM_CONF (controller port $ctld_port)"
