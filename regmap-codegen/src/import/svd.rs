//! CMSIS-SVD to the IR.
//!
//! Each peripheral that declares registers becomes a block; a peripheral
//! `derivedFrom` another without registers of its own is an instance of that
//! peripheral's block. Registers, clusters and fields follow SVD's element
//! tree; `derivedFrom` (peripherals, clusters, registers, fields, enumerated
//! values) copies the base element's children that the derived element does
//! not write itself. `dim` elements named `X[%s]` become arrays, those named
//! with a bare `%s` are unrolled, one element per `dimIndex` entry.
//!
//! What the model cannot hold is left out with a warning at the element
//! (`docs/importers.md` lists it): registers of widths other than 8, 16, 32
//! and 64 bits, fields past their register, a register overlapping an earlier
//! one that the SVD does not declare an alternate view of it (an
//! `alternateRegister` or `alternateGroup` register becomes an `alternate_of`
//! view; a read-only and a write-only register at one address are kept),
//! enumerated values with don't-care bits, `isDefault` values.

use std::collections::{HashMap, HashSet};

use roxmltree::{Document, Node};

use super::xml::{self, child, children, text};
use super::{ImportedDesign, Instance, Interrupt, Parameter};
use crate::diag::Diagnostic;
use crate::ir::{
    Access, Array, Block, Cluster, Enum, EnumRef, Field, Item, Loc, Register, Spanned, Variant,
    Width, ones,
};
use crate::source::SourceFile;

/// What one file may create beyond what it writes out, in [`weight`] units:
/// `dim` elements and array elements (each described one by one later), and
/// what copies bring along (an unrolled cluster's items, a derived element's
/// inherited registers or fields, the items every mode of a peripheral
/// shares, the instances of every mode). Copies multiply, so a few kilobytes
/// of nested `dim` and `derivedFrom` could otherwise ask for millions of
/// registers. The bound is one full block's description (65,536 register
/// elements); of the 22 vendor SVDs the tests import, nrf9160 spends the
/// most, about 10,000.
const MAX_COPIES: usize = 1 << 16;

/// [`MAX_COPIES`] units a register, cluster or instance costs; a field, an
/// enum value, an array element past the first or 64 bytes of text cost 1.
const ITEM_WEIGHT: usize = 8;

/// Overlapping top-level clusters one peripheral may split into modes, each
/// a block of its own (vendor files have two to four: USART, SPI, I2C...).
const MAX_MODES: usize = 16;

/// What copying `items` costs, in [`MAX_COPIES`] units: the later steps
/// (checks, the YAML writer, the emitter's description of every register
/// element) work in proportion to it.
fn weight(items: &[Item]) -> usize {
    items.iter().map(item_weight).fold(0, usize::saturating_add)
}

fn item_weight(item: &Item) -> usize {
    match item {
        Item::Register(r) => one_weight(r.description.as_deref(), fields_weight(&r.fields))
            .saturating_add(elements(r.array.as_ref()).saturating_sub(1)),
        Item::Cluster(c) => one_weight(
            c.description.as_deref(),
            weight(&c.items).saturating_mul(elements(c.array.as_ref()).max(1)),
        ),
    }
}

/// One register, cluster or instance holding `inner` units, with its text.
fn one_weight(description: Option<&str>, inner: usize) -> usize {
    ITEM_WEIGHT
        .saturating_add(text_weight(description))
        .saturating_add(inner)
}

fn fields_weight(fields: &[Field]) -> usize {
    fields
        .iter()
        .map(|f| {
            let variants = match &f.enumeration {
                Some(EnumRef::Inline(e)) => e.variants.len(),
                _ => 0,
            };
            1usize
                .saturating_add(text_weight(f.description.as_deref()))
                .saturating_add(variants)
        })
        .fold(0, usize::saturating_add)
}

fn text_weight(text: Option<&str>) -> usize {
    text.map_or(0, |t| t.len() / 64)
}

/// Elements of an array (1 for none).
fn elements(array: Option<&Array>) -> usize {
    array.map_or(1, |a| usize::try_from(a.count.value).unwrap_or(usize::MAX))
}

/// Longest `derivedFrom` chain followed (a cycle stops here too).
const MAX_DERIVE_DEPTH: usize = 16;

/// Deepest cluster nesting read.
const MAX_CLUSTER_DEPTH: usize = 32;

/// Imports the SVD in `file`.
pub fn import(file: &mut SourceFile, diags: &mut Vec<Diagnostic>) -> Option<ImportedDesign> {
    let text = file.text().to_owned();
    let doc = xml::parse(file, &text).map_err(|d| diags.push(d)).ok()?;
    let mut cx = Svd {
        file,
        diags,
        copies: 0,
        told: HashSet::new(),
        index: HashMap::new(),
        enums: HashMap::new(),
        grown_windows: HashSet::new(),
        group_views: HashSet::new(),
    };
    cx.device(&doc)
}

struct Svd<'f, 'a, 'i> {
    file: &'f mut SourceFile,
    diags: &'f mut Vec<Diagnostic>,
    /// [`MAX_COPIES`] units spent so far.
    copies: usize,
    /// Diagnostics told so far, by code, place and message.
    told: HashSet<(&'static str, Loc, String)>,
    /// Peripherals, clusters, registers and fields by dotted path
    /// (`GPIOA.MODER.MODE0`), for `derivedFrom`.
    index: HashMap<String, Node<'a, 'i>>,
    /// `enumeratedValues` by name, each with the dotted path of its field,
    /// in document order, for their `derivedFrom`.
    enums: HashMap<String, Vec<(String, Node<'a, 'i>)>>,
    /// Address blocks already told to be smaller than their map: a derived
    /// peripheral inheriting one is not told again.
    grown_windows: HashSet<roxmltree::NodeId>,
    /// Name locations of registers in an `alternateGroup`: views the SVD
    /// declares as alternates of whatever register sits at their address.
    group_views: HashSet<Loc>,
}

/// Register properties, inherited device -> peripheral -> cluster -> register.
#[derive(Clone, Copy, Default)]
struct Props {
    size: Option<(u64, Loc)>,
    access: Option<(Access, Loc)>,
    reset: Option<(u64, Loc)>,
    reset_mask: Option<u64>,
}

/// An element and the chain of elements it derives from, nearest first.
#[derive(Clone)]
struct Derived<'a, 'i> {
    chain: Vec<Node<'a, 'i>>,
}

impl<'a, 'i> Derived<'a, 'i> {
    fn node(&self) -> Node<'a, 'i> {
        self.chain[0]
    }

    /// The first of the chain that has a child `name`.
    fn child(&self, name: &'static str) -> Option<Node<'a, 'i>> {
        self.chain.iter().find_map(|n| child(*n, name))
    }

    /// The children `name` of the first of the chain that has any.
    fn list(&self, name: &'static str) -> Vec<Node<'a, 'i>> {
        for n in &self.chain {
            let found: Vec<_> = children(*n, name).collect();
            if !found.is_empty() {
                return found;
            }
        }
        Vec::new()
    }
}

/// A block a peripheral instance uses: the only one, or one per mode.
#[derive(Clone)]
struct View {
    mode: Option<String>,
    block: String,
    /// The block's size: the least window an instance of it needs.
    size: u64,
}

/// An element's `modifiedWriteValues` and `readAction`: the outer `Option`
/// says whether the element (or its base) writes one, the inner what regmap
/// makes of it (`modify` and the kinds regmap lacks are `None`).
#[derive(Clone, Copy, Default)]
struct Effects {
    write: Option<Option<(Access, Loc)>>,
    read: Option<Option<(Access, Loc, &'static str)>>,
}

impl Effects {
    /// `self`, with what it does not say taken from `outer` (a field's
    /// effects over its register's).
    fn or(self, outer: Effects) -> Effects {
        Effects {
            write: self.write.or(outer.write),
            read: self.read.or(outer.read),
        }
    }
}

/// What a register's fields inherit: its declared access and effects, and
/// the access they make.
struct Outer {
    declared: Spanned<Access>,
    effects: Effects,
    access: Spanned<Access>,
}

/// One element a `dim` group expands to: its name, and how far it is moved.
struct DimElement {
    name: String,
    offset: u64,
}

/// What a `dim` group lowers to.
enum Dim {
    /// No `dim`: the element itself.
    One(String),
    /// `NAME[%s]`: an array of `count` elements `stride` apart.
    Array { name: String, array: Array },
    /// `NAME%s`: unrolled elements.
    Unrolled(Vec<DimElement>),
}

impl<'f, 'a, 'i> Svd<'f, 'a, 'i> {
    fn loc(&mut self, node: Node<'_, '_>) -> Loc {
        xml::loc(self.file, node)
    }

