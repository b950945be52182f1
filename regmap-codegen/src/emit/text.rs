//! Items written as formatted text instead of tokens.
//!
//! The bulk of any output (register types, field constants, field tables) is
//! written here directly as text, laid out as prettyplease lays out the same
//! items, so generation does not build token trees only to parse and print
//! them again. In the emitter's token stream such an item travels as
//! `__regmap_text! { index }`, its text kept aside (see [`take`]): the formatter copies its text, indented to its
//! module's depth; [`expand`] turns it back into tokens for the procedural
//! macros and every caller of the token-level API. A test holds that the text
//! is exactly what prettyplease prints for it.

use proc_macro2::{Delimiter, Group, Ident, Literal, Span, TokenStream, TokenTree};
use std::cell::RefCell;

/// The name of the carrier macro: never defined, never seen by rustc (every
/// public path expands it first).
const CARRIER: &str = "__regmap_text";

/// The width prettyplease fills before it breaks a line.
const MARGIN: usize = 89;

/// Indentation per level.
const INDENT: &str = "    ";

thread_local! {
    /// The texts of the carrier items emitted on this thread since the last
    /// [`take`]. Token streams cannot hold a string without escaping it into
    /// a literal (and unescaping it again), which cost a fifth of generation:
    /// a carrier holds its text's index here instead.
    static TEXTS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// `text` (items at module level, each line ending in `\n`) as an item of the
/// emitter's token stream.
pub(super) fn item(text: String) -> TokenStream {
    let index = TEXTS.with(|t| {
        let mut t = t.borrow_mut();
        t.push(text);
        t.len() - 1
    });
    TokenStream::from_iter([
        TokenTree::Ident(Ident::new(CARRIER, Span::call_site())),
        TokenTree::Punct(proc_macro2::Punct::new('!', proc_macro2::Spacing::Alone)),
        TokenTree::Group(Group::new(
            Delimiter::Brace,
            TokenTree::Literal(Literal::usize_unsuffixed(index)).into(),
        )),
    ])
}

/// The texts of the carrier items emitted on this thread so far, which are
/// then forgotten: an emission takes them once to format or expand its
/// stream, and starts by taking (dropping) what an earlier one left.
pub(super) fn take() -> Vec<String> {
    TEXTS.with(|t| std::mem::take(&mut *t.borrow_mut()))
}

/// The text of a carrier item (`__regmap_text! { index }`), if `item` is one.
pub(super) fn text_of<'t>(item: &[TokenTree], texts: &'t [String]) -> Option<&'t str> {
    let [
        TokenTree::Ident(name),
        TokenTree::Punct(bang),
        TokenTree::Group(body),
    ] = item
    else {
        return None;
    };
    if name != CARRIER || bang.as_char() != '!' || body.delimiter() != Delimiter::Brace {
        return None;
    }
    let mut inner = body.stream().into_iter();
    let (Some(TokenTree::Literal(lit)), None) = (inner.next(), inner.next()) else {
        return None;
    };
    let index: usize = lit.to_string().parse().ok()?;
    texts.get(index).map(String::as_str)
}

