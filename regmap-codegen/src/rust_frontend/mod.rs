//! The Rust front end: a `#[register_block]` module lowered into the same IR
//! as a YAML file, with a span for every node.
//!
//! ```text
//! /// AXI Timer
//! #[register_block(size = 0x20, id(register = VERSION, value = 0x0001_0000, mask = 0xffff_0000))]
//! pub mod axi_timer {
//!     /// Timer mode
//!     enum Mode { Generate = 0, Capture = 1 }
//!
//!     /// Control/status register 0
//!     #[register(offset = 0x00, access = rw, reset = 0)]
//!     struct TCSR0 {
//!         #[bits(0)] MDT: Mode,
//!         #[bits(8, access = w1c)] TINT: bool,
//!         /// Prescaler
//!         #[bits(11:9)] PRESCALE: u3,
//!     }
//!
//!     #[register(offset = 0x04, count = 2, stride = 0x10)]
//!     struct TLR;
//!
//!     /// One DMA channel
//!     #[cluster(offset = 0x100, count = 4, stride = 0x20)]
//!     mod channel {
//!         #[register(offset = 0x0)] struct CTRL;
//!         #[register(offset = 0x4, access = ro)] struct STATUS;
//!     }
//! }
//! ```
//!
//! The module is replaced by the generated one of the same name. Names are
//! written as the datasheet prints them; the emitter derives Rust names. See
//! `docs/rust-syntax.md` for the whole syntax.

mod args;
mod lower;
mod print;
mod spans;
mod values;

pub use print::to_rust;
pub use spans::SpanTable;

use crate::diag::{Diagnostic, Severity};
use crate::ir::{Design, Loc};
use proc_macro2::TokenStream;

/// Codes of the problems this front end itself reports (the shared checks
/// report the rest).
pub mod codes {
    /// The item or an attribute does not have the expected shape.
    pub const SYNTAX: &str = "syntax";
    /// A key or attribute that does not exist here (as in YAML).
    pub const UNKNOWN_KEY: &str = "unknown-key";
    /// A required key or attribute is missing (as in YAML).
    pub const MISSING_KEY: &str = "missing-key";
    /// A key written twice (as in YAML).
    pub const DUPLICATE_KEY: &str = "duplicate-key";
    /// A value of the wrong kind: a name where a number belongs, ... (as in YAML).
    pub const WRONG_TYPE: &str = "wrong-type";
    /// A number that does not fit in 64 bits (as in YAML).
    pub const NUMBER_TOO_LARGE: &str = "number-too-large";
    /// A malformed or reversed bit range (as in YAML).
    pub const BAD_BITS: &str = "bad-bits";
    /// An unknown access kind (as in YAML).
    pub const BAD_ACCESS: &str = "bad-access";
    /// A register width other than 8, 16, 32, 64 (as in YAML).
    pub const BAD_WIDTH: &str = "bad-width";
    /// An item that cannot appear in a register block.
    pub const UNSUPPORTED_ITEM: &str = "unsupported-item";
    /// A field's declared type contradicts its bit range.
    pub const FIELD_TYPE: &str = "field-type";
    /// A `#[local]` enum used by no field, or by more than one.
    pub const LOCAL_ENUM_USE: &str = "local-enum-use";
}

/// A parsed `#[register_block]` item.
pub struct Parsed {
    /// The design: one block, no instances.
    pub design: Design,
    /// Where each [`Loc`] of the design came from.
    pub spans: SpanTable,
    /// Name of the module written (the generated module keeps it).
    pub ident: syn::Ident,
    /// Visibility of the module written.
    pub vis: syn::Visibility,
    /// Attributes of the module other than doc comments, for the generated module.
    pub attrs: Vec<syn::Attribute>,
    /// The runtime's path written as `crate = ...` (the generated code's
    /// default, `::regmap_runtime`, when `None`).
    pub runtime: Option<syn::Path>,
}

/// Lowers `#[register_block(attr)] item` into a design of one block.
///
/// On failure returns every problem the front end found, each an error at
/// the tokens that caused it. [`parse_and_check`] adds the shared checks.
pub fn parse(attr: TokenStream, item: TokenStream) -> Result<Parsed, syn::Error> {
    lower_and(attr, item, |_| Vec::new())
}

/// [`parse`], then the shared checks ([`crate::check::check`]) on whatever
/// could be lowered: the front end's errors and the checks' come back
/// together, in source order, as the YAML path reports them.
pub fn parse_and_check(attr: TokenStream, item: TokenStream) -> Result<Parsed, syn::Error> {
    lower_and(attr, item, crate::check::check)
}

fn lower_and(
    attr: TokenStream,
    item: TokenStream,
    checks: impl FnOnce(&Design) -> Vec<Diagnostic>,
) -> Result<Parsed, syn::Error> {
    let mut lower = lower::Lower::default();
    let block = lower.block(attr, item);
    let mut diags = std::mem::take(&mut lower.diags);
    let Some((block, shell)) = block else {
        return Err(to_error(&diags, &lower.spans)
            .unwrap_or_else(|| lower.spans.error(Loc::NONE, "no register block")));
    };
    let design = Design {
        blocks: vec![block],
        instances: Vec::new(),
    };
    if lower.size_known {
        diags.extend(checks(&design));
    }
    if let Some(err) = to_error(&diags, &lower.spans) {
        return Err(err);
    }
    Ok(Parsed {
        design,
        spans: lower.spans,
        ident: shell.ident,
        vis: shell.vis,
        attrs: shell.attrs,
        runtime: shell.runtime,
    })
}

