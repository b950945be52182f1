//! The regmap register model and its pipeline.
//!
//! ```text
//! source (YAML file | #[register_block] item) -> front end -> ir::Design
//!     -> check (small passes, each returning Diagnostics) -> emit (Rust tokens)
//! ```
//!
//! Read [`ir`] first: it is the contract between front ends and back ends.
//! [`diag`] holds diagnostics; a front end records where each IR node came
//! from (a [`ir::Loc`]) and renders diagnostics against its own sources.
//! [`yaml`] is the YAML front end, [`check`] the layout checks every front end
//! runs, [`render`] prints diagnostics as rustc does. [`load_yaml_str`] and
//! [`load_yaml_file`] run parse + check in one call. [`rust_frontend`] lowers
//! a `#[register_block]` module into the same IR, and [`expand`] holds what
//! the macros of `regmap-macros` expand to, as plain functions.
//!
//! Besides Rust, the checked model gives a C header ([`c_header`]), a static
//! HTML reference ([`html`]) and, with the `serde` feature, JSON (`json`);
//! `docs/outputs.md` describes all three.

// The compiler's own spans, for line numbers in the macros' errors (only
// asked for when `proc_macro::is_available()`, inside a macro).
extern crate proc_macro;

pub mod c_header;
pub mod check;
mod comment_text;
pub mod diag;
pub mod emit;
pub mod expand;
mod generate;
pub mod html;
pub mod import;
pub mod ir;
#[cfg(feature = "serde")]
pub mod json;
pub mod names;
pub mod render;
mod report;
pub mod rust_frontend;
pub mod source;
pub mod yaml;

use std::path::Path;

pub use emit::{EmitOptions, emit_block, emit_design};
pub use generate::{GenerateError, generate, generate_str, write_if_changed};
pub use report::Report;

/// Parses and checks a YAML register map held in `text`; `file_name` is shown
/// in diagnostics. Warnings alone do not fail the load.
pub fn load_yaml_str(text: &str, file_name: &str) -> Result<ir::Design, Report> {
    let (design, report) = check_yaml_str(text, file_name);
    match design {
        Some(design) if !report.has_errors() => Ok(design),
        _ => Err(report),
    }
}

/// Reads, parses and checks the YAML register map at `path`.
pub fn load_yaml_file(path: &Path) -> Result<ir::Design, Report> {
    let (design, report) = check_yaml_file(path);
    match design {
        Some(design) if !report.has_errors() => Ok(design),
        _ => Err(report),
    }
}

/// As [`check_yaml_str`], reading the map at `path` (an unreadable file is a
/// report with one error).
pub fn check_yaml_file(path: &Path) -> (Option<ir::Design>, Report) {
    let name = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => check_yaml_str(&text, &name),
        Err(err) => (None, Report::io_error(&name, &err)),
    }
}

/// Parses and checks `text`, returning the design (when one could be built,
/// even with errors) and every diagnostic, warnings included. For tools that
/// print warnings of a map that loads (`regmap-cli check`).
pub fn check_yaml_str(text: &str, file_name: &str) -> (Option<ir::Design>, Report) {
    let mut source = source::SourceFile::new(file_name, text);
    let (design, mut diagnostics) = yaml::parse(&mut source);
    if let Some(design) = &design {
        diagnostics.extend(check::check(design));
    }
    (design, Report::new(source, diagnostics))
}
