#!/usr/bin/env bash
# Run mcpwire's test-suite, interop tests included.
#
#   bash scripts/test.sh [extra cargo test args...] [-- extra test-binary args...]
#
# Installs the official-SDK interop peers (tests/interop/setup.sh) into
# .cache/interop and exports MCPWIRE_INTEROP so the Rust tests can find them
# ($MCPWIRE_INTEROP/py/bin/python, $MCPWIRE_INTEROP/node/node_modules). Then
# runs every test of the workspace (the integration tests of the library
# are in crates/mcpwire-tests), in two passes: `cargo test` as usual, then
# the tests marked `#[ignore = "needs the interop peers"]` alone
# (`--ignored`, over lib, bin and integration-test targets: an `ignore`d
# doc example is not meant to build). Together that is `--include-ignored`,
# with no test run twice: a plain `cargo test` never passes an interop
# test by skipping it, and here they run, and fail if a peer is missing.
# Works from any directory.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

export MCPWIRE_INTEROP="${MCPWIRE_INTEROP:-$root/.cache/interop}"

echo "==> [test] installing interop peers (bash tests/interop/setup.sh)"
bash tests/interop/setup.sh

# Arguments before `--` go to cargo, those after it to the test binaries.
cargo_args=()
test_args=()
seen_sep=0
for a in "$@"; do
    if [[ $seen_sep == 0 && $a == "--" ]]; then
        seen_sep=1
    elif [[ $seen_sep == 0 ]]; then
        cargo_args+=("$a")
    else
        test_args+=("$a")
    fi
done

# The auth tests need both sides of OAuth; name them rather than count on
# which workspace members happen to turn them on.
features=(--features mcpwire/auth,mcpwire/auth-client)

echo "==> [test] cargo test --workspace ${features[*]} ${cargo_args[*]-} (MCPWIRE_INTEROP=$MCPWIRE_INTEROP)"
cargo test --workspace "${features[@]}" ${cargo_args[@]+"${cargo_args[@]}"} \
    -- ${test_args[@]+"${test_args[@]}"}

echo "==> [test] the interop tests: cargo test --workspace ${features[*]} --lib --bins --tests ${cargo_args[*]-} -- --ignored"
cargo test --workspace "${features[@]}" --lib --bins --tests ${cargo_args[@]+"${cargo_args[@]}"} \
    -- --ignored ${test_args[@]+"${test_args[@]}"}