    fn text_loc(&mut self, node: Node<'_, '_>) -> Loc {
        let r = xml::text_range(node);
        self.file.loc(r)
    }

    fn warn(&mut self, code: &'static str, loc: Loc, message: String, hint: &str) {
        self.push(Diagnostic::warning(code, loc, message).with_hint(hint.to_owned()));
    }

    /// Adds `d` unless it was told already: a derived element is lowered
    /// again from its base for every copy, which would repeat the base's
    /// problems once per copy.
    fn push(&mut self, d: Diagnostic) {
        if self.told.insert((d.code, d.loc, d.message.clone())) {
            self.diags.push(d);
        }
    }

    fn error(&mut self, code: &'static str, node: Node<'_, '_>, message: String, hint: &str) {
        let loc = self.text_loc(node);
        self.push(
            Diagnostic::error(code, loc, message)
                .with_label("here")
                .with_hint(hint.to_owned()),
        );
    }

    /// A required number child; reported and `None` when absent or bad.
    fn number_of(
        &mut self,
        d: &Derived<'a, 'i>,
        name: &'static str,
        what: &str,
    ) -> Option<Spanned<u64>> {
        let Some(node) = d.child(name) else {
            let loc = self.loc(d.node());
            self.push(
                Diagnostic::error("missing-element", loc, format!("{what} has no `<{name}>`"))
                    .with_label("here")
                    .with_hint(format!("add `<{name}>`; the element is left out")),
            );
            return None;
        };
        self.number(node)
    }

    /// The number in `node`; reported and `None` when bad.
    fn number(&mut self, node: Node<'_, '_>) -> Option<Spanned<u64>> {
        let t = text(node);
        match parse_number(&t) {
            Some(v) => {
                let loc = self.text_loc(node);
                Some(Spanned::new(v, loc))
            }
            None => {
                self.error(
                    "bad-number",
                    node,
                    format!("`{}` is not a number", shorten(&t)),
                    "SVD numbers are decimal, `0x` hex or `#` binary, with an optional k/M/G/T suffix",
                );
                None
            }
        }
    }

    fn opt_number(&mut self, d: &Derived<'a, 'i>, name: &'static str) -> Option<Spanned<u64>> {
        let node = d.child(name)?;
        self.number(node)
    }

    fn name_of(&mut self, d: &Derived<'a, 'i>, what: &str) -> Option<(String, Loc)> {
        match d.child("name") {
            Some(n) => {
                let loc = self.text_loc(n);
                Some((text(n), loc))
            }
            None => {
                let loc = self.loc(d.node());
                self.push(
                    Diagnostic::error("missing-element", loc, format!("{what} has no `<name>`"))
                        .with_label("here")
                        .with_hint("add `<name>`; the element is left out"),
                );
                None
            }
        }
    }

    fn description(d: &Derived<'a, 'i>) -> Option<String> {
        d.child("description")
            .map(text)
            .map(|t| super::write::one_line(&t))
            .filter(|t| !t.is_empty())
    }

    /// The element `node` and what it derives from.
    fn derived(&mut self, node: Node<'a, 'i>, scope: &str) -> Derived<'a, 'i> {
        let mut chain = vec![node];
        let mut seen = HashSet::new();
        seen.insert(node.id());
        let mut current = node;
        while let Some(from) = current.attribute("derivedFrom") {
            let Some(base) = self.resolve(from, scope, current) else {
                let loc = match current.attribute_node("derivedFrom") {
                    Some(a) => self.file.loc(a.range_value()),
                    None => self.loc(current),
                };
                self.warn(
                    "unknown-derived-from",
                    loc,
                    format!("`derivedFrom=\"{from}\"` names no element of this kind"),
                    "the element is imported with only what it writes itself",
                );
                break;
            };
            if !seen.insert(base.id()) || chain.len() >= MAX_DERIVE_DEPTH {
                let loc = self.loc(current);
                self.warn(
                    "derived-from-cycle",
                    loc,
                    format!("`derivedFrom=\"{from}\"` loops back or nests too deep"),
                    "the chain is followed up to here",
                );
                break;
            }
            chain.push(base);
            current = base;
        }
        Derived { chain }
    }

    /// The element `from` names, seen from `scope` (the dotted path of the
    /// element's parent): a name or dotted path in the enclosing scopes,
    /// innermost first, up to the device (so `PERIPH.REG` from anywhere);
    /// last, for vendor files that name a non-sibling bare, any element of
    /// the same kind and name in the same peripheral.
    fn resolve(&self, from: &str, scope: &str, node: Node<'a, 'i>) -> Option<Node<'a, 'i>> {
        let from = strip_dim(from);
        let kind = node.tag_name().name();
        if kind == "enumeratedValues" {
            return self.resolve_enum(&from, scope, node);
        }
        let same_kind = |n: &&Node<'a, 'i>| n.tag_name().name() == kind && n.id() != node.id();
        for s in enclosing(scope) {
            if let Some(n) = self.index.get(&join(s, &from)).filter(same_kind) {
                return Some(*n);
            }
        }
        let periph = scope.split('.').next().unwrap_or("");
        if periph.is_empty() {
            return None;
        }
        let prefix = format!("{periph}.");
        let last = from.rsplit('.').next().unwrap_or(&from);
        self.index
            .iter()
            .filter(|(k, n)| {
                same_kind(n) && k.starts_with(&prefix) && k.rsplit('.').next() == Some(last)
            })
            // The shallowest, then the first by name: never hash order.
            .min_by_key(|(k, _)| (k.len(), k.as_str()))
            .map(|(_, n)| *n)
    }

    /// The `enumeratedValues` `from` names, seen from the field at `scope`:
    /// a bare name is the first enum of that name in the innermost enclosing
    /// scope (field, register, clusters, peripheral, device) holding one; a
    /// dotted path (`PERIPH.REG.FIELD.NAME`, or the tail of one) names its
    /// field from the innermost enclosing scope where that field exists.
    fn resolve_enum(&self, from: &str, scope: &str, node: Node<'a, 'i>) -> Option<Node<'a, 'i>> {
        let (qualifier, name) = match from.rsplit_once('.') {
            Some((q, n)) => (Some(q), n),
            None => (None, from),
        };
        let candidates = self.enums.get(name)?;
        for s in enclosing(scope) {
            let hit = candidates.iter().find(|(path, n)| {
                n.id() != node.id()
                    && match qualifier {
                        None => s.is_empty() || path == s || path.starts_with(&format!("{s}.")),
                        Some(q) => *path == join(s, q),
                    }
            });
            if let Some((_, n)) = hit {
                return Some(*n);
            }
        }
        None
    }

    /// Fills the `derivedFrom` indexes from the whole document.
    fn build_index(&mut self, peripherals: &[Node<'a, 'i>]) {
        fn walk<'a, 'i>(
            index: &mut HashMap<String, Node<'a, 'i>>,
            enums: &mut HashMap<String, Vec<(String, Node<'a, 'i>)>>,
            node: Node<'a, 'i>,
            path: &str,
            depth: usize,
        ) {
            if depth > MAX_CLUSTER_DEPTH + 4 {
                return;
            }
            for c in node.children().filter(Node::is_element) {
                let tag = c.tag_name().name();
                match tag {
                    "registers" | "fields" => walk(index, enums, c, path, depth + 1),
                    "cluster" | "register" | "field" => {
                        let name = child(c, "name").map(text).unwrap_or_default();
                        let p = format!("{path}.{}", strip_dim(&name));
                        index.entry(p.clone()).or_insert(c);
                        walk(index, enums, c, &p, depth + 1);
                    }
                    "enumeratedValues" => {
                        if let Some(n) = child(c, "name") {
                            enums.entry(text(n)).or_default().push((path.to_owned(), c));
                        }
                    }
                    _ => {}
                }
            }
        }
        for p in peripherals {
            let name = strip_dim(&child(*p, "name").map(text).unwrap_or_default());
            self.index.entry(name.clone()).or_insert(*p);
            walk(&mut self.index, &mut self.enums, *p, &name, 0);
        }
    }

