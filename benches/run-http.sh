#!/usr/bin/env bash
# Measures the HTTP floor and any given MCP Streamable HTTP servers with http-load in one go, and prints one table with calls/s ratios to the floor.
#
# Usage: bash benches/run-http.sh ["SERVER_CMD ARGS..." ...]
#   e.g. bash benches/run-http.sh "target/release/examples/echo http 127.0.0.1:{port}"
# Each argument is one server command line (split on whitespace), run from the workspace root; it must
# contain `{port}`, which http-load replaces with a free port (the endpoint is http://127.0.0.1:{port}/mcp).
# Extra http-load options go in HTTP_LOAD_ARGS, e.g. HTTP_LOAD_ARGS="--calls 5000 --runs 1".
# Servers other than the floor also get `--idle-sessions $IDLE_SESSIONS` (default 10000; 0 skips it;
# skipped with `--era 2026-07-28`, which has no sessions).
# The raw JSON results are kept in $RESULTS (default: target/http-load.jsonl).
set -euo pipefail

cd "$(dirname "$0")/.."
cargo build --release -p mcpwire-benches

load=target/release/http-load
results=${RESULTS:-target/http-load.jsonl}
idle=${IDLE_SESSIONS:-10000}
: >"$results"
read -r -a extra <<<"${HTTP_LOAD_ARGS:-}"
if [[ " ${extra[*]} " == *" 2026-07-28 "* ]]; then
    idle=0
fi

run() {
    local -a cmd
    read -r -a cmd <<<"$1"
    shift
    "$load" "$@" "${extra[@]}" --json -- "${cmd[@]}" >>"$results"
}

label=floor-http
if [[ " ${extra[*]} " == *" 2026-07-28 "* ]]; then
    label="floor-http [2026-07-28]"
fi
run "target/release/floor-http --port {port}" --label "$label"
for server in "$@"; do
    if ((idle > 0)); then
        run "$server" --idle-sessions "$idle"
    else
        run "$server"
    fi
done

echo
"$load" --report "$results"
