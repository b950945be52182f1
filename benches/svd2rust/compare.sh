#!/usr/bin/env bash
# Side-by-side build-time benchmark: regmap against svd2rust on one CMSIS-SVD file.
#
#   benches/svd2rust/compare.sh STM32H7x3.svd [RUNS]
#
# Both tools start from the same SVD: regmap imports it (`regmap-cli import`) and
# generates the design's blocks in one run (`regmap-cli gen` on the design file); svd2rust 0.37.1 generates its
# `lib.rs` (`--target none`). Each output becomes a library crate with its
# dependencies built beforehand, then this script measures, in the same run and on
# the same machine: generation (wall), `cargo check` and `cargo build --release` of
# the generated crate alone, the release `.rlib` size, peak memory of the check and
# lines generated. Each time is the best of RUNS (default 3). The table prints
# regmap / svd2rust ratios; absolute times drift with machine load, ratios much less.
#
# Needs: svd2rust 0.37.1 on PATH (or SVD2RUST=path), from
# `cargo install svd2rust --version 0.37.1 --locked`, and GNU time (/usr/bin/time).
set -euo pipefail

svd=$(realpath "${1:?usage: $0 FILE.svd [RUNS]}")
runs=${2:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
svd2rust=${SVD2RUST:-svd2rust}
work=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"

version=$("$svd2rust" --version 2>/dev/null || true)
case "$version" in
    *0.37.1*) ;;
    *) echo "need svd2rust 0.37.1 (found: ${version:-none}); cargo install svd2rust --version 0.37.1 --locked" >&2
       exit 2 ;;
esac
[ -x /usr/bin/time ] || { echo "need GNU time at /usr/bin/time (apt install time)" >&2; exit 2; }

echo "building regmap-cli (release)..." >&2
cargo build --quiet --release -p regmap-cli --manifest-path "$root/Cargo.toml"
regmap="$root/target/release/regmap-cli"

# best_of N CMD...: runs CMD N times; prints "best_wall_s best_cpu_s max_rss_kib", CPU
# being user + system time of CMD and its children (steadier than wall on a busy machine).
best_of() {
    local n=$1; shift
    local wall="" cpu="" rss=0 i out w u sy kib c
    for ((i = 0; i < n; i++)); do
        out=$(/usr/bin/time -f "%e %U %S %M" "$@" 2>&1 >/dev/null | tail -n 1)
        read -r w u sy kib <<< "$out"
        c=$(awk "BEGIN{print $u + $sy}")
        if [ -z "$wall" ] || awk "BEGIN{exit !($w < $wall)}"; then wall=$w; fi
        if [ -z "$cpu" ] || awk "BEGIN{exit !($c < $cpu)}"; then cpu=$c; fi
        if [ "$kib" -gt "$rss" ]; then rss=$kib; fi
    done
    echo "$wall $cpu $rss"
}

# --- regmap crate -----------------------------------------------------------------
rm -rf "$work/regmap" && mkdir -p "$work/regmap/src"
cat > "$work/regmap/Cargo.toml" <<TOML
[package]
name = "bench-regmap"
version = "0.0.0"
edition = "2024"
publish = false
[dependencies]
regmap-runtime = { path = "$root/regmap-runtime", default-features = false }
[workspace]
TOML

