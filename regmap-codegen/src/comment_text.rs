//! Description text as it may stand inside a comment of generated code.
//!
//! Descriptions are free text from a map or a vendor file, and rustc refuses
//! two kinds of character in a doc comment: a carriage return that does not
//! end a line, and the Unicode controls that change the visible direction of
//! text (deny-by-default `text_direction_codepoint_in_comment`, the Trojan
//! Source defence; GCC warns about them in C). A map that checks clean must
//! still give code that compiles, so the outputs write such characters as
//! visible escapes instead of dropping the description.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` is one of the codepoints that change the visible direction of
/// text (embeddings, overrides and isolates), which rustc refuses in comments
/// and literals.
pub(crate) fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` cannot stand as itself in one line of a comment: a control
/// character (a tab is the caller's to expand) or a direction control.
fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t') || is_direction_control(c)
}

/// `line` (one line of a description, without its line break) with every
/// control character and direction control written as `\u{..}`, so that it
/// can stand in a `///` or `/* */` comment and shows what the source held.
pub(crate) fn escape_invisible(line: &str) -> Cow<'_, str> {
    if !line.chars().any(needs_escape) {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 16);
    for c in line.chars() {
        if needs_escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The lines of `text`, where a carriage return alone breaks a line too (as
/// in old Mac text): `str::lines` splits only at `\n` and `\r\n`.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().flat_map(|line| line.split('\r'))
}

/// The first non-blank line of `text`, trimmed (by [`lines`]): what the
/// one-line descriptions of `DESC` and of C comments show.
pub(crate) fn first_line(text: &str) -> &str {
    lines(text)
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_controls_and_control_characters_become_visible_escapes() {
        assert_eq!(
            escape_invisible("a \u{202E}b\u{2066} \u{1b}[1m\0 \u{85}\u{7f}"),
            "a \\u{202e}b\\u{2066} \\u{1b}[1m\\u{0} \\u{85}\\u{7f}"
        );
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        // Right-to-left script and marks are text, not direction controls.
        let text = "Ready \u{5e9}\u{5dc}\u{5d5}\u{5dd} \u{200F}\tdone — ✓";
        assert!(matches!(escape_invisible(text), Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn a_lone_carriage_return_breaks_a_line() {
        let got: Vec<&str> = lines("a\rb\r\nc\nd\r\re").collect();
        assert_eq!(got, ["a", "b", "c", "d", "", "e"]);
    }
}
