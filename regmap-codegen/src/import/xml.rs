//! XML plumbing shared by the XML importers: parsing with located errors,
//! element lookup by local name, and [`Loc`]s for nodes.
//!
//! Element names are matched by their local name only, so `spirit:register`
//! and `ipxact:register` (or an SVD without namespaces) read alike; each
//! importer checks the root element's namespace once if it cares.

use std::ops::Range;

use roxmltree::{Document, Node, ParsingOptions};

use crate::diag::Diagnostic;
use crate::ir::{Loc, Spanned};
use crate::source::SourceFile;

/// Elements per document before parsing stops: far above any vendor file
/// (STM32H7x3.svd has about 200,000), far below what would exhaust memory.
const NODES_LIMIT: u32 = 20_000_000;

/// Parses `text` (the text of `file`) into a document. DTDs are refused, so
/// no entity can expand; a syntax error is an `xml-syntax` diagnostic at its
/// line and column.
pub fn parse<'t>(file: &mut SourceFile, text: &'t str) -> Result<Document<'t>, Diagnostic> {
    if let Some(at) = too_deep(text) {
        let loc = file.loc(at..at + 1);
        return Err(Diagnostic::error(
            "xml-syntax",
            loc,
            format!("elements nested more than {MAX_DEPTH} deep"),
        )
        .with_label("this element is too deep")
        .with_hint("vendor files nest a few dozen elements deep: this file is damaged"));
    }
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: NODES_LIMIT,
    };
    Document::parse_with_options(text, options).map_err(|err| {
        let pos = err.pos();
        let mut at = byte_offset(text, pos.row, pos.col);
        if matches!(err, roxmltree::Error::DtdDetected) {
            // The parser reports no place for it: point at the declaration.
            at = text.find("<!DOCTYPE").unwrap_or(at);
        }
        let loc = file.loc(at..at + text[at..].chars().next().map_or(0, char::len_utf8));
        let hint = match err {
            roxmltree::Error::DtdDetected => {
                "document type declarations are not read (they can expand without bound): remove the `<!DOCTYPE ...>`"
            }
            _ => "the file is not well-formed XML: fix the markup at this place",
        };
        Diagnostic::error("xml-syntax", loc, format!("malformed XML: {err}"))
            .with_label("here")
            .with_hint(hint)
    })
}

/// Elements nested deeper than this are refused before parsing: the XML
/// parser recurses once per level, so a file of a few hundred kilobytes of
/// `<a><a><a>...` would otherwise overflow the stack (a build script's
/// thread included). Vendor files nest a few dozen deep (an SVD's clusters at
/// most 32, themselves inside about ten levels).
const MAX_DEPTH: usize = 256;

/// The byte offset of the first start tag nested deeper than [`MAX_DEPTH`],
/// if any. A light scan: it skips comments, CDATA sections, processing
/// instructions, declarations and quoted attribute values (where `>` may
/// appear), so a well-formed file is measured exactly; on a malformed one it
/// may miscount, and then the parser reports the real error.
fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let skip_to = |from: usize, end: &str| text[from..].find(end).map(|i| from + i + end.len());
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(lt) = memchr(b'<', &bytes[i..]) {
        let at = i + lt;
        let rest = &text[at..];
        i = if rest.starts_with("<!--") {
            skip_to(at + 4, "-->")?
        } else if rest.starts_with("<![CDATA[") {
            skip_to(at + 9, "]]>")?
        } else if rest.starts_with("<?") {
            skip_to(at + 2, "?>")?
        } else if rest.starts_with("</") {
            depth = depth.saturating_sub(1);
            skip_to(at + 2, ">")?
        } else if rest.starts_with("<!") {
            skip_to(at + 2, ">")?
        } else {
            // A start tag: find its end outside quoted values.
            let mut j = at + 1;
            let mut quote = None;
            let self_closing = loop {
                let &b = bytes.get(j)?;
                match quote {
                    Some(q) if b == q => quote = None,
                    Some(_) => {}
                    None if b == b'"' || b == b'\'' => quote = Some(b),
                    None if b == b'>' => break bytes[j - 1] == b'/',
                    None => {}
                }
                j += 1;
            };
            if !self_closing {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(at);
                }
            }
            j + 1
        };
    }
    None
}

/// The index of the first `needle` in `haystack`.
fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

