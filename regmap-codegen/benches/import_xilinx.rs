//! Time of the `.hwh` and IP-XACT imports (parse, lower, rename, merge,
//! check, and the YAML text `regmap-cli import` writes) on the test files,
//! and on any `.hwh` named by `REGMAP_BENCH_HWH` (such as the untrimmed 4 MB
//! Pynq-Z2 `base.hwh`).
//!
//! `cargo bench -p regmap-codegen --bench import_xilinx` prints the median of
//! several runs: the figure to watch is "well under a second".

use std::hint::black_box;
use std::time::{Duration, Instant};

use regmap_codegen::import::{block_yaml, design_yaml, import_str};

fn time(label: &str, name: &str, text: &str) {
    // Fail loudly rather than time an error path.
    let import = import_str(text, name, None).unwrap_or_else(|r| panic!("{r}"));
    let mut times: Vec<Duration> = (0..11)
        .map(|_| {
            let start = Instant::now();
            let import = import_str(black_box(text), name, None).unwrap();
            for b in &import.design.blocks {
                black_box(block_yaml(b));
            }
            black_box(design_yaml(&import.design));
            start.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "{label} ({} KiB, {} blocks, {} instances): median {:.1} ms (min {:.1} ms, max {:.1} ms)",
        text.len() / 1024,
        import.design.blocks.len(),
        import.design.instances.len(),
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
    );
}

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/import/xilinx/");
    for (label, name) in [
        ("hwh import, trimmed Pynq-Z2 base", "pynq_z2_base.hwh"),
        ("IP-XACT import, HLS multi_axim", "multi_axim.component.xml"),
    ] {
        let text = std::fs::read_to_string(format!("{dir}{name}")).unwrap();
        time(label, name, &text);
    }
    if let Some(path) = std::env::var_os("REGMAP_BENCH_HWH") {
        let text = std::fs::read_to_string(&path).unwrap();
        time("hwh import, REGMAP_BENCH_HWH", "bench.hwh", &text);
    }
}
