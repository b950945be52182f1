//! How long `regmap-cli import` takes on a CMSIS-SVD file: the trimmed
//! STM32H7x3 subset in the repository, and, when `REGMAP_BENCH_SVD` names
//! one, a whole vendor file (the full STM32H7x3.svd: 2,106 registers).
//!
//! `cargo bench -p regmap-cli --bench import` times the import (parse,
//! lower, rename, merge, check) and the YAML writing on their own, which is
//! what the command runs before writing files.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::PathBuf;

use regmap_codegen::import;

fn bench_file(c: &mut Criterion, label: &str, path: PathBuf) {
    let text = std::fs::read_to_string(&path).expect("the SVD is readable");
    let name = path.display().to_string();
    let imported = import::import_str(&text, &name, None).expect("the SVD imports");
    c.bench_function(&format!("import {label}"), |b| {
        b.iter(|| import::import_str(black_box(&text), &name, None).map(|i| i.design.blocks.len()))
    });
    c.bench_function(&format!("write yaml {label}"), |b| {
        b.iter(|| {
            let d = black_box(&imported.design);
            d.blocks
                .iter()
                .map(|b| import::block_yaml(b).len())
                .sum::<usize>()
                + import::design_yaml(d).len()
        })
    });
}

fn bench(c: &mut Criterion) {
    let trimmed = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../regmap-codegen/tests/import/svd/STMicro_STM32H7x3.svd");
    bench_file(c, "STM32H7x3 subset", trimmed);
    if let Some(full) = std::env::var_os("REGMAP_BENCH_SVD") {
        bench_file(c, "REGMAP_BENCH_SVD", PathBuf::from(full));
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
