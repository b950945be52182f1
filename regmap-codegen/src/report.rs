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
        let hint = match err.kind() {
            std::io::ErrorKind::InvalidData => "the file is not UTF-8 text: save the map as UTF-8",
            std::io::ErrorKind::IsADirectory => "name a map file, not a directory",
            _ => "check the path and its permissions",
        };
        let diag = Diagnostic::error("io", Loc::NONE, format!("cannot read `{name}`: {err}"))
            .with_hint(hint);
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

    /// The warnings alone (no errors, no notes), rendered as [`Report::render`]
    /// does (empty when there are none): for tools that go on after a map loads.
    pub fn render_warnings(&self, color: bool) -> String {
        let warnings: Vec<Diagnostic> = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .cloned()
            .collect();
        if warnings.is_empty() {
            return String::new();
        }
        Report::new(self.source.clone(), warnings).render(color)
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

#[cfg(test)]
mod tests {

    const BAD: &str = "regmap: 1\nblock:\n  name: b\n  size: 0x10\n  registers:\n    - { name: A, offset: 0x2 }\n";

    #[test]
    fn display_is_plain_and_render_colours_on_request() {
        let report = crate::load_yaml_str(BAD, "m.yaml").unwrap_err();
        let plain = report.to_string();
        assert_eq!(plain, report.render(false));
        assert!(!plain.contains('\u{1b}'), "{plain}");
        assert!(report.render(true).contains('\u{1b}'));
        assert!(plain.starts_with("error[misaligned-register]: "), "{plain}");
        assert!(plain.contains(" --> m.yaml:6:26\n"), "{plain}");
        assert!(plain.contains("= help: "), "{plain}");
        let d = &report.diagnostics()[0];
        assert_eq!(report.line_col(d), Some((6, 26)));
        assert_eq!(report.error_count(), 1);
    }

    #[test]
    fn an_unreadable_file_is_a_report_not_a_panic() {
        let path = std::path::Path::new("no/such/dir/map.yaml");
        let report = crate::load_yaml_file(path).unwrap_err();
        assert!(report.has_errors());
        let text = report.to_string();
        assert!(
            text.starts_with("error[io]: cannot read `no/such/dir/map.yaml`"),
            "{text}"
        );
        assert!(text.contains("--> no/such/dir/map.yaml"), "{text}");
    }

    #[test]
    fn warnings_alone_do_not_fail_a_load() {
        // Arrays too large to expand fully give a warning and nothing else.
        let text = "regmap: 1\nblock:\n  name: big\n  size: 0xffff_ffff_ffff\n  registers:\n    - { name: A, offset: 0, count: 0xffff_ffff, stride: 8 }\n";
        let (_, report) = crate::check_yaml_str(text, "w.yaml");
        assert!(!report.diagnostics().is_empty());
        assert!(!report.has_errors(), "{report}");
        assert!(
            report
                .to_string()
                .starts_with("warning[overlap-check-limited]: "),
            "{report}"
        );
        assert!(crate::load_yaml_str(text, "w.yaml").is_ok());
    }
}
