#!/usr/bin/env bash
# Measures the floor and any given MCP stdio servers with stdio-load in one go, and prints one table with calls/s ratios to the floor.
#
# Usage: bash benches/run-stdio.sh ["SERVER_CMD ARGS..." ...]
#   e.g. bash benches/run-stdio.sh "target/release/examples/echo stdio"
# Each argument is one server command line (split on whitespace), run from the workspace root.
# Extra stdio-load options go in STDIO_LOAD_ARGS, e.g. STDIO_LOAD_ARGS="--calls 5000 --runs 1".
# The raw JSON results are kept in $RESULTS (default: target/stdio-load.jsonl).
set -euo pipefail

cd "$(dirname "$0")/.."
cargo build --release -p mcpwire-benches

load=target/release/stdio-load
results=${RESULTS:-target/stdio-load.jsonl}
: >"$results"
read -r -a extra <<<"${STDIO_LOAD_ARGS:-}"

run() {
    local -a cmd
    read -r -a cmd <<<"$1"
    "$load" "${extra[@]}" --json -- "${cmd[@]}" >>"$results"
}

run target/release/floor-stdio
for server in "$@"; do
    run "$server"
done

echo
"$load" --report "$results"