regmap_gen() {
    rm -rf "$work/regmap/yaml"
    "$regmap" import "$svd" -o "$work/regmap/yaml" >/dev/null 2>&1
    # One process for the whole design, as a build script or `gen` on the design file runs it.
    "$regmap" gen "$work"/regmap/yaml/*.design.yaml -o "$work/regmap/src/generated.rs" >/dev/null 2>&1
}
export -f regmap_gen
export regmap svd work

# --- svd2rust crate ---------------------------------------------------------------
rm -rf "$work/svd2rust" && mkdir -p "$work/svd2rust/src"
cat > "$work/svd2rust/Cargo.toml" <<TOML
[package]
name = "bench-svd2rust"
version = "0.0.0"
edition = "2021"
publish = false
[dependencies]
vcell = "0.1.3"
[features]
critical-section = []
[workspace]
TOML

svd2rust_gen() {
    "$svd2rust" --target none -i "$svd" -o "$work/svd2rust/src" >/dev/null 2>&1
}
export -f svd2rust_gen
export svd2rust

echo "generation..." >&2
read -r gen_r gen_cpu_r _ < <(best_of "$runs" bash -c regmap_gen)
read -r gen_s gen_cpu_s _ < <(best_of "$runs" bash -c svd2rust_gen)

# The generated sources: every block of the design in one file.
{
    echo "//! regmap's code for $(basename "$svd")."
    echo "#![no_std]"
    echo "#![allow(missing_docs)]"
    echo "include!(\"generated.rs\");"
} > "$work/regmap/src/lib.rs"
lines_r=$(wc -l < "$work/regmap/src/generated.rs")
lines_s=$(wc -l < "$work/svd2rust/src/lib.rs")

# crate_times DIR: check and release build of the crate alone (dependencies built first).
crate_times() {
    local dir=$1
    (cd "$dir" && cargo check --quiet 2>/dev/null && cargo build --quiet --release 2>/dev/null) \
        || { echo "the crate in $dir does not build:" >&2; (cd "$dir" && cargo check 2>&1 | tail -30) >&2; exit 1; }
    local check build rlib
    check=$(cd "$dir" && best_of "$runs" bash -c 'touch src/lib.rs && cargo check --quiet 2>/dev/null')
    build=$(cd "$dir" && best_of "$runs" bash -c 'touch src/lib.rs && cargo build --quiet --release 2>/dev/null')
    rlib=$(stat -c %s "$dir"/target/release/deps/libbench_*.rlib | sort -n | tail -n 1)
    # wall, CPU and peak memory of the check; wall and CPU of the build; rlib bytes
    echo "$check ${build% *} $rlib"
}

echo "cargo check / build of the regmap crate..." >&2
read -r check_r check_cpu_r rss_r build_r build_cpu_r rlib_r < <(crate_times "$work/regmap")
echo "cargo check / build of the svd2rust crate..." >&2
read -r check_s check_cpu_s rss_s build_s build_cpu_s rlib_s < <(crate_times "$work/svd2rust")

ratio() { awk "BEGIN{printf \"%.2f\", $1 / $2}"; }
printf '\n%s, best of %s, one machine, one run\n\n' "$(basename "$svd")" "$runs"
printf '| %-38s | %12s | %12s | %6s |\n' "" regmap svd2rust ratio
printf '|%s|%s|%s|%s|\n' "----------------------------------------" "--------------" "--------------" "--------"
row() { printf '| %-38s | %10s s | %10s s | %6s |\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"; }
row "generation, wall (SVD in, Rust out)" "$gen_r" "$gen_s"
row "generation, CPU" "$gen_cpu_r" "$gen_cpu_s"
row "cargo check of the crate, wall" "$check_r" "$check_s"
row "cargo check of the crate, CPU" "$check_cpu_r" "$check_cpu_s"
row "cargo build --release of it, wall" "$build_r" "$build_s"
row "cargo build --release of it, CPU" "$build_cpu_r" "$build_cpu_s"
printf '| %-38s | %8s MiB | %8s MiB | %6s |\n' ".rlib (release)" "$((rlib_r / 1048576))" "$((rlib_s / 1048576))" "$(ratio "$rlib_r" "$rlib_s")"
printf '| %-38s | %8s MiB | %8s MiB | %6s |\n' "peak memory (cargo check)" "$((rss_r / 1024))" "$((rss_s / 1024))" "$(ratio "$rss_r" "$rss_s")"
printf '| %-38s | %12s | %12s | %6s |\n' "lines generated" "$lines_r" "$lines_s" "$(ratio "$lines_r" "$lines_s")"
echo
echo "work directory: $work" >&2
