//! Generates the test block from its YAML map, as a user's build script would.

fn main() {
    let dir = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    for name in ["bench_timer", "collisions"] {
        let map = format!("maps/{name}.yaml");
        if let Err(e) = regmap_codegen::generate(&map, dir.join(format!("{name}.rs"))) {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
