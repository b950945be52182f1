#!/usr/bin/env bash
# Builds the fuzz targets and runs each for a while.
#
#   fuzz/run.sh [SECONDS] [TARGET...]     (default: 10 seconds, every target)
#
# Builds with the instrumentation flags `cargo fuzz build --sanitizer none
# --debug-assertions` passes to rustc, so it needs a nightly toolchain but not
# cargo-fuzz itself. No sanitizer: the front ends are safe Rust, where
# AddressSanitizer finds nothing a panic would not, at half the speed. Debug
# assertions stay on: an arithmetic overflow is a panic in a debug build (as a
# procedural macro usually runs), so it is a finding here too.
#
# Seeds are the repository's real files, written to fuzz/seeds by the
# `fuzz_seeds` example; what the fuzzer finds grows fuzz/corpus/TARGET. A
# crash, a run over 10 s or over 2 GB of memory is written to
# fuzz/artifacts/TARGET-* and fails the script.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-10}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(yaml rust svd hwh ipxact); fi
triple="$(rustc +nightly -vV | sed -n 's/^host: //p')"
bin="${CARGO_TARGET_DIR:-target}/$triple/release"

cargo run --quiet --manifest-path ../Cargo.toml -p regmap-codegen --example fuzz_seeds -- seeds >/dev/null

# Coverage is traced in the front ends and the parsers under them, not in
# syn, quote, proc-macro2 and prettyplease: those only check and format the
# emitted code, and tracing their compares cost two thirds of each run.
cov='"-Cpasses=sancov-module", "-Cllvm-args=-sanitizer-coverage-level=4",
 "-Cllvm-args=-sanitizer-coverage-inline-8bit-counters",
 "-Cllvm-args=-sanitizer-coverage-pc-table",
 "-Cllvm-args=-sanitizer-coverage-trace-compares",
 "-Cllvm-args=-sanitizer-coverage-stack-depth",
 "-Cllvm-args=-simplifycfg-branch-fold-threshold=0"'
config=()
for crate in regmap-fuzz regmap-codegen saphyr-parser roxmltree; do
    config+=(--config "profile.release.package.$crate.rustflags=[$cov]")
done
# The diagnostic renderer gets edge coverage (odd spans reach new code) but
# not compare tracing: traced, rendering every report took a third of an SVD
# run, and tracing its character compares made it five times slower.
edges="${cov/\"-Cllvm-args=-sanitizer-coverage-trace-compares\",/}"
config+=(--config "profile.release.package.annotate-snippets.rustflags=[$edges]")
# `--target` keeps the flags off build scripts and procedural macros.
RUSTFLAGS="--cfg fuzzing -Cdebug-assertions -Ccodegen-units=1" \
    cargo +nightly build -Zprofile-rustflags --release --locked --target "$triple" \
    --config 'profile.release.debug="line-tables-only"' "${config[@]}" \
    $(printf -- '--bin %s ' "${targets[@]}")

mkdir -p artifacts
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    # Inputs stay small (a block of a few registers with every construct fits)
    # so each run is cheap; the seeds are cut to fit, see `fuzz_seeds`.
    case "$t" in yaml | rust) max_len=4096 ;; *) max_len=8192 ;; esac
    "$bin/$t" "corpus/$t" "seeds/$t" -max_len="$max_len" \
        -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
        -dict="dicts/$t.dict" -artifact_prefix="artifacts/$t-" -print_final_stats=1 2>"$t.log" || {
        tail -n 40 "$t.log"
        echo "fuzz target $t failed: see fuzz/artifacts/$t-*" >&2
        exit 1
    }
    grep -E '^#[0-9]+[[:space:]]+DONE' "$t.log" | sed "s/^/$t: /"
    rm -f "$t.log"
done
