#!/usr/bin/env bash
# Install the official MCP SDK peers used by mcpwire's interop tests.
#
#   bash tests/interop/setup.sh
#
# Idempotent and non-interactive. Everything goes under .cache/interop/ at the
# repo root (git-ignored), or under $MCPWIRE_INTEROP when that is set:
#   py/    a Python venv with mcp==2.3.0
#   node/  node_modules with @modelcontextprotocol/sdk@1.32.2 and the reference
#          server @modelcontextprotocol/server-everything@2026.8.31 (from the
#          committed tests/interop/package.json + package-lock.json, npm ci)
#   inspector/  node_modules with @modelcontextprotocol/inspector@2.12.0 (from
#          tests/interop/inspector/, npm ci under Node 22, which
#          scripts/node22.sh installs into .cache/node22)
# A second run only checks the installed versions and returns quickly.
set -euo pipefail

PY_MCP_VERSION="2.3.0"
TS_SDK_VERSION="1.32.2"
INSPECTOR_VERSION="2.12.0"
EVERYTHING_VERSION="2026.8.31"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dest="${MCPWIRE_INTEROP:-$root/.cache/interop}"
python="${PYTHON:-python3}"

log() { printf '[interop setup] %s\n' "$*" >&2; }
die() { printf '[interop setup] ERROR: %s\n' "$*" >&2; exit 1; }

mkdir -p "$dest"

# ---------------------------------------------------------------- Python ----
venv="$dest/py"
py_ok() {
    [[ -x "$venv/bin/python" ]] || return 1
    "$venv/bin/python" - "$PY_MCP_VERSION" <<'PYEOF' 2>/dev/null
import sys
from importlib.metadata import version
sys.exit(0 if version("mcp") == sys.argv[1] else 1)
PYEOF
}

if py_ok; then
    log "python: mcp==$PY_MCP_VERSION already in $venv"
else
    command -v "$python" >/dev/null 2>&1 || die "no '$python' on PATH (set PYTHON=/path/to/python3.10+)"
    if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
        log "python: creating venv $venv with $("$python" --version 2>&1)"
        rm -rf "$venv"
        "$python" -m venv "$venv" \
            || die "could not create a venv with '$python -m venv' (on Debian: apt-get install python3-venv)"
    fi
    log "python: pip install mcp==$PY_MCP_VERSION into $venv"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install --quiet --no-input "mcp==$PY_MCP_VERSION" \
        || die "pip install mcp==$PY_MCP_VERSION failed"
    py_ok || die "mcp==$PY_MCP_VERSION is still not importable from $venv after install"
    log "python: ok"
fi

# ------------------------------------------------------------ TypeScript ----
nodedir="$dest/node"
stamp="$nodedir/.lock-copy.json"
ts_ok() {
    local pkg="$nodedir/node_modules/@modelcontextprotocol/sdk/package.json"
    [[ -f "$pkg" && -f "$stamp" && -d "$nodedir/node_modules/zod" ]] || return 1
    # The installed tree must come from the committed lockfile ...
    cmp -s "$stamp" "$here/package-lock.json" || return 1
    # ... and hold the pinned SDK and reference server.
    grep -q "\"version\": *\"$TS_SDK_VERSION\"" "$pkg" || return 1
    local everything="$nodedir/node_modules/@modelcontextprotocol/server-everything/package.json"
    [[ -f "$everything" ]] && grep -q "\"version\": *\"$EVERYTHING_VERSION\"" "$everything"
}

if ts_ok; then
    log "node: @modelcontextprotocol/sdk@$TS_SDK_VERSION already in $nodedir"
else
    command -v node >/dev/null 2>&1 || die "node is not on PATH (Node.js >= 18 is needed)"
    command -v npm >/dev/null 2>&1 || die "npm is not on PATH"
    node_major="$(node -p 'process.versions.node.split(".")[0]')"
    (( node_major >= 18 )) || die "Node.js >= 18 is needed, found $(node --version)"
    log "node: npm ci @modelcontextprotocol/sdk@$TS_SDK_VERSION into $nodedir (node $(node --version))"
    mkdir -p "$nodedir"
    rm -f "$stamp"
    cp "$here/package.json" "$here/package-lock.json" "$nodedir/"
    (cd "$nodedir" && npm ci --no-audit --no-fund --loglevel=error </dev/null >&2) \
        || die "npm ci in $nodedir failed"
    cp "$here/package-lock.json" "$stamp"
    ts_ok || die "@modelcontextprotocol/sdk@$TS_SDK_VERSION is still not installed in $nodedir after npm ci"
    log "node: ok"
fi

# ------------------------------------------------------------- Inspector ----
inspdir="$dest/inspector"
insp_stamp="$inspdir/.lock-copy.json"
insp_ok() {
    local pkg="$inspdir/node_modules/@modelcontextprotocol/inspector/package.json"
    [[ -f "$pkg" && -f "$insp_stamp" ]] || return 1
    cmp -s "$insp_stamp" "$here/inspector/package-lock.json" || return 1
    grep -q "\"version\": *\"$INSPECTOR_VERSION\"" "$pkg"
}

if insp_ok; then
    log "inspector: @modelcontextprotocol/inspector@$INSPECTOR_VERSION already in $inspdir"
else
    node22_bin="$(bash "$root/scripts/node22.sh" </dev/null | tail -1)"
    [[ -x "$node22_bin/node" ]] || die "scripts/node22.sh gave no node binary"
    log "inspector: npm ci @modelcontextprotocol/inspector@$INSPECTOR_VERSION into $inspdir (node $("$node22_bin/node" --version))"
    mkdir -p "$inspdir"
    rm -f "$insp_stamp"
    cp "$here/inspector/package.json" "$here/inspector/package-lock.json" "$inspdir/"
    (cd "$inspdir" && PATH="$node22_bin:$PATH" npm ci --no-audit --no-fund --loglevel=error </dev/null >&2) \
        || die "npm ci in $inspdir failed"
    cp "$here/inspector/package-lock.json" "$insp_stamp"
    insp_ok || die "@modelcontextprotocol/inspector@$INSPECTOR_VERSION is still not installed in $inspdir after npm ci"
    log "inspector: ok"
fi

log "ready: MCPWIRE_INTEROP=$dest"
