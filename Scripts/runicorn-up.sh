#!/usr/bin/env bash
# Starts a real Runicorn viewer on 127.0.0.1 for the SDK's and the CLI's Runicorn compatibility tests:
#   runicorn-up.sh DIR [PORT]
# DIR receives a storage directory seeded by runicorn-seed.py (with Runicorn's own SDK), the viewer's log, its
# home (Runicorn writes its config and logs under $HOME), and DIR/runicorn.env with:
#   RUNICORN_URL, RUNICORN_PORT, RUNICORN_PID, RUNICORN_STORAGE, RUNICORN_RUN_BASELINE, RUNICORN_RUN_HIGH_LR,
#   RUNICORN_RUN_NLP
# PORT defaults to a free high port. Installs nothing: Runicorn must be installed already (.ci/run does it with
# `python3 -m pip install runicorn`). The viewer stops by itself after 15 minutes; stop it with runicorn-down.sh DIR.
set -euo pipefail
source "$(dirname "$0")/engines/common.sh"
scripts=$(cd "$(dirname "$0")" && pwd)

[ $# -ge 1 ] || die "usage: runicorn-up.sh DIR [PORT]"
python=${PYTHON:-python3}
"$python" -c 'import runicorn' 2>/dev/null || die "Runicorn is not installed for $python ($python -m pip install runicorn)"
mkdir -p "$1"
dir=$(cd "$1" && pwd)
started=$(date +%s%N)
port=${2:-$(free_port)}
mkdir -p "$dir/home" "$dir/storage"

HOME="$dir/home" "$python" "$scripts/runicorn-seed.py" "$dir/storage" >"$dir/runs.env" 2>"$dir/seed.log" || {
    cat "$dir/seed.log" >&2
    die "seeding the storage with Runicorn's SDK failed"
}

# The viewer runs in a session of its own with no descriptor of this script's but its log: whoever started this
# script (a test's Process, which learns of its child's end when every copy of a socket it passed is closed) sees the
# script end, not the viewer. `timeout` bounds the viewer's life.
HOME="$dir/home" "$python" - "$dir" "$port" "$python" >"$dir/viewer.pid" <<'PY'
import subprocess, sys
directory, port, python = sys.argv[1:4]
with open(f"{directory}/viewer.log", "ab") as log:
    viewer = subprocess.Popen(
        ["timeout", "900", python, "-m", "runicorn", "viewer", "--storage", f"{directory}/storage", "--host", "127.0.0.1",
         "--port", port, "--log-level", "WARNING"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, close_fds=True, start_new_session=True)
print(viewer.pid)
PY

viewer_ready() {
    "$python" - "$port" <<'PY'
import json, sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/health", timeout=2) as answer:
    assert json.load(answer)["status"] == "ok"
PY
}
if ! wait_for 60 viewer_ready; then
    cat "$dir/viewer.log" >&2 || true
    stop_pid "$dir/viewer.pid"
    die "the Runicorn viewer did not answer on 127.0.0.1:$port"
fi

{
    echo "RUNICORN_URL=http://127.0.0.1:$port"
    echo "RUNICORN_PORT=$port"
    echo "RUNICORN_PID=$(cat "$dir/viewer.pid")"
    echo "RUNICORN_STORAGE=$dir/storage"
    cat "$dir/runs.env"
} >"$dir/runicorn.env"
echo "Runicorn $("$python" -c 'import runicorn; print(runicorn.__version__)' 2>/dev/null || echo '?') viewer up in $(elapsed_ms "$started") ms on 127.0.0.1:$port"
