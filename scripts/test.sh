#!/usr/bin/env bash
# Run mcpwire's test-suite, interop tests included.
#
#   bash scripts/test.sh [extra cargo test args...]
#
# Installs the official-SDK interop peers (tests/interop/setup.sh) into
# .cache/interop, exports MCPWIRE_INTEROP so the Rust tests can find them
# ($MCPWIRE_INTEROP/py/bin/python, $MCPWIRE_INTEROP/node/node_modules), then
# runs `cargo test --workspace --features mcpwire/auth,mcpwire/auth-client "$@" -- --include-ignored`.
# The interop tests are ignored by default and fail when their peers are
# missing, so nothing passes by skipping. Works from any directory.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

export MCPWIRE_INTEROP="${MCPWIRE_INTEROP:-$root/.cache/interop}"

echo "==> [test] installing interop peers (bash tests/interop/setup.sh)"
bash tests/interop/setup.sh

# The auth tests need both sides of OAuth; name them rather than count on
# which workspace members happen to turn them on.
echo "==> [test] cargo test --workspace --features mcpwire/auth,mcpwire/auth-client $* -- --include-ignored (MCPWIRE_INTEROP=$MCPWIRE_INTEROP)"
cargo test --workspace --features mcpwire/auth,mcpwire/auth-client "$@" -- --include-ignored
