//! YAML nodes to IR: keys, types and values of format version 1.
//!
//! Each problem is reported and the smallest node holding it is left out of
//! the IR (a register with a bad offset, a variant with a bad value), so the
//! rest of the file is still lowered and layout-checked.

use std::ops::Range;

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
pub(super) struct Reported;

/// A lowered value, or [`Reported`].
pub(super) type Got<T> = Result<T, Reported>;

/// The lowering state: the location table to fill and the diagnostics found.
pub(super) struct Lower<'a> {
    pub(super) file: &'a mut SourceFile,
    pub(super) diags: &'a mut Vec<Diagnostic>,
}

/// A mapping whose keys were checked against the keys of its level.
pub(super) struct Map<'n> {
    pub(super) entries: &'n [Entry],
    /// Where to point when a key is missing.
    pub(super) head: Range<usize>,
    /// What the mapping is, for messages ("register", "field").
    pub(super) what: &'static str,
    /// Keys suggested for misspelt ones: their absence is already explained.
    pub(super) suggested: Vec<&'static str>,
}

impl<'n> Map<'n> {
    /// The entry for `key`, if written.
    pub(super) fn get(&self, key: &str) -> Option<&'n Entry> {
        self.entries.iter().find(|e| e.key == key)
    }
}

/// Lowers the document `root`; `None` when too little of it is usable.
pub(super) fn lower(
    file: &mut SourceFile,
    diags: &mut Vec<Diagnostic>,
    root: &Node,
) -> Option<Design> {
    let mut cx = Lower { file, diags };
    cx.design(root).ok()
}

impl Lower<'_> {
    pub(super) fn loc(&mut self, range: Range<usize>) -> Loc {
        self.file.loc(range)
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
        let alternate_of = match map.get("alternate_of") {
            Some(e) => self.string(&e.value, "a register name").map(Some),
            None => Ok(None),
        };
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
            alternate_of: alternate_of?,
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
}
