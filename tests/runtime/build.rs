//! Generates the test block from its YAML map, as a user's build script would.

fn main() {
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("bench_timer.rs");
    if let Err(e) = regmap_codegen::generate("maps/bench_timer.yaml", out) {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
