//! Small helpers shared by the emitters: identifiers, literals, doc comments.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// An identifier from a name already converted by [`crate::names`] (which
/// only produces valid identifiers).
pub(super) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// A hex literal. With `bits` non-zero it is zero-padded to that width and
/// grouped by four digits (`0x0000_0f00`), as datasheets print register values.
pub(super) fn hex(value: u64, bits: u32) -> syn::LitInt {
    let text = if bits == 0 {
        format!("{value:#x}")
    } else {
        let digits = format!("{value:0width$x}", width = (bits as usize).div_ceil(4));
        if digits.len() <= 4 {
            format!("0x{digits}")
        } else {
            let groups: Vec<&str> = digits
                .as_bytes()
                .rchunks(4)
                .rev()
                .map(|c| std::str::from_utf8(c).unwrap_or_default())
                .collect();
            format!("0x{}", groups.join("_"))
        }
    };
    syn::LitInt::new(&text, Span::call_site())
}

/// A decimal `usize`/`u32` literal without suffix.
pub(super) fn dec(value: u64) -> proc_macro2::Literal {
    proc_macro2::Literal::u64_unsuffixed(value)
}

/// `u8`/`u16`/`u32`/`u64` for a native width in bits.
pub(super) fn native_type(bits: u32) -> TokenStream {
    match bits {
        0..=8 => quote!(u8),
        9..=16 => quote!(u16),
        17..=32 => quote!(u32),
        _ => quote!(u64),
    }
}

/// The native width (8, 16, 32, 64) that stores `bits` bits.
pub(super) fn native_bits(bits: u32) -> u32 {
    match bits {
        0..=8 => 8,
        9..=16 => 16,
        17..=32 => 32,
        _ => 64,
    }
}

/// The first line of a description, for the one-line descriptions of `desc`
/// (a lone carriage return ends a line here too, as in the doc comments).
pub(super) fn first_line(text: Option<&str>) -> String {
    crate::comment_text::first_line(text.unwrap_or_default()).to_owned()
}

/// Doc attributes: the description when there is one, else `fallback`.
pub(super) fn doc_lines(description: Option<&str>, fallback: &str) -> TokenStream {
    match description.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => docs(&[d]),
        None => docs(&[fallback]),
    }
}

/// Doc attributes from paragraphs (each may span lines), separated by blank
/// doc lines. Tabs become spaces and trailing blanks go, which keeps clippy's
/// doc lints quiet in the user's crate; a lone carriage return breaks a line
/// and control characters are escaped, since rustc refuses both in a `///`
/// comment (see `comment_text`).
pub(super) fn docs(paragraphs: &[&str]) -> TokenStream {
    let lines = doc_line_texts(paragraphs);
    quote! { #(#[doc = #lines])* }
}

/// The doc attribute values [`docs`] makes: each line of each paragraph,
/// with a leading space, and an empty line between paragraphs. Each run of
/// non-blank lines is one markdown paragraph to rustdoc, so it is made plain
/// text as one (a code span may cross a line break).
pub(super) fn doc_line_texts(paragraphs: &[&str]) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for para in paragraphs
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
    {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        let mut unit: Vec<String> = Vec::new();
        for line in crate::comment_text::lines(para) {
            let line = line.replace('\t', "    ");
            let line = crate::comment_text::escape_invisible(line.trim_end());
            let line = shallow(&line);
            if line.is_empty() {
                flush_unit(&mut unit, &mut lines);
                lines.push(String::new());
            } else {
                unit.push(line);
            }
        }
        flush_unit(&mut unit, &mut lines);
    }
    lines
}

/// `line` with at most 3 spaces of indentation: 4 would make an indented
/// code block of it, which rustdoc compiles as a doctest of the user's crate.
fn shallow(line: &str) -> String {
    let body = line.trim_start();
    let indent = (line.len() - body.len()).min(3);
    format!("{:indent$}{body}", "")
}

/// Appends the lines of one markdown paragraph to `lines`, as plain text.
fn flush_unit(unit: &mut Vec<String>, lines: &mut Vec<String>) {
    if unit.is_empty() {
        return;
    }
    let text = plain_text_for_rustdoc(&unit.join("\n"));
    lines.extend(text.split('\n').map(|l| format!(" {l}")));
    unit.clear();
}

