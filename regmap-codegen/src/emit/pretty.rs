//! Formatting large outputs item by item.
//!
//! Parsing and printing one file of tens of megabytes (a map with thousands
//! of registers) holds every token, the whole syntax tree and the printer's
//! buffers at once; most of the time then goes to the allocator and page
//! faults. Formatting one item at a time, descending into modules, keeps each
//! step small. The result is what prettyplease prints for each item, indented
//! to its module's depth.
//!
//! Formatting can also run on several threads. Token streams cannot cross
//! threads, so each thread makes its own copy of the stream (by running the
//! emitter, which is deterministic), walks all of its items in the same order,
//! and formats only the chunks of items it claims first; the chunks are then
//! joined in their original order, so the text does not depend on the number
//! of threads or on which thread formatted what.

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
fn render(piece: Piece, out: &mut String) -> Option<()> {
    match piece {
        Piece::Item { item, depth } => {
            push_indented(out, &unparse(item.into_iter().collect())?, depth);
        }
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
pub(super) fn format(tokens: &TokenStream) -> Option<String> {
    let mut out = String::new();
    let mut ok = true;
    pieces(tokens.clone(), 0, &mut |piece| {
        ok = ok && render(piece, &mut out).is_some();
    });
    ok.then_some(out)
}

/// Pieces per unit of work a thread claims: enough to make claiming cheap,
/// few enough that threads finish close together.
const CHUNK: usize = 128;

/// Chunks a thread formatted, by index, each with its text (`None` when a
/// piece does not parse).
type Chunks = Vec<(usize, Option<String>)>;

/// What one thread did: its chunks, and the number of chunks in all.
type Share = (Chunks, usize);

/// One thread's share of formatting the stream `make` builds: the chunks it
/// claimed first. `None` when `make` fails.
fn format_share(
    make: &(dyn Fn() -> Option<TokenStream> + Sync),
    next: &AtomicUsize,
) -> Option<Share> {
    let tokens = make()?;
    let mut done: Chunks = Vec::new();
    let mut seen = 0usize;
    let mut mine = false;
    pieces(tokens, 0, &mut |piece| {
        if seen.is_multiple_of(CHUNK) {
            let chunk = seen / CHUNK;
            // Every thread walks the chunks in order, so the counter is never
            // below `chunk` here: it equals it exactly when nobody took it yet.
            mine = next
                .compare_exchange(chunk, chunk + 1, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok();
            if mine {
                done.push((chunk, Some(String::new())));
            }
        }
        seen += 1;
        if mine && let Some((_, slot)) = done.last_mut() {
            let failed = match slot {
                Some(text) => render(piece, text).is_none(),
                None => false,
            };
            if failed {
                *slot = None;
            }
        }
    });
    Some((done, seen.div_ceil(CHUNK)))
}

/// Formats, on `threads` threads (the calling one included), the token stream
/// `make` builds; `make` runs once on each thread and must build the same
/// stream every time. `None` when some item does not parse or `make` fails.
pub(super) fn format_parallel(
    make: &(dyn Fn() -> Option<TokenStream> + Sync),
    threads: usize,
) -> Option<String> {
    let next = AtomicUsize::new(0);
    let mut all = Vec::new();
    let mut chunks = Vec::new();
    std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads.max(1))
            .map(|_| s.spawn(|| format_share(make, &next)))
            .collect();
        let shares = std::iter::once(format_share(make, &next))
            .chain(helpers.into_iter().map(|h| h.join().ok().flatten()));
        for share in shares {
            match share {
                Some((done, count)) => {
                    all.extend(done);
                    chunks.push(count);
                }
                None => chunks.push(usize::MAX),
            }
        }
    });
    // Every thread saw the same number of chunks, and each chunk was
    // formatted exactly once.
    let count = *chunks.first()?;
    if chunks.iter().any(|&c| c != count) || all.len() != count {
        return None;
    }
    all.sort_unstable_by_key(|(chunk, _)| *chunk);
    let mut out = String::with_capacity(all.iter().flat_map(|(_, t)| t).map(String::len).sum());
    for (_, text) in all {
        out.push_str(&text?);
    }
    Some(out)
}
