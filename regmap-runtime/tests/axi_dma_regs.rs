//! The checked-in AXI DMA register block is exactly what regmap's generator
//! makes of `maps/axi_dma.yaml`.
//!
//! After editing the map (or the emitter), regenerate with
//! `REGMAP_BLESS=1 cargo test -p regmap-runtime --test axi_dma_regs`.

use regmap_codegen::emit::{self, EmitOptions};
use std::path::Path;

#[test]
fn checked_in_register_block_matches_the_generator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let map = root.join("maps/axi_dma.yaml");
    let checked_in = root.join("src/axi_dma/regs.rs");
    let text = std::fs::read_to_string(&map).unwrap();
    let design = regmap_codegen::load_yaml_str(&text, "axi_dma.yaml")
        .unwrap_or_else(|report| panic!("maps/axi_dma.yaml does not load:\n{report}"));
    // Inside regmap-runtime the runtime is `crate`.
    let options = EmitOptions::default().with_runtime_path(syn::parse_quote!(crate));
    let generated =
        emit::header("axi_dma.yaml") + &emit::format(&emit::emit_design(&design, &options));
    let current = std::fs::read_to_string(&checked_in).unwrap_or_default();
    if generated == current {
        return;
    }
    if std::env::var_os("REGMAP_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&checked_in, generated).unwrap();
        return;
    }
    let first_difference = generated
        .lines()
        .zip(current.lines())
        .position(|(a, b)| a != b)
        .map_or(
            generated.lines().count().min(current.lines().count()),
            |i| i,
        )
        + 1;
    panic!(
        "src/axi_dma/regs.rs differs from what the generator makes of maps/axi_dma.yaml (first at line {first_difference}); \
         regenerate with `REGMAP_BLESS=1 cargo test -p regmap-runtime --test axi_dma_regs`"
    );
}
