//! IP-XACT (IEEE 1685-2009 `spirit:`, 1685-2014 and 1685-2022 `ipxact:`)
//! component importer: the `component.xml` that the Vivado IP packager and
//! Vitis HLS write, and that PeakRDL exports.
//!
//! What becomes what:
//! - each `addressBlock` of each `memoryMap` becomes a [`Block`] of its
//!   `range`; a component with one address block names it after the
//!   component, otherwise `component_block`.
//! - `register` becomes a [`Register`] (`dim` makes it an array, stride its
//!   size; several `dim`s multiply), `registerFile` a [`Cluster`] (stride its
//!   `range`).
//! - `reset`: the register's (1685-2009, masked by its `mask`) or the sum of
//!   its fields' (1685-2014).
//! - `access` (inherited from register, then address block) +
//!   `modifiedWriteValue` + `readAction`: see `docs/importers.md`.
//! - `enumeratedValues` becomes an inline enum on the field.
//! - numbers may be decimal, `0x`, `#`, Verilog `'h1F` / `32'hFFFF_0000`, or
//!   scaled (`4K`).
//!
//! 1685-2022 moves `access` into `accessPolicies/accessPolicy` (and a
//! field's `modifiedWriteValue` and `readAction` into
//! `fieldAccessPolicies/fieldAccessPolicy`): read from the first policy, the
//! policies of other modes dropped with a note.
//!
//! - each `alternateRegister` of a register becomes a register of its own
//!   name at the same offset and width, `alternate_of` that register (its
//!   access, reset and fields its own); the alternates of a register array
//!   are dropped with a note.
//!
//! Dropped with a note: banks and subspace maps.
//! Dropped silently: `volatile` (every regmap access is volatile). Parameters
//! and expressions are not evaluated: a value that is not a literal is an
//! error.

use roxmltree::Node;

use super::{ImportedDesign, vendor, xml};
use crate::diag::Diagnostic;
use crate::ir::{
    Access, Array, Block, Cluster, Enum, EnumRef, Field, Item, Loc, Register, Spanned, Variant,
    Width,
};
use crate::source::SourceFile;

/// Namespaces of the IP-XACT versions read here.
const NAMESPACES: &[&str] = &[
    "http://www.spiritconsortium.org/XMLSchema/SPIRIT/1685-2009",
    "http://www.accellera.org/XMLSchema/IPXACT/1685-2014",
    "http://www.accellera.org/XMLSchema/IPXACT/1685-2022",
];

/// Deepest nesting of register files followed.
const MAX_DEPTH: usize = 32;

struct Ctx<'f, 'd> {
    file: &'f mut SourceFile,
    diags: &'d mut Vec<Diagnostic>,
    ns: &'static str,
    /// Array elements past the first made so far, arrays in arrays
    /// multiplied: see [`MAX_ELEMENTS`].
    elements: u64,
}

/// Array elements one file may make past each array's first: the emitter
/// describes every element, and a few kilobytes of address blocks, each an
/// array of arrays, could otherwise ask for billions. One full block's
/// description.
const MAX_ELEMENTS: u64 = 1 << 16;

impl Ctx<'_, '_> {
    fn loc(&mut self, node: Node<'_, '_>) -> Loc {
        xml::loc(self.file, node)
    }

    /// Location of an element's text (or of the element when it is empty).
    fn text_loc(&mut self, node: Node<'_, '_>) -> Loc {
        self.file.loc(xml::text_range(node))
    }

    fn note(&mut self, code: &'static str, loc: Loc, message: String) {
        self.diags.push(Diagnostic::note(code, loc, message));
    }

    fn error(&mut self, code: &'static str, loc: Loc, message: String, hint: &str) {
        self.diags.push(
            Diagnostic::error(code, loc, message)
                .with_label("here")
                .with_hint(hint),
        );
    }

    fn child<'a, 'i>(&self, node: Node<'a, 'i>, tag: &str) -> Option<Node<'a, 'i>> {
        let ns = self.ns;
        node.children().find(|n| {
            n.is_element() && n.tag_name().name() == tag && n.tag_name().namespace() == Some(ns)
        })
    }

