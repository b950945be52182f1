//! Formatting large outputs item by item.
//!
//! Parsing and printing one file of tens of megabytes (a map with thousands
//! of registers) holds every token, the whole syntax tree and the printer's
//! buffers at once; most of the time then goes to the allocator and page
//! faults. Formatting one item at a time, descending into modules, keeps each
//! step small. The result is what prettyplease prints for each item, indented
//! to its module's depth.
//!
//! Items the emitter wrote as text (see `text`) are copied as they are.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};

/// Splits a list of items into one token stream per item. An item ends at a
/// `;` or at a brace group that a `;` does not follow (`struct S { .. }`,
/// `impl T { .. }`, `mod m { .. }`; but `const C: T = T { .. };` goes on).
pub(super) fn split_items(stream: TokenStream) -> Vec<Vec<TokenTree>> {
    let mut items = Vec::new();
    let mut current = Vec::new();
    let mut tokens = stream.into_iter().peekable();
    while let Some(token) = tokens.next() {
        let end = match &token {
            TokenTree::Punct(p) => p.as_char() == ';',
            TokenTree::Group(g) => {
                g.delimiter() == Delimiter::Brace
                    && !matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ';')
            }
            _ => false,
        };
        current.push(token);
        if end {
            items.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        items.push(current);
    }
    items
}

/// The body of `item` if it is a module with a body (`... mod name { body }`).
pub(super) fn module_body(item: &[TokenTree]) -> Option<TokenStream> {
    let [
        ..,
        TokenTree::Ident(kw),
        TokenTree::Ident(_),
        TokenTree::Group(body),
    ] = item
    else {
        return None;
    };
    (kw == "mod" && body.delimiter() == Delimiter::Brace).then(|| body.stream())
}

fn unparse(tokens: TokenStream) -> Option<String> {
    syn::parse2::<syn::File>(tokens)
        .ok()
        .map(|file| prettyplease::unparse(&file))
}

fn push_indented(out: &mut String, text: &str, depth: usize) {
    for line in text.lines() {
        if !line.is_empty() {
            for _ in 0..depth {
                out.push_str("    ");
            }
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// One step of the output, printed on its own.
enum Piece {
    /// An item, printed at module depth `depth`.
    Item { item: Vec<TokenTree>, depth: usize },
    /// A module's attributes and header: printed as the line opening it.
    Open { item: Vec<TokenTree>, depth: usize },
    /// The `}` closing a module.
    Close { depth: usize },
}

/// Splits `stream`, a list of items at module depth `depth`, into pieces,
/// descending into modules, and hands them to `sink` in order.
fn pieces(stream: TokenStream, depth: usize, sink: &mut impl FnMut(Piece)) {
    for item in split_items(stream) {
        match module_body(&item) {
            Some(body) => {
                sink(Piece::Open { item, depth });
                pieces(body, depth + 1, sink);
                sink(Piece::Close { depth });
            }
            None => sink(Piece::Item { item, depth }),
        }
    }
}

/// Prints `piece` into `out`. `None` when it does not parse.
fn render(piece: Piece, texts: &[String], out: &mut String) -> Option<()> {
    match piece {
        Piece::Item { item, depth } => match super::text::text_of(&item, texts) {
            Some(text) => push_indented(out, text, depth),
            None => push_indented(out, &unparse(item.into_iter().collect())?, depth),
        },
        Piece::Open { mut item, depth } => {
            // The module's attributes and header, printed with an empty body.
            item.pop();
            item.push(TokenTree::Group(Group::new(
                Delimiter::Brace,
                TokenStream::new(),
            )));
            let text = unparse(item.into_iter().collect())?;
            let open = text.strip_suffix("{}\n")?;
            push_indented(out, &format!("{open}{{"), depth);
        }
        Piece::Close { depth } => push_indented(out, "}", depth),
    }
    Some(())
}

/// Formats a token stream of items, item by item. `None` when some item does
/// not parse (the caller then reports the whole stream).
pub(super) fn format(tokens: &TokenStream, texts: &[String]) -> Option<String> {
    let mut out = String::new();
    let mut ok = true;
    pieces(tokens.clone(), 0, &mut |piece| {
        ok = ok && render(piece, texts, &mut out).is_some();
    });
    ok.then_some(out)
}
