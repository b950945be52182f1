//! YAML nodes to IR: keys, types and values of format version 1.
//!
//! Each problem is reported and the smallest node holding it is left out of
//! the IR (a register with a bad offset, a variant with a bad value), so the
//! rest of the file is still lowered and layout-checked.

use std::ops::Range;

use super::number::{BitsError, NumberError, parse_bits, parse_u64};
use super::tree::{Entry, Kind, Node};
use super::{
    BLOCK_KEYS, CLUSTER_KEYS, ENUM_KEYS, FIELD_KEYS, FORMAT_VERSION, ID_KEYS, REGISTER_KEYS,
    TOP_KEYS, VARIANT_KEYS,
};
use crate::diag::Diagnostic;
use crate::ir::{
    Access, Array, Block, Cluster, Design, Enum, EnumRef, Field, IdCheck, Item, Loc, Register,
    Spanned, Variant, Width,
};
use crate::source::SourceFile;

/// A problem already reported; the caller leaves the node out.
#[derive(Debug, Clone, Copy)]
struct Reported;

type Got<T> = Result<T, Reported>;

struct Lower<'a> {
    file: &'a mut SourceFile,
    diags: &'a mut Vec<Diagnostic>,
}

/// A mapping whose keys were checked against the keys of its level.
struct Map<'n> {
    entries: &'n [Entry],
    /// Where to point when a key is missing.
    head: Range<usize>,
    /// What the mapping is, for messages ("register", "field").
    what: &'static str,
    /// Keys suggested for misspelt ones: their absence is already explained.
    suggested: Vec<&'static str>,
}

impl<'n> Map<'n> {
    fn get(&self, key: &str) -> Option<&'n Entry> {
        self.entries.iter().find(|e| e.key == key)
    }
}

pub(super) fn lower(
    file: &mut SourceFile,
    diags: &mut Vec<Diagnostic>,
    root: &Node,
) -> Option<Design> {
    let mut cx = Lower { file, diags };
    cx.design(root).ok()
}

