//! Register types: a type per register that names it, holding constants
//! only (the runtime's `Register` traits as access allows, the field table,
//! one `Field` constant per field). Every method is the runtime's, on
//! `Value<Register>`; registers without fields and with plain access use the
//! runtime's `Raw` and get no type at all.
//!
//! Registers are most of any output, so they are written as formatted text
//! directly (see [`super::text`]), in the layout prettyplease gives the same
//! items: no token trees to build, parse and print again.

use super::block::Cx;
use super::enums;
use super::text::{self, Text};
use super::util::hex;
use crate::ir::{self, Access};
use crate::names;
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeSet;

/// How a field's type names its enum.
struct EnumUse<'a> {
    /// Path to the enum type from the register's module, as text.
    path: String,
    e: &'a ir::Enum,
}

/// A field as the emitter sees it: the explicit fields of the IR, or the one
/// implicit field of a register declared without fields.
struct FieldModel<'a> {
    /// Name as written (the register's name for the implicit field).
    name: &'a str,
    description: Option<&'a str>,
    /// Whether this is the implicit field covering a register without fields.
    implicit: bool,
    lsb: u32,
    width: u32,
    mask: u64,
    access: Access,
    enumeration: Option<EnumUse<'a>>,
}

impl FieldModel<'_> {
    fn bits_text(&self) -> String {
        if self.width == 1 {
            format!("Bit {}", self.lsb)
        } else {
            format!("Bits {}:{}", self.lsb + self.width - 1, self.lsb)
        }
    }

    /// The field's constant: `BITS` for the implicit field (no field can be
    /// named so: `bits` is reserved), else its name in SCREAMING_SNAKE_CASE.
    fn const_name(&self) -> String {
        if self.implicit {
            "BITS".to_owned()
        } else {
            names::const_name(self.name)
        }
    }
}

pub(super) use crate::ir::ones;

