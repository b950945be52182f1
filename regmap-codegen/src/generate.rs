//! The whole pipeline in one call, for build scripts, the CLI, tests and benches.

use crate::Report;
use crate::emit::{self, EmitOptions};
use std::fmt;
use std::path::{Path, PathBuf};

/// Why [`generate`] failed.
#[derive(Debug)]
pub enum GenerateError {
    /// The register map did not load: it could not be read, or it has errors.
    /// Displays as rustc-style diagnostics.
    Map(Box<Report>),
    /// The generated file could not be written.
    Write {
        /// Where it was to be written.
        path: PathBuf,
        /// Why it could not be.
        source: std::io::Error,
    },
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GenerateError::Map(report) => write!(f, "{report}"),
            GenerateError::Write { path, source } => {
                write!(f, "cannot write `{}`: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for GenerateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            GenerateError::Map(report) => Some(report.as_ref()),
            GenerateError::Write { source, .. } => Some(source),
        }
    }
}

impl From<Report> for GenerateError {
    fn from(report: Report) -> Self {
        GenerateError::Map(Box::new(report))
    }
}

/// Loads, checks and emits the YAML map in `text` as formatted Rust source,
/// with a header naming `file_name` (its file name only).
///
/// # Errors
/// The [`Report`] of the map's errors.
pub fn generate_str(text: &str, file_name: &str) -> Result<String, Report> {
    let design = crate::load_yaml_str(text, file_name)?;
    Ok(emit::header(file_name) + &emit::format_design(&design, &EmitOptions::default()))
}

/// For `build.rs`: generates Rust from the YAML map at `input` into `output`.
/// A design file (`docs/importers.md`) gives every block it names, the
/// `instances` base addresses and the `Design` type binding them all.
///
/// Prints `cargo:rerun-if-changed=<input>` so Cargo re-runs the build script
/// when the map changes, and writes `output` only when its content changes, so
/// an unchanged map never triggers a rebuild of the crate.
///
/// ```no_run
/// // build.rs
/// let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("timer.rs");
/// if let Err(e) = regmap_codegen::generate("timer.yaml", out) {
///     eprintln!("{e}");
///     std::process::exit(1);
/// }
/// ```
///
/// # Errors
/// [`GenerateError::Map`] with rustc-style diagnostics when the map does not
/// load, [`GenerateError::Write`] when `output` cannot be written.
pub fn generate(input: impl AsRef<Path>, output: impl AsRef<Path>) -> Result<(), GenerateError> {
    let input = input.as_ref();
    let output = output.as_ref();
    #[cfg(feature = "import")]
    if crate::import::is_design_file(input) {
        // A design file: every block it names, its instances and `Design`.
        return crate::import::generate(input, output);
    }
    println!("cargo:rerun-if-changed={}", input.display());
    let file_name = input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| input.display().to_string());
    let (design, report) = crate::check_yaml_file(input);
    let design = match design {
        Some(design) if !report.has_errors() => design,
        _ => return Err(report.into()),
    };
    // Cargo shows a build script's warnings only as `cargo:warning=` lines, one
    // line each; anything else on stdout of a successful build is hidden.
    for line in report.render_warnings(false).lines() {
        println!("cargo:warning={line}");
    }
    let code = emit::header(&file_name) + &emit::format_design(&design, &EmitOptions::default());
    write_if_changed(output, &code)
}

/// Writes `content` to `path` unless the file already holds exactly it, so an
/// unchanged output never bumps its timestamp (and never triggers a rebuild).
///
/// # Errors
/// [`GenerateError::Write`] when the file cannot be written.
pub fn write_if_changed(path: &Path, content: &str) -> Result<(), GenerateError> {
    if std::fs::read(path).is_ok_and(|old| old == content.as_bytes()) {
        return Ok(());
    }
    std::fs::write(path, content).map_err(|source| GenerateError::Write {
        path: path.to_owned(),
        source,
    })
}
