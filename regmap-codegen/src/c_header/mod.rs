//! The C header: the checked model in the style C driver writers expect.
//!
//! For each block, every name prefixed with the block's name (`AXI_TIMER_`
//! for macros, `axi_timer_` for functions):
//!
//! | C | what |
//! |---|------|
//! | `BLK_SIZE` | bytes of the block's address window |
//! | `BLK_REG_OFFSET`, `BLK_REG_OFFSET(i0, ..)` | byte offset from the block's base (a function-like macro of the indices inside arrays) |
//! | `BLK_REG_COUNT`, `BLK_REG_STRIDE` | arrays (registers and clusters) |
//! | `BLK_REG_RESET` | value after reset |
//! | `BLK_REG_ACTION_MASK`, `BLK_REG_ACTION_IDLE` | bits whose writes are actions (w1c, w1s, ...) and the value of those bits that does nothing |
//! | `BLK_REG_FIELD_SHIFT`, `_WIDTH`, `_MASK` | a field's position |
//! | `BLK_ENUM_VALUE`, `BLK_REG_FIELD_VALUE` | enum values (shared enums, inline enums) |
//! | `blk_reg_field_get(reg)`, `blk_reg_field_set(reg, value)` | `static inline` field helpers on a register value (`set` for writable fields) |
//! | `blk_reg_read(base, i0, ..)`, `blk_reg_write(base, i0, .., value)` | one volatile access of the register's width, as its access allows |
//! | `INSTANCE_BASE`, `INSTANCE_WINDOW_SIZE` | designs: where each instance is |
//!
//! Cluster names join the path (`AXI_DMA_CHANNEL_DMASR_IOC_IRQ_MASK`). Macros
//! are the names in upper case, functions in lower case, with no other change,
//! so a name from the datasheet is found by a case-insensitive search.
//!
//! C has one namespace for all of these, so names that Rust keeps apart can
//! meet (`CTRL.MODE_X` and `CTRL_MODE.X` both become `..._CTRL_MODE_X_...`).
//! [`check`] finds every such collision, and every identifier that C
//! reserves (keywords, names of its includes, `_X` and `__x`), as located
//! errors; [`header`] emits only a design that passes.

use crate::diag::Diagnostic;
use crate::ir::{Block, Design, Enum, EnumRef, Field, Item, Loc, Register, Width};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Keywords of C11 and C23, and the identifiers the header's includes
/// (`stddef.h`, `stdint.h`) declare that a generated name could spell.
pub const C_RESERVED: &[&str] = &[
    "alignas",
    "alignof",
    "auto",
    "bool",
    "break",
    "case",
    "char",
    "const",
    "constexpr",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extern",
    "false",
    "float",
    "for",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "nullptr",
    "register",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "static_assert",
    "struct",
    "switch",
    "thread_local",
    "true",
    "typedef",
    "typeof",
    "typeof_unqual",
    "union",
    "unsigned",
    "void",
    "volatile",
    "while",
    "NULL",
    "offsetof",
    "size_t",
    "ptrdiff_t",
    "wchar_t",
    "max_align_t",
];

/// One identifier the header declares, and what declared it.
#[derive(Debug, Clone)]
struct Decl {
    ident: String,
    owner: String,
    loc: Loc,
}

/// The text of a header and every identifier it declares.
struct Out {
    text: String,
    decls: Vec<Decl>,
}

impl Out {
    fn declare(&mut self, ident: &str, owner: &str, loc: Loc) {
        self.decls.push(Decl {
            ident: ident.to_owned(),
            owner: owner.to_owned(),
            loc,
        });
    }

    /// `#define NAME value /* comment */`, declared.
    fn define(&mut self, name: &str, value: &str, owner: &str, loc: Loc) {
        let _ = writeln!(self.text, "#define {name} {value}");
        self.declare(strip_args(name), owner, loc);
    }
}

/// `NAME(i0, i1)` -> `NAME`.
fn strip_args(name: &str) -> &str {
    name.split('(').next().unwrap_or(name)
}

