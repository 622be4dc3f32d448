#!/usr/bin/env bash
# Counts the user-space instructions an HTTP server executes per `echo` call under http-load, with
# cachegrind: unlike calls/s, the count does not move with the host's load, so it shows what a
# change to the server saves even on a noisy machine.
#
# Usage: bash benches/count-instructions.sh [--era 2025-11-25|2026-07-28] "SERVER_CMD ARGS..." ...
#   e.g. bash benches/count-instructions.sh --era 2026-07-28 \
#            "target/release/floor-http --port {port}" \
#            "target/release/examples/echo http 127.0.0.1:{port}"
# Each server command line must contain `{port}`. It is run under `valgrind --tool=cachegrind`
# (Debian package `valgrind`) twice, for 2,000 and for 8,000 calls at 32 sessions; the difference
# divided by 6,000 is the cost of one call, start-up and the handshake cancelled out. The kernel's
# share (the socket calls, the same for every server) is not counted.
set -euo pipefail

cd "$(dirname "$0")/.."
era=2025-11-25
if [[ "${1:-}" == "--era" ]]; then
    era=$2
    shift 2
fi
if (($# == 0)); then
    sed -n '5,8p' "$0" >&2
    exit 2
fi
command -v valgrind >/dev/null || {
    echo "count-instructions: valgrind is not installed (apt-get install valgrind)" >&2
    exit 2
}
cargo build --release -p mcpwire-benches

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Instructions of one run of `$1` serving $2 calls.
count() {
    local server=$1 calls=$2
    rm -f "$work"/out.* "$work"/pid
    # http-load ends its server with SIGKILL, which would lose cachegrind's counts: the wrapper
    # leaves valgrind running on its own, and it is stopped below with SIGTERM.
    cat >"$work/wrap.sh" <<EOF
#!/bin/sh
cmd=\$(echo "$server" | sed "s/{port}/\$1/g")
valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=$work/out.%p \$cmd >/dev/null 2>$work/valgrind.log &
echo \$! >$work/pid
wait
EOF
    chmod +x "$work/wrap.sh"
    target/release/http-load --era "$era" --calls "$calls" --runs 1 --warmup 0 --sessions 32 \
        --server-cpu none --driver-cpu none -- "$work/wrap.sh" "{port}" >"$work/load.log" 2>&1 || {
        cat "$work/load.log" >&2
        return 1
    }
    local pid
    pid=$(cat "$work/pid")
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    grep -h '^summary:' "$work"/out.* | awk '{print $2}'
}

printf '%-60s %14s\n' "server [$era]" "instr/call"
for server in "$@"; do
    small=$(count "$server" 2000)
    large=$(count "$server" 8000)
    printf '%-60s %14d\n' "$server" $(((large - small) / 6000))
done