    fn device(&mut self, doc: &'a Document<'i>) -> Option<ImportedDesign> {
        let root = doc.root_element();
        if root.tag_name().name() != "device" {
            let loc = self.loc(root);
            self.push(
                Diagnostic::error(
                    "not-svd",
                    loc,
                    format!(
                        "the root element is `<{}>`, not an SVD `<device>`",
                        root.tag_name().name()
                    ),
                )
                .with_label("root element")
                .with_hint("a CMSIS-SVD file starts with `<device>`"),
            );
            return None;
        }
        let dev = Derived { chain: vec![root] };
        let (name, name_loc) = self
            .name_of(&dev, "the device")
            .unwrap_or_else(|| ("device".to_owned(), Loc::NONE));
        let description = Self::description(&dev);
        let props = self.props(&dev, Props::default());
        let peripherals: Vec<Node<'a, 'i>> = child(root, "peripherals")
            .map(|p| children(p, "peripheral").collect())
            .unwrap_or_default();
        self.build_index(&peripherals);
        let mut design = ImportedDesign {
            name: Spanned::new(name, name_loc),
            description,
            blocks: Vec::new(),
            instances: Vec::new(),
        };
        // The block each peripheral (by node) defined, for the instances of
        // peripherals derived from it without registers of their own.
        let mut block_of: HashMap<roxmltree::NodeId, Vec<View>> = HashMap::new();
        for p in peripherals {
            self.peripheral(p, props, &mut design, &mut block_of);
        }
        Some(design)
    }

    fn props(&mut self, d: &Derived<'a, 'i>, parent: Props) -> Props {
        let mut props = parent;
        if let Some(size) = self.opt_number(d, "size") {
            props.size = Some((size.value, size.loc));
        }
        if let Some(n) = d.child("access") {
            let t = text(n);
            let loc = self.text_loc(n);
            match parse_access(&t) {
                Some((access, exact)) => {
                    if !exact {
                        self.warn(
                            "access-approximated",
                            loc,
                            format!("access `{t}` is imported as `{}`", access.short_name()),
                            "regmap has no write-once access: the first write is not enforced",
                        );
                    }
                    props.access = Some((access, loc));
                }
                None => self.error(
                    "bad-access",
                    n,
                    format!("`{}` is not an SVD access", shorten(&t)),
                    "SVD access is read-only, write-only, read-write, writeOnce or read-writeOnce",
                ),
            }
        }
        if let Some(v) = self.opt_number(d, "resetValue") {
            props.reset = Some((v.value, v.loc));
        }
        if let Some(v) = self.opt_number(d, "resetMask") {
            props.reset_mask = Some(v.value);
        }
        props
    }

    fn peripheral(
        &mut self,
        node: Node<'a, 'i>,
        device_props: Props,
        design: &mut ImportedDesign,
        block_of: &mut HashMap<roxmltree::NodeId, Vec<View>>,
    ) {
        let d = self.derived(node, "");
        let Some((name, name_loc)) = self.name_of(&d, "a peripheral") else {
            return;
        };
        let Some(base) = self.number_of(&d, "baseAddress", &format!("peripheral `{name}`")) else {
            return;
        };
        let description = Self::description(&d);
        // A derived peripheral that writes no registers of its own is
        // another instance of its nearest base's block (which, if that base
        // has no registers either, is the block it shares in turn).
        let own_registers = child(node, "registers").is_some();
        let shared = (!own_registers && d.chain.len() > 1)
            .then(|| block_of.get(&d.chain[1].id()).cloned())
            .flatten();
        let views = match shared {
            Some(views) => views,
            None => {
                let blocks = self.block(&d, &name, name_loc, device_props);
                blocks
                    .into_iter()
                    .map(|(mode, b)| {
                        let size = b.size.value;
                        View {
                            mode,
                            block: super::push_block(&mut design.blocks, b, self.diags),
                            size,
                        }
                    })
                    .collect::<Vec<_>>()
            }
        };
        block_of.insert(node.id(), views.clone());
        // The instance's window holds at least its map, so the design binds.
        let declared = address_blocks_end(&d);
        let needed = views.iter().map(|v| v.size).max().unwrap_or(0);
        if let Some((end, at)) = declared
            && end < needed
            && self.grown_windows.insert(at.id())
        {
            let block = &views[0].block;
            let loc = self.loc(at);
            self.warn(
                "block-size-grown",
                loc,
                format!(
                    "the map `{block}` of `{name}` is {needed:#x} bytes, past the end of its address blocks ({end:#x})"
                ),
                "registers (or the base's map) reach past the address blocks: the map and the instance's window are grown to hold them",
            );
        }
        let interrupts: Vec<Interrupt> = children(node, "interrupt")
            .filter_map(|i| {
                let value = child(i, "value")?;
                let Some(number) = parse_number(&text(value)) else {
                    let loc = self.text_loc(value);
                    let message = format!(
                        "interrupt value `{}` is not a number",
                        shorten(&text(value))
                    );
                    self.warn(
                        "interrupt-dropped",
                        loc,
                        message,
                        "the interrupt is not imported",
                    );
                    return None;
                };
                Some(Interrupt {
                    name: child(i, "name").map(text),
                    number,
                    controller: None,
                })
            })
            .collect();
        let mut parameters = Vec::new();
        if let Some(g) = d.child("groupName") {
            parameters.push(Parameter {
                name: "groupName".to_owned(),
                value: text(g),
            });
        }
        let mut placed: Vec<(String, Loc, u64)> = Vec::new();
        // Each element places one instance per mode, each with the
        // interrupts.
        let instances = ITEM_WEIGHT
            .saturating_add(interrupts.len())
            .saturating_mul(views.len().max(1));
        match self.dim(&d, &name, name_loc, instances, usize::MAX) {
            Dim::One(n) => placed.push((n, name_loc, base.value)),
            Dim::Array { name, array } => {
                for i in 0..array.count.value {
                    if !self.may_copy(array.count.loc, instances) {
                        break;
                    }
                    let at = base.value.wrapping_add(i.wrapping_mul(array.stride.value));
                    let loc = super::fresh_loc(self.file, name_loc);
                    placed.push((format!("{name}{i}"), loc, at));
                }
            }
            Dim::Unrolled(elements) => {
                for e in elements {
                    let loc = super::fresh_loc(self.file, name_loc);
                    placed.push((e.name, loc, base.value.wrapping_add(e.offset)));
                }
            }
        }
        for (name, loc, at) in placed {
            for view in &views {
                let (name, loc) = match &view.mode {
                    None => (name.clone(), loc),
                    // One instance per mode, all at the peripheral's base.
                    Some(mode) => (format!("{name}_{mode}"), super::fresh_loc(self.file, loc)),
                };
                design.instances.push(Instance {
                    name: Spanned::new(name, loc),
                    block: view.block.clone(),
                    base: Spanned::new(at, loc),
                    size: declared.map(|(end, _)| end.max(view.size)),
                    interrupts: interrupts.clone(),
                    parameters: parameters.clone(),
                    description: description.clone(),
                });
            }
        }
    }

    /// The block (or, for a peripheral with modes, one block per mode) of
    /// a peripheral, each with the name of its mode.
    fn block(
        &mut self,
        d: &Derived<'a, 'i>,
        name: &str,
        name_loc: Loc,
        device_props: Props,
    ) -> Vec<(Option<String>, Block)> {
        let props = self.props(d, device_props);
        // A derived peripheral that writes registers is a layout of its own:
        // the name comes from the chain up to the first that has registers.
        let layout = d
            .chain
            .iter()
            .position(|n| child(*n, "registers").is_some())
            .unwrap_or(d.chain.len() - 1);
        let block_name = d.chain[..=layout]
            .iter()
            .find_map(|n| child(*n, "headerStructName"))
            .map(text)
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| strip_dim(name));
        let registers = Derived {
            chain: d
                .chain
                .iter()
                .filter_map(|n| child(*n, "registers"))
                .collect(),
        };
        // Registers of a base defined further down are parsed again here: a
        // copy, paid for as one (a base defined earlier shares its block).
        let inherited = child(d.node(), "registers").is_none() && d.chain.len() > 1;
        let mut items = if inherited && self.spent() {
            Vec::new()
        } else {
            self.items_unchecked(&registers, &strip_dim(name), props, 0)
        };
        if inherited && !self.may_copy(name_loc, weight(&items)) {
            items.clear();
        }
        let declared = address_blocks_end(d).map_or(0, |(end, _)| end);
        let description = Self::description(d);
        let mut out = Vec::new();
        let modes = split_modes(items, |modes, copies| {
            if modes > MAX_MODES {
                self.warn(
                    "too-many-modes",
                    name_loc,
                    format!(
                        "peripheral `{name}` has {modes} overlapping clusters; at most \
                         {MAX_MODES} become modes"
                    ),
                    "they stay in one block, where the later overlapping ones are left out",
                );
                return false;
            }
            self.may_copy(name_loc, copies)
        });
        for (mode, mut items) in modes {
            drop_overlaps(self, &mut items);
            let extent = crate::check::extent_of(&items);
            // Grown past the address blocks with a warning there, by the
            // instance that windows it.
            let size = declared.max(u64::try_from(extent).unwrap_or(u64::MAX));
            let block_name = match &mode {
                Some(m) => format!("{block_name}_{m}"),
                None => block_name.clone(),
            };
            out.push((
                mode,
                Block {
                    name: Spanned::new(block_name, name_loc),
                    description: description.clone(),
                    size: Spanned::new(size, name_loc),
                    items,
                    enums: Vec::new(),
                    id: None,
                    loc: name_loc,
                },
            ));
        }
        out
    }

