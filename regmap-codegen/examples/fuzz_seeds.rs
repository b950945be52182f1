//! Writes the seed corpora of the fuzz targets (`fuzz/`, see `docs/fuzzing.md`)
//! from the real files in the repository: YAML maps (good, bad and the
//! examples'), the vendor files the importer tests read, the YAML and design
//! files the importers write from them, and every clean YAML map printed as a
//! `#[register_block]` module for the Rust front end.
//!
//! ```sh
//! cargo run -p regmap-codegen --example fuzz_seeds -- fuzz/seeds
//! ```

use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};

use regmap_codegen::import::{self, Format};
use regmap_codegen::rust_frontend;

fn main() -> Result<(), Box<dyn Error>> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fuzz/seeds".into()),
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut yaml = Vec::new();
    for dir in [
        "regmap-codegen/tests/good",
        "regmap-codegen/tests/bad",
        "regmap-codegen/tests/maps",
        "regmap-runtime/maps",
        "regmap-macros/tests/maps",
        "tests/runtime/maps",
        "examples",
    ] {
        files(&root.join(dir), "yaml", &mut yaml)?;
    }
    let mut vendor = Vec::new();
    files(&root.join("regmap-codegen/tests/import"), "", &mut vendor)?;
    let mut rust = Vec::new();
    files(&root.join("regmap-macros/tests/ui"), "rs", &mut rust)?;

    for target in ["yaml", "rust", "svd", "hwh", "ipxact"] {
        fs::create_dir_all(out.join(target))?;
    }
    let mut count = 0;
    let mut put = |target: &str, name: &str, text: &str| -> std::io::Result<()> {
        count += 1;
        fs::write(out.join(target).join(name), text)
    };
    for path in &yaml {
        let text = fs::read_to_string(path)?;
        put("yaml", &file_name(path), &text)?;
        if let Ok(design) = regmap_codegen::load_yaml_str(&text, "seed.yaml") {
            for block in &design.blocks {
                let name = format!("{}.{}.rs", file_name(path), block.name.value);
                put("rust", &name, &rust_frontend::to_rust(block))?;
            }
        }
    }
    for path in &rust {
        let text = fs::read_to_string(path)?;
        if text.contains("register_block") {
            put("rust", &file_name(path), &text)?;
        }
    }
    for path in &vendor {
        let Ok(text) = fs::read_to_string(path) else {
            continue;
        };
        let target = match Format::detect(path, &text) {
            Some(Format::Svd) => "svd",
            Some(Format::Hwh) => "hwh",
            Some(Format::IpXact) => "ipxact",
            None => continue,
        };
        put(target, &file_name(path), &text)?;
        // A handoff file is large and slow to run: each module alone is a
        // small seed the fuzzer can afford to mutate often.
        if target == "hwh" {
            for (i, module) in hwh_modules(&text).iter().enumerate() {
                put("hwh", &format!("{}.{i}", file_name(path)), module)?;
            }
        }
        // What the importer writes from it is YAML the YAML front end reads.
        if let Ok(imported) = import::import_str(&text, &file_name(path), None) {
            let stem = file_name(path);
            put(
                "yaml",
                &format!("{stem}.design.yaml"),
                &import::design_yaml(&imported.design),
            )?;
            for block in imported.design.blocks.iter().take(8) {
                let name = format!("{stem}.{}.yaml", block.name.value);
                put("yaml", &name, &import::block_yaml(block))?;
            }
        }
    }
    println!("{count} seeds written under {}", out.display());
    Ok(())
}

/// The `.hwh` in `text` cut into one file per `<MODULE>`, each keeping the
/// header and the closing tags.
fn hwh_modules(text: &str) -> Vec<String> {
    let Some(start) = text.find("<MODULES>") else {
        return Vec::new();
    };
    let head = &text[..start + "<MODULES>".len()];
    let mut out = Vec::new();
    let mut rest = &text[start..];
    while let Some(at) = rest.find("<MODULE ") {
        let Some(end) = rest[at..].find("</MODULE>") else {
            break;
        };
        let end = at + end + "</MODULE>".len();
        out.push(format!(
            "{head}\n    {}\n  </MODULES>\n</EDKSYSTEM>\n",
            &rest[at..end]
        ));
        rest = &rest[end..];
    }
    out
}

/// Every file under `dir` whose name ends in `.ext` (any file when `ext` is
/// empty), recursively, in a stable order.
fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            files(&path, ext, out)?;
        } else if ext.is_empty() || path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
    Ok(())
}

/// The file name of `path`, as a seed's name.
fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
