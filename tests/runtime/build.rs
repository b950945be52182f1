//! Generates the test block from its YAML map, as a user's build script would,
//! and the blocks of an imported CMSIS-SVD subset (STM32H7x3) through the
//! importer's build-script entry point, an HLS core (`maps/hls_core.yaml`),
//! the examples' maps (the C header test reads them through Rust) and the
//! README's AXI Timer (`examples/axi-timer/axi_timer.yaml`).

fn main() {
    let dir = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    for name in ["bench_timer", "collisions", "hls_core"] {
        let map = format!("maps/{name}.yaml");
        if let Err(e) = regmap_codegen::generate(&map, dir.join(format!("{name}.rs"))) {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
    // The README's example map, for the README's examples (run as doctests).
    if let Err(e) = regmap_codegen::generate(
        "../../examples/axi-timer/axi_timer.yaml",
        dir.join("axi_timer.rs"),
    ) {
        eprintln!("{e}");
        std::process::exit(1);
    }
    if let Err(e) = regmap_codegen::import::generate(
        "../../regmap-codegen/tests/import/svd/STMicro_STM32H7x3.svd",
        dir.join("stm32h7x3.rs"),
    ) {
        eprintln!("{e}");
        std::process::exit(1);
    }
    // The examples' maps, for the test that reads through the generated Rust
    // what a C program wrote through the generated C header.
    for map in [
        "../../examples/axi-timer/axi_timer.yaml",
        "../../examples/axi-gpio/axi_gpio.yaml",
        "../../examples/axi-intc/axi_intc.yaml",
        "../../examples/edu/edu.yaml",
        "../../regmap-runtime/maps/axi_dma.yaml",
    ] {
        let name = std::path::Path::new(map).file_stem().expect("a file name");
        let out = dir.join(format!("example_{}.rs", name.to_string_lossy()));
        if let Err(e) = regmap_codegen::generate(map, out) {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
