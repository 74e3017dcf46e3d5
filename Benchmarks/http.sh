#!/usr/bin/env bash
# HTTP layer vs nginx on loopback: the same JSON bytes, `wrk -t2 -c64 -d10s` against each.
#
#   bash Benchmarks/http.sh [--duration 10s] [--connections 64] [--threads 2] [--encode-per-request] [--rounds 3]
#
# Needs Debian's `wrk` and `nginx` (apt-get install wrk nginx-light). Builds autogit-bench in release mode,
# serves GET /v1/bench through the real router and middleware (request id, access log to a discarding sink,
# error envelope), serves the identical bytes from nginx (access log off, 2 workers), and prints req/s,
# p99 and the ratio autogit / nginx. The route returns a document encoded once (as nginx returns a file's
# bytes); --encode-per-request runs JSONEncoder on every request too. Everything binds 127.0.0.1 and stops
# when the script exits.
set -euo pipefail

duration=10s
connections=64
threads=2
rounds=3
bench_flags=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --duration) duration="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --encode-per-request) bench_flags+=(--encode-per-request); shift ;;
        *) echo "unknown option $1" >&2; exit 64 ;;
    esac
done

for tool in wrk nginx; do
    command -v "$tool" >/dev/null || { echo "needs $tool: apt-get install wrk nginx-light" >&2; exit 1; }
done

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
chmod 755 "$work"  # nginx workers run as an unprivileged user when started by root
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [[ -f "$work/nginx.pid" ]]; then kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

echo "building autogit-bench (release)…"
(cd "$root" && swift build -c release --product autogit-bench >/dev/null)
bench="$root/.build/release/autogit-bench"

autogit_port="$(free_port)"
"$bench" http "${bench_flags[@]}" --port "$autogit_port" --write-body "$work/bench.json" >"$work/autogit.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q "listening" "$work/autogit.out" 2>/dev/null && break; sleep 0.1; done
grep -q "listening" "$work/autogit.out" || { cat "$work/autogit.out" >&2; exit 1; }

nginx_port="$(free_port)"
mkdir -p "$work/www/v1" "$work/tmp"
cp "$work/bench.json" "$work/www/v1/bench"
cat >"$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx.err warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
    uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$nginx_port;
        location = /v1/bench { root $work/www; default_type application/json; }
    }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
for _ in $(seq 1 50); do [[ -f "$work/nginx.pid" ]] && break; sleep 0.1; done

check() { curl -fsS "http://127.0.0.1:$1/v1/bench"; }
[[ "$(check "$autogit_port")" == "$(check "$nginx_port")" ]] || { echo "bodies differ" >&2; exit 1; }

run_wrk() { wrk -t"$threads" -c"$connections" -d"$duration" --latency "http://127.0.0.1:$1/v1/bench"; }
# p99 in milliseconds from wrk's latency distribution.
p99_ms() {
    awk '$1=="99%" { v=$2; if (v ~ /us$/) { sub(/us/,"",v); v/=1000 } else if (v ~ /ms$/) { sub(/ms/,"",v) } else if (v ~ /s$/) { sub(/s/,"",v); v*=1000 }; print v }'
}
rps() { awk '/^Requests\/sec:/ { print $2 }'; }

echo "wrk -t$threads -c$connections -d$duration, same $(wc -c <"$work/bench.json")-byte JSON body, $rounds alternating rounds"
run_wrk "$autogit_port" >/dev/null 2>&1 || true  # warm-up: let connections and caches settle
run_wrk "$nginx_port" >/dev/null 2>&1 || true
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
a_rps_all=(); n_rps_all=(); a_p99_all=(); n_p99_all=(); a_err=""
for round in $(seq 1 "$rounds"); do
    autogit_out="$(run_wrk "$autogit_port")"
    nginx_out="$(run_wrk "$nginx_port")"
    a_rps_all+=("$(rps <<<"$autogit_out")"); n_rps_all+=("$(rps <<<"$nginx_out")")
    a_p99_all+=("$(p99_ms <<<"$autogit_out")"); n_p99_all+=("$(p99_ms <<<"$nginx_out")")
    a_err+="$(grep -E 'Non-2xx|Socket errors' <<<"$autogit_out" || true)"
    printf 'round %d: autogit %s req/s p99 %s ms | nginx %s req/s p99 %s ms\n' "$round" \
        "${a_rps_all[-1]}" "${a_p99_all[-1]}" "${n_rps_all[-1]}" "${n_p99_all[-1]}"
done
a_rps="$(printf '%s\n' "${a_rps_all[@]}" | median)"; n_rps="$(printf '%s\n' "${n_rps_all[@]}" | median)"
a_p99="$(printf '%s\n' "${a_p99_all[@]}" | median)"; n_p99="$(printf '%s\n' "${n_p99_all[@]}" | median)"

echo "medians over $rounds rounds:"
printf '%-10s %12s %10s\n' server "req/s" "p99 ms"
printf '%-10s %12s %10s\n' autogit "$a_rps" "$a_p99"
printf '%-10s %12s %10s\n' nginx "$n_rps" "$n_p99"
awk -v a="$a_rps" -v n="$n_rps" 'BEGIN { printf "ratio autogit/nginx: %.2f\n", a / n }'
[[ -z "$a_err" ]] || echo "autogit errors: $a_err"
