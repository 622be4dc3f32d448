#!/usr/bin/env bash
# Run mcpwire's cargo-fuzz targets (fuzz/, see fuzz/README.md).
#
#   bash scripts/fuzz.sh                  every target for 15 s (what CI runs)
#   bash scripts/fuzz.sh --long [SECONDS] every target for SECONDS (default 600)
#   bash scripts/fuzz.sh TARGET [SECONDS] one target (default 15 s)
#
# Installs cargo-fuzz (pinned) into .cache/cargo-fuzz when it is missing,
# builds every target in one cargo invocation, then runs each from its
# checked-in seeds (fuzz/seeds/TARGET, read only) plus a scratch corpus
# (fuzz/corpus/TARGET, ignored by git, kept between runs). Exits non-zero
# when any target crashed, timed out or ran out of memory, and prints the
# input that caused it. Needs only the Rust toolchain: no nightly, RUSTC_BOOTSTRAP=1
# lets the stable compiler take the sanitizer flags. Non-interactive; works
# from any directory.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

CARGO_FUZZ_VERSION=0.13.2
tools="$root/.cache/cargo-fuzz"
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
)

seconds=15
only=""
case "${1:-}" in
    "") ;;
    --long)
        seconds="${2:-600}"
        ;;
    -h|--help)
        sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        only="$1"
        seconds="${2:-15}"
        printf '%s\n' "${targets[@]}" | grep -qx -- "$only" \
            || die "no fuzz target named '$only' (one of: ${targets[*]})"
        ;;
esac
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || die "not a number of seconds: '$seconds'"

# cargo-fuzz, pinned: a copy of the right version on PATH, or our own.
if command -v cargo-fuzz >/dev/null 2>&1 \
    && [[ "$(cargo-fuzz --version 2>/dev/null)" == "cargo-fuzz $CARGO_FUZZ_VERSION" ]]; then
    cargo_fuzz="$(command -v cargo-fuzz)"
else
    cargo_fuzz="$tools/bin/cargo-fuzz"
    if [[ "$("$cargo_fuzz" --version 2>/dev/null || true)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]]; then
        say "installing cargo-fuzz $CARGO_FUZZ_VERSION into .cache/cargo-fuzz"
        CARGO_INSTALL_ROOT="$tools" cargo install cargo-fuzz \
            --version "$CARGO_FUZZ_VERSION" --locked --quiet </dev/null
    fi
fi

# The same flags for building and running, so that running never rebuilds.
# Release code with debug assertions and AddressSanitizer (cargo-fuzz's
# defaults); 16 codegen units build faster than cargo-fuzz's default of 1.
build_flags=(--codegen-units 16)

start=$SECONDS
say "building the fuzz targets ($("$cargo_fuzz" --version), $(rustc --version))"
"$cargo_fuzz" fuzz build "${build_flags[@]}" </dev/null
say "built in $((SECONDS - start)) s"

# Per-target libFuzzer options.
options() {
    local t="$1"
    case "$t" in
        jsonrpc_frame|line_reader|engine_frames) echo "-dict=fuzz/dicts/json.dict" ;;
        sse_parser) echo "-dict=fuzz/dicts/sse.dict" ;;
        host_origin_guard) echo "-dict=fuzz/dicts/http.dict" ;;
        # Matching must stay fast on every input: a slow one is a failure.
        uri_template) echo "-dict=fuzz/dicts/uri_template.dict -timeout=5 -max_len=4096" ;;
    esac
    case "$t" in
        uri_template) ;;
        http_service|engine_frames) echo "-timeout=20" ;;
        *) echo "-timeout=10" ;;
    esac
}

logs="$root/fuzz/target/logs"
mkdir -p "$logs"
run() {
    local t="$1"
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
    # shellcheck disable=SC2046 # the options are words
    if "$cargo_fuzz" fuzz run "${build_flags[@]}" "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
        -max_total_time="$seconds" -print_final_stats=1 $(options "$t") \
        >"$logs/$t.log" 2>&1 </dev/null; then
        say "$t: ok ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$logs/$t.log" | grep -o '[0-9]*$' || echo '?') runs in ${seconds} s)"
        return 0
    fi
    tail -n 60 "$logs/$t.log" >&2
    local input
    input="$(grep -o 'Test unit written to .*' "$logs/$t.log" | tail -n1 | sed 's/^Test unit written to //')"
    say "$t: FAILED (full log: ${logs#"$root"/}/$t.log)"
    if [[ -n "$input" ]]; then
        say "$t: the input that failed: $input"
        say "$t: reproduce with: RUSTC_BOOTSTRAP=1 $cargo_fuzz fuzz run ${build_flags[*]} $t $input"
    fi
    return 1
}

if [[ -n "$only" ]]; then
    targets=("$only")
fi
say "running ${#targets[@]} target(s), ${seconds} s each"
failed=()
for t in "${targets[@]}"; do
    run "$t" || failed+=("$t")
done
say "done in $((SECONDS - start)) s"
printf 'fuzz: %d passed, %d failed\n' "$((${#targets[@]} - ${#failed[@]}))" "${#failed[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
    die "failed: ${failed[*]}"
fi