/// Byte offset of 1-based `row` and character column `col` in `text`,
/// clamped to the text.
fn byte_offset(text: &str, row: u32, col: u32) -> usize {
    let mut start = 0;
    for _ in 1..row {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line = &text[start..];
    let end = line.find('\n').unwrap_or(line.len());
    start
        + line[..end]
            .char_indices()
            .nth(col.saturating_sub(1) as usize)
            .map_or(end, |(i, _)| i)
}

/// The element children of `node` whose local name is `name`.
pub fn children<'a, 'i>(
    node: Node<'a, 'i>,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

/// The first element child of `node` named `name`.
pub fn child<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> Option<Node<'a, 'i>> {
    children(node, name).next()
}

/// The trimmed text of `node` (its text children joined: CDATA counts).
pub fn text(node: Node<'_, '_>) -> String {
    let mut out = String::new();
    for c in node.children().filter(Node::is_text) {
        out.push_str(c.text().unwrap_or(""));
    }
    out.trim().to_owned()
}

/// The byte range of the text inside `node` (trimmed), or of its start tag
/// when it has none: where a diagnostic about the value points.
pub fn text_range(node: Node<'_, '_>) -> Range<usize> {
    let doc = node.document().input_text();
    match node.children().find(Node::is_text) {
        Some(t) => {
            let r = t.range();
            let raw = &doc[r.clone()];
            let lead = raw.len() - raw.trim_start().len();
            let trail = raw.len() - raw.trim_end().len();
            if lead + trail >= raw.len() {
                r
            } else {
                r.start + lead..r.end - trail
            }
        }
        None => tag_range(node),
    }
}

/// The byte range of `node`'s start tag name (`<register` without the `<`),
/// a short place to point at for the element as a whole.
pub fn tag_range(node: Node<'_, '_>) -> Range<usize> {
    let r = node.range();
    let doc = node.document().input_text();
    let start = (r.start + 1).min(r.end);
    let len = doc[start..r.end]
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(0);
    start..start + len
}

/// A child's text with the [`Loc`] of that text, if the child exists.
pub fn child_text(
    file: &mut SourceFile,
    node: Node<'_, '_>,
    name: &'static str,
) -> Option<Spanned<String>> {
    let c = child(node, name)?;
    Some(Spanned::new(text(c), file.loc(text_range(c))))
}

/// A [`Loc`] for `node` as a whole (its tag name).
pub fn loc(file: &mut SourceFile, node: Node<'_, '_>) -> Loc {
    file.loc(tag_range(node))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_syntax_error_points_at_its_line_and_column() {
        let text = "<a>\n  <b></c>\n</a>\n";
        let mut file = SourceFile::new("t.xml", text);
        let err = parse(&mut file, text).unwrap_err();
        let span = file.span(err.loc).unwrap();
        assert_eq!(err.code, "xml-syntax");
        assert_eq!((span.line, span.column), (2, 6), "{err:?}");
    }

    #[test]
    fn a_dtd_is_refused_with_a_hint() {
        let text = "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x \"xx\">]>\n<a>&x;</a>";
        let mut file = SourceFile::new("t.xml", text);
        let err = parse(&mut file, text).unwrap_err();
        assert!(err.hint.unwrap().contains("DOCTYPE"));
        assert_eq!(file.span(err.loc).unwrap().line, 2);
    }

    #[test]
    fn nesting_is_measured_and_refused_past_the_limit() {
        let nested = |depth: usize| format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
        // At the limit the parser still runs, on a test thread's small stack.
        let text = nested(MAX_DEPTH);
        let mut file = SourceFile::new("t.xml", &*text);
        assert!(parse(&mut file, &text).is_ok());
        let text = nested(MAX_DEPTH + 1);
        let mut file = SourceFile::new("t.xml", &*text);
        let err = parse(&mut file, &text).unwrap_err();
        assert_eq!(err.code, "xml-syntax");
        assert_eq!(file.span(err.loc).unwrap().range.start, 3 * MAX_DEPTH);
        // Siblings, empty elements and markup that only looks like tags do
        // not count as depth.
        let flat = "<a>".to_owned()
            + &"<b x='>' y=\"<c>\"/><!-- <d> --><![CDATA[<e>]]><?p <f>?><g></g>"
                .repeat(4 * MAX_DEPTH)
            + "</a>";
        assert_eq!(too_deep(&flat), None);
        assert_eq!(too_deep(&nested(MAX_DEPTH)), None);
    }

    #[test]
    fn text_ranges_skip_surrounding_whitespace() {
        let text = "<a>\n  <name>\n   UART0 </name>\n</a>";
        let mut file = SourceFile::new("t.xml", text);
        let doc = parse(&mut file, text).unwrap();
        let name = child_text(&mut file, doc.root_element(), "name").unwrap();
        assert_eq!(name.value, "UART0");
        let span = file.span(name.loc).unwrap();
        assert_eq!((span.line, span.column), (3, 4));
        assert_eq!(&text[span.range.clone()], "UART0");
        assert_eq!(&text[tag_range(doc.root_element())], "a");
    }

    #[test]
    fn byte_offsets_clamp_past_the_end() {
        assert_eq!(byte_offset("ab\ncd", 2, 2), 4);
        assert_eq!(byte_offset("ab\ncd", 9, 1), 5);
        assert_eq!(byte_offset("ab\ncd", 1, 9), 2);
    }
}
