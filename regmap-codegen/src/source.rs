//! Source text and the location table a text front end fills.
//!
//! A [`Loc`] is an index into a [`SourceFile`]'s table of [`SourceSpan`]s;
//! the YAML front end records one entry per node it lowers, and the renderer
//! in [`crate::render`] turns diagnostics back into `file:line:column` text.

use std::ops::Range;

use crate::ir::Loc;

/// Where something was written: a byte range and its 1-based start position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSpan {
    /// Byte range in the source text.
    pub range: Range<usize>,
    /// Line of the first byte, 1-based.
    pub line: u32,
    /// Column of the first byte, 1-based, counted in characters.
    pub column: u32,
}

/// A named source text and the table its [`Loc`]s index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    name: String,
    text: String,
    /// Byte offset of the first byte of every line.
    line_starts: Vec<usize>,
    spans: Vec<SourceSpan>,
}

impl SourceFile {
    /// A source named `name` (shown in diagnostics) holding `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self {
            name: name.into(),
            text,
            line_starts,
            spans: Vec::new(),
        }
    }

    /// The name shown in diagnostics (usually the path).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Records `range` (bytes, clamped to the text) and returns its handle.
    pub fn loc(&mut self, range: Range<usize>) -> Loc {
        let start = self.clamp(range.start);
        let end = self.clamp(range.end.max(start));
        let (line, column) = self.line_col(start);
        let index = u32::try_from(self.spans.len()).unwrap_or(u32::MAX - 1);
        if index == Loc::NONE.0 {
            return Loc::NONE;
        }
        self.spans.push(SourceSpan {
            range: start..end,
            line,
            column,
        });
        Loc(index)
    }

    /// The span recorded for `loc`, if any.
    pub fn span(&self, loc: Loc) -> Option<&SourceSpan> {
        self.spans.get(loc.0 as usize)
    }

    /// 1-based line and character column of byte `offset`.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let offset = self.clamp(offset);
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = self.text[start..offset].chars().count() + 1;
        (to_u32(line + 1), to_u32(column))
    }

    /// Moves `offset` into the text and back onto a character boundary.
    fn clamp(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let mut file = SourceFile::new("t.yaml", "ab\nçd: x\n");
        let x = file.text().find('x').unwrap();
        let loc = file.loc(x..x + 1);
        let span = file.span(loc).unwrap();
        assert_eq!((span.line, span.column), (2, 5));
        assert_eq!(file.line_col(0), (1, 1));
    }

    #[test]
    fn ranges_are_clamped_to_the_text() {
        let mut file = SourceFile::new("t.yaml", "é");
        let loc = file.loc(1..100);
        assert_eq!(file.span(loc).unwrap().range, 0..2);
        assert!(file.span(Loc::NONE).is_none());
    }
}
