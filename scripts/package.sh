#!/usr/bin/env bash
# Package every crate meant for crates.io, as `cargo publish` would.
#
#   bash scripts/package.sh            check the manifests and the file
#                                      lists (seconds; what CI runs)
#   bash scripts/package.sh --verify   also build each package alone from
#                                      its tarball (about 12 minutes)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# The published crates, lowest layer first; the others are publish = false.
crates=(mcpwire-types mcpwire-rpc mcpwire-server mcpwire-client mcpwire-http
        mcpwire-oauth mcpwire-proxy mcpwire-redis mcpwire-macros mcpwire mcpwire-demos
        mcpwire-load mcpwire-inspect mcpwire-cli)
args=()
for c in "${crates[@]}"; do args+=(-p "$c"); done
verify=(--no-verify)
if [[ "${1:-}" == "--verify" ]]; then
    verify=()
fi
echo "==> [package] cargo package --allow-dirty ${verify[*]-} ${args[*]}"
cargo package --allow-dirty ${verify[@]+"${verify[@]}"} "${args[@]}"
