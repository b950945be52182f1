//! How long `regmap-cli gen` takes on a large map: 2,000 registers with 10
//! fields each (20,000 fields), built programmatically.
//!
//! `cargo bench -p regmap-cli --bench gen` reports the whole pipeline
//! (`generate_str`: parse, check, emit, format, exactly what `gen` runs before
//! writing) and each stage on its own: emit, then format on one thread, and
//! `format_design`, which is both as the pipeline runs them, on every core.
//! It also writes the map to `$CARGO_TARGET_TMPDIR/big_map.yaml` for timing
//! the binary itself.
//!
//! The benchmark lives here rather than in `regmap-codegen` so it is built
//! with the binary's dependency features: that crate's tests turn on
//! `proc-macro2`'s span locations, which makes token handling several times
//! slower than in the shipped binary.

use criterion::{Criterion, criterion_group, criterion_main};
use std::fmt::Write as _;
use std::hint::black_box;

const REGISTERS: usize = 2_000;
const FIELDS: usize = 10;

/// A map of `REGISTERS` 32-bit registers of `FIELDS` 3-bit fields, with a mix
/// of access kinds and an enum on every fifth field.
fn big_map() -> String {
    const ACCESS: [&str; FIELDS] = ["rw", "rw", "ro", "w1c", "rw", "wo", "rw", "w1s", "rw", "rw"];
    let mut y = String::with_capacity(REGISTERS * FIELDS * 64);
    y.push_str(
        "regmap: 1\nblock:\n  name: big\n  description: A generated map for the benchmark\n",
    );
    let _ = writeln!(y, "  size: {:#x}", REGISTERS * 4);
    y.push_str("  enums:\n    - name: Mode\n      values:\n");
    for (i, v) in ["idle", "run", "pause", "stop"].iter().enumerate() {
        let _ = writeln!(y, "        - {{ name: {v}, value: {i} }}");
    }
    y.push_str("  registers:\n");
    for r in 0..REGISTERS {
        let _ = writeln!(
            y,
            "    - name: REG{r}\n      offset: {:#x}\n      description: Register number {r}\n      fields:",
            r * 4
        );
        for (f, access) in ACCESS.iter().enumerate() {
            let enumeration = if f % 5 == 0 { ", enum: Mode" } else { "" };
            let _ = writeln!(
                y,
                "        - {{ name: F{f}, bits: \"{}:{}\", access: {access}{enumeration}, description: Field {f} }}",
                3 * f + 2,
                3 * f
            );
        }
    }
    y
}

fn bench(c: &mut Criterion) {
    let yaml = big_map();
    if let Some(dir) = option_env!("CARGO_TARGET_TMPDIR") {
        let _ = std::fs::write(std::path::Path::new(dir).join("big_map.yaml"), &yaml);
    }
    let design = regmap_codegen::load_yaml_str(&yaml, "big_map.yaml").expect("the map loads");
    let opts = regmap_codegen::EmitOptions::default();
    let tokens = regmap_codegen::emit_design(&design, &opts);

    let mut group = c.benchmark_group("gen_2000_registers_20000_fields");
    group.sample_size(10);
    group.bench_function("whole pipeline (generate_str)", |b| {
        b.iter(|| regmap_codegen::generate_str(black_box(&yaml), "big_map.yaml").unwrap())
    });
    group.bench_function("parse + check", |b| {
        b.iter(|| regmap_codegen::load_yaml_str(black_box(&yaml), "big_map.yaml").unwrap())
    });
    group.bench_function("emit tokens", |b| {
        b.iter(|| regmap_codegen::emit_design(black_box(&design), &opts))
    });
    group.bench_function("format (prettyplease, one thread)", |b| {
        b.iter(|| regmap_codegen::emit::format(black_box(&tokens)))
    });
    group.bench_function("emit + format on every core (format_design)", |b| {
        b.iter(|| regmap_codegen::emit::format_design(black_box(&design), &opts))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
