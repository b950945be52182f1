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
    text.and_then(|t| {
        crate::comment_text::lines(t)
            .map(str::trim)
            .find(|l| !l.is_empty())
    })
    .unwrap_or_default()
    .to_owned()
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

/// `line` with at most 3 spaces of indentation, and one space after a list
/// marker that starts it: 4 would make an indented code block of it, which
/// rustdoc compiles as a doctest of the user's crate.
fn shallow(line: &str) -> String {
    let body = line.trim_start();
    let indent = " ".repeat((line.len() - body.len()).min(3));
    let digits = body.len() - body.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let marker = match body.as_bytes() {
        [b'-' | b'*' | b'+', ..] => 1,
        [..] if digits > 0 && matches!(body.as_bytes().get(digits), Some(b'.' | b')')) => {
            digits + 1
        }
        _ => 0,
    };
    let content = &body[marker..];
    if marker > 0 && content.starts_with(' ') {
        format!("{indent}{} {}", &body[..marker], content.trim_start())
    } else {
        format!("{indent}{body}")
    }
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

/// A description paragraph (lines joined by `\n`, each trimmed) as rustdoc
/// should show it. Descriptions are text (vendors write `[1:0]`, `<name>` and
/// bare addresses), and rustdoc reads markdown: unescaped, those are broken
/// intra-doc links, unclosed HTML tags and bare URLs, each a warning in the
/// user's `cargo doc`, and a fenced block is a doctest the user's
/// `cargo test` compiles. Brackets and tag-like `<` are escaped, URLs put in
/// angle brackets and fences broken; code spans (a backtick run closed by one
/// of the same length, as markdown pairs them) and `` [`Item`] `` links are
/// left alone, so maps written as markdown keep working.
pub(super) fn plain_text_for_rustdoc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    // For each open `[`: whether it was kept as a link (true) or escaped.
    let mut brackets: Vec<bool> = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        if (rest.starts_with("```") || rest.starts_with("~~~")) && opens_a_block(&out) {
            // A fence opens a code block: escape its run of fence characters.
            let run = rest.len() - rest.trim_start_matches(c).len();
            for _ in 0..run {
                out.push('\\');
                out.push(c);
            }
            rest = &rest[run..];
            continue;
        }
        if c == '>' && opens_a_block(&out) {
            // A block quote, where 5 spaces more would open a code block.
            out.push_str("\\>");
            rest = after;
            continue;
        }
        if c == '\\' && after.starts_with(|n: char| n.is_ascii_punctuation()) {
            // The author's own escape: kept, with the character it escapes.
            let n = after.chars().next().unwrap_or_default();
            out.push(c);
            out.push(n);
            rest = &after[n.len_utf8()..];
            continue;
        }
        if c == '`' {
            let run = rest.len() - rest.trim_start_matches('`').len();
            let span = closing_backticks(&rest[run..], run).map_or(run, |end| run + end + run);
            out.push_str(&rest[..span]);
            rest = &rest[span..];
            continue;
        }
        if c == '[' {
            let link = after.starts_with('`');
            brackets.push(link);
            out.push_str(if link { "[" } else { "\\[" });
        } else if c == ']' {
            out.push_str(if brackets.pop() == Some(true) {
                "]"
            } else {
                "\\]"
            });
        } else if c == '<'
            && after.starts_with(|n: char| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?'))
            && !after.starts_with("http://")
            && !after.starts_with("https://")
        {
            out.push_str("\\<");
        } else if (rest.starts_with("http://") || rest.starts_with("https://"))
            && !out.ends_with('<')
            && !out.ends_with('(')
        {
            let end = rest
                .find(|n: char| n.is_whitespace() || n == '>' || n == ')')
                .unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ';', ':']);
            out.push('<');
            out.push_str(url);
            out.push('>');
            rest = &rest[url.len()..];
            continue;
        } else {
            out.push(c);
        }
        rest = after;
    }
    out
}

/// Whether what `out` holds of its current line could stand before the start
/// of a block: nothing, or the markers of block quotes and list items.
fn opens_a_block(out: &str) -> bool {
    let line = out.rfind('\n').map_or(out, |n| &out[n + 1..]);
    line.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '>' | '-' | '*' | '+' | '.' | ')'))
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
