//! Runs the modify-cost benchmark under callgrind and compares instruction
//! counts: a generated `modify` on a mapped window against hand-written
//! volatile code with the same semantics. Target ratio: 1.00.
//!
//! ```sh
//! cargo test -p regmap-runtime-tests --release --test callgrind -- --ignored --nocapture
//! ```
//!
//! Each variant runs twice, for N1 and N2 iterations; the difference cancels
//! the fixed cost of the call, leaving the cost of N2 - N1 modifies.

use std::process::Command;

const N1: u32 = 10_000;
const N2: u32 = 110_000;

fn instructions(variant: &str, n: u32) -> u64 {
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("callgrind.out");
    let status = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(format!("--toggle-collect=regmap_bench_{variant}"))
        .arg(env!("CARGO_BIN_EXE_modify_cost"))
        .arg(variant)
        .arg(n.to_string())
        .output()
        .expect("valgrind must be installed (apt-get install valgrind)");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    text.lines()
        .find_map(|l| {
            l.strip_prefix("summary:")
                .or_else(|| l.strip_prefix("totals:"))
        })
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("callgrind output has a summary line")
}

#[test]
#[ignore = "needs valgrind and a release build: see the module docs"]
fn generated_modify_costs_what_hand_written_volatile_code_costs() {
    if cfg!(debug_assertions) {
        panic!("run with --release: an unoptimised build measures nothing useful");
    }
    let per = |variant| {
        let (a, b) = (instructions(variant, N1), instructions(variant, N2));
        println!("{variant:>11}: {a} instructions for {N1} modifies, {b} for {N2}");
        b - a
    };
    let generated = per("generated");
    let borrowed = per("borrowed");
    let hand = per("handwritten");
    let n = (N2 - N1) as f64;
    let ratio = generated as f64 / hand as f64;
    let ratio_borrowed = borrowed as f64 / hand as f64;
    println!(
        "per modify: generated {:.2}, generated on a WindowRef {:.2}, hand-written {:.2} instructions",
        generated as f64 / n,
        borrowed as f64 / n,
        hand as f64 / n
    );
    println!(
        "ratio generated / hand-written: {ratio:.2} (owned window), {ratio_borrowed:.2} (WindowRef)"
    );
    // Instruction counts are deterministic: hold the generated code to within 1%.
    assert!(
        generated * 100 <= hand * 101,
        "generated modify costs more: ratio {ratio:.3}"
    );
    assert!(
        borrowed * 100 <= hand * 101,
        "generated modify on a WindowRef costs more: ratio {ratio_borrowed:.3}"
    );
}
