#!/usr/bin/env bash
# Stops the Slurm that slurm-up.sh started in DIR: cancels every job first (job processes outlive the daemons),
# then stops slurmd, slurmctld and munged, and removes DIR unless --keep is given.
#   slurm-down.sh DIR [--keep]
set -uo pipefail
source "$(dirname "$0")/common.sh"

[ $# -ge 1 ] || die "usage: slurm-down.sh DIR [--keep]"
dir=$1
[ -d "$dir" ] || exit 0
dir=$(cd "$dir" && pwd)
started=$(date +%s%N)
export SLURM_CONF="$dir/etc/slurm.conf"

if [ -f "$dir/run/slurmctld.pid" ] && is_running "$(cat "$dir/run/slurmctld.pid")"; then
    scancel --full --quiet --user="$(id -un)" 2>/dev/null || true
    # Wait (bounded) for cancelled jobs to leave their running states, so no job process is orphaned.
    wait_for 10 bash -c "! squeue -h -t R,CG,CF,S 2>/dev/null | grep -q ." || echo "slurm-down: jobs still active" >&2
fi
stop_pid "$dir/run/slurmd.pid"
stop_pid "$dir/run/slurmctld.pid"
stop_pid "$dir/munge/munged.pid"
# A slurmstepd left behind (a daemon killed mid-job) would keep its job alive: end any that run from this DIR.
for pid in $(pgrep -f "slurmstepd" 2>/dev/null); do
    if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "SLURM_CONF=$SLURM_CONF"; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
done
[ "${2:-}" = "--keep" ] || rm -rf "$dir"
echo "slurm down in $(elapsed_ms "$started") ms"
