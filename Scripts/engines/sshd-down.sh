#!/usr/bin/env bash
# Stops the sshd that sshd-up.sh started in DIR and removes DIR unless --keep is given.
#   sshd-down.sh DIR [--keep]
# Processes started through it keep running after it stops: cleaning those up is the tests' job.
set -uo pipefail
source "$(dirname "$0")/common.sh"

[ $# -ge 1 ] || die "usage: sshd-down.sh DIR [--keep]"
dir=$1
[ -d "$dir" ] || exit 0
started=$(date +%s%N)
stop_pid "$dir/sshd.pid"
[ "${2:-}" = "--keep" ] || rm -rf "$dir"
echo "sshd down in $(elapsed_ms "$started") ms"
