//! Attribute arguments: `key = value`, `key(nested, ...)`, bare `key`, and
//! positional values, split at top-level commas. Interpreting them is the
//! lowering's business; this module only keeps every token's span.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};

/// One comma-separated argument.
#[derive(Debug, Clone)]
pub(crate) struct Arg {
    /// `Some` for `key ...` arguments, `None` for positional ones.
    pub key: Option<proc_macro2::Ident>,
    /// What followed the key (or the whole argument when positional).
    pub value: ArgValue,
    /// First token of the argument.
    pub first: Span,
    /// Last token of the argument.
    pub last: Span,
}

/// The shape of an argument's value.
#[derive(Debug, Clone)]
pub(crate) enum ArgValue {
    /// `key` alone.
    Flag,
    /// `key = tokens` (the tokens after `=`), or a positional argument's tokens.
    Tokens(Vec<TokenTree>),
    /// `key(inner)`.
    List(TokenStream),
}

/// Splits `tokens` at top-level commas into arguments.
pub(crate) fn split(tokens: TokenStream) -> Vec<Arg> {
    let mut out = Vec::new();
    let mut current: Vec<TokenTree> = Vec::new();
    for tt in tokens {
        if matches!(&tt, TokenTree::Punct(p) if p.as_char() == ',') {
            if !current.is_empty() {
                out.push(classify(std::mem::take(&mut current)));
            }
        } else {
            current.push(tt);
        }
    }
    if !current.is_empty() {
        out.push(classify(current));
    }
    out
}

fn classify(tokens: Vec<TokenTree>) -> Arg {
    let first = tokens[0].span();
    let last = tokens[tokens.len() - 1].span();
    match tokens.as_slice() {
        [TokenTree::Ident(key)] => Arg {
            key: Some(key.clone()),
            value: ArgValue::Flag,
            first,
            last,
        },
        [TokenTree::Ident(key), TokenTree::Group(g)] if g.delimiter() == Delimiter::Parenthesis => {
            Arg {
                key: Some(key.clone()),
                value: ArgValue::List(g.stream()),
                first,
                last,
            }
        }
        [TokenTree::Ident(key), TokenTree::Punct(eq), rest @ ..]
            if eq.as_char() == '=' && !rest.is_empty() =>
        {
            Arg {
                key: Some(key.clone()),
                value: ArgValue::Tokens(rest.to_vec()),
                first,
                last,
            }
        }
        _ => Arg {
            key: None,
            value: ArgValue::Tokens(tokens),
            first,
            last,
        },
    }
}

/// The first and last span of a token slice.
pub(crate) fn slice_range(tokens: &[TokenTree]) -> (Span, Span) {
    match (tokens.first(), tokens.last()) {
        (Some(a), Some(b)) => (a.span(), b.span()),
        _ => (Span::call_site(), Span::call_site()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn splits_keys_lists_flags_and_positionals() {
        let args = split(quote!(11:9, access = w1c, id(register = x), shared,));
        assert_eq!(args.len(), 4);
        assert!(args[0].key.is_none());
        assert!(matches!(&args[0].value, ArgValue::Tokens(t) if t.len() == 3));
        assert_eq!(args[1].key.as_ref().unwrap(), "access");
        assert!(matches!(&args[1].value, ArgValue::Tokens(t) if t.len() == 1));
        assert!(matches!(&args[2].value, ArgValue::List(_)));
        assert!(matches!(args[3].value, ArgValue::Flag));
    }

    #[test]
    fn a_key_with_equals_and_nothing_after_is_positional() {
        let args = split(quote!(offset =));
        assert!(args[0].key.is_none());
    }
}
