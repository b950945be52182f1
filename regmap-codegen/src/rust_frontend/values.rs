//! Attribute values: numbers, access kinds, widths, names, and the keyed
//! argument lists they come in, each mistake reported with a hint.

use super::args::{self, Arg, ArgValue};
use super::codes;
use super::lower::Lower;
use crate::ir::{Access, Loc, Spanned, Width};
use proc_macro2::TokenTree;
use syn::ext::IdentExt;

impl Lower {
    /// Reports a missing required key, unless a misspelt key already
    /// suggested it (one typo, one error).
    pub(super) fn missing_unless_typo(
        &mut self,
        keys: &Keys,
        loc: Loc,
        key: &str,
        what: &str,
        example: &str,
    ) {
        if !keys.typos.iter().any(|t| t == key) {
            self.missing(loc, key, what, example);
        }
    }

    pub(super) fn missing(&mut self, loc: Loc, key: &str, what: &str, example: &str) {
        self.error(codes::MISSING_KEY, loc, format!("{what} needs `{key}`"))
            .hint = Some(format!("add `{example}`"));
    }

    pub(super) fn keyed(
        &mut self,
        args: Vec<Arg>,
        allowed: &[&str],
        what: &str,
        positional_ok: Option<Loc>,
    ) -> Keys {
        let mut keys = Keys::default();
        for arg in args {
            let Some(key) = arg.key.clone() else {
                if positional_ok.is_some() && keys.named.is_empty() {
                    keys.positional.push(arg);
                } else {
                    let loc = self.arg_loc(&arg);
                    self.error(
                        codes::SYNTAX,
                        loc,
                        format!("expected `key = value` in `{what}`"),
                    )
                    .hint = Some(format!("the keys of `{what}` are {}", list(allowed)));
                }
                continue;
            };
            let name = key.unraw().to_string();
            let loc = self.arg_loc(&arg);
            if !allowed.contains(&name.as_str()) {
                let d = self.error(
                    codes::UNKNOWN_KEY,
                    loc,
                    format!("unknown key `{name}` in `{what}`"),
                );
                let suggestion = did_you_mean(&name, allowed);
                d.hint = Some(match suggestion {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the keys of `{what}` are {}", list(allowed)),
                });
                keys.typos.extend(suggestion.map(str::to_owned));
            } else if keys.named.iter().any(|(k, _)| *k == name) {
                self.error(codes::DUPLICATE_KEY, loc, format!("`{name}` written twice"));
            } else {
                keys.named.push((name, arg));
            }
        }
        keys
    }

    pub(super) fn int(&mut self, arg: &Arg, key: &str) -> Option<Spanned<u64>> {
        let loc = self.arg_loc(arg);
        if let ArgValue::Tokens(tokens) = &arg.value
            && let [TokenTree::Literal(l)] = tokens.as_slice()
            && let syn::Lit::Int(i) = syn::Lit::new(l.clone())
        {
            return match i.base10_parse::<u64>() {
                Ok(n) => Some(Spanned::new(n, loc)),
                Err(_) => {
                    self.error(
                        codes::NUMBER_TOO_LARGE,
                        loc,
                        format!("`{key}` does not fit in 64 bits"),
                    );
                    None
                }
            };
        }
        self.error(codes::WRONG_TYPE, loc, format!("`{key}` takes an integer"))
            .hint = Some(format!(
            "write `{key} = 0x10` (decimal, hex `0x` or binary `0b`)"
        ));
        None
    }

    pub(super) fn name_value(&mut self, arg: &Arg, key: &str) -> Option<Spanned<String>> {
        let loc = self.arg_loc(arg);
        if let ArgValue::Tokens(tokens) = &arg.value
            && let [TokenTree::Ident(i)] = tokens.as_slice()
        {
            let (first, last) = args::slice_range(tokens);
            let value_loc = self.spans.add(first, last);
            return Some(Spanned::new(i.unraw().to_string(), value_loc));
        }
        self.error(
            codes::WRONG_TYPE,
            loc,
            format!("`{key}` takes a register name"),
        )
        .hint = Some(format!("write `{key} = VERSION`"));
        None
    }

    pub(super) fn width(&mut self, arg: &Arg) -> Option<Spanned<Width>> {
        let n = self.int(arg, "width")?;
        match Width::from_bits(n.value) {
            Some(w) => Some(Spanned::new(w, n.loc)),
            None => {
                self.error(
                    codes::BAD_WIDTH,
                    n.loc,
                    format!("unsupported register width {}", n.value),
                )
                .hint = Some("registers are 8, 16, 32 or 64 bits wide".into());
                None
            }
        }
    }

    pub(super) fn access(&mut self, arg: &Arg) -> Option<Spanned<Access>> {
        let loc = self.arg_loc(arg);
        let names: Vec<&str> = Access::ALL.iter().map(|a| a.short_name()).collect();
        if let ArgValue::Tokens(tokens) = &arg.value
            && let [TokenTree::Ident(i)] = tokens.as_slice()
        {
            let s = i.unraw().to_string();
            if let Some(a) = Access::from_short_name(&s) {
                return Some(Spanned::new(a, loc));
            }
            let d = self.error(codes::BAD_ACCESS, loc, format!("unknown access kind `{s}`"));
            d.hint = Some(match did_you_mean(&s, &names) {
                Some(m) => format!("did you mean `{m}`?"),
                None => format!("access is one of {}", list(&names)),
            });
            return None;
        }
        self.error(codes::BAD_ACCESS, loc, "expected an access kind")
            .hint = Some(format!("access is one of {}", list(&names)));
        None
    }
}

/// Keyed arguments found in one attribute, and the positional ones before them.
#[derive(Default)]
pub(super) struct Keys {
    named: Vec<(String, Arg)>,
    pub(super) positional: Vec<Arg>,
    /// Keys that misspelt keys were taken for.
    typos: Vec<String>,
}

impl Keys {
    pub(super) fn take(&mut self, key: &str) -> Option<Arg> {
        let i = self.named.iter().position(|(k, _)| k == key)?;
        Some(self.named.remove(i).1)
    }
}

pub(super) use crate::names::did_you_mean;

fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