    /// The registers and clusters of a `registers` or `cluster` element
    /// (`container`: the element and those it derives from; the first of
    /// them that has items supplies them).
    fn items(
        &mut self,
        container: &Derived<'a, 'i>,
        scope: &str,
        props: Props,
        depth: usize,
    ) -> Vec<Item> {
        let mut items = self.items_unchecked(container, scope, props, depth);
        drop_overlaps(self, &mut items);
        items
    }

    /// As [`Self::items`], overlaps kept.
    fn items_unchecked(
        &mut self,
        container: &Derived<'a, 'i>,
        scope: &str,
        props: Props,
        depth: usize,
    ) -> Vec<Item> {
        let (from, nodes) = container
            .chain
            .iter()
            .map(|n| {
                n.children()
                    .filter(|c| matches!(c.tag_name().name(), "register" | "cluster"))
                    .collect::<Vec<_>>()
            })
            .enumerate()
            .find(|(_, v)| !v.is_empty())
            .unwrap_or_default();
        if from > 0 {
            // Copies nest (a derived cluster holding derived clusters): once
            // the budget is spent, not even parsed.
            if self.spent() {
                return Vec::new();
            }
            let mut items = self.items_of(nodes, scope, props, depth);
            // Inherited through `derivedFrom`: a copy, paid for as one.
            let loc = self.loc(container.node());
            if !self.may_copy(loc, weight(&items)) {
                items.clear();
            }
            return items;
        }
        self.items_of(nodes, scope, props, depth)
    }

    /// The registers and clusters `nodes` describe, in order.
    fn items_of(
        &mut self,
        nodes: Vec<Node<'a, 'i>>,
        scope: &str,
        props: Props,
        depth: usize,
    ) -> Vec<Item> {
        let mut items = Vec::new();
        for n in nodes {
            match n.tag_name().name() {
                "register" => self.register(n, scope, props, &mut items),
                _ if depth >= MAX_CLUSTER_DEPTH => {
                    let loc = self.loc(n);
                    self.warn(
                        "too-deep",
                        loc,
                        "clusters nest too deep".to_owned(),
                        "the cluster is left out",
                    );
                }
                _ => self.cluster(n, scope, props, depth, &mut items),
            }
        }
        items
    }

    fn cluster(
        &mut self,
        node: Node<'a, 'i>,
        scope: &str,
        props: Props,
        depth: usize,
        out: &mut Vec<Item>,
    ) {
        let d = self.derived(node, scope);
        let Some((name, name_loc)) = self.name_of(&d, "a cluster") else {
            return;
        };
        let Some(offset) = self.number_of(&d, "addressOffset", &format!("cluster `{name}`")) else {
            return;
        };
        let props = self.props(&d, props);
        let path = format!("{scope}.{}", strip_dim(&name));
        let items = self.items(&d, &path, props, depth + 1);
        if items.is_empty() && self.spent() {
            // Its copy was refused: told once already, and an empty cluster
            // would only stand where the rest of the copies are missing.
            return;
        }
        let description = Self::description(&d);
        let make = |name: String, loc: Loc, offset: Spanned<u64>, array: Option<Array>| {
            Item::Cluster(Cluster {
                name: Spanned::new(name, loc),
                description: description.clone(),
                offset,
                array,
                items: items.clone(),
                loc,
            })
        };
        let inner = weight(&items);
        let copy = one_weight(description.as_deref(), inner);
        match self.dim(&d, &name, name_loc, copy, usize::MAX) {
            Dim::One(n) => out.push(make(n, name_loc, offset, None)),
            Dim::Array { name, array } => {
                // Every element's registers are described one by one later.
                let more = inner.saturating_mul(elements(Some(&array)).saturating_sub(1));
                if self.may_copy(array.count.loc, more) {
                    out.push(make(name, name_loc, offset, Some(array)));
                }
            }
            Dim::Unrolled(elements) => {
                for (i, e) in elements.into_iter().enumerate() {
                    let loc = super::fresh_loc(self.file, name_loc);
                    let at = Spanned::new(offset.value.wrapping_add(e.offset), offset.loc);
                    let mut item = make(e.name, loc, at, None);
                    if i > 0 {
                        super::fresh_names(self.file, &mut item);
                    }
                    out.push(item);
                }
            }
        }
    }

    fn register(&mut self, node: Node<'a, 'i>, scope: &str, props: Props, out: &mut Vec<Item>) {
        let d = self.derived(node, scope);
        let Some((mut name, name_loc)) = self.name_of(&d, "a register") else {
            return;
        };
        // Paths (for `derivedFrom`) use the name the SVD writes.
        let path = format!("{scope}.{}", strip_dim(&name));
        let group = d
            .child("alternateGroup")
            .map(text)
            .filter(|g| !g.is_empty());
        if let Some(g) = &group {
            // Before the array placeholder, so `CCR[%s]` stays an array.
            name = match name.strip_suffix("[%s]") {
                Some(base) => format!("{base}_{g}[%s]"),
                None => format!("{name}_{g}"),
            };
        }
        let Some(offset) = self.number_of(&d, "addressOffset", &format!("register `{name}`"))
        else {
            return;
        };
        let props = self.props(&d, props);
        let (bits, width_loc) = props.size.unwrap_or((32, name_loc));
        let Some(width) = Width::from_bits(bits) else {
            self.warn(
                "unsupported-width",
                width_loc,
                format!("register `{name}` is {bits} bits wide"),
                "regmap registers are 8, 16, 32 or 64 bits: the register is left out",
            );
            return;
        };
        let (declared, access_loc) = props.access.unwrap_or((Access::ReadWrite, name_loc));
        let effects = self.effects(&d);
        let access = self.apply_effects(effects, declared, access_loc, true);
        let (reset, reset_loc) = props.reset.unwrap_or((0, name_loc));
        let reset = reset & props.reset_mask.unwrap_or(u64::MAX) & ones(width.bits());
        let outer = Outer {
            declared: Spanned::new(declared, access_loc),
            effects,
            access: access.clone(),
        };
        let mut fields = self.fields(&d, &path, &strip_dim(&name), width, &outer);
        // A register's declared access bounds its fields in regmap; SVD lets
        // fields widen it, so a register holding wider fields becomes rw.
        let mut reg_access = access.clone();
        if fields
            .iter()
            .any(|f| !reg_access.value.allows_field(f.access.value))
        {
            reg_access = Spanned::new(Access::ReadWrite, reg_access.loc);
        }
        // Fields that kept the declared access inherit it unchanged.
        for f in &mut fields {
            if f.access.value == access.value {
                f.access = access.clone();
            }
        }
        let description = Self::description(&d);
        // Only the element's own: a register derived from an alternate at
        // another address is no view of the same bytes.
        let alternate_of = child(node, "alternateRegister").and_then(|n| {
            let name = text(n);
            (!name.is_empty()).then(|| Spanned::new(name, self.text_loc(n)))
        });
        let first = out.len();
        let make = |name: String, loc: Loc, offset: Spanned<u64>, array: Option<Array>| {
            Item::Register(Register {
                name: Spanned::new(name, loc),
                description: description.clone(),
                offset,
                width: Spanned::new(width, width_loc),
                access: reg_access.clone(),
                reset: Spanned::new(reset, reset_loc),
                array,
                fields: fields.clone(),
                alternate_of: alternate_of.clone(),
                loc,
            })
        };
        let copy = one_weight(description.as_deref(), fields_weight(&fields));
        match self.dim(&d, &name, name_loc, copy, usize::MAX) {
            Dim::One(n) => out.push(make(n, name_loc, offset, None)),
            Dim::Array { name, array } => {
                // Every element is described one by one later.
                if self.may_copy(array.count.loc, elements(Some(&array)).saturating_sub(1)) {
                    out.push(make(name, name_loc, offset, Some(array)));
                }
            }
            Dim::Unrolled(elements) => {
                for (i, e) in elements.into_iter().enumerate() {
                    let loc = super::fresh_loc(self.file, name_loc);
                    let at = Spanned::new(offset.value.wrapping_add(e.offset), offset.loc);
                    let mut item = make(e.name, loc, at, None);
                    if i > 0 {
                        super::fresh_names(self.file, &mut item);
                    }
                    out.push(item);
                }
            }
        }
        if group.is_some() {
            self.group_views
                .extend(out[first..].iter().map(|i| i.name().loc));
        }
    }

