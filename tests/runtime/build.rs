//! Generates the test block from its YAML map, as a user's build script would,
//! and the blocks of an imported CMSIS-SVD subset (STM32H7x3) through the
//! importer's build-script entry point, an HLS core (`maps/hls_core.yaml`),
//! descriptions that generated code must not write raw (`maps/hostile_text.yaml`),
//! the examples' maps (the C header test reads them through Rust) and the
//! README's AXI Timer (`examples/axi-timer/axi_timer.yaml`), and every other
//! vendor file the importer tests read (`regmap-codegen/tests/import/`), so
//! each imported map is shown to compile, not only to check clean.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The importer tests' vendor files, relative to this crate.
const VENDOR_ROOT: &str = "../../regmap-codegen/tests/import";

/// Vendor files left out of the `vendor` module, each with why. The STM32H7x3
/// subset is compiled once already, as the `stm32h7x3` module.
const VENDOR_SKIPPED: &[(&str, &str)] = &[(
    "svd/STMicro_STM32H7x3.svd",
    "compiled as the `stm32h7x3` module",
)];

fn main() {
    let dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    if let Err(e) = vendor(&dir) {
        eprintln!("{e}");
        std::process::exit(1);
    }
    for name in ["bench_timer", "collisions", "hls_core", "hostile_text"] {
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

/// Generates the Rust of every vendor file under [`VENDOR_ROOT`] (SVD, `.hwh`,
/// IP-XACT) into `vendor/`, and `vendor.rs`, which includes each as a module
/// named after its file and lists them in `FILES`. A new file there is picked
/// up without touching this script.
fn vendor(out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(VENDOR_ROOT);
    let mut files = Vec::new();
    for sub in ["", "svd", "xilinx"] {
        let dir = root.join(sub);
        println!("cargo:rerun-if-changed={}", dir.display());
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            let vendor_ext = path.extension().is_some_and(|e| {
                ["svd", "hwh", "xml"]
                    .iter()
                    .any(|v| e.eq_ignore_ascii_case(v))
            });
            if path.is_file() && vendor_ext {
                let relative = path
                    .strip_prefix(root)?
                    .to_string_lossy()
                    .replace('\\', "/");
                files.push((relative, path));
            }
        }
    }
    files.sort();
    let vendor_dir = out.join("vendor");
    std::fs::create_dir_all(&vendor_dir)?;
    let mut index = String::new();
    let mut names = Vec::new();
    for (relative, path) in &files {
        if VENDOR_SKIPPED
            .iter()
            .any(|(skipped, _)| skipped == relative)
        {
            continue;
        }
        println!("cargo:rerun-if-changed={}", path.display());
        // Notes and warnings are the importer tests' business; only a failed
        // import stops the build.
        let import = regmap_codegen::import::import_file(path)?;
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let code = regmap_codegen::emit::header(&file_name.unwrap_or_default())
            + &regmap_codegen::emit::format_design(
                &import.design.to_ir(),
                &regmap_codegen::EmitOptions::default(),
            );
        let module = module_name(relative);
        regmap_codegen::write_if_changed(&vendor_dir.join(format!("{module}.rs")), &code)?;
        writeln!(
            index,
            "/// Imported from `{relative}`.\npub mod {module} {{\n    \
             include!(concat!(env!(\"OUT_DIR\"), \"/vendor/{module}.rs\"));\n}}"
        )?;
        names.push(format!("    ({relative:?}, {module:?}),"));
    }
    writeln!(
        index,
        "/// `(file under the importer tests' directory, module)` of each file above.\n\
         pub const FILES: &[(&str, &str)] = &[\n{}\n];",
        names.join("\n")
    )?;
    regmap_codegen::write_if_changed(&out.join("vendor.rs"), &index)?;
    Ok(())
}

/// `svd/Nordic_nrf51.svd` -> `nordic_nrf51`, `xilinx/gaussian.component.xml`
/// -> `gaussian_component`: the file name without its extension, lower case,
/// every other character `_`.
fn module_name(relative: &str) -> String {
    let file = relative.rsplit('/').next().unwrap_or(relative);
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    stem.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}
