#!/usr/bin/env bash
# The inspector's tests in a real browser: `bash scripts/browser-tests.sh`.
#
# Installs Debian's chromium (when /usr/bin/chromium is missing),
# playwright-core and the reference server-everything (pinned, into
# .cache/browser, never into the repository),
# builds `mcpwire`, the echo example and the testkit's OAuth-protected
# server, then runs `node --test` on tests/browser/*.mjs: the inspector
# against the echo example, the support desk (`mcpwire serve support-desk`,
# with its MCP App), server-everything and the OAuth-protected server, and
# the support desk's app page under a scripted host. Playwright drives
# /usr/bin/chromium headless: its own browser download is not used. The
# tests print what they measure (time to interactive, the UI's share of a
# tool call) and save screenshots in target/screenshots/; they assert
# behaviour only.
# Works from any directory.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

PLAYWRIGHT_CORE_VERSION=1.65.2
# The reference server of every MCP feature, a peer of the tests.
SERVER_EVERYTHING_VERSION=2026.8.31
cache="$root/.cache/browser"

if [[ ! -x /usr/bin/chromium ]]; then
    echo "==> [browser] installing chromium (Debian package)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
fi
/usr/bin/chromium --version 2>/dev/null

command -v node >/dev/null || { echo "[browser] ERROR: node is missing (Node 20 or later)" >&2; exit 1; }
installed="$(node -p "require('$cache/node_modules/playwright-core/package.json').version" 2>/dev/null || true)"
if [[ "$installed" != "$PLAYWRIGHT_CORE_VERSION" ]]; then
    echo "==> [browser] installing playwright-core@$PLAYWRIGHT_CORE_VERSION into .cache/browser"
    mkdir -p "$cache"
    [[ -f "$cache/package.json" ]] || echo '{"private": true}' >"$cache/package.json"
    # The browsers it could download are not used: chromium comes from Debian.
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$cache" --no-audit --no-fund \
        --save-exact "playwright-core@$PLAYWRIGHT_CORE_VERSION" </dev/null
fi
everything="$(node -p "require('$cache/node_modules/@modelcontextprotocol/server-everything/package.json').version" 2>/dev/null || true)"
if [[ "$everything" != "$SERVER_EVERYTHING_VERSION" ]]; then
    echo "==> [browser] installing @modelcontextprotocol/server-everything@$SERVER_EVERYTHING_VERSION into .cache/browser"
    mkdir -p "$cache"
    [[ -f "$cache/package.json" ]] || echo '{"private": true}' >"$cache/package.json"
    npm install --prefix "$cache" --no-audit --no-fund \
        --save-exact "@modelcontextprotocol/server-everything@$SERVER_EVERYTHING_VERSION" </dev/null
fi

echo "==> [browser] building mcpwire, the echo example and the OAuth-protected server"
# Separate builds: `--example` would narrow the first to the example alone.
cargo build -q -p mcpwire-cli
cargo build -q -p mcpwire-examples --example echo
cargo build -q -p mcpwire-testkit --example oauth_login_server

export MCPWIRE_BIN="$root/target/debug/mcpwire"
export MCPWIRE_ECHO="$root/target/debug/examples/echo"
export MCPWIRE_OAUTH_SERVER="$root/target/debug/examples/oauth_login_server"
export BROWSER_CACHE="$cache"
echo "==> [browser] node --test tests/browser/"
node --test --test-concurrency=1 tests/browser/*.mjs </dev/null