    fn children<'a, 'i>(
        &self,
        node: Node<'a, 'i>,
        tag: &'static str,
    ) -> impl Iterator<Item = Node<'a, 'i>> + use<'a, 'i> {
        let ns = self.ns;
        node.children().filter(move |n| {
            n.is_element() && n.tag_name().name() == tag && n.tag_name().namespace() == Some(ns)
        })
    }

    /// The element holding `node`'s access (`access`, and on a field
    /// `modifiedWriteValue` and `readAction`): `node` itself up to 1685-2014;
    /// in 1685-2022 its first `accessPolicies/accessPolicy` (blocks,
    /// register files, registers) or `fieldAccessPolicies/fieldAccessPolicy`
    /// (fields). Policies for further modes are dropped with a note: regmap
    /// has one access per element.
    fn access_holder<'a, 'i>(&mut self, node: Node<'a, 'i>) -> Node<'a, 'i> {
        for (list, one) in [
            ("accessPolicies", "accessPolicy"),
            ("fieldAccessPolicies", "fieldAccessPolicy"),
        ] {
            let Some(policies) = self.child(node, list) else {
                continue;
            };
            let mut all = self.children(policies, one);
            let Some(first) = all.next() else {
                continue;
            };
            for other in all {
                let loc = self.loc(other);
                self.note(
                    "dropped",
                    loc,
                    format!(
                        "`{one}` for another mode is not imported: the first policy gives the access"
                    ),
                );
            }
            return first;
        }
        node
    }

    fn text<'a>(&self, node: Node<'a, '_>, tag: &str) -> Option<&'a str> {
        self.child(node, tag).map(|n| n.text().unwrap_or("").trim())
    }

    /// Whether `node` says `isPresent` false (1685-2014): an element left out
    /// of this configuration, dropped with a note.
    fn absent(&mut self, node: Node<'_, '_>) -> bool {
        let Some(el) = self.child(node, "isPresent") else {
            return false;
        };
        let text = el.text().unwrap_or("").trim();
        let absent = text == "false" || vendor::parse_int(text) == Some(0);
        if absent {
            let loc = self.text_loc(el);
            let name = self.text(node, "name").unwrap_or("").to_owned();
            self.note(
                "dropped",
                loc,
                format!(
                    "{} `{name}` is not present (isPresent {text}): dropped",
                    node.tag_name().name()
                ),
            );
        }
        absent
    }

    /// A child's text as a number; an error at the text when it does not parse.
    fn number(&mut self, node: Node<'_, '_>, tag: &str, owner: &str) -> Option<(u64, Loc)> {
        let el = self.child(node, tag)?;
        let text = el.text().unwrap_or("").trim();
        let loc = self.text_loc(el);
        match vendor::parse_int(text) {
            Some(v) => Some((v, loc)),
            None => {
                self.error(
                    "bad-number",
                    loc,
                    format!("`{tag}` of `{owner}` is `{text}`, not a number"),
                    "write a literal: decimal, 0x1F, 'h1F or 32'h1F; parameters and expressions are not evaluated",
                );
                None
            }
        }
    }

    /// Makes `more` array elements, or (past [`MAX_ELEMENTS`] in the file)
    /// warns and refuses, so the caller leaves the array out.
    fn may_make(&mut self, loc: Loc, owner: &str, more: u64) -> bool {
        let total = self.elements.saturating_add(more);
        if total > MAX_ELEMENTS {
            self.diags.push(
                Diagnostic::warning(
                    "too-many-elements",
                    loc,
                    format!(
                        "`{owner}` would make the file's array elements more than {MAX_ELEMENTS}"
                    ),
                )
                .with_label("here")
                .with_hint("it is left out"),
            );
            return false;
        }
        self.elements = total;
        true
    }