impl Lower<'_> {
    fn loc(&mut self, range: Range<usize>) -> Loc {
        self.file.loc(range)
    }

    fn error(
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

    fn design(&mut self, root: &Node) -> Got<Design> {
        let top = self.map(root, "file", TOP_KEYS)?;
        let version = self
            .required(&top, "regmap")
            .and_then(|e| self.version(&e.value));
        let block = self.required(&top, "block").and_then(|e| self.block(e));
        version?;
        Ok(Design {
            blocks: vec![block?],
            instances: Vec::new(),
        })
    }

    fn version(&mut self, node: &Node) -> Got<()> {
        let v = self.number(node, "the format version")?;
        if v.value == FORMAT_VERSION {
            return Ok(());
        }
        self.error(
            "unsupported-version",
            node.span.clone(),
            format!("unsupported format version {}", v.value),
        )
        .label("this version")
        .hint(format!(
            "this regmap reads version {FORMAT_VERSION}: write `regmap: {FORMAT_VERSION}`"
        ))
        .emit();
        Err(Reported)
    }

    fn block(&mut self, entry: &Entry) -> Got<Block> {
        let loc = self.loc(entry.key_span.clone());
        let map = self.map(&entry.value, "block", BLOCK_KEYS)?;
        let name = self.name(&map);
        let description = self.opt_string(&map, "description");
        let size = self
            .required(&map, "size")
            .and_then(|e| self.number(&e.value, "the block size"));
        let id = match map.get("id") {
            Some(e) => self.id(e).map(Some),
            None => Ok(None),
        };
        let enums = match map.get("enums") {
            Some(e) => self.list(&e.value, "enums").map(|nodes| {
                nodes
                    .iter()
                    .filter_map(|n| self.enumeration(n, "enum").ok())
                    .collect()
            }),
            None => Ok(Vec::new()),
        };
        let items = self
            .required(&map, "registers")
            .and_then(|e| self.items(&e.value));
        Ok(Block {
            name: name?,
            description: description?,
            size: size?,
            items: items?,
            enums: enums.unwrap_or_default(),
            id: id.unwrap_or(None),
            loc,
        })
    }

    fn id(&mut self, entry: &Entry) -> Got<IdCheck> {
        let loc = self.loc(entry.key_span.clone());
        let map = self.map(&entry.value, "id", ID_KEYS)?;
        let register = self
            .required(&map, "register")
            .and_then(|e| self.string(&e.value, "a register name"));
        let value = self
            .required(&map, "value")
            .and_then(|e| self.number(&e.value, "the id value"));
        let mask = match map.get("mask") {
            Some(e) => self.number(&e.value, "the id mask").map(Some),
            None => Ok(None),
        };
        Ok(IdCheck {
            register: register?,
            value: value?,
            mask: mask?,
            loc,
        })
    }

    fn enumeration(&mut self, node: &Node, what: &'static str) -> Got<Enum> {
        let map = self.map(node, what, ENUM_KEYS)?;
        let name = self.name(&map);
        let description = self.opt_string(&map, "description");
        let variants = self
            .required(&map, "values")
            .and_then(|e| self.list(&e.value, "values"));
        let variants = variants.map(|nodes| {
            nodes
                .iter()
                .filter_map(|n| self.variant(n).ok())
                .collect::<Vec<_>>()
        });
        let name = name?;
        Ok(Enum {
            loc: name.loc,
            name,
            description: description?,
            variants: variants?,
        })
    }

    fn variant(&mut self, node: &Node) -> Got<Variant> {
        let map = self.map(node, "enum value", VARIANT_KEYS)?;
        let name = self.name(&map);
        let value = self
            .required(&map, "value")
            .and_then(|e| self.number(&e.value, "an enum value"));
        let description = self.opt_string(&map, "description");
        Ok(Variant {
            name: name?,
            value: value?,
            description: description?,
        })
    }

    fn items(&mut self, node: &Node) -> Got<Vec<Item>> {
        let nodes = self.list(node, "registers")?;
        Ok(nodes.iter().filter_map(|n| self.item(n).ok()).collect())
    }

    fn item(&mut self, node: &Node) -> Got<Item> {
        let is_cluster = matches!(&node.kind, Kind::Map(entries) if entries.iter().any(|e| e.key == "registers"));
        if is_cluster {
            self.cluster(node).map(Item::Cluster)
        } else {
            self.register(node).map(Item::Register)
        }
    }

    fn cluster(&mut self, node: &Node) -> Got<Cluster> {
        let map = self.map(node, "cluster", CLUSTER_KEYS)?;
        let name = self.name(&map);
        let description = self.opt_string(&map, "description");
        let offset = self
            .required(&map, "offset")
            .and_then(|e| self.number(&e.value, "an offset"));
        let array = self.array(&map, None);
        let items = self
            .required(&map, "registers")
            .and_then(|e| self.items(&e.value));
        let name = name?;
        Ok(Cluster {
            loc: name.loc,
            name,
            description: description?,
            offset: offset?,
            array: array?,
            items: items?,
        })
    }

    fn register(&mut self, node: &Node) -> Got<Register> {
        let map = self.map(node, "register", REGISTER_KEYS)?;
        let name = self.name(&map);
        // Defaults point at the register's name: that is where they apply.
        let here = match &name {
            Ok(name) => name.loc,
            Err(_) => self.loc(map.head.clone()),
        };
        let description = self.opt_string(&map, "description");
        let offset = self
            .required(&map, "offset")
            .and_then(|e| self.number(&e.value, "an offset"));
        let width = match map.get("width") {
            Some(e) => self.width(&e.value),
            None => Ok(Spanned::new(Width::W32, here)),
        };
        let access = match map.get("access") {
            Some(e) => self.access(&e.value),
            None => Ok(Spanned::new(Access::ReadWrite, here)),
        };
        let reset = match map.get("reset") {
            Some(e) => self.number(&e.value, "a reset value"),
            None => Ok(Spanned::new(0, here)),
        };
        let array = self.array(&map, width.as_ref().ok().map(|w| w.value));
        let fields = match map.get("fields") {
            Some(e) => {
                // With a bad register access, fields are still lowered (and
                // their errors reported) against a neutral default.
                let inherited = access
                    .clone()
                    .unwrap_or_else(|_| Spanned::new(Access::ReadWrite, here));
                self.list(&e.value, "fields").map(|nodes| {
                    nodes
                        .iter()
                        .filter_map(|n| self.field(n, inherited.clone()).ok())
                        .collect()
                })
            }
            None => Ok(Vec::new()),
        };
        let name = name?;
        Ok(Register {
            loc: name.loc,
            name,
            description: description?,
            offset: offset?,
            width: width?,
            access: access?,
            reset: reset?,
            array: array?,
            fields: fields?,
        })
    }

    /// `count` and `stride`; a register's stride defaults to its width.
    fn array(&mut self, map: &Map<'_>, width: Option<Width>) -> Got<Option<Array>> {
        let count = map.get("count");
        let stride = map.get("stride");
        match (count, stride) {
            (None, None) => Ok(None),
            (None, Some(s)) => {
                self.error(
                    "missing-key",
                    s.key_span.clone(),
                    format!("`stride` without `count` in a {}", map.what),
                )
                .label("stride of what array?")
                .hint("add `count: N` to make an array, or remove `stride`")
                .emit();
                Err(Reported)
            }
            (Some(c), None) => {
                let count = self.number(&c.value, "an array count")?;
                match width {
                    Some(width) => Ok(Some(Array {
                        stride: Spanned::new(width.bytes(), count.loc),
                        count,
                    })),
                    None if map.what == "cluster" => {
                        self.error(
                            "missing-key",
                            c.key_span.clone(),
                            "a cluster array needs `stride`".to_owned(),
                        )
                        .label("array without a stride")
                        .hint("add `stride:` with the distance in bytes between the copies")
                        .emit();
                        Err(Reported)
                    }
                    None => Err(Reported),
                }
            }
            (Some(c), Some(s)) => {
                let count = self.number(&c.value, "an array count");
                let stride = self.number(&s.value, "an array stride");
                Ok(Some(Array {
                    count: count?,
                    stride: stride?,
                }))
            }
        }
    }

    fn field(&mut self, node: &Node, register_access: Spanned<Access>) -> Got<Field> {
        let map = self.map(node, "field", FIELD_KEYS)?;
        let name = self.name(&map);
        let description = self.opt_string(&map, "description");
        let bits = self
            .required(&map, "bits")
            .and_then(|e| self.bits(&e.value));
        let access = match map.get("access") {
            Some(e) => self.access(&e.value),
            None => Ok(register_access),
        };
        let enumeration = match map.get("enum") {
            Some(e) => match &e.value.kind {
                Kind::Map(_) => self
                    .enumeration(&e.value, "inline enum")
                    .map(|en| Some(EnumRef::Inline(en))),
                _ => self
                    .string(&e.value, "an enum name or an inline enum")
                    .map(|s| Some(EnumRef::Named(s))),
            },
            None => Ok(None),
        };
        let name = name?;
        let (msb, lsb, bits_loc) = bits?;
        Ok(Field {
            loc: name.loc,
            name,
            description: description?,
            lsb,
            msb,
            bits_loc,
            access: access?,
            enumeration: enumeration?,
        })
    }

    // --- values -----------------------------------------------------------

    /// Checks that `node` is a mapping with only `allowed` keys.
    fn map<'n>(
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
        for entry in entries {
            if !allowed.contains(&entry.key.as_str()) {
                suggested.extend(self.unknown_key(entry, what, allowed));
            }
        }
        Ok(Map {
            entries,
            head: node.head_span(),
            what,
            suggested,
        })
    }

    /// Reports an unknown key; returns the key it suggests instead, if any.
    fn unknown_key(
        &mut self,
        entry: &Entry,
        what: &'static str,
        allowed: &[&'static str],
    ) -> Option<&'static str> {
        let best = allowed
            .iter()
            .map(|k| (strsim::jaro_winkler(&entry.key, k), *k))
            .filter(|(score, _)| *score >= 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let elsewhere =
            (what == "cluster" && REGISTER_KEYS.contains(&entry.key.as_str())).then(|| {
                format!(
                    "`{}` belongs to registers; an item with `registers` is a cluster",
                    entry.key
                )
            });
        let hint = match (elsewhere, best) {
            (Some(text), _) => text,
            (None, Some((_, key))) => format!("did you mean `{key}`?"),
            (None, None) => format!("{} has these keys: {}", article(what), allowed.join(", ")),
        };
        self.error(
            "unknown-key",
            entry.key_span.clone(),
            format!("unknown key `{}` in {}", entry.key, article(what)),
        )
        .label("unknown key")
        .hint(hint)
        .emit();
        best.map(|(_, key)| key)
    }

    fn required<'n>(&mut self, map: &Map<'n>, key: &str) -> Got<&'n Entry> {
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

    fn list<'n>(&mut self, node: &'n Node, key: &str) -> Got<&'n [Node]> {
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
    fn scalar<'n>(&mut self, node: &'n Node, what: &str) -> Got<&'n str> {
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

    fn string(&mut self, node: &Node, what: &str) -> Got<Spanned<String>> {
        let text = self.scalar(node, what)?.to_owned();
        Ok(Spanned::new(text, self.loc(node.span.clone())))
    }

    fn name(&mut self, map: &Map<'_>) -> Got<Spanned<String>> {
        let entry = self.required(map, "name")?;
        self.string(&entry.value, "a name")
    }

    fn opt_string(&mut self, map: &Map<'_>, key: &str) -> Got<Option<String>> {
        match map.get(key) {
            Some(e) => Ok(Some(self.scalar(&e.value, "a text")?.to_owned())),
            None => Ok(None),
        }
    }

    fn number(&mut self, node: &Node, what: &str) -> Got<Spanned<u64>> {
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

    fn number_error(&mut self, node: &Node, what: &str, err: NumberError) {
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

    fn bits(&mut self, node: &Node) -> Got<(u32, u32, Loc)> {
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

    fn access(&mut self, node: &Node) -> Got<Spanned<Access>> {
        let text = self.scalar(node, "an access kind")?;
        match Access::from_short_name(text) {
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

    fn width(&mut self, node: &Node) -> Got<Spanned<Width>> {
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
struct DiagBuilder<'d> {
    diags: &'d mut Vec<Diagnostic>,
    diag: Option<Diagnostic>,
}

impl DiagBuilder<'_> {
    fn label(mut self, label: impl Into<String>) -> Self {
        self.diag = self.diag.take().map(|d| d.with_label(label));
        self
    }

    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.diag = self.diag.take().map(|d| d.with_hint(hint));
        self
    }

    fn emit(mut self) {
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