    /// An element's `modifiedWriteValues` and `readAction`, each problem
    /// told once here.
    fn effects(&mut self, d: &Derived<'a, 'i>) -> Effects {
        let mut effects = Effects::default();
        if let Some(n) = d.child("modifiedWriteValues") {
            let t = text(n);
            let at = self.text_loc(n);
            let action = match t.as_str() {
                "oneToClear" => Some(Access::OneToClear),
                "oneToSet" => Some(Access::OneToSet),
                "oneToToggle" => Some(Access::OneToToggle),
                "zeroToClear" => Some(Access::ZeroToClear),
                "zeroToSet" => Some(Access::ZeroToSet),
                "modify" => None,
                "zeroToToggle" | "clear" | "set" => {
                    self.warn(
                        "write-effect-dropped",
                        at,
                        format!("`modifiedWriteValues` `{t}` has no regmap access kind"),
                        "the field is imported with its plain access; writes have the vendor's effect",
                    );
                    None
                }
                _ => {
                    self.error(
                        "bad-access",
                        n,
                        format!("`{}` is not an SVD modifiedWriteValues", shorten(&t)),
                        "expected oneToClear, oneToSet, oneToToggle, zeroToClear, zeroToSet, zeroToToggle, clear, set or modify",
                    );
                    None
                }
            };
            effects.write = Some(action.map(|a| (a, at)));
        }
        if let Some(n) = d.child("readAction") {
            let t = text(n);
            let at = self.text_loc(n);
            let effect = match t.as_str() {
                "clear" => Some((Access::ReadToClear, at, "clear")),
                "set" => Some((Access::ReadToSet, at, "set")),
                "modify" | "modifyExternal" => {
                    self.warn(
                        "read-effect-dropped",
                        at,
                        format!("`readAction` `{t}` has no regmap access kind"),
                        "the field is imported as if reads had no side effect: read it with care",
                    );
                    None
                }
                _ => {
                    self.error(
                        "bad-access",
                        n,
                        format!("`{}` is not an SVD readAction", shorten(&t)),
                        "expected clear, set, modify or modifyExternal",
                    );
                    None
                }
            };
            effects.read = Some(effect);
        }
        effects
    }

    /// `effects` on top of the declared access; `warn`: tell here when a
    /// read effect drops writes.
    fn apply_effects(
        &mut self,
        effects: Effects,
        declared: Access,
        loc: Loc,
        warn: bool,
    ) -> Spanned<Access> {
        let mut access = Spanned::new(declared, loc);
        if let Some(Some((action, at))) = effects.write
            && declared.is_writable()
        {
            // A write-only action field reads as zero in regmap's model;
            // the action kinds are readable.
            access = Spanned::new(action, at);
        }
        if let Some(Some((effect, at, t))) = effects.read {
            if warn && access.value.is_writable() {
                self.warn(
                    "write-dropped",
                    at,
                    format!(
                        "a read-to-{t} element that is also writable is imported as `{}`",
                        effect.short_name()
                    ),
                    "regmap's read-side-effect kinds are read-only: writes to it are not generated",
                );
            }
            access = Spanned::new(effect, at);
        }
        access
    }

    fn fields(
        &mut self,
        reg: &Derived<'a, 'i>,
        path: &str,
        reg_name: &str,
        width: Width,
        outer: &Outer,
    ) -> Vec<Field> {
        let (from, nodes) = reg
            .chain
            .iter()
            .map(|n| child(*n, "fields").map_or_else(Vec::new, |f| children(f, "field").collect()))
            .enumerate()
            .find(|(_, v): &(usize, Vec<Node<'a, 'i>>)| !v.is_empty())
            .unwrap_or_default();
        if from > 0 && self.spent() {
            return Vec::new();
        }
        let mut fields: Vec<Field> = Vec::new();
        for n in nodes {
            self.field(n, path, reg_name, width, outer, &mut fields);
        }
        // Inherited through `derivedFrom`: a copy, paid for as one.
        if from > 0 {
            let loc = self.loc(reg.node());
            if !self.may_copy(loc, fields.len()) {
                fields.clear();
            }
        }
        // Overlapping fields (alternate views of bits) keep the first.
        let mut used = 0u64;
        let mut kept = Vec::with_capacity(fields.len());
        for f in fields {
            if used & f.mask() != 0 {
                let first = kept
                    .iter()
                    .find(|k: &&Field| k.mask() & f.mask() != 0)
                    .map(|k| k.name.loc)
                    .unwrap_or(Loc::NONE);
                self.push(
                    Diagnostic::warning(
                        "field-dropped",
                        f.bits_loc,
                        format!(
                            "field `{}` of `{reg_name}` overlaps an earlier field",
                            f.name.value
                        ),
                    )
                    .with_label("overlapping bits")
                    .with_related(first, "the field kept")
                    .with_hint("regmap fields do not share bits: the later field is left out"),
                );
                continue;
            }
            used |= f.mask();
            kept.push(f);
        }
        kept
    }

    fn field(
        &mut self,
        node: Node<'a, 'i>,
        path: &str,
        reg_name: &str,
        width: Width,
        outer: &Outer,
        out: &mut Vec<Field>,
    ) {
        let d = self.derived(node, path);
        let Some((name, name_loc)) = self.name_of(&d, "a field") else {
            return;
        };
        let Some((lsb, msb, bits_loc)) = self.bit_range(&d, &name) else {
            return;
        };
        let own_access = match d.child("access") {
            Some(n) => {
                let t = text(n);
                let loc = self.text_loc(n);
                match parse_access(&t) {
                    Some((a, _)) => Some(Spanned::new(a, loc)),
                    None => {
                        self.error("bad-access", n, format!("`{}` is not an SVD access", shorten(&t)), "SVD access is read-only, write-only, read-write, writeOnce or read-writeOnce");
                        None
                    }
                }
            }
            None => None,
        };
        let own = self.effects(&d);
        // The field's access says whether it reads and writes; the
        // register's write and read effects apply unless the field writes
        // its own.
        let access = if own_access.is_none() && own.write.is_none() && own.read.is_none() {
            outer.access.clone()
        } else {
            let declared = own_access.clone().unwrap_or_else(|| outer.declared.clone());
            let warn = own.read.is_some() || own_access.is_some();
            self.apply_effects(own.or(outer.effects), declared.value, declared.loc, warn)
        };
        let description = Self::description(&d);
        let enum_node = self.pick_enum(&d, &format!("{path}.{}", strip_dim(&name)));
        let make = |s: &mut Self, name: String, loc: Loc, lsb: u32, msb: u32| -> Option<Field> {
            if msb >= width.bits() || lsb > msb {
                s.diags.push(
                    Diagnostic::warning(
                        "field-dropped",
                        bits_loc,
                        format!("field `{name}` (bits {msb}:{lsb}) is past the {}-bit register `{reg_name}`", width.bits()),
                    )
                    .with_label("bits out of range")
                    .with_hint("the field is left out"),
                );
                return None;
            }
            let enumeration = enum_node.as_ref().and_then(|e| {
                s.enumeration(
                    e,
                    &format!("{reg_name}_{}", strip_dim(&name)),
                    msb - lsb + 1,
                )
                .map(EnumRef::Inline)
            });
            Some(Field {
                name: Spanned::new(name, loc),
                description: description.clone(),
                lsb,
                msb,
                bits_loc,
                access: access.clone(),
                enumeration,
                loc,
            })
        };
        // A register has 64 bits: of more elements, each past the 65th
        // overlaps an earlier one or leaves the register, and would only be
        // dropped again.
        match self.dim(&d, &name, name_loc, 1, 65) {
            Dim::One(n) => out.extend(make(self, n, name_loc, lsb, msb)),
            Dim::Array { name, array } => {
                // Fields are never arrays in regmap: unroll `NAME[%s]` too.
                for i in 0..array.count.value {
                    // A field past bit 63 is dropped anyway: stop there.
                    if i > 64 || !self.may_copy(array.count.loc, 1) {
                        break;
                    }
                    let shift = i.saturating_mul(array.stride.value);
                    let loc = super::fresh_loc(self.file, name_loc);
                    let Ok(shift) = u32::try_from(shift) else {
                        break;
                    };
                    out.extend(make(
                        self,
                        format!("{name}{i}"),
                        loc,
                        lsb.saturating_add(shift),
                        msb.saturating_add(shift),
                    ));
                }
            }
            Dim::Unrolled(elements) => {
                for e in elements {
                    let loc = super::fresh_loc(self.file, name_loc);
                    let Ok(shift) = u32::try_from(e.offset) else {
                        continue;
                    };
                    out.extend(make(
                        self,
                        e.name,
                        loc,
                        lsb.saturating_add(shift),
                        msb.saturating_add(shift),
                    ));
                }
            }
        }
    }