    /// The count of a `dim` list (their product), if any.
    fn dims(&mut self, node: Node<'_, '_>, owner: &str) -> Option<Option<(u64, Loc)>> {
        let dims: Vec<Node<'_, '_>> = self.children(node, "dim").collect();
        let mut count: u64 = 1;
        let mut first = None;
        for d in &dims {
            let text = d.text().unwrap_or("").trim();
            let loc = self.text_loc(*d);
            first.get_or_insert(loc);
            match vendor::parse_int(text).and_then(|n| count.checked_mul(n)) {
                Some(n) => count = n,
                None => {
                    self.error(
                        "bad-number",
                        loc,
                        format!("`dim` of `{owner}` is `{text}`, not a usable count"),
                        "write a literal count; parameters and expressions are not evaluated",
                    );
                    return None;
                }
            }
        }
        if dims.len() > 1 {
            let loc = first.unwrap_or(Loc::NONE);
            self.note(
                "dim-flattened",
                loc,
                format!(
                    "`{owner}` has {} dimensions: imported as one array of {count}",
                    dims.len()
                ),
            );
        }
        Some(first.map(|loc| (count, loc)))
    }
}

/// Imports the IP-XACT component in `file` (one block per address block),
/// pushing errors and notes onto `diags`.
///
/// Returns the design when the file was well-formed enough (parts with
/// errors are left out). Names are as written: [`super::import_str`] makes
/// them usable and checks the result.
pub fn import(file: &mut SourceFile, diags: &mut Vec<Diagnostic>) -> Option<ImportedDesign> {
    let text = file.text().to_owned();
    let doc = xml::parse(file, &text).map_err(|d| diags.push(d)).ok()?;
    let root = doc.root_element();
    let ns = root
        .tag_name()
        .namespace()
        .and_then(|ns| NAMESPACES.iter().find(|n| **n == ns).copied());
    let Some(ns) = ns.filter(|_| root.tag_name().name() == "component") else {
        let loc = xml::loc(file, root);
        diags.push(
            Diagnostic::error(
                "not-ipxact",
                loc,
                format!(
                    "the root element is `{}` in namespace `{}`, not an IP-XACT `component`",
                    root.tag_name().name(),
                    root.tag_name().namespace().unwrap_or("")
                ),
            )
            .with_label("here")
            .with_hint(
                "import an IP-XACT 1685-2009, 1685-2014 or 1685-2022 component (component.xml)",
            ),
        );
        return None;
    };
    let mut ctx = Ctx {
        file,
        diags,
        ns,
        elements: 0,
    };
    let component = match ctx.child(root, "name") {
        Some(n) => Spanned::new(n.text().unwrap_or("").trim().to_owned(), ctx.text_loc(n)),
        None => Spanned::new("component".to_owned(), ctx.loc(root)),
    };
    let mut blocks = Vec::new();
    let maps: Vec<Node<'_, '_>> = ctx
        .child(root, "memoryMaps")
        .map(|m| ctx.children(m, "memoryMap").collect())
        .unwrap_or_default();
    for map in &maps {
        for tag in ["bank", "subspaceMap"] {
            for n in ctx.children(*map, tag) {
                let loc = ctx.loc(n);
                ctx.note("dropped", loc, format!("`{tag}` is not imported"));
            }
        }
        for ab in ctx.children(*map, "addressBlock").collect::<Vec<_>>() {
            if let Some(b) = lower_block(&mut ctx, ab) {
                blocks.push(b);
            }
        }
    }
    let single = blocks.len() == 1;
    for b in &mut blocks {
        b.name.value = if single {
            component.value.clone()
        } else {
            format!("{}_{}", component.value, b.name.value)
        };
    }
    if blocks.is_empty() {
        let loc = ctx.loc(root);
        ctx.note(
            "no-registers",
            loc,
            format!(
                "component `{}` has no address block of registers: nothing to import",
                component.value
            ),
        );
    }
    let description = [
        ctx.text(root, "vendor"),
        ctx.text(root, "library"),
        Some(component.value.as_str()),
        ctx.text(root, "version"),
    ]
    .iter()
    .map(|p| p.unwrap_or("?"))
    .collect::<Vec<_>>()
    .join(":");
    Some(ImportedDesign {
        name: component.clone(),
        description: ctx
            .text(root, "description")
            .map(str::to_owned)
            .or(Some(description)),
        blocks,
        instances: Vec::new(),
    })
}

