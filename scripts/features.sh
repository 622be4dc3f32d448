#!/usr/bin/env bash
# Build every library crate with each of its features alone, so no feature
# leans on another one that happens to be on in the full build.
#
#   bash scripts/features.sh
#
# Installs cargo-hack (pinned) into .cache/cargo-hack when it is missing,
# then lints the library crates once per feature with
# `cargo hack clippy --each-feature --no-dev-deps -- -D warnings`: a
# feature that does not build alone, or leaves dead code, fails.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

version=0.6.46
cache="$root/.cache/cargo-hack"
if [[ "$("$cache/bin/cargo-hack" --version 2>/dev/null)" != *"$version"* ]]; then
    echo "==> [features] installing cargo-hack $version into $cache"
    cargo install cargo-hack --version "$version" --locked --root "$cache"
fi
export PATH="$cache/bin:$PATH"

crates=(mcpwire-types mcpwire-rpc mcpwire-server mcpwire-client mcpwire-http
        mcpwire-oauth mcpwire-proxy mcpwire-redis mcpwire-macros mcpwire)
args=()
for c in "${crates[@]}"; do args+=(-p "$c"); done
echo "==> [features] cargo hack clippy --each-feature --no-dev-deps ${args[*]} -- -D warnings"
cargo hack clippy --each-feature --no-dev-deps "${args[@]}" -- -D warnings
