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
/// with a leading space, and an empty line between paragraphs.
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
        for line in crate::comment_text::lines(para) {
            let line = line.replace('\t', "    ");
            let line = crate::comment_text::escape_invisible(line.trim_end());
            lines.push(if line.is_empty() {
                String::new()
            } else {
                format!(" {}", plain_text_for_rustdoc(&line))
            });
        }
    }
    lines
}

/// A description line as rustdoc should show it. Descriptions are text
/// (vendors write `[1:0]`, `<name>` and bare addresses), and rustdoc reads
/// markdown: unescaped, those are broken intra-doc links, unclosed HTML tags
/// and bare URLs, each a warning in the user's `cargo doc`. Brackets and
/// tag-like `<` are escaped and URLs put in angle brackets; code spans and
/// `` [`Item`] `` links are left alone, so maps written as markdown keep working.
pub(super) fn plain_text_for_rustdoc(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut in_code = false;
    // For each open `[`: whether it was kept as a link (true) or escaped.
    let mut brackets: Vec<bool> = Vec::new();
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        if c == '`' {
            in_code = !in_code;
            out.push(c);
        } else if in_code {
            out.push(c);
        } else if c == '[' {
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
            && after.starts_with(|n: char| n.is_ascii_alphabetic() || n == '/')
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

/// Appends `tail` to `head` by moving it: no token is copied.
pub(super) fn append(head: &mut TokenStream, tail: TokenStream) {
    head.extend(std::iter::once(tail));
}

/// `{ body }` as one token, built without copying `body`.
pub(super) fn braced(body: TokenStream) -> TokenStream {
    proc_macro2::TokenTree::Group(proc_macro2::Group::new(proc_macro2::Delimiter::Brace, body))
        .into()
}