fn lower_block(ctx: &mut Ctx<'_, '_>, ab: Node<'_, '_>) -> Option<Block> {
    let loc = ctx.loc(ab);
    let name = ctx.text(ab, "name").unwrap_or("block").to_owned();
    let name_loc = match ctx.child(ab, "name") {
        Some(n) => ctx.text_loc(n),
        None => loc,
    };
    if let Some(usage) = ctx.text(ab, "usage")
        && usage != "register"
    {
        ctx.note(
            "dropped",
            loc,
            format!("address block `{name}` is `{usage}`, not registers: not imported"),
        );
        return None;
    }
    let (size, size_loc) = ctx.number(ab, "range", &name)?;
    let access = block_access(ctx, ab, Access::ReadWrite);
    let items = lower_items(ctx, ab, access, 0);
    Some(Block {
        name: Spanned::new(name, name_loc),
        description: ctx
            .text(ab, "description")
            .map(str::to_owned)
            .filter(|d| !d.is_empty()),
        size: Spanned::new(size, size_loc),
        items,
        enums: Vec::new(),
        id: None,
        loc,
    })
}

/// The access an element declares, or `inherited`.
fn block_access(ctx: &mut Ctx<'_, '_>, node: Node<'_, '_>, inherited: Access) -> Access {
    let holder = ctx.access_holder(node);
    let Some(el) = ctx.child(holder, "access") else {
        return inherited;
    };
    let text = el.text().unwrap_or("").trim();
    match vendor::lower_access(text, None, None) {
        Some(l) => l.access,
        None => {
            let loc = ctx.text_loc(el);
            bad_access(ctx, loc, text);
            inherited
        }
    }
}

fn bad_access(ctx: &mut Ctx<'_, '_>, loc: Loc, text: &str) {
    ctx.error(
        "bad-access",
        loc,
        format!("unknown access `{text}`"),
        "expected read-write, read-only, write-only, read-writeOnce or writeOnce",
    );
}

/// Registers and register files of an address block or register file.
fn lower_items(
    ctx: &mut Ctx<'_, '_>,
    parent: Node<'_, '_>,
    access: Access,
    depth: usize,
) -> Vec<Item> {
    let mut registers = Vec::new();
    let mut alternates = Vec::new();
    let mut items = Vec::new();
    for node in parent
        .children()
        .filter(|n| n.is_element() && n.tag_name().namespace() == Some(ctx.ns))
    {
        match node.tag_name().name() {
            _ if ctx.absent(node) => {}
            "register" => {
                if let Some(r) = lower_register(ctx, node, access, &mut alternates) {
                    registers.push(r);
                }
            }
            "registerFile" if depth < MAX_DEPTH => {
                if let Some(c) = lower_register_file(ctx, node, access, depth + 1) {
                    items.push(Item::Cluster(c));
                }
            }
            "registerFile" => {
                let loc = ctx.loc(node);
                ctx.error(
                    "too-deep",
                    loc,
                    format!("register files nested more than {MAX_DEPTH} deep"),
                    "flatten the register files",
                );
            }
            "alternateRegisters" => {
                let loc = ctx.loc(node);
                ctx.note(
                    "dropped",
                    loc,
                    "alternate registers are not imported".into(),
                );
            }
            _ => {}
        }
    }
    let mut out: Vec<Item> = vendor::fold_arrays(registers)
        .into_iter()
        .map(Item::Register)
        .collect();
    // Alternates stay out of the folding (their names follow no index of
    // their own); one whose register was folded into an array overlays no
    // single register any more.
    for alt in alternates {
        let of = alt.alternate_of.as_ref().map_or("", |a| a.value.as_str());
        let single = out
            .iter()
            .any(|i| matches!(i, Item::Register(r) if r.name.value == of && r.array.is_none()));
        if single {
            out.push(Item::Register(alt));
        } else {
            ctx.note(
                "dropped",
                alt.name.loc,
                format!(
                    "alternate register `{}` is not imported: `{of}` became a register array",
                    alt.name.value
                ),
            );
        }
    }
    out.extend(items);
    out.sort_by_key(|i| match i {
        Item::Register(r) => r.offset.value,
        Item::Cluster(c) => c.offset.value,
    });
    out
}