/// `tokens` with every carrier item replaced by the tokens of its text, in
/// modules at any depth. Text that does not lex (only an emitter bug could
/// write such) becomes a `compile_error!` saying so.
pub(super) fn expand(tokens: TokenStream, texts: &[String], rt: &syn::Path) -> TokenStream {
    let rt = quote::quote!(#rt);
    expand_with(tokens, texts, &rt)
}

/// The name text uses for the runtime path when that path cannot be written
/// as text: `$crate` (a macro's own crate) is a token, not a word.
pub(super) const RT_PLACEHOLDER: &str = "__regmap_rt";

/// `tokens` with every [`RT_PLACEHOLDER`] identifier replaced by `rt`.
fn substitute(tokens: TokenStream, rt: &TokenStream) -> TokenStream {
    tokens
        .into_iter()
        .flat_map(|tree| -> Vec<TokenTree> {
            match tree {
                TokenTree::Ident(i) if i == RT_PLACEHOLDER => rt.clone().into_iter().collect(),
                TokenTree::Group(g) => {
                    let mut ng = Group::new(g.delimiter(), substitute(g.stream(), rt));
                    ng.set_span(g.span());
                    vec![TokenTree::Group(ng)]
                }
                other => vec![other],
            }
        })
        .collect()
}

fn expand_with(tokens: TokenStream, texts: &[String], rt: &TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        if i + 3 <= trees.len()
            && let Some(text) = text_of(&trees[i..i + 3], texts)
        {
            match text.parse::<TokenStream>() {
                Ok(ts) if text.contains(RT_PLACEHOLDER) => out.extend(substitute(ts, rt)),
                Ok(ts) => out.extend(ts),
                Err(e) => {
                    let msg = format!(
                        "regmap: generated text does not lex ({e}); please report this bug"
                    );
                    out.extend(quote::quote!(::core::compile_error!(#msg);));
                }
            }
            i += 3;
            continue;
        }
        match &trees[i] {
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                let mut ng = Group::new(Delimiter::Brace, expand_with(g.stream(), texts, rt));
                ng.set_span(g.span());
                out.push(TokenTree::Group(ng));
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    out.into_iter().collect()
}

/// A string literal as prettyplease prints it.
pub(super) fn str_lit(s: &str) -> String {
    Literal::string(s).to_string()
}

/// The word type of a register width in bits.
pub(super) fn word(bits: u32) -> String {
    format!("u{}", super::util::native_bits(bits))
}

/// A call `head(args, ..)`, laid out later by [`Text`] (on one line when it
/// fits, else one argument per line).
pub(super) struct Call {
    head: String,
    args: Vec<String>,
}

/// `head(args...)`.
pub(super) fn call(head: &str, args: &[String]) -> Call {
    Call {
        head: head.to_owned(),
        args: args.to_vec(),
    }
}

impl Call {
    fn one_line(&self) -> String {
        format!("{}({})", self.head, self.args.join(", "))
    }
}

/// Text being written: lines at an indentation level, relative to the
/// module the text lands in.
pub(super) struct Text {
    out: String,
    level: usize,
}

impl Text {
    pub(super) fn new() -> Self {
        Self {
            out: String::with_capacity(1024),
            level: 0,
        }
    }

    fn indent_width(&self) -> usize {
        self.level * INDENT.len()
    }

    /// One line at the current level.
    pub(super) fn line(&mut self, line: &str) {
        for _ in 0..self.level {
            self.out.push_str(INDENT);
        }
        self.out.push_str(line);
        self.out.push('\n');
    }

    /// A line opening a block (`... {`): what follows is one level deeper.
    pub(super) fn open(&mut self, line: &str) {
        self.line(line);
        self.level += 1;
    }

    /// The line closing a block (`}` or `};`).
    pub(super) fn close(&mut self, line: &str) {
        self.level = self.level.saturating_sub(1);
        self.line(line);
    }

    /// Doc comments from paragraphs, as the token emitter's `docs` makes them.
    pub(super) fn docs(&mut self, paragraphs: &[&str]) {
        for line in super::util::doc_line_texts(paragraphs) {
            self.line(&format!("///{}", line.trim_end()));
        }
    }

    /// `open` elements `close` (an array expression, say), ending the
    /// statement or item it is the tail of: on one line when it fits, else one
    /// element per line, each with a trailing comma.
    pub(super) fn array(&mut self, open: &str, elements: &[Call], close: &str) {
        let one: Vec<String> = elements.iter().map(Call::one_line).collect();
        let line = format!("{open}{}{close}", one.join(", "));
        if self.indent_width() + line.len() <= MARGIN {
            self.line(&line);
            return;
        }
        self.open(open);
        for (i, (call, text)) in elements.iter().zip(&one).enumerate() {
            self.call_element(call, text, i + 1 == elements.len());
        }
        self.close(close);
    }

    /// One element of a broken list: `call,` on its line, or broken itself.
    /// The separating comma counts toward the line's width, the trailing one
    /// after the last element does not (prettyplease prints it only because
    /// the list broke).
    fn call_element(&mut self, call: &Call, one_line: &str, last: bool) {
        let comma = usize::from(!last);
        if self.indent_width() + one_line.len() + comma <= MARGIN {
            self.line(&format!("{one_line},"));
            return;
        }
        self.broken_call(&call.head, &call.args, "),");
    }

    /// `head(` with each argument on a line of its own, then `close`.
    fn broken_call(&mut self, head: &str, args: &[String], close: &str) {
        self.open(&format!("{head}("));
        for arg in args {
            self.line(&format!("{arg},"));
        }
        self.close(close);
    }

    /// A statement `head(args..);` (`head` holding everything before the
    /// call's parenthesis): on one line when it fits, else one argument per
    /// line.
    pub(super) fn statement_call(&mut self, head: &str, args: &[String]) {
        let line = format!("{head}({});", args.join(", "));
        if self.indent_width() + line.len() <= MARGIN {
            self.line(&line);
            return;
        }
        self.broken_call(head, args, ");");
    }

    /// The text written.
    pub(super) fn finish(self) -> String {
        self.out
    }
}
