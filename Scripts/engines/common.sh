# Shared helpers for the engine scripts (sourced, not run).

die() {
    echo "$(basename "$0"): $*" >&2
    exit 1
}

# A TCP port on 127.0.0.1 that nothing listens on, from a range unlikely to collide with other tools.
free_port() {
    local port hex tries=0
    while [ $tries -lt 200 ]; do
        port=$((20000 + RANDOM % 30000))
        hex=$(printf '%04X' "$port")
        # /proc/net/tcp lists local addresses as HEXADDR:HEXPORT; no listener or connection may use the port.
        if ! grep -qi ":$hex " /proc/net/tcp /proc/net/tcp6 2>/dev/null; then
            echo "$port"
            return 0
        fi
        tries=$((tries + 1))
    done
    die "no free TCP port found"
}

# wait_for SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds or SECONDS pass.
wait_for() {
    local seconds=$1
    shift
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.1
    done
}

# stop_pid PIDFILE [GRACE_TENTHS]: TERM, wait up to GRACE tenths of a second, then KILL.
# A process whose state is Z (a zombie the reaper has not collected yet) counts as stopped.
stop_pid() {
    local file=$1 grace=${2:-50} pid i=0
    [ -f "$file" ] || return 0
    pid=$(cat "$file" 2>/dev/null) || return 0
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    while is_running "$pid" && [ $i -lt "$grace" ]; do
        sleep 0.1
        i=$((i + 1))
    done
    is_running "$pid" && kill -KILL "$pid" 2>/dev/null
    return 0
}

# Whether PID exists and is not a zombie.
is_running() {
    local state
    state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    case "$state" in Z*) return 1 ;; esac
    [ -n "$state" ]
}

# Milliseconds since START (a `date +%s%N` value).
elapsed_ms() {
    echo $((($(date +%s%N) - $1) / 1000000))
}
