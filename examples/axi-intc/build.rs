//! Generates the register block from `axi_intc.yaml` into `$OUT_DIR/axi_intc.rs`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("axi_intc.rs");
    match regmap_codegen::generate("axi_intc.yaml", out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Cargo shows a failing build script's stderr: the map's diagnostics.
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
