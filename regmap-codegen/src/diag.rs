//! Diagnostics: what checks and front ends report.

use crate::ir::Loc;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The input is rejected.
    Error,
    /// The input is accepted, but probably not what was meant.
    Warning,
    /// Information: something a tool did on the user's behalf (an importer
    /// renaming a vendor name), worth reviewing but not a problem.
    Note,
}

/// One problem found in an input, pointing at where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable machine-readable code, such as `overlapping-registers`.
    pub code: &'static str,
    /// The headline: what is wrong.
    pub message: String,
    /// Where it is wrong.
    pub loc: Loc,
    /// Short text shown under the offending source.
    pub label: String,
    /// Other places involved (the register it overlaps, the first definition...).
    pub related: Vec<(Loc, String)>,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A new error.
    pub fn error(code: &'static str, loc: Loc, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code,
            message: message.into(),
            loc,
            label: String::new(),
            related: Vec::new(),
            hint: None,
        }
    }

    /// A new note (see [`Severity::Note`]).
    pub fn note(code: &'static str, loc: Loc, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Note,
            ..Self::error(code, loc, message)
        }
    }

    /// A new warning.
    pub fn warning(code: &'static str, loc: Loc, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, loc, message)
        }
    }

    /// Sets the label shown under the offending source.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Adds a related location.
    pub fn with_related(mut self, loc: Loc, note: impl Into<String>) -> Self {
        self.related.push((loc, note.into()));
        self
    }

    /// Sets the hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
