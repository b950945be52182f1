//! Values of format version 1: mappings checked against their keys, and the
//! scalars (text, numbers, bit ranges, access kinds, widths) inside them.

use std::ops::Range;

use super::lower::{Got, Lower, Map, Reported};
use super::number::{BitsError, NumberError, parse_bits, parse_u64};
use super::tree::{Entry, Kind, Node};
use super::{
    BLOCK_KEYS, CLUSTER_KEYS, ENUM_KEYS, FIELD_KEYS, ID_KEYS, REGISTER_KEYS, TOP_KEYS, VARIANT_KEYS,
};
use crate::diag::Diagnostic;
use crate::ir::{Access, Loc, Spanned, Width};

impl Lower<'_> {
    pub(super) fn error(
        &mut self,
        code: &'static str,
        range: Range<usize>,
        message: String,
    ) -> DiagBuilder<'_> {
        // A multi-line node (a whole mapping) is shown by its first line.
        let end = self
            .file
            .text()
            .get(range.clone())
            .and_then(|s| s.find('\n'))
            .map_or(range.end, |i| range.start + i);
        let loc = self.loc(range.start..end);
        DiagBuilder {
            diags: self.diags,
            diag: Some(Diagnostic::error(code, loc, message)),
        }
    }

    /// Checks that `node` is a mapping with only `allowed` keys.
    pub(super) fn map<'n>(
        &mut self,
        node: &'n Node,
        what: &'static str,
        allowed: &[&'static str],
    ) -> Got<Map<'n>> {
        let Kind::Map(entries) = &node.kind else {
            if matches!(node.kind, Kind::Bad) {
                return Err(Reported);
            }
            self.error(
                "wrong-type",
                node.span.clone(),
                format!(
                    "expected a mapping for the {what}, found {}",
                    node.describe()
                ),
            )
            .label("expected `key: value` lines")
            .hint(format!(
                "{} is written as `key: value` pairs: {}",
                article(what),
                allowed.join(", ")
            ))
            .emit();
            return Err(Reported);
        };
        let mut suggested = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            if !allowed.contains(&entry.key.as_str()) {
                let before = i.checked_sub(1).map(|j| &entries[j]);
                suggested.extend(self.unknown_key(entry, before, what, allowed));
            }
        }
        Ok(Map {
            entries,
            head: node.head_span(),
            what,
            suggested,
        })
    }

    /// Reports an unknown key (`before` is the entry written before it);
    /// returns the key it suggests instead, if any.
    pub(super) fn unknown_key(
        &mut self,
        entry: &Entry,
        before: Option<&Entry>,
        what: &'static str,
        allowed: &[&'static str],
    ) -> Option<&'static str> {
        if let Some(hint) = self.split_by_comma(entry, before) {
            self.error(
                "unknown-key",
                entry.key_span.clone(),
                format!("unknown key `{}` in {}", entry.key, article(what)),
            )
            .label("the text after a comma")
            .hint(hint)
            .emit();
            return None;
        }
        let best = crate::names::did_you_mean(&entry.key, allowed);
        let elsewhere =
            (what == "cluster" && REGISTER_KEYS.contains(&entry.key.as_str())).then(|| {
                format!(
                    "`{}` belongs to registers; an item with `registers` is a cluster",
                    entry.key
                )
            });
        let hint = match (elsewhere, best, belongs_to(&entry.key, allowed)) {
            (Some(text), _, _) => text,
            (None, Some(key), _) => format!("did you mean `{key}`?"),
            (None, None, Some(levels)) => format!(
                "`{}` is a key of {levels}, not of {}: check the indentation",
                entry.key,
                article(what)
            ),
            (None, None, None) => {
                format!("{} has these keys: {}", article(what), allowed.join(", "))
            }
        };
        self.error(
            "unknown-key",
            entry.key_span.clone(),
            format!("unknown key `{}` in {}", entry.key, article(what)),
        )
        .label("unknown key")
        .hint(hint)
        .emit();
        best
    }

    /// When `entry` is text that a comma cut from the plain value before it
    /// (`{ description: clear on read, set by hardware }` reads as a key
    /// `set by hardware` without a value), the hint to quote that value.
    fn split_by_comma(&self, entry: &Entry, before: Option<&Entry>) -> Option<String> {
        let before = before?;
        let Kind::Scalar { plain: true, .. } = &before.value.kind else {
            return None;
        };
        if !entry.value.is_null() || before.value.is_null() {
            return None;
        }
        let text = self.file.text();
        // Only a comma (in a `{ ... }` mapping) between the two, on one line.
        let between = text.get(before.value.span.end..entry.key_span.start)?;
        if between.trim() != "," || between.contains('\n') {
            return None;
        }
        let whole = text.get(before.value.span.start..entry.key_span.end)?;
        Some(format!(
            "in a `{{ ... }}` mapping a comma ends the value: `{}` is cut from the `{}` before it; quote the value: `{}: \"{}\"`",
            entry.key,
            before.key,
            before.key,
            whole.replace('"', "\\\"")
        ))
    }

    pub(super) fn required<'n>(&mut self, map: &Map<'n>, key: &str) -> Got<&'n Entry> {
        match map.get(key) {
            Some(entry) => Ok(entry),
            None if map.suggested.contains(&key) => Err(Reported),
            None => {
                self.error(
                    "missing-key",
                    map.head.clone(),
                    format!("the {} has no `{key}`", map.what),
                )
                .label(format!("this {} needs `{key}:`", map.what))
                .hint(format!("add `{key}:`"))
                .emit();
                Err(Reported)
            }
        }
    }

    pub(super) fn list<'n>(&mut self, node: &'n Node, key: &str) -> Got<&'n [Node]> {
        match &node.kind {
            Kind::Seq(items) => Ok(items),
            Kind::Bad => Err(Reported),
            _ => {
                self.error(
                    "wrong-type",
                    node.span.clone(),
                    format!("expected a list for `{key}`, found {}", node.describe()),
                )
                .label("expected a list")
                .hint("write one `- ` item per line, or `[]` for none")
                .emit();
                Err(Reported)
            }
        }
    }

    /// A scalar's text, with its span; `what` names it in messages.
    pub(super) fn scalar<'n>(&mut self, node: &'n Node, what: &str) -> Got<&'n str> {
        match &node.kind {
            Kind::Scalar { text, .. } if !node.is_null() => Ok(text),
            Kind::Bad => Err(Reported),
            _ => {
                let hint = if node.is_null() {
                    "write a value after the `:`, or remove the key"
                } else {
                    "write a single value here"
                };
                self.error(
                    "wrong-type",
                    node.span.clone(),
                    format!("expected {what}, found {}", node.describe()),
                )
                .label(format!("expected {what}"))
                .hint(hint)
                .emit();
                Err(Reported)
            }
        }
    }

    pub(super) fn string(&mut self, node: &Node, what: &str) -> Got<Spanned<String>> {
        let text = self.scalar(node, what)?.to_owned();
        Ok(Spanned::new(text, self.loc(node.span.clone())))
    }

    pub(super) fn name(&mut self, map: &Map<'_>) -> Got<Spanned<String>> {
        let entry = self.required(map, "name")?;
        self.string(&entry.value, "a name")
    }

    pub(super) fn opt_string(&mut self, map: &Map<'_>, key: &str) -> Got<Option<String>> {
        match map.get(key) {
            Some(e) => Ok(Some(self.scalar(&e.value, "a text")?.to_owned())),
            None => Ok(None),
        }
    }

    pub(super) fn number(&mut self, node: &Node, what: &str) -> Got<Spanned<u64>> {
        let text = match &node.kind {
            Kind::Scalar { text, .. } if !node.is_null() => text,
            _ => self.scalar(node, &format!("a number ({what})"))?,
        };
        match parse_u64(text.trim()) {
            Ok(v) => Ok(Spanned::new(v, self.loc(node.span.clone()))),
            Err(err) => {
                self.number_error(node, what, err);
                Err(Reported)
            }
        }
    }

    pub(super) fn number_error(&mut self, node: &Node, what: &str, err: NumberError) {
        match err {
            NumberError::TooLarge => self
                .error(
                    "number-too-large",
                    node.span.clone(),
                    format!("{what} does not fit in 64 bits"),
                )
                .label("too large")
                .hint("registers, offsets and values are at most 64 bits wide")
                .emit(),
            NumberError::Invalid(why) => self
                .error(
                    "bad-number",
                    node.span.clone(),
                    format!("invalid number for {what}: {}", node.describe()),
                )
                .label(why)
                .hint("write decimal `42`, hex `0x2A` or binary `0b10_1010`")
                .emit(),
        }
    }

    pub(super) fn bits(&mut self, node: &Node) -> Got<(u32, u32, Loc)> {
        let text = self.scalar(node, "a bit number or an `MSB:LSB` range")?;
        match parse_bits(text) {
            Ok((msb, lsb)) => Ok((msb, lsb, self.loc(node.span.clone()))),
            Err(BitsError::Reversed { msb, lsb }) => {
                self.error(
                    "bad-bits",
                    node.span.clone(),
                    format!("bit range `{text}` is written low to high"),
                )
                .label("MSB must come first")
                .hint(format!(
                    "bit ranges are `MSB:LSB` as in datasheets: write `{lsb}:{msb}`"
                ))
                .emit();
                Err(Reported)
            }
            Err(BitsError::Shape) => {
                self.error(
                    "bad-bits",
                    node.span.clone(),
                    format!("invalid bit range `{text}`"),
                )
                .label("expected `N` or `MSB:LSB`")
                .hint("write one bit as `3` or a range as `7:4` (both ends inclusive)")
                .emit();
                Err(Reported)
            }
            Err(BitsError::Number(NumberError::TooLarge)) => {
                self.error(
                    "bad-bits",
                    node.span.clone(),
                    format!("bit number in `{text}` is too large"),
                )
                .label("too large")
                .hint("bit numbers run from 0 to 63")
                .emit();
                Err(Reported)
            }
            Err(BitsError::Number(NumberError::Invalid(why))) => {
                self.error(
                    "bad-bits",
                    node.span.clone(),
                    format!("invalid bit range `{text}`"),
                )
                .label(why)
                .hint("write one bit as `3` or a range as `7:4` (both ends inclusive)")
                .emit();
                Err(Reported)
            }
        }
    }

    pub(super) fn access(&mut self, node: &Node) -> Got<Spanned<Access>> {
        let text = self.scalar(node, "an access kind")?;
        match Access::from_name(text) {
            Some(a) => Ok(Spanned::new(a, self.loc(node.span.clone()))),
            None => {
                let all: Vec<_> = Access::ALL.iter().map(|a| a.short_name()).collect();
                let lower = text.to_ascii_lowercase();
                let hint = match Access::from_short_name(&lower) {
                    Some(a) => format!("access kinds are lower case: write `{}`", a.short_name()),
                    None => format!("use one of: {}", all.join(", ")),
                };
                self.error(
                    "bad-access",
                    node.span.clone(),
                    format!("unknown access kind `{text}`"),
                )
                .label("not an access kind")
                .hint(hint)
                .emit();
                Err(Reported)
            }
        }
    }

    pub(super) fn width(&mut self, node: &Node) -> Got<Spanned<Width>> {
        let n = self.number(node, "a register width")?;
        match Width::from_bits(n.value) {
            Some(w) => Ok(Spanned::new(w, n.loc)),
            None => {
                self.error(
                    "bad-width",
                    node.span.clone(),
                    format!("unsupported register width {}", n.value),
                )
                .label("not 8, 16, 32 or 64")
                .hint("register widths are 8, 16, 32 or 64 bits")
                .emit();
                Err(Reported)
            }
        }
    }
}

