#!/usr/bin/env bash
# Stops the Runicorn viewer that runicorn-up.sh started in DIR and removes DIR unless --keep is given.
#   runicorn-down.sh DIR [--keep]
# The viewer runs in a process group of its own (led by its `timeout`): the whole group gets TERM, then KILL.
set -uo pipefail
source "$(dirname "$0")/engines/common.sh"

[ $# -ge 1 ] || die "usage: runicorn-down.sh DIR [--keep]"
dir=$1
[ -d "$dir" ] || exit 0
pid=$(cat "$dir/viewer.pid" 2>/dev/null || true)
if [ -n "$pid" ]; then
    kill -TERM -- "-$pid" 2>/dev/null
    for _ in $(seq 50); do
        kill -0 -- "-$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null
fi
[ "${2:-}" = "--keep" ] || rm -rf "$dir"
echo "Runicorn viewer down"
