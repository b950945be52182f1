//! The Rust front end's location table: each [`Loc`] it hands out names a
//! range of tokens of the macro input.

use crate::ir::Loc;
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;

/// Maps the [`Loc`]s of one parsed item to the token ranges they came from.
#[derive(Debug, Default, Clone)]
pub struct SpanTable {
    ranges: Vec<(Span, Span)>,
}

impl SpanTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the tokens from `first` to `last` (inclusive) and returns their handle.
    pub fn add(&mut self, first: Span, last: Span) -> Loc {
        let index = u32::try_from(self.ranges.len()).unwrap_or(u32::MAX - 1);
        self.ranges.push((first, last));
        Loc(index)
    }

    /// Records the tokens of `node`.
    pub fn add_tokens(&mut self, node: &impl ToTokens) -> Loc {
        let (first, last) = token_range(node.to_token_stream());
        self.add(first, last)
    }

    /// The first and last span of `loc`; the macro call site for unknown handles.
    pub fn range(&self, loc: Loc) -> (Span, Span) {
        self.ranges
            .get(loc.0 as usize)
            .copied()
            .unwrap_or((Span::call_site(), Span::call_site()))
    }

    /// Number of recorded locations.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// A `syn::Error` whose caret covers `loc`'s tokens.
    pub fn error(&self, loc: Loc, message: impl std::fmt::Display) -> syn::Error {
        let (first, last) = self.range(loc);
        // Two tokens carrying the range's ends: `new_spanned` takes the caret from
        // the first token to the last, which is what rustc underlines.
        let mut ends = TokenStream::new();
        ends.extend([
            TokenTree::Punct(spanned_punct(first)),
            TokenTree::Punct(spanned_punct(last)),
        ]);
        syn::Error::new_spanned(ends, message)
    }
}

fn spanned_punct(span: Span) -> proc_macro2::Punct {
    let mut p = proc_macro2::Punct::new('#', proc_macro2::Spacing::Alone);
    p.set_span(span);
    p
}

/// The spans of the first and last token of `tokens` (call site if empty).
pub(crate) fn token_range(tokens: TokenStream) -> (Span, Span) {
    let mut iter = tokens.into_iter();
    let Some(first) = iter.next() else {
        return (Span::call_site(), Span::call_site());
    };
    let first = first.span();
    let last = iter.last().map_or(first, |t| t.span());
    (first, last)
}