    /// `bitRange`, `lsb` + `msb`, or `bitOffset` + `bitWidth`.
    fn bit_range(&mut self, d: &Derived<'a, 'i>, name: &str) -> Option<(u32, u32, Loc)> {
        if let Some(n) = d.child("bitRange") {
            let t = text(n);
            let loc = self.text_loc(n);
            let parsed = t
                .strip_prefix('[')
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|r| r.split_once(':'))
                .and_then(|(m, l)| Some((parse_number(m.trim())?, parse_number(l.trim())?)));
            return match parsed {
                Some((msb, lsb)) if msb >= lsb && msb < 64 => Some((lsb as u32, msb as u32, loc)),
                _ => {
                    self.error(
                        "bad-bits",
                        n,
                        format!("`{}` is not a bit range of field `{name}`", shorten(&t)),
                        "write `[msb:lsb]` with msb >= lsb, below 64",
                    );
                    None
                }
            };
        }
        if let (Some(l), Some(m)) = (d.child("lsb"), d.child("msb")) {
            let lsb = self.number(l)?;
            let msb = self.number(m)?;
            if msb.value >= lsb.value && msb.value < 64 {
                return Some((lsb.value as u32, msb.value as u32, lsb.loc));
            }
            self.error(
                "bad-bits",
                m,
                format!(
                    "bits {}:{} of field `{name}` are not a range",
                    msb.value, lsb.value
                ),
                "msb must be at least lsb, and below 64",
            );
            return None;
        }
        if let Some(o) = d.child("bitOffset") {
            let offset = self.number(o)?;
            let width = match d.child("bitWidth") {
                Some(w) => self.number(w)?.value,
                None => 1,
            };
            let msb = offset
                .value
                .checked_add(width)
                .and_then(|e| e.checked_sub(1));
            return match msb {
                Some(msb) if width > 0 && msb < 64 => {
                    Some((offset.value as u32, msb as u32, offset.loc))
                }
                _ => {
                    self.error(
                        "bad-bits",
                        o,
                        format!(
                            "field `{name}` at bit {} is {width} bits wide",
                            offset.value
                        ),
                        "a field is 1 to 64 bits, below bit 64",
                    );
                    None
                }
            };
        }
        let loc = self.loc(d.node());
        self.push(
            Diagnostic::error(
                "missing-element",
                loc,
                format!("field `{name}` has no bit position"),
            )
            .with_label("here")
            .with_hint("add `<bitRange>`, `<lsb>`/`<msb>` or `<bitOffset>`/`<bitWidth>`"),
        );
        None
    }

    /// The `enumeratedValues` a field's getter uses: `read-write` or `read`
    /// usage first (a field's one enum type serves reads and writes).
    fn pick_enum(&mut self, d: &Derived<'a, 'i>, scope: &str) -> Option<Derived<'a, 'i>> {
        let all = d.list("enumeratedValues");
        let usage = |n: &Node<'_, '_>| {
            child(*n, "usage")
                .map(text)
                .unwrap_or_else(|| "read-write".to_owned())
        };
        let chosen = all
            .iter()
            .find(|n| usage(n) == "read-write")
            .or_else(|| all.iter().find(|n| usage(n) == "read"))
            .or_else(|| all.first())
            .copied()?;
        if all.len() > 1 {
            for other in all.iter().filter(|n| n.id() != chosen.id()) {
                let loc = self.loc(*other);
                self.push(
                    Diagnostic::note("enum-dropped", loc, "a second `enumeratedValues` of the field is not imported")
                        .with_hint("a regmap field has one enum, used for reads and writes: the read (or read-write) one is kept"),
                );
            }
        }
        Some(self.derived(chosen, scope))
    }

    fn enumeration(&mut self, d: &Derived<'a, 'i>, fallback: &str, bits: u32) -> Option<Enum> {
        let name_node = d.child("name");
        let (name, loc) = match name_node {
            Some(n) => {
                let loc = self.text_loc(n);
                (text(n), loc)
            }
            None => {
                let loc = self.loc(d.node());
                (fallback.to_owned(), loc)
            }
        };
        let mut variants: Vec<Variant> = Vec::new();
        let mut seen: HashMap<u64, Loc> = HashMap::new();
        for v in d.list("enumeratedValue") {
            let vd = Derived { chain: vec![v] };
            let Some(vname) = child(v, "name").map(text) else {
                continue;
            };
            let vloc = match child(v, "name") {
                Some(n) => self.text_loc(n),
                None => Loc::NONE,
            };
            let Some(value_node) = child(v, "value") else {
                // `isDefault`: every value not listed. An enum getter needs
                // one value per variant, so the catch-all is left out.
                let loc = self.loc(v);
                self.push(
                    Diagnostic::note(
                        "enum-value-dropped",
                        loc,
                        format!("default enum value `{vname}` is not imported"),
                    )
                    .with_hint("regmap enums list values; unlisted values read as the raw number"),
                );
                continue;
            };
            let t = text(value_node);
            let Some(value) = parse_number(&t) else {
                let loc = self.text_loc(value_node);
                self.push(
                    Diagnostic::warning("enum-value-dropped", loc, format!("enum value `{vname}` = `{}` is not imported", shorten(&t)))
                        .with_hint("values with don't-care bits (`#1x0`) or that are not numbers have no single value"),
                );
                continue;
            };
            let vl = self.text_loc(value_node);
            if value > ones(bits) {
                self.push(
                    Diagnostic::warning(
                        "enum-value-dropped",
                        vl,
                        format!(
                            "enum value `{vname}` = {value:#x} does not fit the {bits}-bit field"
                        ),
                    )
                    .with_hint("the value is left out"),
                );
                continue;
            }
            if let Some(first) = seen.get(&value) {
                self.push(
                    Diagnostic::warning(
                        "enum-value-dropped",
                        vl,
                        format!("enum value `{vname}` repeats value {value:#x}"),
                    )
                    .with_related(*first, "first name of the value")
                    .with_hint("a regmap enum has one name per value: the later name is left out"),
                );
                continue;
            }
            seen.insert(value, vloc);
            variants.push(Variant {
                name: Spanned::new(vname, vloc),
                description: Self::description(&vd),
                value: Spanned::new(value, vl),
            });
        }
        if variants.is_empty() {
            return None;
        }
        Some(Enum {
            name: Spanned::new(name, loc),
            description: None,
            variants,
            loc,
        })
    }

    /// Whether a copy was refused: the budget is spent, and what is left
    /// of the copies is not even parsed.
    fn spent(&self) -> bool {
        self.copies > MAX_COPIES
    }

    /// Spends `weight` [`MAX_COPIES`] units on one more copy; false (after a
    /// warning, once) when the file has used them up.
    fn may_copy(&mut self, loc: Loc, weight: usize) -> bool {
        if self.spent() {
            return false;
        }
        let spent = self.copies.saturating_add(weight);
        if spent > MAX_COPIES {
            self.copies = MAX_COPIES + 1;
            self.warn(
                "too-many-elements",
                loc,
                format!(
                    "`dim` and array elements, `derivedFrom` copies and peripheral modes add \
                     up to more than the {MAX_COPIES} units one file may make"
                ),
                "this copy and the rest are left out",
            );
            return false;
        }
        self.copies = spent;
        true
    }

    /// The elements a `dim` group stands for, at most `limit` when unrolled;
    /// each element costs `weight` [`MAX_COPIES`] units.
    fn dim(
        &mut self,
        d: &Derived<'a, 'i>,
        name: &str,
        name_loc: Loc,
        weight: usize,
        limit: usize,
    ) -> Dim {
        // Names travel with every element through every later step, each
        // `%s` replaced by up to 20 digits: long ones cost their length.
        let name_len = name.len() + 20 * name.matches("%s").count();
        let weight = weight.saturating_add(name_len / 8);
        // One past what is left of the budget, so running out is told; no
        // more index names are made than that.
        let left = MAX_COPIES.saturating_sub(self.copies);
        let affordable = (left / weight.max(1) + 1).min(limit);
        let Some(dim_node) = d.child("dim") else {
            return Dim::One(name.to_owned());
        };
        let Some(count) = self.number(dim_node) else {
            return Dim::One(strip_dim(name));
        };
        let stride = self
            .opt_number(d, "dimIncrement")
            .unwrap_or(Spanned::new(0, count.loc));
        if let Some(base) = name.strip_suffix("[%s]") {
            return Dim::Array {
                name: base.to_owned(),
                array: Array { count, stride },
            };
        }
        if !name.contains("%s") {
            self.warn(
                "dim-without-placeholder",
                name_loc,
                format!("`{name}` has `<dim>` but no `%s` in its name"),
                "the elements are named with their index appended",
            );
        }
        let indexes: Vec<String> = match d.child("dimIndex") {
            Some(n) => expand_dim_index(&text(n), affordable),
            None => (0..count.value.min(affordable as u64))
                .map(|i| i.to_string())
                .collect(),
        };
        let n = usize::try_from(count.value).unwrap_or(usize::MAX);
        if indexes.len() < n.min(affordable) {
            self.warn(
                "dim-index-short",
                count.loc,
                format!(
                    "`dimIndex` lists {} names for {} elements",
                    indexes.len(),
                    count.value
                ),
                "only the named elements are imported",
            );
        }
        let mut elements = Vec::new();
        for (i, index) in indexes.iter().take(n.min(limit)).enumerate() {
            if !self.may_copy(count.loc, weight) {
                break;
            }
            let elem = if name.contains("%s") {
                name.replace("%s", index)
            } else {
                format!("{name}{index}")
            };
            elements.push(DimElement {
                name: elem,
                offset: (i as u64).wrapping_mul(stride.value),
            });
        }
        Dim::Unrolled(elements)
    }
}

