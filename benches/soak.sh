#!/usr/bin/env bash
# Runs the soak: bounded loopback scenarios against the release binaries (the mcpwire CLI, the
# example echo server, the soak's own server), each with a memory ceiling; prints a table and
# exits non-zero if any scenario loses a request, goes over its ceiling or fails a check.
#
# Usage: bash benches/soak.sh [--quick] [--json] [SCENARIO...]
#   bash benches/soak.sh --quick         every scenario with small counts (a few minutes)
#   bash benches/soak.sh --quick sse     one scenario (`--list` names them)
#   bash benches/soak.sh                 the full run (longer; not part of CI)
# Environment: SOAK_PROXY_MAX_SESSIONS, SOAK_PROXY_ARGS, SOAK_JWKS_MAX_WAIT_MS (benches/README.md).
# Scratch files and server logs go to target/soak/.
set -euo pipefail

cd "$(dirname "$0")/.."
# One build, so that mcpwire is compiled once with every feature the binaries need.
cargo build --release \
    -p mcpwire-cli -p mcpwire-examples -p mcpwire-benches --features mcpwire-benches/soak \
    --bin mcpwire --bin soak --bin soak-server --example echo
exec target/release/soak "$@" </dev/null
