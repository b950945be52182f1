//! [`Report`]: the diagnostics of one source file, ready to print.

use std::fmt;

use crate::diag::{Diagnostic, Severity};
use crate::ir::Loc;
use crate::render::render;
use crate::source::SourceFile;

/// Diagnostics together with the source they point into.
///
/// `Display` renders them as rustc does, without colour.
#[derive(Debug, Clone)]
pub struct Report {
    source: SourceFile,
    diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// A report of `diagnostics` found in `source`.
    pub fn new(source: SourceFile, mut diagnostics: Vec<Diagnostic>) -> Self {
        diagnostics.sort_by_key(|d| source.span(d.loc).map_or(usize::MAX, |s| s.range.start));
        Self {
            source,
            diagnostics,
        }
    }

    /// A report for a file that could not be read.
    pub fn io_error(name: &str, err: &std::io::Error) -> Self {
        let diag = Diagnostic::error("io", Loc::NONE, format!("cannot read `{name}`: {err}"))
            .with_hint("check the path and its permissions");
        Self::new(SourceFile::new(name, ""), vec![diag])
    }

    /// Every diagnostic, errors and warnings, in source order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The source the diagnostics point into.
    pub fn source(&self) -> &SourceFile {
        &self.source
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// 1-based line and column where `diag` points, if it has a place.
    pub fn line_col(&self, diag: &Diagnostic) -> Option<(u32, u32)> {
        self.source.span(diag.loc).map(|s| (s.line, s.column))
    }

    /// The rendered diagnostics; `color` adds ANSI styles for a terminal.
    pub fn render(&self, color: bool) -> String {
        render(&self.diagnostics, &self.source, color)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for Report {}