/// The emitted register type and what it needs beside it (its inline enums).
pub(super) fn emit(cx: &Cx<'_>, reg: &ir::Register, depth: usize) -> TokenStream {
    let reg_bits = reg.width.value.bits();
    let reg_name = &reg.name.value;
    let mut errors = Vec::new();
    let mut inline_enums = TokenStream::new();

    let mut fields: Vec<FieldModel<'_>> = Vec::new();
    if reg.fields.is_empty() {
        fields.push(FieldModel {
            name: reg_name,
            description: reg.description.as_deref(),
            implicit: true,
            lsb: 0,
            width: reg_bits,
            mask: ones(reg_bits),
            access: reg.access.value,
            enumeration: None,
        });
    }
    for f in &reg.fields {
        if f.lsb > f.msb || f.msb >= reg_bits {
            errors.push(format!(
                "regmap: field `{}` of register `{reg_name}` (bits {}:{}) does not fit the register's {reg_bits} bits",
                f.name.value, f.msb, f.lsb
            ));
            continue;
        }
        let enumeration = match &f.enumeration {
            None => None,
            Some(ir::EnumRef::Inline(e)) => {
                inline_enums.extend(enums::emit(e, &cx.rt));
                enums::is_emitted(e).then(|| EnumUse {
                    path: names::type_name(&e.name.value),
                    e,
                })
            }
            Some(ir::EnumRef::Named(n)) => match cx.enums.get(n.value.as_str()) {
                Some(e) => enums::is_emitted(e).then(|| EnumUse {
                    path: format!(
                        "{}{}",
                        "super::".repeat(depth),
                        names::type_name(&e.name.value)
                    ),
                    e,
                }),
                None => {
                    errors.push(format!(
                        "regmap: field `{}` of register `{reg_name}` refers to enum `{}`, which the block does not declare",
                        f.name.value, n.value
                    ));
                    None
                }
            },
        };
        fields.push(FieldModel {
            name: &f.name.value,
            description: f.description.as_deref(),
            implicit: false,
            lsb: f.lsb,
            width: f.width(),
            mask: f.mask(),
            access: f.access.value,
            enumeration,
        });
    }
    if reg.reset.value & !ones(reg_bits) != 0 {
        errors.push(format!(
            "regmap: reset value {:#x} of register `{reg_name}` does not fit its {reg_bits} bits",
            reg.reset.value
        ));
    }
    let mut out: TokenStream = errors
        .iter()
        .map(|m| quote!(::core::compile_error!(#m);))
        .collect();
    if !uses_raw(reg) {
        out.extend(text::item(register_text(cx, reg, &fields)));
    }
    out.extend(inline_enums);
    out
}

/// The register's type, its trait impls and its field constants, as text at
/// module level.
fn register_text(cx: &Cx<'_>, reg: &ir::Register, fields: &[FieldModel<'_>]) -> String {
    let rt = cx.rt_text.as_str();
    let reg_bits = reg.width.value.bits();
    let word = text::word(reg_bits);
    let ty = names::type_name(&reg.name.value);
    let reg_name = &reg.name.value;

    let readable = fields.iter().any(|f| f.access.is_readable());
    let writable = fields.iter().any(|f| f.access.is_writable());
    let modifiable =
        readable && writable && !fields.iter().any(|f| f.access.has_read_side_effect());
    let mask_of = |keep: &dyn Fn(&FieldModel<'_>) -> bool| -> u64 {
        fields
            .iter()
            .filter(|f| keep(f))
            .map(|f| f.mask)
            .fold(0, |a, m| a | m)
    };

    let mut t = Text::new();
    let what = reg
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("Register `{reg_name}`."));
    t.docs(&[
        &what,
        &format!(
            "Offset {:#x}, {reg_bits} bits, reset {:#x}, access `{}`. Its values are `Value<{ty}>`; its fields are the constants below.",
            reg.offset.value,
            reg.reset.value & ones(reg_bits),
            reg.access.value.short_name(),
        ),
    ]);
    t.line(&format!("pub enum {ty} {{}}"));
    t.open(&format!("impl {rt}::Register for {ty} {{"));
    t.line(&format!("type Word = {word};"));
    t.line(&format!(
        "const NAME: &'static str = {};",
        text::str_lit(reg_name)
    ));
    t.line(&format!(
        "const RESET: {word} = {};",
        hex(reg.reset.value & ones(reg_bits), reg_bits)
    ));
    // Masks that are zero are the trait's defaults: not repeated per register.
    for (name, m) in [
        (
            "WRITE_ONLY_MASK",
            mask_of(&|f| f.access == Access::WriteOnly),
        ),
        (
            "ACTION_MASK",
            mask_of(&|f| f.access.idle_write_bit().is_some()),
        ),
        (
            "ACTION_IDLE",
            mask_of(&|f| f.access.idle_write_bit() == Some(true)),
        ),
    ] {
        if m != 0 {
            t.line(&format!("const {name}: {word} = {};", hex(m, reg_bits)));
        }
    }
    t.open(&format!(
        "const FIELDS: &'static [{rt}::desc::FieldDesc] = {{"
    ));
    t.line(&format!(
        "use {rt}::desc::{{Access as A_, FieldDesc as D_}};"
    ));
    let mut order: Vec<&FieldModel<'_>> = fields.iter().collect();
    order.sort_by_key(|f| f.lsb);
    let entries: Vec<text::Call> = order
        .iter()
        .map(|f| {
            let values = match &f.enumeration {
                Some(eu) => format!("{}::VALUES", eu.path),
                None => "&[]".to_owned(),
            };
            text::call(
                "D_::new",
                &[
                    text::str_lit(f.name),
                    f.lsb.to_string(),
                    f.width.to_string(),
                    format!("A_::{}", access_variant(f.access)),
                    values,
                    text::str_lit(&super::util::first_line(f.description)),
                ],
            )
        })
        .collect();
    t.array("&[", &entries, "]");
    t.close("};");
    t.close("}");
    for (is, name) in [
        (readable, "Readable"),
        (writable, "Writable"),
        (modifiable, "Modifiable"),
    ] {
        if is {
            // Not listed among "other types implementing" the trait when a
            // register lacks it: the message names the register and why,
            // and a list of every other register in scope says nothing.
            t.line("#[diagnostic::do_not_recommend]");
            t.line(&format!("impl {rt}::{name} for {ty} {{}}"));
        }
    }
    t.open(&format!("impl {ty} {{"));
    t.line("/// Offset from the parent's base (the first element, for an array).");
    t.line(&format!(
        "pub const OFFSET: usize = {};",
        hex(reg.offset.value, 0)
    ));
    if let Some(a) = &reg.array {
        t.line("/// Distance between array elements in bytes.");
        t.line(&format!(
            "pub const STRIDE: usize = {};",
            hex(a.stride.value, 0)
        ));
        t.line("/// Number of array elements.");
        t.line(&format!("pub const COUNT: usize = {};", a.count.value));
    }
    for f in fields {
        field_const(cx, &mut t, f, &word);
    }
    t.close("}");
    t.finish()
}

/// A field's constant, documented with its description, bits and access,
/// and how to use it.
fn field_const(cx: &Cx<'_>, t: &mut Text, f: &FieldModel<'_>, word: &str) {
    let bits_text = f.bits_text();
    let access = f.access.short_name();
    let what = f
        .description
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| {
            if f.implicit {
                format!("The whole register `{}`, as a field.", f.name)
            } else {
                format!("Field `{}`.", f.name)
            }
        });
    let plain = || {
        if f.implicit {
            word.to_owned()
        } else {
            value_type(cx, f.width)
        }
    };
    let value_ty = match &f.enumeration {
        Some(eu) if !exhaustive(f, eu.e) => {
            format!("{}<{}, {}>", cx.alias("Partial"), eu.path, plain())
        }
        Some(eu) => eu.path.clone(),
        None => plain(),
    };
    let how = match (f.access.is_readable(), f.access.action_verb()) {
        (_, Some("clear")) => "read with `get`, cleared with `clear` (or `request` for some bits)",
        (_, Some("toggle")) => {
            "read with `get`, flipped with `toggle` (or `request` for some bits)"
        }
        (_, Some(_)) => "read with `get`, its set action requested with `set` or `request`",
        (true, None) if f.access.is_writable() => "read with `get`, written with `set`",
        (true, None) => "read with `get`",
        (false, None) => "written with `set`",
    };
    let enum_note = match &f.enumeration {
        Some(eu) if !exhaustive(f, eu.e) => {
            " Reads as `Result`: `Err` holds a value the enum does not name."
        }
        _ => "",
    };
    t.docs(&[
        &what,
        &format!("{bits_text}, access `{access}`: {how}.{enum_note}"),
    ]);
    let field = cx.alias("Field");
    let marker = format!("{}::{}", cx.alias("access"), access_marker(f.access));
    t.statement_call(
        &format!(
            "pub const {}: {field}<Self, {value_ty}, {marker}> = {field}::new",
            f.const_name()
        ),
        &[f.lsb.to_string(), f.width.to_string()],
    );
}

