//! The YAML front end: a block map through parse, checks and (when clean)
//! the Rust emitter, and the same block written in `#[register_block]` syntax
//! must lower to the same code; a design file through its loader (its maps are real
//! maps held in memory, picked by path), then the YAML writer and emitter.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use regmap_codegen::import;
use regmap_codegen::yaml::design::is_design;

#[path = "common.rs"]
mod common;

/// The maps a fuzzed design file's instances may name: a path picks one by
/// its length, so different paths can name the same or different blocks.
const MAPS: &[(&str, &str)] = &[
    (
        "axi_timer.yaml",
        include_str!("../../examples/axi-timer/axi_timer.yaml"),
    ),
    (
        "axi_gpio.yaml",
        include_str!("../../examples/axi-gpio/axi_gpio.yaml"),
    ),
    (
        "axi_intc.yaml",
        include_str!("../../examples/axi-intc/axi_intc.yaml"),
    ),
    (
        "clusters.yaml",
        include_str!("../../regmap-codegen/tests/good/clusters.yaml"),
    ),
    (
        "bad_width.yaml",
        include_str!("../../regmap-codegen/tests/bad/bad_width.yaml"),
    ),
];

fn load_map(path: &Path) -> (Option<regmap_codegen::ir::Design>, regmap_codegen::Report) {
    let (name, text) = MAPS[path.as_os_str().len() % MAPS.len()];
    regmap_codegen::check_yaml_str(text, name)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if is_design(&text) {
        let (design, reports) =
            import::load_design_str(&text, "design.yaml", Path::new(""), load_map);
        for report in &reports {
            common::check_report(report);
        }
        if let Some(design) = design {
            import::design_yaml(&design);
            common::emit(&design.to_ir());
        }
        return;
    }
    let (design, report) = regmap_codegen::check_yaml_str(&text, "fuzz.yaml");
    common::check_report(&report);
    match design {
        Some(design) if !report.has_errors() => {
            common::emit(&design);
            common::rust_syntax_agrees(&design);
        }
        Some(_) => {}
        None => assert!(report.has_errors(), "no design and no error"),
    }
});
