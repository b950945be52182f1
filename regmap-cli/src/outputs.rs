//! The outputs besides Rust: the C header, the JSON model and the HTML
//! reference, from any front door the model has (a YAML map, a design
//! file, a vendor file, a Rust file holding one `#[register_block]` module).

use regmap_codegen::diag::Diagnostic;
use regmap_codegen::ir::Design;
use regmap_codegen::source::SourceFile;
use regmap_codegen::{Report, c_header, html};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::{color, count, load_imported_design, print_capped};

/// A checked model and what is needed to show diagnostics against its source.
pub(crate) struct Loaded {
    pub design: Design,
    /// The design's own name (design files and vendor files have one).
    pub name: Option<String>,
    locate: Locate,
}

/// Where the locations of a loaded model point.
enum Locate {
    /// Into one text file (a YAML map, a vendor file).
    Source(SourceFile),
    /// Into the maps a design file names.
    DesignFile(PathBuf),
    /// Into a Rust file, whose spans carry no positions outside a macro.
    Rust(Box<regmap_codegen::rust_frontend::SpanTable>),
}

/// Loads `path` as whatever it is, printing its diagnostics; `None` (after
/// saying why) when it does not load.
pub(crate) fn load(path: &Path) -> Option<Loaded> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if ext == "rs" {
        return load_rust(path);
    }
    if regmap_codegen::import::is_design_file(path) {
        let imported = load_imported_design(path)?;
        return Some(Loaded {
            design: imported.to_ir(),
            name: Some(imported.name.value),
            locate: Locate::DesignFile(path.to_owned()),
        });
    }
    if ext == "yaml" || ext == "yml" {
        let (design, report) = regmap_codegen::check_yaml_file(path);
        return match design {
            Some(design) if !report.has_errors() => {
                eprint!("{}", report.render_warnings(color()));
                Some(Loaded {
                    design,
                    name: None,
                    locate: Locate::Source(report.source().clone()),
                })
            }
            _ => {
                eprint!("{}", report.render(color()));
                eprintln!(
                    "error: `{}` does not load due to {}",
                    path.display(),
                    count(report.error_count().max(1), "error")
                );
                None
            }
        };
    }
    match regmap_codegen::import::import_file(path) {
        Ok(import) => {
            eprint!("{}", import.report.render_warnings(color()));
            Some(Loaded {
                name: Some(import.design.name.value.clone()),
                design: import.design.to_ir(),
                locate: Locate::Source(import.report.source().clone()),
            })
        }
        Err(report) => {
            print_capped(&report);
            eprintln!(
                "error: could not import `{}` due to {}",
                path.display(),
                count(report.error_count().max(1), "error")
            );
            None
        }
    }
}

/// A Rust file holding one `#[register_block]` module, lowered and checked
/// as the macro does.
fn load_rust(path: &Path) -> Option<Loaded> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", path.display());
            return None;
        }
    };
    let parsed = match regmap_codegen::rust_frontend::parse_str(&text) {
        Ok(parsed) => parsed,
        Err(e) => {
            print_syn(path, e);
            return None;
        }
    };
    let diags = regmap_codegen::check::check(&parsed.design);
    if let Some(e) = regmap_codegen::rust_frontend::to_error(&diags, &parsed.spans) {
        print_syn(path, e);
        return None;
    }
    Some(Loaded {
        design: parsed.design,
        name: None,
        locate: Locate::Rust(Box::new(parsed.spans)),
    })
}

fn print_syn(path: &Path, e: syn::Error) {
    let mut n = 0;
    for one in e {
        n += 1;
        eprintln!("error: {one}\n  --> {}", path.display());
    }
    eprintln!(
        "error: `{}` does not load due to {}",
        path.display(),
        count(n.max(1), "error")
    );
}

