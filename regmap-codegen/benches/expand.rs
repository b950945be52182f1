//! Expansion time of `#[register_block]` and `include_yaml!` for a block of
//! 200 registers (4 fields each, one enumerated): the work a build pays per
//! macro call. `cargo bench -p regmap-codegen --bench expand`.
//!
//! With `EXPAND_ONCE=1` the binary expands each way once and exits, for
//! instruction counts that do not depend on machine load:
//! `EXPAND_ONCE=1 valgrind --tool=callgrind --toggle-collect='*try_register_block*' <bench binary>`
//! (and `--toggle-collect='*load_yaml_str*' --toggle-collect='*emit_design*'`
//! for the YAML path).

use criterion::{Criterion, criterion_group};
use proc_macro2::TokenStream;
use regmap_codegen::emit::{self, EmitOptions};
use regmap_codegen::{check, expand, rust_frontend};
use std::fmt::Write;
use std::hint::black_box;

const REGISTERS: usize = 200;

/// The block as a `#[register_block]` module: (attribute, item).
fn rust_block() -> (TokenStream, TokenStream) {
    let mut item = String::from(
        "/// Bench block\nmod bench {\n    /// Mode\n    enum Mode { Idle = 0, Run = 1, Sleep = 2, Halt = 3 }\n",
    );
    for i in 0..REGISTERS {
        write!(
            item,
            "    /// Register {i}
    #[register(offset = {off:#x}, reset = 0x1)]
    struct R{i} {{
        #[bits(0)] EN{i}: bool,
        #[bits(2:1)] MODE{i}: Mode,
        #[bits(8, access = w1c)] IRQ{i}: bool,
        #[bits(23:16)] DIV{i}: u8,
    }}
",
            off = i * 4
        )
        .unwrap();
    }
    item.push_str("}\n");
    let attr = format!("size = {:#x}", REGISTERS * 4);
    (attr.parse().unwrap(), item.parse().unwrap())
}

/// The same block as YAML.
fn yaml_block() -> String {
    let mut y = String::from("regmap: 1\nblock:\n  name: bench\n  description: Bench block\n");
    writeln!(y, "  size: {:#x}", REGISTERS * 4).unwrap();
    y.push_str("  enums:\n    - name: Mode\n      description: Mode\n      values:\n");
    for (n, v) in ["Idle", "Run", "Sleep", "Halt"].iter().zip(0..) {
        writeln!(y, "        - {{ name: {n}, value: {v} }}").unwrap();
    }
    y.push_str("  registers:\n");
    for i in 0..REGISTERS {
        write!(
            y,
            "    - name: R{i}
      offset: {off:#x}
      reset: 0x1
      description: Register {i}
      fields:
        - {{ name: EN{i}, bits: 0 }}
        - {{ name: MODE{i}, bits: \"2:1\", enum: Mode }}
        - {{ name: IRQ{i}, bits: 8, access: w1c }}
        - {{ name: DIV{i}, bits: \"23:16\" }}
",
            off = i * 4
        )
        .unwrap();
    }
    y
}

fn bench(c: &mut Criterion) {
    let (attr, item) = rust_block();
    let opts = EmitOptions::default();
    let mut g = c.benchmark_group("200 registers");
    g.sample_size(20);

    let out = expand::try_register_block(attr.clone(), item.clone(), &opts)
        .unwrap_or_else(|e| panic!("bench block must be valid: {e}"));
    assert!(out.to_string().contains("pub enum R199"));

    g.bench_function("register_block: lower", |b| {
        b.iter(|| rust_frontend::parse(black_box(attr.clone()), black_box(item.clone())))
    });
    let parsed = rust_frontend::parse(attr.clone(), item.clone()).unwrap_or_else(|e| panic!("{e}"));
    g.bench_function("check", |b| {
        b.iter(|| check::check(black_box(&parsed.design)))
    });
    g.bench_function("emit", |b| {
        b.iter(|| emit::emit_block(black_box(&parsed.design.blocks[0]), &opts))
    });
    g.bench_function("register_block: lower + check + emit", |b| {
        b.iter(|| expand::register_block(black_box(attr.clone()), black_box(item.clone()), &opts))
    });

    let yaml = yaml_block();
    regmap_codegen::load_yaml_str(&yaml, "bench.yaml").unwrap_or_else(|r| panic!("{r}"));
    g.bench_function("include_yaml: parse + check + emit", |b| {
        b.iter(|| {
            let design = regmap_codegen::load_yaml_str(black_box(&yaml), "bench.yaml").unwrap();
            emit::emit_design(&design, &opts)
        })
    });
    g.finish();
}

/// One expansion each way, outside criterion (see the module docs).
fn once() {
    let (attr, item) = rust_block();
    let opts = EmitOptions::default();
    let rust = expand::register_block(attr, item, &opts);
    let design = regmap_codegen::load_yaml_str(&yaml_block(), "bench.yaml").unwrap();
    let yaml = emit::emit_design(&design, &opts);
    println!(
        "register_block: {} tokens, include_yaml: {} tokens",
        rust.into_iter().count(),
        yaml.into_iter().count()
    );
}

criterion_group!(benches, bench);

fn main() {
    if std::env::var_os("EXPAND_ONCE").is_some() {
        once();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
