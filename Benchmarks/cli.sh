#!/usr/bin/env bash
# The CLI's round trip against curl: `autogit runners list -o json` (process start, request, decode, render) vs
# `curl -s` of the same URL, with 100 runners registered, as medians over 30 runs each, in release mode.
#
#   bash Benchmarks/cli.sh [--runs 30] [--static]
#
# --static builds autogit with --static-swift-stdlib into .build-static (needs Debian's libcurl4-openssl-dev to link
# FoundationNetworking): start-up is dominated by loading the Swift runtime and Foundation, and a static binary
# loads fewer shared objects. Needs hyperfine and curl. Everything binds 127.0.0.1 and stops when the script exits.
set -euo pipefail

runs=30
static=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --static) static=1; shift ;;
        *) echo "unknown option $1" >&2; exit 64 ;;
    esac
done
for tool in hyperfine curl python3; do
    command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install hyperfine curl)" >&2; exit 1; }
done

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
server_pid=""
cleanup() {
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

if [[ $static == 1 ]]; then
    echo "building autogit (release, static Swift runtime)…"
    (cd "$root" && swift build -c release --static-swift-stdlib --scratch-path .build-static --product autogit >/dev/null)
    cli="$root/.build-static/release/autogit"
else
    echo "building autogit (release)…"
    (cd "$root" && swift build -c release --product autogit >/dev/null)
    cli="$root/.build/release/autogit"
fi

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
"$cli" serve --port "$port" --data-dir "$work/data" >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
for _ in $(seq 1 100); do grep -q "listening" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
grep -q "listening" "$work/serve.out" || { cat "$work/serve.err" >&2; exit 1; }
server="http://127.0.0.1:$port"
token="$(cat "$work/data/admin-token")"
# The rate limit would answer 429 to the benchmark's own repetition; raise it for this server.
curl -fsS -X PATCH "$server/v1/config" -H "Authorization: Bearer $token" -H 'Content-Type: application/merge-patch+json' \
    -d '{"rate_limits":{"enabled":false}}' >/dev/null

echo "registering 100 runners…"
for i in $(seq 1 100); do
    curl -fsS -X POST "$server/v1/runners/register" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d "{\"name\":\"bench-$i\",\"labels\":[\"gpu\",\"bench\"],\"architecture\":\"amd64\"}" >/dev/null
done

url="$server/v1/runners?limit=500"
export AUTOGIT_SERVER="$server" AUTOGIT_TOKEN="$token" XDG_CONFIG_HOME="$work/config"
[[ "$("$cli" runners list -o json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')" == 100 ]] \
    || { echo "autogit did not list 100 runners" >&2; exit 1; }

hyperfine --warmup 3 --runs "$runs" --shell=none --export-json "$work/times.json" \
    -n autogit "$cli runners list -o json" \
    -n curl "curl -s -H 'Authorization: Bearer $token' $url" >/dev/null

python3 - "$work/times.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
a, c = results["autogit"]["median"] * 1000, results["curl"]["median"] * 1000
print(f"medians over {len(results['curl']['times'])} runs, 100 runners:")
print(f"  autogit runners list -o json  {a:7.1f} ms")
print(f"  curl -s                       {c:7.1f} ms")
print(f"ratio autogit/curl: {a / c:.2f} (goal: at most 2.00)")
PY