fn lower_register_file(
    ctx: &mut Ctx<'_, '_>,
    node: Node<'_, '_>,
    access: Access,
    depth: usize,
) -> Option<Cluster> {
    let loc = ctx.loc(node);
    let name = ctx.text(node, "name").unwrap_or("").to_owned();
    let name_loc = match ctx.child(node, "name") {
        Some(n) => ctx.text_loc(n),
        None => loc,
    };
    let (offset, offset_loc) = required(ctx, node, "addressOffset", &name, loc)?;
    let dim = ctx.dims(node, &name)?;
    let array = match dim {
        Some((count, count_loc)) => {
            let (range, range_loc) = required(ctx, node, "range", &name, loc)?;
            Some(Array {
                count: Spanned::new(count, count_loc),
                stride: Spanned::new(range, range_loc),
            })
        }
        None => None,
    };
    let access = block_access(ctx, node, access);
    let items = lower_items(ctx, node, access, depth);
    if let Some(a) = &array {
        let more =
            crate::ir::register_instances(&items).saturating_mul(a.count.value.saturating_sub(1));
        if !ctx.may_make(a.count.loc, &name, more) {
            return None;
        }
    }
    Some(Cluster {
        name: Spanned::new(name, name_loc),
        description: ctx
            .text(node, "description")
            .map(str::to_owned)
            .filter(|d| !d.is_empty()),
        offset: Spanned::new(offset, offset_loc),
        array,
        items,
        loc,
    })
}

fn required(
    ctx: &mut Ctx<'_, '_>,
    node: Node<'_, '_>,
    tag: &str,
    owner: &str,
    loc: Loc,
) -> Option<(u64, Loc)> {
    if ctx.child(node, tag).is_none() {
        ctx.error(
            "missing-key",
            loc,
            format!("`{owner}` has no `{tag}`"),
            "IP-XACT requires it here",
        );
        return None;
    }
    ctx.number(node, tag, owner)
}

fn lower_register(
    ctx: &mut Ctx<'_, '_>,
    node: Node<'_, '_>,
    inherited: Access,
    alternates: &mut Vec<Register>,
) -> Option<Register> {
    let loc = ctx.loc(node);
    let name = ctx.text(node, "name").unwrap_or("").to_owned();
    let name_loc = match ctx.child(node, "name") {
        Some(n) => ctx.text_loc(n),
        None => loc,
    };
    let (offset, offset_loc) = required(ctx, node, "addressOffset", &name, loc)?;
    let (bits, size_loc) = required(ctx, node, "size", &name, loc)?;
    let Some(width) = Width::from_bits(bits) else {
        ctx.error(
            "bad-width",
            size_loc,
            format!("register `{name}` is {bits} bits wide"),
            "regmap registers are 8, 16, 32 or 64 bits wide",
        );
        return None;
    };
    let dim = ctx.dims(node, &name)?;
    if let Some((count, count_loc)) = dim
        && !ctx.may_make(count_loc, &name, count.saturating_sub(1))
    {
        return None;
    }
    let def = lower_definition(ctx, node, &name, inherited, width, loc)?;
    let mut register = Register {
        name: Spanned::new(name, name_loc),
        description: ctx
            .text(node, "description")
            .map(str::to_owned)
            .filter(|d| !d.is_empty()),
        offset: Spanned::new(offset, offset_loc),
        width: Spanned::new(width, size_loc),
        access: def.access,
        reset: def.reset,
        array: dim.map(|(count, count_loc)| Array {
            count: Spanned::new(count, count_loc),
            stride: Spanned::new(width.bytes(), count_loc),
        }),
        fields: def.fields,
        alternate_of: None,
        loc,
    };
    vendor::tidy_register(&mut register, ctx.diags);
    lower_alternates(ctx, node, &register, alternates);
    Some(register)
}