/// Options of [`header`].
#[derive(Debug, Clone, Default)]
pub struct HeaderOptions {
    /// The source's file name, named in the header's first comment and the
    /// source of its include guard (`axi_timer.yaml` gives
    /// `REGMAP_AXI_TIMER_H`).
    pub source_name: String,
    /// The design's name, if it has one (named in the instance section).
    pub design_name: Option<String>,
}

/// The C header of `design`.
///
/// # Errors
/// The diagnostics of [`check`], when names collide or are reserved in C.
pub fn header(design: &Design, opts: &HeaderOptions) -> Result<String, Vec<Diagnostic>> {
    let out = emit(design, opts);
    let diags = find_problems(&out.decls);
    if diags.is_empty() {
        Ok(out.text)
    } else {
        Err(diags)
    }
}

/// Checks the names `design` gets in C: every identifier the header would
/// declare is distinct and none is a C keyword or a name its includes
/// declare. Each problem is an error at the name that causes it.
pub fn check(design: &Design) -> Vec<Diagnostic> {
    find_problems(&emit(design, &HeaderOptions::default()).decls)
}

fn find_problems(decls: &[Decl]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut first: HashMap<&str, &Decl> = HashMap::new();
    // One report per pair of owners, however many identifiers they share.
    let mut reported: std::collections::HashSet<(Loc, Loc, &str)> = Default::default();
    let mut reserved: std::collections::HashSet<Loc> = Default::default();
    for d in decls {
        if C_RESERVED.contains(&d.ident.as_str()) || is_reserved_pattern(&d.ident) {
            // One report per name, however many identifiers it gives.
            if !reserved.insert(d.loc) {
                continue;
            }
            diags.push(
                Diagnostic::error(
                    "c-reserved",
                    d.loc,
                    format!("{} becomes `{}`, which C reserves", d.owner, d.ident),
                )
                .with_label(format!("becomes `{}` in C", d.ident))
                .with_hint("rename it"),
            );
            continue;
        }
        match first.get(d.ident.as_str()) {
            None => {
                first.insert(&d.ident, d);
            }
            Some(prev) => {
                if !reported.insert((prev.loc, d.loc, prev.owner.as_str())) {
                    continue;
                }
                diags.push(
                    Diagnostic::error(
                        "c-name-collision",
                        d.loc,
                        format!(
                            "{} and {} both declare `{}` in C",
                            prev.owner, d.owner, d.ident
                        ),
                    )
                    .with_label(format!("declares `{}`", d.ident))
                    .with_related(prev.loc, format!("{} is here", prev.owner))
                    .with_hint("C has one namespace for the whole header: rename one of them"),
                );
            }
        }
    }
    diags
}

/// Identifiers C reserves for the implementation (C11 7.1.3): `_` then an
/// upper-case letter or another `_`. (A `__` inside a name is reserved only
/// in C++; vendor names such as `UNALIGN__TRP` are fine in C.)
fn is_reserved_pattern(ident: &str) -> bool {
    let b = ident.as_bytes();
    b.first() == Some(&b'_')
        && b.get(1)
            .is_some_and(|c| c.is_ascii_uppercase() || *c == b'_')
}

/// The macro spelling of a name path: upper case, joined by `_`.
fn macro_name(parts: &[&str]) -> String {
    parts.join("_").to_ascii_uppercase()
}

/// The function spelling of a name path: lower case, joined by `_`.
fn fn_name(parts: &[&str]) -> String {
    parts.join("_").to_ascii_lowercase()
}

/// The C type of a register of `width`.
fn c_type(width: Width) -> &'static str {
    match width {
        Width::W8 => "uint8_t",
        Width::W16 => "uint16_t",
        Width::W32 => "uint32_t",
        Width::W64 => "uint64_t",
    }
}

/// An unsigned literal of a register of `width`: hex, zero-padded to the
/// width, suffixed so its type holds it.
fn lit(value: u64, width: Width) -> String {
    let digits = (width.bits() / 4) as usize;
    let suffix = if width == Width::W64 { "ull" } else { "u" };
    format!("0x{value:0digits$X}{suffix}")
}

