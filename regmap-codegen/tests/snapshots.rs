//! The generated code of every example map and test map, pinned.
//!
//! Each map's output is compared with its checked-in file under
//! `tests/snapshots/`. After an intended change to the emitter, re-bless with
//! `REGMAP_BLESS=1 cargo test -p regmap-codegen --test snapshots` and review
//! the diff like any other code change.

use std::path::{Path, PathBuf};

/// (map, snapshot) pairs, relative to this crate's directory.
const CASES: &[(&str, &str)] = &[
    ("tests/maps/kitchen_sink.yaml", "kitchen_sink.rs"),
    ("../examples/axi-timer/axi_timer.yaml", "axi_timer.rs"),
    ("../examples/axi-gpio/axi_gpio.yaml", "axi_gpio.rs"),
    ("../examples/axi-intc/axi_intc.yaml", "axi_intc.rs"),
];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn generate(map: &Path) -> String {
    let text = std::fs::read_to_string(map)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", map.display()));
    let name = map.file_name().unwrap().to_string_lossy();
    regmap_codegen::generate_str(&text, &name)
        .unwrap_or_else(|report| panic!("{} does not load:\n{report}", map.display()))
}

#[test]
fn generated_code_matches_the_snapshots() {
    let bless = std::env::var_os("REGMAP_BLESS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (map, snapshot) in CASES {
        let fresh = generate(&crate_dir().join(map));
        let path = crate_dir().join("tests/snapshots").join(snapshot);
        let pinned = std::fs::read_to_string(&path).unwrap_or_default();
        if fresh != pinned {
            if bless {
                std::fs::write(&path, &fresh).unwrap();
            } else {
                let line = fresh
                    .lines()
                    .zip(pinned.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(fresh.lines().count().min(pinned.lines().count()));
                stale.push(format!(
                    "{snapshot} (first difference at line {})",
                    line + 1
                ));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "generated code differs from the snapshots: {}\nre-bless with REGMAP_BLESS=1 if the change is intended",
        stale.join(", ")
    );
}

#[test]
fn generation_is_deterministic() {
    for (map, _) in CASES {
        let path = crate_dir().join(map);
        assert_eq!(generate(&path), generate(&path), "{map}");
    }
}
