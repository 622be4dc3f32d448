#!/usr/bin/env bash
# Measures what sharing state through Redis costs an mcpwire server, in one run and side by side:
# (a) one instance with its state in memory, (b) one instance on Redis, (c) three instances on that
# Redis behind HAProxy (round-robin, no stickiness), and as a control (a+) the instance of (a)
# behind the same HAProxy, which tells the balancer's cost from that of sharing; for both eras (2025-11-25 sessions,
# 2026-07-28 stateless), at 1 and at 32 concurrent sessions. Per cell: `echo` calls/s, the ratio
# to (a) of the same era and concurrency, the Redis commands and socket reads per call (session
# set-up excluded), and the CPU the server side spent per call. See benches/README.md.
#
# Usage: bash benches/run-scaleout.sh
# Environment (defaults in brackets): RUNS [3] rounds, each measuring every cell once in turn
# (best calls/s kept); CALLS_1 [5000] and CALLS_32 [20000] measured calls per cell and round at 1
# and 32 sessions; WARMUP [500] unmeasured calls before them; SERVER_CPU [0] the CPU every
# server-side process (instances, Redis, HAProxy) is pinned to and DRIVER_CPU [1] the driver's
# (`none`: unpinned); PRIORITY [-10] the niceness of every process it starts, each in a session
# (so a scheduler autogroup) of its own, so that other work on the machine disturbs the figures
# less (0, or not running as root: as is); HAPROXY_MODE [keep-alive] or server-close;
# SKIP_BUILD=1 uses the release binaries as they are.
# Needs redis-server, redis-cli, haproxy, taskset, setsid and python3. Everything listens on 127.0.0.1
# (free ports); every process it starts is killed when it exits. Raw results: target/scaleout/.
set -euo pipefail

cd "$(dirname "$0")/.."
runs=${RUNS:-3}
calls_1=${CALLS_1:-5000}
calls_32=${CALLS_32:-20000}
warmup=${WARMUP:-500}
server_cpu=${SERVER_CPU:-0}
driver_cpu=${DRIVER_CPU:-1}
lb_mode=${HAPROXY_MODE:-keep-alive}
priority=${PRIORITY:--10}
out=target/scaleout

for tool in redis-server redis-cli haproxy taskset setsid python3; do
    command -v "$tool" >/dev/null || {
        echo "run-scaleout: $tool is not installed (apt-get install redis-server haproxy util-linux python3)" >&2
        exit 2
    }
done
case $lb_mode in
keep-alive | server-close) ;;
*)
    echo "run-scaleout: HAPROXY_MODE must be keep-alive or server-close" >&2
    exit 2
    ;;
esac
if [[ -z ${SKIP_BUILD:-} ]]; then
    cargo build --release -p mcpwire-benches --features scaleout --bin http-load --bin scaleout-server
fi
load=target/release/http-load
server=target/release/scaleout-server

# The prefix that runs a command at $priority. With scheduler autogroups (the default on most
# kernels) a niceness only counts within the command's session, so each command gets a session
# of its own and that session's autogroup the niceness; without them, plain `nice` does it.
# setsid does not fork here (a child of a script is no process group leader): the pid stays.
boosted=()
if [[ $priority != 0 ]]; then
    if [[ $(nice -n "$priority" nice 2>/dev/null) == "$priority" ]]; then
        boosted=(setsid bash -c 'echo "$0" >/proc/self/autogroup 2>/dev/null; exec nice -n "$0" "$@"' "$priority")
    else
        echo "run-scaleout: cannot raise the priority (PRIORITY=$priority needs root); running as is" >&2
        priority=0
    fi
fi

rm -rf "$out"
mkdir -p "$out/cells"
scratch=$(mktemp -d)
all_pids=() # everything started, for the exit trap
cleanup() {
    local p
    for p in "${all_pids[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
    echo "run-scaleout: $*" >&2
    exit 1
}