/// An unsigned literal for an offset, count or stride.
fn num(value: u64) -> String {
    if value > u64::from(u32::MAX) {
        format!("0x{value:X}ull")
    } else {
        format!("0x{value:X}u")
    }
}

/// A C comment body: one line, no `*/` (which would end it) nor `/*` (a
/// warning under `-Wall`), no `??` (C11 reads `??/` as a backslash, which at
/// a line's end joins the next line to the comment, a `-Wall` warning),
/// control characters and direction controls escaped (GCC warns about the
/// latter, `-Wbidi-chars`).
fn comment(text: &str) -> String {
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut text = crate::comment_text::escape_invisible(&words)
        .replace("*/", "* /")
        .replace("/*", "/ *");
    // Until none is left: in `???` one replacement leaves `? ??`.
    while text.contains("??") {
        text = text.replace("??", "? ?");
    }
    text
}

/// The first non-blank line of a description, as the Rust's `DESC` has it.
fn first_line(text: Option<&str>) -> String {
    comment(crate::comment_text::first_line(text.unwrap_or_default()))
}

/// The include guard for a source named `source_name`.
fn guard(source_name: &str) -> String {
    let stem = std::path::Path::new(source_name)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("map");
    let stem = stem.split('.').next().unwrap_or(stem);
    let body: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("REGMAP_{body}_H")
}

/// One level of repetition above (or at) a register: its index parameter is
/// `i<k>`.
#[derive(Clone)]
struct Dim {
    stride: u64,
}

/// Where a register or cluster is: the constant part of its offset from the
/// block's base, and the strides of the arrays it is inside (or is).
#[derive(Clone)]
struct Place {
    offset: u128,
    dims: Vec<Dim>,
}

impl Place {
    /// The C expression of the offset, over `i0, i1, ..`.
    fn expr(&self) -> String {
        let base = u64::try_from(self.offset).unwrap_or(u64::MAX);
        if self.dims.is_empty() {
            return num(base);
        }
        let mut e = format!("((size_t){}", num(base));
        for (k, d) in self.dims.iter().enumerate() {
            let _ = write!(e, " + (size_t)(i{k}) * {}", num(d.stride));
        }
        e.push(')');
        e
    }

    /// `(i0, i1)` or nothing.
    fn macro_args(&self) -> String {
        if self.dims.is_empty() {
            return String::new();
        }
        let args: Vec<String> = (0..self.dims.len()).map(|k| format!("i{k}")).collect();
        format!("({})", args.join(", "))
    }

    /// `, size_t i0, size_t i1` for a function's parameter list.
    fn params(&self) -> String {
        (0..self.dims.len())
            .map(|k| format!(", size_t i{k}"))
            .collect()
    }
}

struct Cx<'a> {
    out: Out,
    block: &'a Block,
}

