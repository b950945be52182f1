//! Generates the edu register block from `edu.yaml`.

fn main() {
    let out =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("edu.rs");
    if let Err(e) = regmap_codegen::generate("edu.yaml", out) {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