/// The `alternateRegisters` of `parent`: each a register of its own name at
/// the parent's offset and width, with its own access, reset and fields,
/// overlaying the parent (`alternate_of`).
fn lower_alternates(
    ctx: &mut Ctx<'_, '_>,
    node: Node<'_, '_>,
    parent: &Register,
    out: &mut Vec<Register>,
) {
    let Some(list) = ctx.child(node, "alternateRegisters") else {
        return;
    };
    if parent.array.is_some() {
        let loc = ctx.loc(list);
        ctx.note(
            "dropped",
            loc,
            format!(
                "the alternate registers of register array `{}` are not imported",
                parent.name.value
            ),
        );
        return;
    }
    for alt in ctx.children(list, "alternateRegister").collect::<Vec<_>>() {
        if ctx.absent(alt) {
            continue;
        }
        let loc = ctx.loc(alt);
        let name = ctx.text(alt, "name").unwrap_or("").to_owned();
        let name_loc = match ctx.child(alt, "name") {
            Some(n) => ctx.text_loc(n),
            None => loc,
        };
        let width = parent.width.value;
        let Some(def) = lower_definition(ctx, alt, &name, parent.access.value, width, loc) else {
            continue;
        };
        let mut register = Register {
            name: Spanned::new(name, name_loc),
            description: ctx
                .text(alt, "description")
                .map(str::to_owned)
                .filter(|d| !d.is_empty()),
            offset: parent.offset.clone(),
            width: parent.width.clone(),
            access: def.access,
            reset: def.reset,
            array: None,
            fields: def.fields,
            alternate_of: Some(Spanned::new(parent.name.value.clone(), name_loc)),
            loc,
        };
        vendor::tidy_register(&mut register, ctx.diags);
        out.push(register);
    }
}

/// What a register and each of its alternates define for themselves.
struct Definition {
    access: Spanned<Access>,
    reset: Spanned<u64>,
    fields: Vec<Field>,
}

/// Access, reset and fields of a register (or alternate register) `node`.
fn lower_definition(
    ctx: &mut Ctx<'_, '_>,
    node: Node<'_, '_>,
    name: &str,
    inherited: Access,
    width: Width,
    loc: Loc,
) -> Option<Definition> {
    let access = block_access(ctx, node, inherited);
    let holder = ctx.access_holder(node);
    let access_loc = match ctx.child(holder, "access") {
        Some(a) => ctx.text_loc(a),
        None => loc,
    };
    // 1685-2009 keeps the reset on the register; 1685-2014 on each field.
    let mut reset = None;
    if let Some(r) = ctx.child(node, "reset") {
        let (value, value_loc) = required(ctx, r, "value", name, loc)?;
        let mask = ctx.number(r, "mask", name).map_or(u64::MAX, |(m, _)| m);
        reset = Some(Spanned::new(value & mask, value_loc));
    }
    let mut fields = Vec::new();
    let mut field_reset: Option<(u64, Loc)> = None;
    for f in ctx.children(node, "field").collect::<Vec<_>>() {
        if ctx.absent(f) {
            continue;
        }
        if let Some((field, r)) = lower_field(ctx, f, name, access) {
            if let Some((value, at)) = r {
                let shifted = (value & crate::ir::ones(field.width()))
                    .checked_shl(field.lsb)
                    .unwrap_or(0);
                let acc = field_reset.get_or_insert((0, at));
                acc.0 |= shifted;
            }
            fields.push(field);
        }
    }
    let reset = reset
        .or_else(|| field_reset.map(|(v, at)| Spanned::new(v, at)))
        .unwrap_or(Spanned::new(0, loc));
    let reset = Spanned::new(reset.value & crate::ir::ones(width.bits()), reset.loc);
    Some(Definition {
        access: Spanned::new(access, access_loc),
        reset,
        fields,
    })
}

type FieldReset = Option<(u64, Loc)>;

