#!/usr/bin/env bash
# Run mcpwire's test-suite, interop tests included.
#
#   bash scripts/test.sh [extra cargo test args...]
#
# Installs the official-SDK interop peers (tests/interop/setup.sh) into
# .cache/interop, exports MCPWIRE_INTEROP so the Rust tests can find them
# ($MCPWIRE_INTEROP/py/bin/python, $MCPWIRE_INTEROP/node/node_modules), then
# runs `cargo test --workspace --features mcpwire/auth "$@"`. Works from any
# directory.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

export MCPWIRE_INTEROP="${MCPWIRE_INTEROP:-$root/.cache/interop}"

echo "==> [test] installing interop peers (bash tests/interop/setup.sh)"
bash tests/interop/setup.sh

# mcpwire/auth: no workspace member turns the authorization layer on yet,
# so its tests would not run otherwise.
echo "==> [test] cargo test --workspace --features mcpwire/auth $* (MCPWIRE_INTEROP=$MCPWIRE_INTEROP)"
cargo test --workspace --features mcpwire/auth "$@"