# Runs "$@" on the server CPU at $priority, in the background; its pid is left in $pid.
pinned() {
    if [[ $server_cpu == none ]]; then
        "${boosted[@]}" "$@" &
    else
        "${boosted[@]}" taskset -c "$server_cpu" "$@" &
    fi
    pid=$!
    all_pids+=("$pid")
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() { # PORT PID WHAT
    local i
    for ((i = 0; i < 500; i++)); do
        kill -0 "$2" 2>/dev/null || die "$3 exited before it listened on port $1"
        if (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
            return 0
        fi
        sleep 0.02
    done
    die "$3 did not listen on port $1 within 10 s"
}

# The private Redis: no persistence, nothing but loopback.
redis_port=$(free_port)
pinned redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$scratch" --logfile "$scratch/redis.log"
redis_pid=$pid
wait_port "$redis_port" "$redis_pid" redis-server
redis_url=redis://127.0.0.1:$redis_port
rcli() { redis-cli -h 127.0.0.1 -p "$redis_port" "$@"; }
# What reading the figures costs by itself (the socket reads of these redis-cli connections), with
# no server connected: the report takes it off every cell's count.
rcli CONFIG RESETSTAT >/dev/null
rcli INFO commandstats >/dev/null
rcli INFO stats >"$out/cells/calibration.stats"

# Starts one scaleout-server (on Redis when given its URL); its pid is left in $pid and its
# endpoint in $url.
start_instance() { # N [REDIS_URL]
    local log=$scratch/instance$1.out i
    : >"$log"
    pinned "$server" --port 0 ${2:+--redis "$2"} >"$log" 2>"$scratch/instance$1.err"
    for ((i = 0; i < 500; i++)); do
        url=$(head -n 1 "$log")
        [[ -n $url ]] && return 0
        kill -0 "$pid" 2>/dev/null || die "scaleout-server exited: $(cat "$scratch/instance$1.err")"
        sleep 0.02
    done
    die "scaleout-server printed no endpoint within 10 s"
}

# Starts HAProxy in front of the endpoints given; its pid is left in $pid and its endpoint in $url.
start_balancer() { # URL...
    local port cfg=$scratch/haproxy.cfg i=0 u
    port=$(free_port)
    {
        printf 'global\n    maxconn 2048\n    stats socket %s/haproxy.sock\n\n' "$scratch"
        printf 'defaults\n    mode http\n    timeout connect 2s\n    timeout client 5m\n'
        printf '    timeout server 5m\n    timeout http-request 10s\n'
        if [[ $lb_mode == server-close ]]; then
            printf '    option http-server-close\n\n'
        else
            # Keep-alive on both sides; each request is still balanced on its own (round-robin
            # is deterministic, so no request sticks to the last server), over idle server
            # connections any client's requests may reuse.
            printf '    option http-keep-alive\n    http-reuse always\n\n'
        fi
        printf 'frontend mcp\n    bind 127.0.0.1:%s\n    default_backend instances\n\n' "$port"
        printf 'backend instances\n    balance roundrobin\n'
        for u in "$@"; do
            u=${u#http://}
            printf '    server i%s %s\n' "$i" "${u%%/*}"
            i=$((i + 1))
        done
    } >"$cfg"
    pinned haproxy -f "$cfg" -db >/dev/null 2>"$scratch/haproxy.err"
    wait_port "$port" "$pid" haproxy
    url=http://127.0.0.1:$port/mcp
}

# The CPU time each pid's threads have spent running, in ns (schedstat), one per line.
cpu_ns() {
    local p
    for p in "$@"; do
        cat /proc/"$p"/task/*/schedstat | awk '{ ns += $1 } END { printf "%d\n", ns }'
    done
}

# HAProxy's `show stat` (CSV), through its stats socket.
lb_stat() {
    python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"show stat\n")
print(s.makefile().read(), end="")' "$scratch/haproxy.sock"
}

# Starts the processes of a setup (memory, redis, haproxy, or memory-lb: the control, one
# in-memory instance behind the same HAProxy): their pids are left in
# $setup_pids, the endpoint to measure in $url. Every measurement gets fresh ones, started after
# the previous measurement's are gone, so that nothing else talks to Redis while it runs (an
# instance's own timers first fire after 10 s, a measurement takes a few).
start_setup() { # SETUP
    local backends=() i
    setup_pids=()
    case $1 in
    memory)
        start_instance 0
        setup_pids+=("$pid")
        ;;
    memory-lb)
        start_instance 0
        setup_pids+=("$pid")
        start_balancer "$url"
        setup_pids+=("$pid")
        ;;
    redis)
        start_instance 0 "$redis_url"
        setup_pids+=("$pid")
        ;;
    haproxy)
        for i in 0 1 2; do
            start_instance "$i" "$redis_url"
            setup_pids+=("$pid")
            backends+=("$url")
        done
        start_balancer "${backends[@]}"
        setup_pids+=("$pid")
        ;;
    esac
}

stop_setup() {
    local p
    for p in "${setup_pids[@]}"; do
        kill "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
}

# One round of one cell, measured with http-load, with Redis' counters reset just before it.
measure() { # ERA K SETUP ROUND
    local era=$1 k=$2 setup=$3 calls before name
    calls=$calls_1
    ((k > 1)) && calls=$calls_32
    name=$out/cells/$era-$k-$setup
    start_setup "$setup"
    if [[ $setup == haproxy || $setup == memory-lb ]]; then
        lb_stat >"$name.r$4.lb0"
    fi
    before=$(cpu_ns "${setup_pids[@]}" "$redis_pid")
    rcli CONFIG RESETSTAT >/dev/null
    "${boosted[@]}" "$load" --url "$url" --era "$era" --sessions "$k" --calls "$calls" \
        --warmup "$warmup" --runs 1 --driver-cpu "$driver_cpu" --json --label "$setup" \
        >"$name.r$4.load.json" 2>"$name.r$4.load.err" ||
        die "http-load failed on $setup ($era, $k sessions): $(cat "$name.r$4.load.err")"
    rcli INFO commandstats >"$name.r$4.cmdstats"
    rcli INFO stats >"$name.r$4.stats"
    paste <(echo "$before") <(cpu_ns "${setup_pids[@]}" "$redis_pid") >"$name.r$4.cpu"
    if [[ $setup == haproxy || $setup == memory-lb ]]; then
        lb_stat >"$name.r$4.lb1"
    fi
    stop_setup
    printf '{"era":"%s","sessions":%s,"setup":"%s","runs":%s,"calls":%s,"warmup":%s}\n' \
        "$era" "$k" "$setup" "$runs" "$calls" "$warmup" >"$name.cell.json"
}

# The probe of a cell: its sessions opened and closed around one call each, so that the report
# can tell the commands of the session set-up from those of a call.
probe() { # ERA K SETUP
    local name=$out/cells/$1-$2-$3
    start_setup "$3"
    rcli CONFIG RESETSTAT >/dev/null
    "${boosted[@]}" "$load" --url "$url" --era "$1" --sessions "$2" --calls "$2" --warmup 0 --runs 1 \
        --driver-cpu "$driver_cpu" --json --label "$3" >"$name.probe.json" 2>"$name.probe.err" ||
        die "the probe failed on $3 ($1, $2 sessions): $(cat "$name.probe.err")"
    rcli INFO commandstats >"$name.probe.cmdstats"
    rcli INFO stats >"$name.probe.stats"
    stop_setup
}

cells() {
    local era k setup
    for era in 2025-11-25 2026-07-28; do
        for k in 1 32; do
            for setup in memory redis haproxy memory-lb; do
                "$@" "$era" "$k" "$setup"
            done
        done
    done
}
for ((round = 1; round <= runs; round++)); do
    measure_round() { measure "$@" "$round"; }
    cells measure_round
    echo "run-scaleout: round $round of $runs done" >&2
done
cells probe

echo
python3 benches/scaleout-report.py "$out/cells" "$lb_mode" "$priority"
