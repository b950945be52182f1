//! Formatting large outputs item by item.
//!
//! Parsing and printing one file of tens of megabytes (a map with thousands
//! of registers) holds every token, the whole syntax tree and the printer's
//! buffers at once; most of the time then goes to the allocator and page
//! faults. Formatting one item at a time, descending into modules, keeps each
//! step small. The result is what prettyplease prints for each item, indented
//! to its module's depth.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Splits a list of items into one token stream per item. An item ends at a
/// `;` or at a brace group that a `;` does not follow (`struct S { .. }`,
/// `impl T { .. }`, `mod m { .. }`; but `const C: T = T { .. };` goes on).
fn split_items(stream: TokenStream) -> Vec<Vec<TokenTree>> {
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
fn module_body(item: &[TokenTree]) -> Option<TokenStream> {
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

/// Parses `code` (one item, or a module header with an empty body) and prints
/// it as prettyplease does.
fn unparse(code: &str) -> Option<String> {
    syn::parse_str::<syn::File>(code)
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

/// One step of the output. Tokens are held as text: token streams cannot
/// cross threads, their text can, and re-parsing it gives the same tree.
enum Piece {
    /// An item, printed at module depth `depth`.
    Item { code: String, depth: usize },
    /// A module's attributes and header with an empty body: printed without
    /// that body's `}`, as the line opening the module.
    Open { code: String, depth: usize },
    /// The `}` closing a module.
    Close { depth: usize },
}

/// Splits `stream`, a list of items at module depth `depth`, into pieces,
/// descending into modules.
fn pieces(stream: TokenStream, depth: usize, out: &mut Vec<Piece>) {
    for item in split_items(stream) {
        match module_body(&item) {
            Some(body) => {
                let mut header = item;
                header.pop();
                header.push(TokenTree::Group(Group::new(
                    Delimiter::Brace,
                    TokenStream::new(),
                )));
                let code = header.into_iter().collect::<TokenStream>().to_string();
                out.push(Piece::Open { code, depth });
                pieces(body, depth + 1, out);
                out.push(Piece::Close { depth });
            }
            None => {
                let code = item.into_iter().collect::<TokenStream>().to_string();
                out.push(Piece::Item { code, depth });
            }
        }
    }
}

/// Prints `pieces` in order. `None` when one does not parse.
fn render(pieces: &[Piece]) -> Option<String> {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Item { code, depth } => push_indented(&mut out, &unparse(code)?, *depth),
            Piece::Open { code, depth } => {
                let text = unparse(code)?;
                let open = text.strip_suffix("{}\n")?;
                push_indented(&mut out, &format!("{open}{{"), *depth);
            }
            Piece::Close { depth } => push_indented(&mut out, "}", *depth),
        }
    }
    Some(out)
}

/// Pieces per unit of work handed to a thread: enough to keep the cost of
/// taking work negligible, few enough that threads finish close together.
const CHUNK: usize = 256;

/// Prints `pieces` on `threads` threads (the calling one included). Threads
/// take chunks in turn and the chunks are joined in their original order, so
/// the text is the same for any number of threads.
fn render_parallel(pieces: &[Piece], threads: usize) -> Option<String> {
    let chunks: Vec<&[Piece]> = pieces.chunks(CHUNK).collect();
    let threads = threads.clamp(1, chunks.len().max(1));
    if threads == 1 {
        return render(pieces);
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(chunk) = chunks.get(i) else {
                return done;
            };
            done.push((i, render(chunk)));
        }
    };
    let mut results: Vec<Option<String>> = vec![None; chunks.len()];
    std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
        let mut all = work();
        for helper in helpers {
            // A helper only panics if printing does, which the calling thread
            // would have done too; the chunk then stays `None`.
            all.extend(helper.join().unwrap_or_default());
        }
        for (i, text) in all {
            results[i] = text;
        }
    });
    let mut out = String::with_capacity(results.iter().flatten().map(String::len).sum());
    for text in results {
        out.push_str(&text?);
    }
    Some(out)
}

/// Formats a token stream of items, item by item, on `threads` threads.
/// `None` when some item does not parse (the caller then reports the whole
/// stream).
pub(super) fn format_on(tokens: &TokenStream, threads: usize) -> Option<String> {
    let mut list = Vec::new();
    pieces(tokens.clone(), 0, &mut list);
    render_parallel(&list, threads)
}

/// Formats a token stream of items, item by item, on as many threads as the
/// machine offers. `None` when some item does not parse (the caller then
/// reports the whole stream).
pub(super) fn format(tokens: &TokenStream) -> Option<String> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    format_on(tokens, threads)
}
