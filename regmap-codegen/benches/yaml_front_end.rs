//! Time of the YAML front end (parse + every check) on a map of 2,000
//! registers and 20,000 fields, with register arrays and a cluster array.
//!
//! `cargo bench -p regmap-codegen --bench yaml_front_end` prints the median
//! of several runs. A plain timing loop rather than a statistics framework:
//! the figure to watch is "well under a second", not a few percent.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// A map of `registers` registers of 10 fields each (every 50th an array of
/// 4, then a cluster array of 4 holding 10 more).
fn big_map(registers: usize) -> String {
    let mut s = String::from("regmap: 1\nblock:\n  name: big\n  size: 0x100000\n  registers:\n");
    let mut offset = 0u64;
    for i in 0..registers - 10 {
        s.push_str(&format!(
            "    - name: REG{i}\n      offset: {offset:#x}\n      description: Register {i}\n"
        ));
        if i % 50 == 0 {
            s.push_str("      count: 4\n");
            offset += 16;
        } else {
            offset += 4;
        }
        s.push_str("      fields:\n");
        for f in 0..10 {
            let access = ["rw", "w1c", "ro"][f % 3];
            s.push_str(&format!(
                "        - {{ name: F{f}, bits: \"{}:{}\", access: {access} }}\n",
                f * 3 + 2,
                f * 3
            ));
        }
    }
    s.push_str(&format!(
        "    - name: ch\n      offset: {:#x}\n      count: 4\n      stride: 0x100\n      registers:\n",
        (offset + 0xfff) & !0xfff
    ));
    for r in 0..10 {
        s.push_str(&format!(
            "        - name: C{r}\n          offset: {:#x}\n          fields:\n",
            r * 4
        ));
        for f in 0..10 {
            s.push_str(&format!("            - {{ name: F{f}, bits: {f} }}\n"));
        }
    }
    s
}

fn main() {
    let text = big_map(2_000);
    // Fail loudly rather than time an error path.
    let design = regmap_codegen::load_yaml_str(&text, "big.yaml").unwrap();
    let fields: usize = {
        let mut n = 0;
        for item in &design.blocks[0].items {
            match item {
                regmap_codegen::ir::Item::Register(r) => n += r.fields.len(),
                regmap_codegen::ir::Item::Cluster(c) => {
                    for i in &c.items {
                        if let regmap_codegen::ir::Item::Register(r) = i {
                            n += r.fields.len();
                        }
                    }
                }
            }
        }
        n
    };
    let mut times: Vec<Duration> = (0..15)
        .map(|_| {
            let start = Instant::now();
            black_box(regmap_codegen::load_yaml_str(black_box(&text), "big.yaml").unwrap());
            start.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "yaml front end (parse + checks), 2000 registers / {fields} fields, {} KiB: median {:.1} ms (min {:.1} ms, max {:.1} ms)",
        text.len() / 1024,
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
    );
}