/// Lowers Rust source holding one `#[register_block(...)] mod` (as
/// [`to_rust`] writes it), as the macro would lower that module.
pub fn parse_str(source: &str) -> Result<Parsed, syn::Error> {
    let file: syn::File = syn::parse_str(source)?;
    let mut modules = file.items.into_iter().filter_map(|item| match item {
        syn::Item::Mod(m) => Some(m),
        _ => None,
    });
    let (Some(mut module), None) = (modules.next(), modules.next()) else {
        return Err(syn::Error::new(
            proc_macro2::Span::call_site(),
            "expected one `#[register_block(...)] mod`",
        ));
    };
    let at = module
        .attrs
        .iter()
        .position(|a| a.path().is_ident("register_block"))
        .ok_or_else(|| {
            syn::Error::new_spanned(&module.ident, "no `#[register_block]` attribute")
        })?;
    let attr = match module.attrs.remove(at).meta {
        syn::Meta::List(list) => list.tokens,
        _ => TokenStream::new(),
    };
    parse(attr, quote::ToTokens::into_token_stream(module))
}

/// The text of one diagnostic as a compile error shows it: the message, then
/// the label, the other places involved and the hint.
///
/// A proc macro on stable Rust has one way to fail, `compile_error!`, which
/// carries one span and prints all of its text above the snippet: the notes
/// cannot go under it, nor can a second place get a caret of its own (a
/// separate error for it would count and read as a second problem). So each
/// other place is named by its line instead: `` `PRESCALE` is here (line 11) ``.
pub fn render(d: &Diagnostic, spans: &SpanTable) -> String {
    let mut out = d.message.clone();
    if !d.label.is_empty() {
        out.push_str(&format!("\n= note: {}", d.label));
    }
    for (loc, note) in &d.related {
        match line_of(spans, *loc) {
            Some(line) => out.push_str(&format!("\n= note: {note} (line {line})")),
            None => out.push_str(&format!("\n= note: {note}")),
        }
    }
    if let Some(hint) = &d.hint {
        out.push_str(&format!("\n= help: {}", rust_spelling(hint)));
    }
    out
}

/// The line `loc` starts on, when the compiler tells (it does inside a proc
/// macro, from Rust 1.88 on).
fn line_of(spans: &SpanTable, loc: Loc) -> Option<usize> {
    if loc == Loc::NONE || loc.0 as usize >= spans.len() {
        return None;
    }
    let (line, _) = line_column(spans.range(loc).0)?;
    (line > 0).then_some(line)
}

/// Where `span` starts (1-based line, 0-based column), when known.
///
/// Inside a proc macro the compiler answers. Elsewhere the spans are
/// proc-macro2's own, which know their lines only with its `span-locations`
/// feature; this crate's tests turn it on (a dev-dependency), while a normal
/// build leaves it off, so that code generation outside a macro does not pay
/// for a location on every token.
fn line_column(span: proc_macro2::Span) -> Option<(usize, usize)> {
    #[cfg(test)]
    {
        let start = span.start();
        Some((start.line, start.column))
    }
    #[cfg(not(test))]
    {
        proc_macro::is_available().then(|| {
            let span = span.unwrap();
            (span.line(), span.column().saturating_sub(1))
        })
    }
}

/// Keys of the shared checks' hints, which write them as YAML does.
const HINT_KEYS: &[&str] = &[
    "size",
    "offset",
    "width",
    "access",
    "reset",
    "count",
    "stride",
    "bits",
    "mask",
    "value",
    "alternate_of",
];

/// A hint of a shared check in this front end's spelling: `width: 32`
/// becomes `width = 32`.
fn rust_spelling(hint: &str) -> String {
    let mut out = hint.to_owned();
    for key in HINT_KEYS {
        out = out
            .replace(&format!("`{key}: "), &format!("`{key} = "))
            .replace(&format!("`{key}:`"), &format!("`{key} = ..`"));
    }
    out
}

/// Every error among `diags` as one combined `syn::Error`, in source order
/// (the order found where the compiler gives no positions), or `None` when
/// there is none. Warnings are dropped: a proc macro cannot emit them on
/// stable Rust.
pub fn to_error(diags: &[Diagnostic], spans: &SpanTable) -> Option<syn::Error> {
    let mut errors: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    // Positions unknown (outside a macro): the order found, kept by the stable sort.
    errors.sort_by_key(|d| line_column(spans.range(d.loc).0).unwrap_or((0, 0)));
    errors
        .into_iter()
        .map(|d| spans.error(d.loc, render(d, spans)))
        .reduce(|mut all, e| {
            all.combine(e);
            all
        })
}

#[cfg(test)]
mod tests;