fn lower_field(
    ctx: &mut Ctx<'_, '_>,
    node: Node<'_, '_>,
    reg: &str,
    reg_access: Access,
) -> Option<(Field, FieldReset)> {
    let loc = ctx.loc(node);
    let name = ctx.text(node, "name").unwrap_or("").to_owned();
    let name_loc = match ctx.child(node, "name") {
        Some(n) => ctx.text_loc(n),
        None => loc,
    };
    let owner = format!("{reg}.{name}");
    let (lsb, bits_loc) = required(ctx, node, "bitOffset", &owner, loc)?;
    let (width, _) = required(ctx, node, "bitWidth", &owner, loc)?;
    let msb = lsb
        .checked_add(width)
        .and_then(|e| e.checked_sub(1))
        .filter(|_| width > 0);
    let (Some(Ok(msb)), Ok(lsb)) = (msb.map(u32::try_from), u32::try_from(lsb)) else {
        ctx.error(
            "bad-bits",
            bits_loc,
            format!("field `{owner}` has no usable bit range"),
            "bitWidth is at least 1 and the field lies inside its register",
        );
        return None;
    };
    let holder = ctx.access_holder(node);
    let (access_text, access_loc) = match ctx.child(holder, "access") {
        Some(a) => (a.text().unwrap_or("").trim(), ctx.text_loc(a)),
        None => ("", loc),
    };
    // 1685-2014 may write `modifiedWriteValue` with a `modify` attribute.
    let mwv = ctx.text(holder, "modifiedWriteValue");
    let read_action = ctx.text(holder, "readAction");
    let read_loc = match ctx.child(holder, "readAction") {
        Some(r) => ctx.text_loc(r),
        None => access_loc,
    };
    let access = if access_text.is_empty() && mwv.is_none() && read_action.is_none() {
        reg_access
    } else {
        let base = if access_text.is_empty() {
            reg_access_word(reg_access)
        } else {
            access_text
        };
        let Some(lowered) = vendor::lower_access(base, mwv, read_action) else {
            bad_access(ctx, access_loc, access_text);
            return None;
        };
        vendor::report_access(ctx.diags, access_loc, read_loc, &owner, &lowered);
        lowered.access
    };
    let reset = match ctx
        .child(node, "resets")
        .and_then(|r| ctx.child(r, "reset"))
    {
        Some(r) => ctx.number(r, "value", &owner),
        None => None,
    };
    let enumeration = lower_enum(ctx, node, reg, &name, msb - lsb + 1);
    Some((
        Field {
            name: Spanned::new(name, name_loc),
            description: ctx
                .text(node, "description")
                .map(str::to_owned)
                .filter(|d| !d.is_empty()),
            lsb,
            msb,
            bits_loc,
            access: Spanned::new(access, access_loc),
            enumeration,
            loc,
        },
        reset,
    ))
}

/// The IP-XACT word for a base access (what a field without its own inherits).
fn reg_access_word(access: Access) -> &'static str {
    match access {
        Access::ReadOnly | Access::ReadToClear | Access::ReadToSet => "read-only",
        Access::WriteOnly => "write-only",
        _ => "read-write",
    }
}

fn lower_enum(
    ctx: &mut Ctx<'_, '_>,
    field: Node<'_, '_>,
    reg: &str,
    name: &str,
    width: u32,
) -> Option<EnumRef> {
    let values = ctx.child(field, "enumeratedValues")?;
    let loc = ctx.loc(values);
    let mut variants: Vec<Variant> = Vec::new();
    for v in ctx.children(values, "enumeratedValue").collect::<Vec<_>>() {
        let vloc = ctx.loc(v);
        let vname = ctx.text(v, "name").unwrap_or("").to_owned();
        let Some((value, value_loc)) = required(ctx, v, "value", &vname, vloc) else {
            continue;
        };
        if value > crate::ir::ones(width) {
            ctx.note(
                "dropped",
                value_loc,
                format!("enumerated value `{vname}` = {value} does not fit the {width}-bit field `{name}`: dropped"),
            );
            continue;
        }
        if let Some(first) = variants.iter().find(|x| x.value.value == value) {
            let first = first.name.value.clone();
            ctx.note(
                "dropped",
                value_loc,
                format!("enumerated value `{vname}` repeats the value of `{first}`: dropped"),
            );
            continue;
        }
        let name_loc = match ctx.child(v, "name") {
            Some(n) => ctx.text_loc(n),
            None => vloc,
        };
        variants.push(Variant {
            name: Spanned::new(vname, name_loc),
            description: ctx
                .text(v, "description")
                .map(str::to_owned)
                .filter(|d| !d.is_empty()),
            value: Spanned::new(value, value_loc),
        });
    }
    if variants.is_empty() {
        return None;
    }
    let wanted = ctx
        .text(values, "name")
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{reg}_{name}"));
    let enum_name = wanted;
    Some(EnumRef::Inline(Enum {
        name: Spanned::new(enum_name, loc),
        description: None,
        variants,
        loc,
    }))
}
