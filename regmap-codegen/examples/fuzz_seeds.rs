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
        // A handoff file or a device description is large and slow to run:
        // each module or peripheral alone (with the peripheral it derives
        // from) is a small seed the fuzzer can afford to mutate often.
        let parts = match target {
            "hwh" => split(&text, "MODULES", "MODULE"),
            "svd" => split(&text, "peripherals", "peripheral"),
            _ => Vec::new(),
        };
        for (i, part) in parts.iter().enumerate() {
            put(target, &format!("{}.{i}", file_name(path)), part)?;
            // Smaller still: a few registers (or address ranges) at a time,
            // under 4 KiB, the longest input the fuzzers make.
            let lists: &[(&str, usize)] = match target {
                "hwh" => &[("REGISTERS", 2), ("MEMRANGES", 3)],
                _ => &[("registers", 3)],
            };
            for &(list, per) in lists {
                for (j, piece) in chunks(part, list, per).iter().enumerate() {
                    put(target, &format!("{}.{i}.{list}{j}", file_name(path)), piece)?;
                }
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

/// `text` cut into one file per `<item>` element of its `<list>` element,
/// each keeping everything before and after the list. An SVD peripheral
/// derived from another keeps that one too, as its only sibling.
fn split(text: &str, list: &str, item: &str) -> Vec<String> {
    let (open, close) = (format!("<{list}>"), format!("</{list}>"));
    let (Some(start), Some(end)) = (text.find(&open), text.rfind(&close)) else {
        return Vec::new();
    };
    let (head, tail) = (&text[..start + open.len()], &text[end..]);
    let (item_open, item_close) = (format!("<{item}"), format!("</{item}>"));
    let mut items = Vec::new();
    let mut rest = &text[start + open.len()..end];
    while let Some(at) = rest.find(&item_open) {
        let after = &rest[at + item_open.len()..];
        // `<peripherals>` also starts with `<peripheral`: an item's tag ends here.
        if !after.starts_with([' ', '>', '\n', '\t', '\r']) {
            rest = after;
            continue;
        }
        let Some(len) = rest[at..].find(&item_close) else {
            break;
        };
        let len = len + item_close.len();
        items.push(&rest[at..at + len]);
        rest = &rest[at + len..];
    }
    let name = |item: &str| -> Option<String> {
        let at = item.find("<name>")? + "<name>".len();
        Some(item[at..at + item[at..].find('<')?].trim().to_string())
    };
    items
        .iter()
        .map(|&one| {
            let mut body = String::new();
            if let Some(base) = derived_from(one)
                && let Some(base) = items.iter().find(|i| name(i).as_deref() == Some(base))
            {
                body.push_str(base);
                body.push('\n');
            }
            body.push_str(one);
            format!("{head}\n{body}\n{tail}")
        })
        .collect()
}

/// `text` once per run of `per` consecutive child elements of its first
/// `<list>` element, the other children left out. Empty when there is no such
/// list or it has no more than `per` children.
fn chunks(text: &str, list: &str, per: usize) -> Vec<String> {
    let (open, close) = (format!("<{list}>"), format!("</{list}>"));
    let Some(start) = text.find(&open).map(|at| at + open.len()) else {
        return Vec::new();
    };
    let Some(end) = text[start..].find(&close).map(|len| start + len) else {
        return Vec::new();
    };
    let children = top_level_elements(&text[start..end]);
    if children.len() <= per {
        return Vec::new();
    }
    children
        .chunks(per)
        .map(|run| {
            let body = &text[start + run[0].0..start + run[run.len() - 1].1];
            format!("{}\n{body}\n{}", &text[..start], &text[end..])
        })
        .collect()
}

/// The byte ranges of the elements at the top level of an XML fragment,
/// found by counting opening, closing and self-closing tags.
fn top_level_elements(xml: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let (mut depth, mut from, mut at) = (0usize, 0, 0);
    while let Some(lt) = xml[at..].find('<').map(|i| at + i) {
        let Some(gt) = xml[lt..].find('>').map(|i| lt + i + 1) else {
            break;
        };
        let tag = &xml[lt..gt];
        at = gt;
        if tag.starts_with("<?") || tag.starts_with("<!") {
            continue;
        }
        if tag.starts_with("</") {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                out.push((from, gt));
            }
        } else if tag.ends_with("/>") {
            if depth == 0 {
                out.push((lt, gt));
            }
        } else {
            if depth == 0 {
                from = lt;
            }
            depth += 1;
        }
    }
    out
}

/// The `derivedFrom` attribute of an element's opening tag, if any.
fn derived_from(item: &str) -> Option<&str> {
    let tag = &item[..item.find('>')?];
    let at = tag.find("derivedFrom=\"")? + "derivedFrom=\"".len();
    Some(&tag[at..at + tag[at..].find('"')?])
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