/// A description paragraph (lines joined by `\n`, each indented by less
/// than 4 spaces) as rustdoc should show it. Descriptions are text (vendors
/// write `[1:0]`, `<name>`, bare addresses and indented lists), and rustdoc
/// reads markdown: unescaped, those are broken intra-doc links, unclosed HTML
/// tags and bare URLs, each a warning in the user's `cargo doc`, and a code
/// block (fenced, or indented inside a list item or block quote) is a doctest
/// the user's `cargo test` compiles.
///
/// So no line may start a block: a fence, a block quote, list or heading
/// marker at a line's start is escaped, which keeps the paragraph one
/// paragraph. Within it, brackets and tag-like `<` are escaped and bare URLs
/// put in angle brackets; code spans (a backtick run closed by the next run
/// of the same length, as markdown pairs them), autolinks and `` [`Item`] ``
/// links are kept, so maps written as markdown keep working.
pub(super) fn plain_text_for_rustdoc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        if c != ' ' && at_line_start(&out) {
            let kept = block_marker_escaped(rest, &mut out);
            if kept > 0 {
                rest = &rest[kept..];
                continue;
            }
        }
        if c == '\\' && after.starts_with(|n: char| n.is_ascii_punctuation()) {
            // The author's own escape: kept, with the character it escapes.
            out.push(c);
            out.push_str(&after[..1]);
            rest = &after[1..];
            continue;
        }
        if c == '`' {
            let run = rest.len() - rest.trim_start_matches('`').len();
            let len = closing_backticks(&rest[run..], run).map_or(run, |end| run + end + run);
            // A line of the span could start a block, which would end the
            // paragraph before the span closes, and escaping its marker would
            // add backticks of its own: markdown shows a line break inside a
            // code span as a space, so the span goes on one line.
            out.push_str(&rest[..len].replace('\n', " "));
            rest = &rest[len..];
            continue;
        }
        if let Some(len) = item_link(rest) {
            out.push_str(&rest[..len]);
            rest = &rest[len..];
            // `(` after it would make an inline link to what follows, `:` a
            // link definition.
            if rest.starts_with(['(', ':']) {
                out.push('\\');
                out.push_str(&rest[..1]);
                rest = &rest[1..];
            }
            continue;
        }
        if let Some(len) = autolink(rest) {
            out.push_str(&rest[..len]);
            rest = &rest[len..];
            continue;
        }
        if rest.starts_with("http://") || rest.starts_with("https://") {
            let end = rest
                .find(|n: char| n.is_whitespace() || matches!(n, '<' | '>' | ')' | ']' | '`' | '"'))
                .unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ';', ':']);
            out.push('<');
            out.push_str(url);
            out.push('>');
            rest = &rest[url.len()..];
            continue;
        }
        match c {
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '<' if after
                .starts_with(|n: char| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')) =>
            {
                out.push_str("\\<")
            }
            _ => out.push(c),
        }
        rest = after;
    }
    out
}

/// Whether `out` is at the start of a line, after its indentation.
fn at_line_start(out: &str) -> bool {
    let line = out.rfind('\n').map_or(out, |n| &out[n + 1..]);
    line.bytes().all(|b| b == b' ')
}

/// At the start of a line: writes the block marker `text` starts with (a
/// fence, a block quote, a list item, a heading, a setext underline, a table
/// delimiter row, an HTML block, a footnote definition) escaped into `out`,
/// and returns its length in `text`; 0 when it starts with none.
fn block_marker_escaped(text: &str, out: &mut String) -> usize {
    let bytes = text.as_bytes();
    match bytes[0] {
        b'<' if autolink(text).is_none() => {
            out.push_str("\\<");
            1
        }
        b'[' if bytes.get(1) == Some(&b'^') => {
            out.push_str("\\[");
            1
        }
        b'`' | b'~' => {
            let run = bytes.iter().take_while(|&&b| b == bytes[0]).count();
            if run < 3 {
                return 0;
            }
            for _ in 0..run {
                out.push('\\');
                out.push(char::from(bytes[0]));
            }
            run
        }
        b'>' | b'-' | b'+' | b'*' | b'#' | b'=' | b'_' | b'|' | b':' => {
            out.push('\\');
            out.push(char::from(bytes[0]));
            1
        }
        b'0'..=b'9' => {
            let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            match bytes.get(digits) {
                Some(b'.' | b')') => {
                    out.push_str(&text[..digits]);
                    out.push('\\');
                    out.push(char::from(bytes[digits]));
                    digits + 1
                }
                _ => 0,
            }
        }
        _ => 0,
    }
}

/// The length of an intra-doc link `` [`Item`] `` that `text` starts with.
fn item_link(text: &str) -> Option<usize> {
    let inner = text.strip_prefix("[`")?;
    let end = inner.find('`')?;
    let name = &inner[..end];
    let valid = !name.is_empty()
        && !name.contains(|c: char| c.is_whitespace() || matches!(c, '[' | ']' | '<' | '>'));
    (valid && inner[end..].starts_with("`]")).then_some(2 + end + 2)
}

/// The length of an autolink (`<https://...>`) that `text` starts with.
fn autolink(text: &str) -> Option<usize> {
    let inner = text.strip_prefix('<')?;
    if !inner.starts_with("http://") && !inner.starts_with("https://") {
        return None;
    }
    let end =
        inner.find(|c: char| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>'))?;
    inner[end..].starts_with('>').then_some(1 + end + 1)
}

/// Where a code span opened by `len` backticks ends in `text` (what follows
/// the opening run): the byte offset of the first run of exactly `len`
/// backticks, if there is one. Without one, markdown reads the opening run as
/// plain backticks.
fn closing_backticks(text: &str, len: usize) -> Option<usize> {
    let mut at = 0;
    while let Some(found) = text[at..].find('`') {
        let start = at + found;
        let run = text[start..].len() - text[start..].trim_start_matches('`').len();
        if run == len {
            return Some(start);
        }
        at = start + run;
    }
    None
}

/// Appends `tail` to `head` by moving it: no token is copied.
pub(super) fn append(head: &mut TokenStream, tail: TokenStream) {
    head.extend(std::iter::once(tail));
}

/// `{ body }` as one token, built without copying `body`.
pub(super) fn braced(body: TokenStream) -> TokenStream {
    proc_macro2::TokenTree::Group(proc_macro2::Group::new(proc_macro2::Delimiter::Brace, body))
        .into()
}
