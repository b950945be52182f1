//! Start-up cost of the register commands: one whole invocation of the built
//! binary (process start, loading and checking the map, mapping the window,
//! the access, printing), as a user at a board pays it each time.
//!
//! `cargo bench -p regmap-cli --bench startup` times `read`, `dump` and
//! `modify` with the edu device's map over a file window. Each should stay
//! well under 20 ms on a release build.

use criterion::{Criterion, criterion_group, criterion_main};
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(args: &[&str], regs: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_regmap-cli"))
        .args(args)
        .arg("--file")
        .arg(regs)
        .current_dir(workspace())
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn startup(c: &mut Criterion) {
    let regs = Path::new(env!("CARGO_TARGET_TMPDIR")).join("startup_regs.bin");
    std::fs::write(&regs, vec![0u8; 0x1000]).unwrap();
    let mut g = c.benchmark_group("startup");
    g.sample_size(50);
    g.bench_function("read edu IDENTIFICATION", |b| {
        b.iter(|| run(&["read", "examples/edu/edu.yaml", "IDENTIFICATION"], &regs))
    });
    g.bench_function("dump edu", |b| {
        b.iter(|| run(&["dump", "examples/edu/edu.yaml"], &regs))
    });
    g.bench_function("modify edu STATUS", |b| {
        b.iter(|| {
            run(
                &[
                    "modify",
                    "examples/edu/edu.yaml",
                    "STATUS",
                    "IRQ_ON_FACTORIAL=1",
                ],
                &regs,
            )
        })
    });
    g.finish();
}

criterion_group!(benches, startup);
criterion_main!(benches);