/// Prints the C name problems of `loaded`, located in their sources.
fn print_c_problems(loaded: &Loaded, diags: Vec<Diagnostic>) {
    match &loaded.locate {
        Locate::Source(source) => {
            eprint!("{}", Report::new(source.clone(), diags).render(color()));
        }
        Locate::Rust(spans) => {
            if let Some(e) = regmap_codegen::rust_frontend::to_error(&diags, spans) {
                for one in e {
                    eprintln!("error: {one}");
                }
            }
        }
        Locate::DesignFile(path) => print_design_c_problems(path, &diags),
    }
}

/// A design's blocks come from several maps: each map is checked again on
/// its own so its problems point into it. What only the whole design shows
/// (two blocks or instances meeting) is printed without a place.
fn print_design_c_problems(path: &Path, all: &[Diagnostic]) {
    let mut located = 0;
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut seen = std::collections::HashSet::new();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut file = SourceFile::new(path.display().to_string(), text);
    let (parsed, _) = regmap_codegen::yaml::design::parse_design(&mut file);
    for inst in parsed.map(|p| p.instances).unwrap_or_default() {
        let map = dir.join(&inst.map.value);
        if !seen.insert(map.clone()) {
            continue;
        }
        let (Some(design), report) = regmap_codegen::check_yaml_file(&map) else {
            continue;
        };
        let diags = c_header::check(&design);
        located += diags.len();
        if !diags.is_empty() {
            eprint!(
                "{}",
                Report::new(report.source().clone(), diags).render(color())
            );
        }
    }
    if located < all.len() {
        for d in all {
            eprintln!("error[{}]: {}", d.code, d.message);
        }
    }
}

/// `gen --lang c`.
pub(crate) fn c(map: &Path, output: Option<&Path>) -> ExitCode {
    let Some(loaded) = load(map) else {
        return ExitCode::FAILURE;
    };
    let opts = c_header::HeaderOptions {
        source_name: file_name(map),
        design_name: loaded.name.clone(),
    };
    match c_header::header(&loaded.design, &opts) {
        Ok(text) => write_out(output, &text),
        Err(diags) => {
            let n = diags.len();
            print_c_problems(&loaded, diags);
            eprintln!(
                "error: could not generate C from `{}` due to {}",
                map.display(),
                count(n, "error")
            );
            ExitCode::FAILURE
        }
    }
}

/// `gen --lang json`.
pub(crate) fn json(map: &Path, output: Option<&Path>) -> ExitCode {
    let Some(loaded) = load(map) else {
        return ExitCode::FAILURE;
    };
    let text = regmap_codegen::json::to_json(&loaded.design, loaded.name.as_deref());
    write_out(output, &text)
}

/// `doc`.
pub(crate) fn doc(input: &Path, dir: &Path) -> ExitCode {
    let Some(loaded) = load(input) else {
        return ExitCode::FAILURE;
    };
    let title = loaded
        .name
        .clone()
        .unwrap_or_else(|| match loaded.design.blocks.as_slice() {
            [one] => one.name.value.clone(),
            _ => file_name(input),
        });
    let opts = html::HtmlOptions {
        title,
        source_name: file_name(input),
    };
    let files = html::render(&loaded.design, &opts);
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: cannot create `{}`: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    for (name, text) in &files {
        if let Err(e) = regmap_codegen::write_if_changed(&dir.join(name), text) {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    }
    println!(
        "{}: {} written to {}",
        input.display(),
        count(
            files.iter().filter(|(n, _)| n.ends_with(".html")).count(),
            "page"
        ),
        dir.display()
    );
    ExitCode::SUCCESS
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Writes `text` to `output`, or to standard output.
fn write_out(output: Option<&Path>, text: &str) -> ExitCode {
    use std::io::Write;
    match output {
        None => {
            let mut out = std::io::stdout().lock();
            if out
                .write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .is_err()
            {
                return ExitCode::FAILURE;
            }
        }
        Some(path) => {
            if let Err(e) = regmap_codegen::write_if_changed(path, text) {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