/// A diagnostic being built; [`DiagBuilder::emit`] records it.
pub(super) struct DiagBuilder<'d> {
    diags: &'d mut Vec<Diagnostic>,
    diag: Option<Diagnostic>,
}

impl DiagBuilder<'_> {
    pub(super) fn label(mut self, label: impl Into<String>) -> Self {
        self.diag = self.diag.take().map(|d| d.with_label(label));
        self
    }

    pub(super) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.diag = self.diag.take().map(|d| d.with_hint(hint));
        self
    }

    pub(super) fn emit(mut self) {
        if let Some(d) = self.diag.take() {
            self.diags.push(d);
        }
    }
}

/// `what` with its indefinite article: "a register", "an enum".
fn article(what: &str) -> String {
    if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {what}")
    } else {
        format!("a {what}")
    }
}

/// The other levels that have `key` ("a field", "`block`"), for a key
/// written at the wrong level.
fn belongs_to(key: &str, here: &[&str]) -> Option<String> {
    let levels: [(&[&str], &str); 8] = [
        (TOP_KEYS, "the top level"),
        (BLOCK_KEYS, "`block`"),
        (ID_KEYS, "`id`"),
        (ENUM_KEYS, "an enum"),
        (VARIANT_KEYS, "an enum value"),
        (REGISTER_KEYS, "a register"),
        (CLUSTER_KEYS, "a cluster"),
        (FIELD_KEYS, "a field"),
    ];
    let found: Vec<&str> = levels
        .iter()
        .filter(|(keys, _)| !std::ptr::eq(*keys, here) && keys.contains(&key))
        .map(|(_, name)| *name)
        .collect();
    (!found.is_empty()).then(|| found.join(" or "))
}
