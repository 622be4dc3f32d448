#!/usr/bin/env bash
# Cross-check the interop drivers against the interop server peers (official SDK
# against official SDK), with --lenient: the official servers answer an unknown
# tool with an isError result rather than JSON-RPC error -32602, so checks
# missing_argument/unknown_tool are reported, not failed.
#
#   bash tests/interop/crosscheck.sh
#
# Prints one line per (driver, mode, server) with the driver's exit code and its
# JSON summary saved under $MCPWIRE_INTEROP/crosscheck/. Exits 1 if any pairing that
# is expected to work did not (pinned 2026-07-28 against the TS server is expected
# to fail: that server only speaks the handshake-era protocol).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
export MCPWIRE_INTEROP="${MCPWIRE_INTEROP:-$root/.cache/interop}"
bash tests/interop/setup.sh

py="$MCPWIRE_INTEROP/py/bin/python"
out="$MCPWIRE_INTEROP/crosscheck"
mkdir -p "$out"

declare -A servers=(
    [py_server]="$py $here/py_server.py"
    [ts_server]="node $here/ts_server.mjs"
)
bad=0
run() {  # label expect(pass|fail) driver-command...
    local label="$1" expect="$2"; shift 2
    local code=0
    "$@" >"$out/$label.json" 2>"$out/$label.stderr" </dev/null || code=$?
    local verdict="as expected"
    if [[ "$expect" == pass && $code -ne 0 ]] || [[ "$expect" == fail && $code -eq 0 ]]; then
        verdict="UNEXPECTED"; bad=1
    fi
    printf '%-32s exit=%d (expected %s: %s)\n' "$label" "$code" "$expect" "$verdict"
    "$py" - "$out/$label.json" <<'PYEOF'
import json, sys
try:
    s = json.load(open(sys.argv[1]))
except Exception as e:
    print(f"    (no JSON summary: {e})"); sys.exit(0)
print(f"    protocolVersion={s.get('protocolVersion')} server={s.get('server')} negotiation={s.get('details', {}).get('negotiation')}")
for name, status in s.get("checks", {}).items():
    if status != "ok":
        print(f"    {name}: {status[:160]}")
PYEOF
}

for server in py_server ts_server; do
    # shellcheck disable=SC2206
    cmd=(${servers[$server]})
    for mode in legacy auto 2026-07-28; do
        expect=pass
        [[ "$server" == ts_server && "$mode" == 2026-07-28 ]] && expect=fail
        run "py_client-$mode-$server" "$expect" "$py" "$here/py_client.py" --mode "$mode" --lenient -- "${cmd[@]}"
    done
    run "ts_client-legacy-$server" pass node "$here/ts_client.mjs" --mode legacy --lenient -- "${cmd[@]}"
done
exit "$bad"
