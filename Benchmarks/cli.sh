#!/usr/bin/env bash
# The CLI's round trip against curl: `autogit runners list -o json` (process start, request, decode, render) vs
# `curl -s` of the same URL, with 100 runners registered, as medians over 30 runs each, in release mode.
#
#   bash Benchmarks/cli.sh [--runs 30] [--dynamic | --both] [--skip-build] [--transport urlsession]
#
# By default it measures autogit as we ship it: a release build with the Swift runtime linked in
# (--static-swift-stdlib, into .build-static; linking FoundationNetworking needs Debian's libcurl4-openssl-dev),
# stripped (a stripped copy is measured; the build keeps its symbols for profiling). --dynamic measures the plain
# release build (.build/release, Swift runtime as shared libraries) instead, --both measures both. --skip-build uses
# the binaries already built. --transport urlsession sets AUTOGIT_TRANSPORT=urlsession, so the CLI uses URLSession
# instead of its socket transport. Needs hyperfine, curl and python3. Everything binds 127.0.0.1 and stops when the
# script exits.
set -euo pipefail

runs=30
builds=(static)
skip_build=0
transport=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --static) builds=(static); shift ;;
        --dynamic) builds=(dynamic); shift ;;
        --both) builds=(static dynamic); shift ;;
        --skip-build) skip_build=1; shift ;;
        --transport) transport="$2"; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 64 ;;
    esac
done
for tool in hyperfine curl python3 strip; do
    command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install hyperfine curl binutils)" >&2; exit 1; }
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

declare -A binaries
for build in "${builds[@]}"; do
    case "$build" in
        static)
            if [[ $skip_build == 0 ]]; then
                echo "building autogit (release, static Swift runtime)…"
                (cd "$root" && swift build -c release --static-swift-stdlib --scratch-path .build-static --product autogit >/dev/null)
            fi
            strip -o "$work/autogit-static" "$root/.build-static/release/autogit"
            binaries[static]="$work/autogit-static"
            ;;
        dynamic)
            if [[ $skip_build == 0 ]]; then
                echo "building autogit (release, Swift runtime as shared libraries)…"
                (cd "$root" && swift build -c release --product autogit >/dev/null)
            fi
            binaries[dynamic]="$root/.build/release/autogit"
            ;;
    esac
done
for build in "${builds[@]}"; do
    [[ -x "${binaries[$build]}" ]] || { echo "no $build build at ${binaries[$build]}" >&2; exit 1; }
    echo "$build: $(du -h "${binaries[$build]}" | cut -f1) $(basename "${binaries[$build]}")"
done
cli="${binaries[${builds[0]}]}"

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
[[ -n "$transport" ]] && export AUTOGIT_TRANSPORT="$transport"
commands=()
for build in "${builds[@]}"; do
    bin="${binaries[$build]}"
    [[ "$("$bin" runners list -o json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')" == 100 ]] \
        || { echo "autogit ($build) did not list 100 runners" >&2; exit 1; }
    commands+=(-n "autogit ($build)" "$bin runners list -o json")
done

hyperfine --warmup 3 --runs "$runs" --shell=none --export-json "$work/times.json" \
    "${commands[@]}" -n curl "curl -s -H 'Authorization: Bearer $token' $url" >/dev/null

python3 - "$work/times.json" "${AUTOGIT_TRANSPORT:-sockets}" <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
curl = next(r for r in results if r["command"] == "curl")
def quartiles(r):
    q = statistics.quantiles(r["times"], n=4)
    return q[0] * 1000, q[2] * 1000
print(f"medians over {len(curl['times'])} runs, 100 runners (autogit transport: {sys.argv[2]}); p25–p75 in brackets:")
for r in results:
    low, high = quartiles(r)
    label = r["command"] if r["command"] == "curl" else f"{r['command']} runners list -o json"
    print(f"  {label:<48} {r['median'] * 1000:7.1f} ms  [{low:.1f}–{high:.1f}]")
for r in results:
    if r is not curl:
        print(f"ratio {r['command']}/curl: {r['median'] / curl['median']:.2f} (goal: at most 2.00)")
PY