/// A peripheral's modes: top-level clusters that overlap each other (SVD
/// `alternateCluster`, as a serial unit's USART, SPI and I2C views of the same
/// registers). With two or more, each mode becomes a block of its own holding
/// that cluster and every item outside the modes; otherwise the items stay
/// one block. Each mode past the first copies the items outside the modes:
/// `afford` is asked with the number of modes and those copies' [`weight`],
/// and a refusal keeps one block too.
fn split_modes(
    items: Vec<Item>,
    afford: impl FnOnce(usize, usize) -> bool,
) -> Vec<(Option<String>, Vec<Item>)> {
    let span = |item: &Item| -> Option<(u128, u128)> {
        let Item::Cluster(c) = item else { return None };
        let start = u128::from(c.offset.value);
        let one = crate::check::extent_of(&c.items);
        let end = match &c.array {
            Some(a) if a.count.value > 0 => start
                .saturating_add(
                    u128::from(a.count.value - 1).saturating_mul(u128::from(a.stride.value)),
                )
                .saturating_add(one),
            Some(_) => start,
            None => start.saturating_add(one),
        };
        Some((start, end))
    };
    let spans: Vec<Option<(u128, u128)>> = items.iter().map(span).collect();
    let is_mode: Vec<bool> = spans
        .iter()
        .enumerate()
        .map(|(i, a)| {
            a.is_some_and(|(s, e)| {
                spans.iter().enumerate().any(|(j, b)| {
                    j != i && b.is_some_and(|(t, f)| s < f && t < e && s < e && t < f)
                })
            })
        })
        .collect();
    let modes = is_mode.iter().filter(|m| **m).count();
    if modes < 2 {
        return vec![(None, items)];
    }
    let shared: Vec<Item> = items
        .iter()
        .zip(&is_mode)
        .filter(|(_, m)| !**m)
        .map(|(item, _)| item.clone())
        .collect();
    if !afford(modes, weight(&shared).saturating_mul(modes - 1)) {
        return vec![(None, items)];
    }
    let mut out = Vec::new();
    for (m, item) in items.iter().enumerate() {
        if !is_mode[m] {
            continue;
        }
        let view: Vec<Item> = items
            .iter()
            .enumerate()
            .filter(|(i, _)| !is_mode[*i] || *i == m)
            .map(|(_, it)| it.clone())
            .collect();
        out.push((Some(item.name().value.clone()), view));
    }
    out
}

/// Later registers and clusters overlapping earlier ones are left out, with
/// a warning, unless the SVD says they are alternate views: a register with
/// `alternateRegister` overlaying the register it names, or a register of an
/// `alternateGroup` at the address of a register outside any group, becomes
/// an alternate (`alternate_of`) of that register. A read-only and a
/// write-only register of one width at one offset are kept: the checks
/// accept them as the two sides of one address.
fn drop_overlaps(cx: &mut Svd<'_, '_, '_>, items: &mut Vec<Item>) {
    struct Kept {
        start: u128,
        end: u128,
        /// Access and width of a plain (non-array) register.
        plain: Option<(Access, Width)>,
        /// Name of a plain register, and the register it is an alternate of.
        view: Option<(String, Option<String>)>,
        loc: Loc,
    }
    validate_alternates(items);
    // Kept elements by start address. They never overlap each other (but
    // for read-only/write-only pairs and alternate views, which overlay the
    // register they name), so the ones starting last before a new element's
    // end are the ones it can hit.
    let mut kept: std::collections::BTreeMap<u128, Vec<Kept>> = std::collections::BTreeMap::new();
    let mut out = Vec::with_capacity(items.len());
    for mut item in items.drain(..) {
        let (offset, array, element, plain, what, name, loc) = match &item {
            Item::Register(r) => (
                r.offset.clone(),
                r.array.as_ref(),
                u128::from(r.width.value.bytes()),
                r.array.is_none().then_some((r.access.value, r.width.value)),
                "register",
                r.name.value.clone(),
                r.name.loc,
            ),
            Item::Cluster(c) => (
                c.offset.clone(),
                c.array.as_ref(),
                crate::check::extent_of(&c.items),
                None,
                "cluster",
                c.name.value.clone(),
                c.name.loc,
            ),
        };
        let start = u128::from(offset.value);
        let end = match array {
            Some(a) if a.count.value > 0 => start
                .saturating_add(
                    u128::from(a.count.value - 1).saturating_mul(u128::from(a.stride.value)),
                )
                .saturating_add(element),
            Some(_) => start,
            None => start.saturating_add(element),
        };
        let before = kept
            .range(..end.max(start + 1))
            .next_back()
            .map(|(_, v)| v.as_slice())
            .unwrap_or(&[]);
        let overlapping: Vec<&Kept> = before
            .iter()
            .filter(|k| start < k.end && k.start < end)
            .collect();
        // A group view takes the register it lands on (or that register's
        // own base, should it be a view too) as the one it overlays.
        if let Item::Register(r) = &mut item
            && plain.is_some()
            && r.alternate_of.is_none()
            && cx.group_views.contains(&loc)
            && let Some((base, base_of)) = overlapping.iter().find_map(|k| k.view.as_ref())
        {
            let base = base_of.as_ref().unwrap_or(base);
            r.alternate_of = Some(Spanned::new(base.clone(), loc));
        }
        let of = match &item {
            Item::Register(r) => r.alternate_of.as_ref().map(|a| a.value.clone()),
            Item::Cluster(_) => None,
        };
        let clash = overlapping.iter().find(|k| {
            let pair = k.start == start
                && matches!(
                    (k.plain, plain),
                    (Some((Access::ReadOnly, a)), Some((Access::WriteOnly, b)))
                        | (Some((Access::WriteOnly, a)), Some((Access::ReadOnly, b))) if a == b
                );
            let views = plain.is_some()
                && k.view.as_ref().is_some_and(|(k_name, k_of)| {
                    of.as_ref() == Some(k_name)
                        || k_of.as_ref() == Some(&name)
                        || (of.is_some() && of == *k_of)
                });
            !pair && !views
        });
        if let Some(first) = clash {
            cx.diags.push(
                Diagnostic::warning(
                    "register-dropped",
                    offset.loc,
                    format!("{what} `{name}` overlaps an earlier element"),
                )
                .with_label("shares bytes with an earlier element")
                .with_related(first.loc, "the element kept")
                .with_hint(
                    "the SVD does not say it is an alternate view (`alternateRegister` naming the register it overlays, or `alternateGroup`): the later one is left out",
                ),
            );
            continue;
        }
        kept.entry(start).or_default().push(Kept {
            start,
            end,
            plain,
            view: plain.map(|_| (name, of)),
            loc,
        });
        out.push(item);
    }
    // A view whose register was itself left out overlays nothing kept, and
    // one naming a register that became a view (a group view) would chain.
    let bases: HashSet<String> = out
        .iter()
        .filter_map(|i| match i {
            Item::Register(r) if r.alternate_of.is_none() => Some(r.name.value.clone()),
            _ => None,
        })
        .collect();
    out.retain(|item| {
        let Item::Register(r) = item else { return true };
        let Some(of) = &r.alternate_of else {
            return true;
        };
        if bases.contains(&of.value) {
            return true;
        }
        cx.diags.push(
            Diagnostic::warning(
                "register-dropped",
                r.offset.loc,
                format!(
                    "register `{}` is an alternate of `{}`, which is left out or is a view itself",
                    r.name.value, of.value
                ),
            )
            .with_label("an alternate view of no register kept")
            .with_related(of.loc, "the register it overlays")
            .with_hint("the view goes with the register it overlays"),
        );
        false
    });
    *items = out;
}