fn emit(design: &Design, opts: &HeaderOptions) -> Out {
    let mut out = Out {
        text: String::new(),
        decls: Vec::new(),
    };
    let guard = guard(&opts.source_name);
    let source = std::path::Path::new(&opts.source_name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let _ = write!(
        out.text,
        "/*\n * @generated by regmap-codegen from `{}`. Do not edit: edit the register map\n * and regenerate.\n *\n * Offsets are bytes from a block's base. Accessors make one volatile access\n * of the register's width and do not check array indices.\n */\n#ifndef {guard}\n",
        comment(&source)
    );
    out.define(&guard, "1", "the include guard", Loc::NONE);
    out.text
        .push_str("\n#include <stddef.h>\n#include <stdint.h>\n");
    for block in &design.blocks {
        let mut cx = Cx { out, block };
        cx.block();
        out = cx.out;
    }
    if !design.instances.is_empty() {
        instances(&mut out, design, opts);
    }
    let _ = writeln!(out.text, "\n#endif /* {guard} */");
    out
}

fn instances(out: &mut Out, design: &Design, opts: &HeaderOptions) {
    let title = match &opts.design_name {
        Some(name) => format!("Instances of {}", comment(name)),
        None => "Instances".to_owned(),
    };
    let _ = writeln!(
        out.text,
        "\n/* {title}: base addresses and window sizes. */"
    );
    for inst in &design.instances {
        let name = &inst.name.value;
        let owner = format!("instance `{name}`");
        let size = inst.size.or_else(|| {
            design
                .blocks
                .iter()
                .find(|b| b.name.value == inst.block.value)
                .map(|b| b.size.value)
        });
        let desc = inst
            .description
            .as_deref()
            .map(|d| format!(": {}", first_line(Some(d))))
            .unwrap_or_default();
        let _ = writeln!(
            out.text,
            "/* {} (block {}){desc} */",
            comment(name),
            comment(&inst.block.value)
        );
        out.define(
            &macro_name(&[name, "BASE"]),
            &format!("0x{:X}ull", inst.base.value),
            &owner,
            inst.name.loc,
        );
        if let Some(size) = size {
            out.define(
                &macro_name(&[name, "WINDOW_SIZE"]),
                &num(size),
                &owner,
                inst.name.loc,
            );
        }
    }
}

impl Cx<'_> {
    fn block(&mut self) {
        let b = self.block;
        let name = b.name.value.as_str();
        let _ = writeln!(
            self.out.text,
            "\n/* ------------------------------------------------------------------------\n * {}{}\n * --------------------------------------------------------------------- */",
            comment(name),
            match first_line(b.description.as_deref()) {
                d if d.is_empty() => String::new(),
                d => format!(": {d}"),
            }
        );
        let owner = format!("block `{name}`");
        self.out.define(
            &macro_name(&[name, "SIZE"]),
            &num(b.size.value),
            &owner,
            b.name.loc,
        );
        for e in &b.enums {
            self.enumeration(e, &[name], &format!("enum `{}`", e.name.value));
        }
        let place = Place {
            offset: 0,
            dims: Vec::new(),
        };
        self.items(&b.items, &[name], &place);
    }

    /// The value macros of `e`, named `<prefix>_<VALUE>` with `prefix` the
    /// enum's own path (shared enums) or its field's (inline enums).
    fn enumeration(&mut self, e: &Enum, prefix: &[&str], owner: &str) {
        let desc = first_line(e.description.as_deref());
        let _ = writeln!(
            self.out.text,
            "\n/* {}{} */",
            comment(&e.name.value),
            if desc.is_empty() {
                String::new()
            } else {
                format!(": {desc}")
            }
        );
        let shared = prefix.len() == 1;
        for v in &e.variants {
            let mut parts = prefix.to_vec();
            if shared {
                parts.push(&e.name.value);
            }
            parts.push(&v.name.value);
            let vdesc = first_line(v.description.as_deref());
            if !vdesc.is_empty() {
                let _ = writeln!(self.out.text, "/* {vdesc} */");
            }
            self.out.define(
                &macro_name(&parts),
                &num(v.value.value),
                &format!("value `{}` of {owner}", v.name.value),
                v.name.loc,
            );
        }
    }

    fn items(&mut self, items: &[Item], path: &[&str], parent: &Place) {
        for item in items {
            match item {
                Item::Register(r) => self.register(r, path, parent),
                Item::Cluster(c) => {
                    let mut place = parent.clone();
                    place.offset += u128::from(c.offset.value);
                    if let Some(a) = &c.array {
                        place.dims.push(Dim {
                            stride: a.stride.value,
                        });
                    }
                    let mut p = path.to_vec();
                    p.push(&c.name.value);
                    let owner = format!("cluster `{}`", c.name.value);
                    let desc = first_line(c.description.as_deref());
                    let _ = writeln!(
                        self.out.text,
                        "\n/* Cluster {}{} */",
                        comment(&c.name.value),
                        if desc.is_empty() {
                            String::new()
                        } else {
                            format!(": {desc}")
                        }
                    );
                    self.out.define(
                        &format!(
                            "{}{}",
                            macro_name(&[&p[..], &["OFFSET"]].concat()),
                            place.macro_args()
                        ),
                        &place.expr(),
                        &owner,
                        c.name.loc,
                    );
                    if let Some(a) = &c.array {
                        self.out.define(
                            &macro_name(&[&p[..], &["COUNT"]].concat()),
                            &num(a.count.value),
                            &owner,
                            c.name.loc,
                        );
                        self.out.define(
                            &macro_name(&[&p[..], &["STRIDE"]].concat()),
                            &num(a.stride.value),
                            &owner,
                            c.name.loc,
                        );
                    }
                    self.items(&c.items, &p, &place);
                }
            }
        }
    }

    fn register(&mut self, r: &Register, path: &[&str], parent: &Place) {
        let mut place = parent.clone();
        place.offset += u128::from(r.offset.value);
        if let Some(a) = &r.array {
            place.dims.push(Dim {
                stride: a.stride.value,
            });
        }
        let mut p = path.to_vec();
        p.push(&r.name.value);
        let reg_path = p[1..].join(".");
        let owner = format!("register `{reg_path}`");
        let w = r.width.value;
        let ty = c_type(w);
        let m = |suffix: &str| macro_name(&[&p[..], &[suffix]].concat());
        let f = |suffix: &str| fn_name(&[&p[..], &[suffix]].concat());

        let readable = if r.fields.is_empty() {
            r.access.value.is_readable()
        } else {
            r.fields.iter().any(|f| f.access.value.is_readable())
        };
        let writable = if r.fields.is_empty() {
            r.access.value.is_writable()
        } else {
            r.fields.iter().any(|f| f.access.value.is_writable())
        };
        let side_effect = if r.fields.is_empty() {
            r.access.value.has_read_side_effect()
        } else {
            r.fields
                .iter()
                .any(|f| f.access.value.has_read_side_effect())
        };

        let desc = first_line(r.description.as_deref());
        let array = r
            .array
            .as_ref()
            .map(|a| {
                format!(
                    ", {} elements {} bytes apart",
                    a.count.value,
                    num(a.stride.value).trim_end_matches('u')
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            self.out.text,
            "\n/* {} ({} bits, {}{array}){} */",
            comment(&reg_path),
            w.bits(),
            r.access.value.short_name(),
            if desc.is_empty() {
                String::new()
            } else {
                format!(": {desc}")
            }
        );
        let loc = r.name.loc;
        self.out.define(
            &format!("{}{}", m("OFFSET"), place.macro_args()),
            &place.expr(),
            &owner,
            loc,
        );
        if let Some(a) = &r.array {
            self.out
                .define(&m("COUNT"), &num(a.count.value), &owner, loc);
            self.out
                .define(&m("STRIDE"), &num(a.stride.value), &owner, loc);
        }
        self.out
            .define(&m("RESET"), &lit(r.reset.value, w), &owner, loc);
        let (mut action_mask, mut action_idle) = (0u64, 0u64);
        for field in &r.fields {
            if let Some(idle) = field.access.value.idle_write_bit() {
                action_mask |= field.mask();
                if idle {
                    action_idle |= field.mask();
                }
            }
        }
        if action_mask != 0 {
            self.out
                .define(&m("ACTION_MASK"), &lit(action_mask, w), &owner, loc);
            self.out
                .define(&m("ACTION_IDLE"), &lit(action_idle, w), &owner, loc);
        }

        for field in &r.fields {
            self.field(field, r, &p, &reg_path);
        }

        let addr = |cv: &str| {
            format!(
                "({cv}volatile {ty} *)(({cv}volatile uint8_t *)base + {}{})",
                m("OFFSET"),
                place.macro_args()
            )
        };
        if readable {
            let name = f("read");
            if side_effect {
                let _ = writeln!(self.out.text, "/* Reading changes the register (rc/rs). */");
            }
            let _ = writeln!(
                self.out.text,
                "static inline {ty} {name}(const volatile void *base{})\n{{\n    return *{};\n}}",
                place.params(),
                addr("const ")
            );
            self.out.declare(&name, &owner, loc);
        }
        if writable {
            let name = f("write");
            let _ = writeln!(
                self.out.text,
                "static inline void {name}(volatile void *base{}, {ty} value)\n{{\n    *{} = value;\n}}",
                place.params(),
                addr("")
            );
            self.out.declare(&name, &owner, loc);
        }
    }

    fn field(&mut self, field: &Field, r: &Register, p: &[&str], reg_path: &str) {
        let w = r.width.value;
        let ty = c_type(w);
        let mut fp = p.to_vec();
        fp.push(&field.name.value);
        let owner = format!("field `{reg_path}.{}`", field.name.value);
        let m = |suffix: &str| macro_name(&[&fp[..], &[suffix]].concat());
        let f = |suffix: &str| fn_name(&[&fp[..], &[suffix]].concat());
        let bits = if field.msb == field.lsb {
            format!("[{}]", field.lsb)
        } else {
            format!("[{}:{}]", field.msb, field.lsb)
        };
        let desc = first_line(field.description.as_deref());
        let enum_note = match &field.enumeration {
            Some(EnumRef::Named(n)) => format!("; values {}_*", macro_name(&[p[0], &n.value])),
            _ => String::new(),
        };
        let _ = writeln!(
            self.out.text,
            "/* {} {bits} {}{enum_note}{} */",
            comment(&field.name.value),
            field.access.value.short_name(),
            if desc.is_empty() {
                String::new()
            } else {
                format!(": {desc}")
            }
        );
        let loc = field.name.loc;
        self.out
            .define(&m("SHIFT"), &format!("{}u", field.lsb), &owner, loc);
        self.out
            .define(&m("WIDTH"), &format!("{}u", field.width()), &owner, loc);
        self.out
            .define(&m("MASK"), &lit(field.mask(), w), &owner, loc);
        if let Some(EnumRef::Inline(e)) = &field.enumeration {
            self.enumeration(e, &fp, &format!("the enum of {owner}"));
        }
        let (mask, shift) = (m("MASK"), m("SHIFT"));
        let get = f("get");
        let _ = writeln!(
            self.out.text,
            "static inline {ty} {get}({ty} reg)\n{{\n    return ({ty})((reg & {mask}) >> {shift});\n}}"
        );
        self.out.declare(&get, &owner, loc);
        if field.access.value.is_writable() {
            let set = f("set");
            let _ = writeln!(
                self.out.text,
                "static inline {ty} {set}({ty} reg, {ty} value)\n{{\n    return ({ty})((reg & ({ty})~{mask}) | (({ty})(value << {shift}) & {mask}));\n}}"
            );
            self.out.declare(&set, &owner, loc);
        }
    }
}

/// Every register element of `block`, arrays and clusters expanded: its
/// path as the block's description names it (`channel[1].DMASR`), the
/// indices of the arrays it is in, and the register. For tests and tools
/// that drive a header element by element (the expansion follows the same
/// walk as [`header`]).
pub fn register_elements(block: &Block) -> Vec<(String, Vec<u64>, &Register)> {
    fn walk<'a>(
        items: &'a [Item],
        prefix: &str,
        indices: &[u64],
        out: &mut Vec<(String, Vec<u64>, &'a Register)>,
    ) {
        for item in items {
            let (name, array) = match item {
                Item::Register(r) => (&r.name.value, r.array.as_ref()),
                Item::Cluster(c) => (&c.name.value, c.array.as_ref()),
            };
            let elements: Vec<(String, Vec<u64>)> = match array {
                None => vec![(format!("{prefix}{name}"), indices.to_vec())],
                Some(a) => (0..a.count.value)
                    .map(|i| {
                        let mut idx = indices.to_vec();
                        idx.push(i);
                        (format!("{prefix}{name}[{i}]"), idx)
                    })
                    .collect(),
            };
            for (full, idx) in elements {
                match item {
                    Item::Register(r) => out.push((full, idx, r)),
                    Item::Cluster(c) => walk(&c.items, &format!("{full}."), &idx, out),
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&block.items, "", &[], &mut out);
    out
}

/// The C macro prefix of a name path (`["axi_dma", "channel", "DMASR"]` ->
/// `AXI_DMA_CHANNEL_DMASR`), as the header spells it.
pub fn macro_prefix(parts: &[&str]) -> String {
    macro_name(parts)
}

/// The C function prefix of a name path (`axi_dma_channel_dmasr`).
pub fn fn_prefix(parts: &[&str]) -> String {
    fn_name(parts)
}

#[cfg(test)]
mod tests;
