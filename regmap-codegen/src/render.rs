//! Diagnostics rendered the way rustc prints them.
//!
//! ```text
//! error[overlapping-registers]: register `B` overlaps register `A`
//!  --> map.yaml:9:15
//!   |
//! 5 |     - { name: A, offset: 0x0, width: 64 }
//!   |                          --- `A` covers 0x0..0x8
//! ...
//! 9 |     - { name: B, offset: 0x4 }
//!   |                          ^^^ overlaps `A`
//!   |
//!   = help: move one of them, or make them one register with fields
//! ```

use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use crate::diag::{Diagnostic, Severity};
use crate::source::SourceFile;

/// Renders `diags` against `file`, each followed by a blank line.
/// `color` adds ANSI styles for a terminal.
pub fn render(diags: &[Diagnostic], file: &SourceFile, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for diag in diags {
        out.push_str(&render_one(&renderer, diag, file));
        out.push_str("\n\n");
    }
    out
}

fn render_one(renderer: &Renderer, diag: &Diagnostic, file: &SourceFile) -> String {
    let level = match diag.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    };
    let title = level.primary_title(diag.message.as_str()).id(diag.code);

    // The primary span first, then the related ones that have a place.
    let mut marks: Vec<(Range<usize>, &str, bool)> = Vec::new();
    if let Some(span) = file.span(diag.loc) {
        marks.push((span.range.clone(), diag.label.as_str(), true));
    }
    let mut unplaced = Vec::new();
    for (loc, note) in &diag.related {
        match file.span(*loc) {
            Some(span) => marks.push((span.range.clone(), note.as_str(), false)),
            None => unplaced.push(note.as_str()),
        }
    }

    let mut group = if marks.is_empty() {
        title.element(Origin::path(file.name()))
    } else {
        title.element(excerpt(file, &marks))
    };
    for note in unplaced {
        group = group.element(Level::NOTE.message(note));
    }
    if let Some(hint) = &diag.hint {
        group = group.element(Level::HELP.message(hint.as_str()));
    }
    let report: [Group<'_>; 1] = [group];
    renderer.render(&report)
}

/// The lines of `file` that `marks` touch, with the marks shifted onto them.
fn excerpt<'a>(
    file: &'a SourceFile,
    marks: &[(Range<usize>, &'a str, bool)],
) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
    let text = file.text();
    let lo = marks.iter().map(|m| m.0.start).min().unwrap_or(0);
    let hi = marks.iter().map(|m| m.0.end).max().unwrap_or(0);
    let start = text[..lo].rfind('\n').map_or(0, |i| i + 1);
    let end = text[hi..].find('\n').map_or(text.len(), |i| hi + i);
    let end = if end > hi && text[..end].ends_with('\r') {
        end - 1
    } else {
        end
    };
    let (first_line, _) = file.line_col(start);
    // Windows line ends: drop each `\r` before a `\n` (the renderer would
    // show it as a symbol) and shift the marks past it.
    let raw = &text[start..end];
    let dropped: Vec<usize> = raw.match_indices("\r\n").map(|(i, _)| i).collect();
    let shift = |at: usize| at - dropped.partition_point(|&d| d < at);
    let source = if dropped.is_empty() {
        std::borrow::Cow::Borrowed(raw)
    } else {
        std::borrow::Cow::Owned(raw.replace("\r\n", "\n"))
    };
    let mut snippet = Snippet::source(source)
        .line_start(first_line as usize)
        .path(file.name())
        .fold(true);
    for (range, label, primary) in marks {
        let kind = if *primary {
            AnnotationKind::Primary
        } else {
            AnnotationKind::Context
        };
        let span = shift(range.start - start)..shift(range.end - start);
        let annotation = if label.is_empty() {
            kind.span(span)
        } else {
            kind.span(span).label(*label)
        };
        snippet = snippet.annotation(annotation);
    }
    snippet
}

#[cfg(test)]
mod tests {
    #[test]
    fn windows_line_ends_render_like_unix_ones() {
        let unix = "regmap: 1\nblock:\n  name: b\n  size: 0x10\n  registers:\n    - { name: A, offset: 0x0, width: 64 }\n    - { name: B, offset: 0x4 }\n";
        let windows = unix.replace('\n', "\r\n");
        let a = crate::load_yaml_str(unix, "m.yaml")
            .unwrap_err()
            .to_string();
        let b = crate::load_yaml_str(&windows, "m.yaml")
            .unwrap_err()
            .to_string();
        assert_eq!(a, b);
        assert!(a.contains("overlaps `A`"), "{a}");
    }
}