/// Keeps an `alternateRegister` only where regmap can honour it: it names
/// another single register of the same list, one that is no alternate
/// itself, and the two share bytes. Otherwise the register is imported as a
/// plain one (and left out by [`drop_overlaps`] if it overlaps anything).
fn validate_alternates(items: &mut [Item]) {
    let span = |r: &Register| {
        let start = u128::from(r.offset.value);
        (start, start + u128::from(r.width.value.bytes()))
    };
    let valid: Vec<bool> = items
        .iter()
        .enumerate()
        .map(|(at, item)| {
            let Item::Register(r) = item else { return true };
            let Some(of) = &r.alternate_of else {
                return true;
            };
            let (start, end) = span(r);
            r.array.is_none()
                && items.iter().enumerate().any(|(i, other)| {
                    matches!(other, Item::Register(t)
                        if i != at
                            && t.name.value == of.value
                            && t.array.is_none()
                            && t.alternate_of.is_none()
                            && span(t).0 < end
                            && start < span(t).1)
                })
        })
        .collect();
    for (item, ok) in items.iter_mut().zip(valid) {
        if let Item::Register(r) = item
            && !ok
        {
            r.alternate_of = None;
        }
    }
}

/// The end of the peripheral's last address block, if any is given, and
/// that address block.
fn address_blocks_end<'a, 'i>(d: &Derived<'a, 'i>) -> Option<(u64, Node<'a, 'i>)> {
    let blocks = d.list("addressBlock");
    blocks
        .iter()
        .filter_map(|b| {
            let offset = child(*b, "offset")
                .map(text)
                .and_then(|t| parse_number(&t))?;
            let size = child(*b, "size").map(text).and_then(|t| parse_number(&t))?;
            Some((offset.checked_add(size)?, *b))
        })
        .max_by_key(|(end, _)| *end)
}

/// `scope` and the scopes enclosing it, innermost first, ending with the
/// device's (`""`): `P.C.R` -> `P.C.R`, `P.C`, `P`, ``.
fn enclosing(scope: &str) -> impl Iterator<Item = &str> {
    let mut next = Some(scope);
    std::iter::from_fn(move || {
        let s = next?;
        next = (!s.is_empty()).then(|| s.rsplit_once('.').map_or("", |(head, _)| head));
        Some(s)
    })
}

/// `name` in `scope`.
fn join(scope: &str, name: &str) -> String {
    if scope.is_empty() {
        name.to_owned()
    } else {
        format!("{scope}.{name}")
    }
}

/// `NAME[%s]` and `NAME%s` without the placeholder.
fn strip_dim(name: &str) -> String {
    name.replace("[%s]", "").replace("%s", "")
}

/// `0-3` -> 0,1,2,3; `A-D` -> A,B,C,D; `a,b,c` -> a,b,c.
/// `dimIndex` names, at most `cap` of them.
fn expand_dim_index(text: &str, cap: usize) -> Vec<String> {
    let t = text.trim();
    if let Some((a, b)) = t.split_once('-')
        && !t.contains(',')
    {
        let (a, b) = (a.trim(), b.trim());
        if let (Ok(a), Ok(b)) = (a.parse::<u64>(), b.parse::<u64>()) {
            return (a..=b).take(cap).map(|i| i.to_string()).collect();
        }
        let (mut ca, mut cb) = (a.chars(), b.chars());
        if let (Some(x), None, Some(y), None) = (ca.next(), ca.next(), cb.next(), cb.next())
            && x.is_ascii_alphabetic()
            && y.is_ascii_alphabetic()
        {
            return (x..=y).take(cap).map(String::from).collect();
        }
    }
    t.split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .take(cap)
        .collect()
}

/// An SVD access and whether regmap holds it exactly. Spellings seen in
/// vendor files beside the schema's (`read-writeonce`, `write`) are read too.
fn parse_access(t: &str) -> Option<(Access, bool)> {
    Some(match t.to_ascii_lowercase().as_str() {
        "read-only" | "read" => (Access::ReadOnly, true),
        "write-only" | "write" => (Access::WriteOnly, true),
        "read-write" => (Access::ReadWrite, true),
        "writeonce" => (Access::WriteOnly, false),
        "read-writeonce" => (Access::ReadWrite, false),
        _ => return None,
    })
}

/// An SVD `scaledNonNegativeInteger`: decimal, `0x` hex, `#` binary, an
/// optional `+`, an optional k/M/G/T scale.
pub(crate) fn parse_number(t: &str) -> Option<u64> {
    let t = t.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    let (t, scale) = match t.chars().last()? {
        'k' | 'K' => (&t[..t.len() - 1], 1u64 << 10),
        'm' | 'M' => (&t[..t.len() - 1], 1 << 20),
        'g' | 'G' => (&t[..t.len() - 1], 1 << 30),
        't' | 'T' => (&t[..t.len() - 1], 1 << 40),
        _ => (t, 1),
    };
    let (radix, digits) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (16, h)
    } else if let Some(b) = t.strip_prefix('#') {
        (2, b)
    } else if let Some(b) = t.strip_prefix("0b").or_else(|| t.strip_prefix("0B")) {
        (2, b)
    } else {
        (10, t)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()?.checked_mul(scale)
}

fn shorten(t: &str) -> String {
    if t.chars().count() > 40 {
        format!("{}...", t.chars().take(40).collect::<String>())
    } else {
        t.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_every_svd_spelling() {
        assert_eq!(parse_number("42"), Some(42));
        assert_eq!(parse_number("0x2A"), Some(42));
        assert_eq!(parse_number("0X2a"), Some(42));
        assert_eq!(parse_number("#101010"), Some(42));
        assert_eq!(parse_number("+4k"), Some(4096));
        assert_eq!(parse_number("1M"), Some(1 << 20));
        assert_eq!(parse_number("#1x0"), None);
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("0x"), None);
        assert_eq!(parse_number("0xffffffffffffffffff"), None);
        assert_eq!(parse_number("-1"), None);
    }

    #[test]
    fn dim_indexes_expand() {
        assert_eq!(expand_dim_index("0-3", 9), ["0", "1", "2", "3"]);
        assert_eq!(expand_dim_index("A-C", 9), ["A", "B", "C"]);
        assert_eq!(expand_dim_index("x, y,z", 9), ["x", "y", "z"]);
        assert_eq!(expand_dim_index("1-", 9), ["1-"]);
        assert_eq!(expand_dim_index("0-99999999999", 2), ["0", "1"]);
        assert_eq!(expand_dim_index("A-Z", 2), ["A", "B"]);
    }
}