/// Whether register `reg` is served by the runtime's `Raw` register type
/// instead of a generated one: no fields, plain access, reset value zero.
pub(super) fn uses_raw(reg: &ir::Register) -> bool {
    reg.fields.is_empty()
        && reg.reset.value == 0
        && matches!(
            reg.access.value,
            Access::ReadWrite | Access::ReadOnly | Access::WriteOnly
        )
}

/// The register type of `reg` as accessors and descriptions name it:
/// `prefix` + its generated type, or the runtime's `Raw` (by its short name,
/// `raw::Rw32`).
pub(super) fn type_path(cx: &Cx<'_>, reg: &ir::Register, prefix: &TokenStream) -> TokenStream {
    if uses_raw(reg) {
        let rt = &cx.rt;
        let access = match reg.access.value {
            Access::ReadOnly => "Ro",
            Access::WriteOnly => "Wo",
            _ => "Rw",
        };
        let alias = quote::format_ident!("{}{}", access, reg.width.value.bits());
        quote!(#rt::raw::#alias)
    } else {
        let ty = super::util::ident(&names::type_name(&reg.name.value));
        quote!(#prefix #ty)
    }
}

/// The access marker type of a field (`rt::access::W1C`...): its short
/// name, upper case.
fn access_marker(access: Access) -> String {
    access.short_name().to_ascii_uppercase()
}

/// The type of a field's value, before enums: `bool`, a native type, or an
/// `arbitrary_int` type.
///
/// Widths of `arbitrary_int` types are recorded in the context, so the module
/// imports exactly those it uses (a long path per use was a fifth of the output).
fn value_type(cx: &Cx<'_>, width: u32) -> String {
    match width {
        1 => "bool".to_owned(),
        8 | 16 | 32 | 64 => format!("u{width}"),
        n => {
            if cx.uint_paths.get() {
                format!("{}::arbitrary_int::u{n}", cx.rt_text)
            } else {
                cx.uints.borrow_mut().insert(n);
                format!("u{n}")
            }
        }
    }
}

/// Whether every value the field can hold is named by its enum (then it
/// reads as the enum, else as a `Result`).
fn exhaustive(f: &FieldModel<'_>, e: &ir::Enum) -> bool {
    let limit = ones(f.width);
    let named: BTreeSet<u64> = e
        .variants
        .iter()
        .map(|v| v.value.value)
        .filter(|v| *v <= limit)
        .collect();
    f.width < 64 && named.len() as u128 == 1u128 << f.width
}

/// The `desc::Access` variant of an access kind.
pub(super) fn access_variant(access: Access) -> &'static str {
    match access {
        Access::ReadWrite => "ReadWrite",
        Access::ReadOnly => "ReadOnly",
        Access::WriteOnly => "WriteOnly",
        Access::ReadToClear => "ReadToClear",
        Access::ReadToSet => "ReadToSet",
        Access::OneToClear => "OneToClear",
        Access::OneToSet => "OneToSet",
        Access::OneToToggle => "OneToToggle",
        Access::ZeroToClear => "ZeroToClear",
        Access::ZeroToSet => "ZeroToSet",
    }
}
