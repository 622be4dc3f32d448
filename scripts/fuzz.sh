#!/usr/bin/env bash
# Run mcpwire's cargo-fuzz targets (fuzz/, see fuzz/README.md).
#
#   bash scripts/fuzz.sh                  every target for 15 s (what CI runs)
#   bash scripts/fuzz.sh --long [SECONDS] every target for SECONDS (default 600)
#   bash scripts/fuzz.sh TARGET [SECONDS] one target (default 15 s)
#
# Installs cargo-fuzz (pinned) when it is missing, builds every target in one
# cargo invocation, then runs each from its checked-in seeds (fuzz/seeds/TARGET,
# read only) plus a scratch corpus (fuzz/corpus/TARGET, ignored by git, kept
# between runs), two targets at a time. Exits non-zero when any target
# crashed, hung past its time limit or ran out of memory, and prints the
# input that did it with the command that replays it. Needs only the Rust
# toolchain: RUSTC_BOOTSTRAP=1 lets the stable compiler take the sanitizer
# flags. Non-interactive; works from any directory.
#
# cargo-fuzz and the build live in $MCPWIRE_FUZZ_CACHE (default
# ~/.cache/mcpwire-fuzz), outside the checkout, so that a fresh clone on a
# machine that fuzzed before rebuilds only what changed; one run at a time
# holds it. MCPWIRE_FUZZ_JOBS sets how many targets run at once (default 2).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

CARGO_FUZZ_VERSION=0.13.2
cache="${MCPWIRE_FUZZ_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mcpwire-fuzz}"
jobs="${MCPWIRE_FUZZ_JOBS:-2}"
logs="$root/.cache/fuzz-logs"
export RUSTC_BOOTSTRAP=1

say() { printf '==> [fuzz] %s\n' "$*"; }
die() { printf '==> [fuzz] ERROR: %s\n' "$*" >&2; exit 1; }

targets=(
    jsonrpc_frame
    line_reader
    sse_parser
    uri_template
    jwt_verify
    request_state
    host_origin_guard
    param_headers
    http_service
    engine_frames
    auth_scope_decision
)

seconds=15
case "${1:-}" in
    "") ;;
    --long)
        seconds="${2:-600}"
        ;;
    -h|--help)
        sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        printf '%s\n' "${targets[@]}" | grep -qx -- "$1" \
            || die "no fuzz target named '$1' (one of: ${targets[*]})"
        targets=("$1")
        seconds="${2:-15}"
        ;;
esac
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || die "not a number of seconds: '$seconds'"
[[ "$jobs" =~ ^[0-9]+$ && "$jobs" -gt 0 ]] || die "MCPWIRE_FUZZ_JOBS is not a count: '$jobs'"

mkdir -p "$cache" "$logs"
# Checkouts share the build: one run at a time, so that none runs a target
# another one built.
exec 9>"$cache/lock"
if ! flock -n 9; then
    say "waiting for another fuzz run to finish with $cache"
    flock 9
fi

# cargo-fuzz, pinned: a copy of the right version on PATH, or our own.
if command -v cargo-fuzz >/dev/null 2>&1 \
    && [[ "$(cargo-fuzz --version 2>/dev/null)" == "cargo-fuzz $CARGO_FUZZ_VERSION" ]]; then
    cargo_fuzz="$(command -v cargo-fuzz)"
else
    cargo_fuzz="$cache/cargo-fuzz/bin/cargo-fuzz"
    if [[ "$("$cargo_fuzz" --version 2>/dev/null || true)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]]; then
        say "installing cargo-fuzz $CARGO_FUZZ_VERSION into $cache/cargo-fuzz"
        CARGO_INSTALL_ROOT="$cache/cargo-fuzz" cargo install cargo-fuzz \
            --version "$CARGO_FUZZ_VERSION" --locked --quiet </dev/null
    fi
fi

# The same flags for building and running, so that running never rebuilds.
# Release code with debug assertions and AddressSanitizer (cargo-fuzz's
# defaults); 16 codegen units build faster than cargo-fuzz's default of 1.
build_flags=(--codegen-units 16 --target-dir "$cache/target")

start=$SECONDS
say "building the fuzz targets ($("$cargo_fuzz" --version), $(rustc --version))"
"$cargo_fuzz" fuzz build "${build_flags[@]}" </dev/null
say "built in $((SECONDS - start)) s"

# Per-target libFuzzer options.
options() {
    case "$1" in
        jsonrpc_frame|line_reader|engine_frames) echo "-dict=fuzz/dicts/json.dict" ;;
        sse_parser) echo "-dict=fuzz/dicts/sse.dict" ;;
        host_origin_guard) echo "-dict=fuzz/dicts/http.dict" ;;
        # Matching must stay fast on every input: a slow one is a failure.
        uri_template) echo "-dict=fuzz/dicts/uri_template.dict -timeout=5 -max_len=4096" ;;
    esac
    case "$1" in
        uri_template) ;;
        http_service|engine_frames) echo "-timeout=20" ;;
        *) echo "-timeout=10" ;;
    esac
}

# Runs one target; its output goes to its log.
run() {
    local t="$1" log="$logs/$1.log" input runs
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
    # shellcheck disable=SC2046 # the options are words
    if "$cargo_fuzz" fuzz run "${build_flags[@]}" "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
        -max_total_time="$seconds" -print_final_stats=1 $(options "$t") \
        >"$log" 2>&1 </dev/null; then
        runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
        say "$t: ok ($runs runs in $seconds s)"
        return 0
    fi
    input="$(grep -o 'Test unit written to .*' "$log" | tail -n1 | sed 's/^Test unit written to //' || true)"
    {
        tail -n 60 "$log"
        say "$t: FAILED (full log: ${log#"$root"/})"
        if [[ -n "$input" ]]; then
            say "$t: the input that failed: $input"
            say "$t: replay it with: RUSTC_BOOTSTRAP=1 $cargo_fuzz fuzz run ${build_flags[*]} $t $input"
        fi
    } >&2
    return 1
}

say "running ${#targets[@]} target(s), $seconds s each, $jobs at a time"
failed=()
pids=()
names=()
for t in "${targets[@]}"; do
    run "$t" &
    pids+=("$!")
    names+=("$t")
    if [[ ${#pids[@]} -ge $jobs ]]; then
        wait "${pids[0]}" || failed+=("${names[0]}")
        pids=("${pids[@]:1}")
        names=("${names[@]:1}")
    fi
done
for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || failed+=("${names[$i]}")
done
say "done in $((SECONDS - start)) s"
printf 'fuzz: %d passed, %d failed\n' "$((${#targets[@]} - ${#failed[@]}))" "${#failed[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
    die "failed: ${failed[*]}"
fi
