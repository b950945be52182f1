//! Register value types: plain `Copy` data with field getters, setters,
//! `with_*` and actions, the runtime's `Register` traits as access allows, a
//! field-by-field `Debug`, constants and the fields' static description.

use super::block::Cx;
use super::enums;
use super::util::{dec, docs, hex, ident, native_bits, native_type, word_type};
use crate::ir::{self, Access};
use crate::names;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use std::collections::BTreeSet;

/// How a field's getter presents its enum.
struct EnumUse<'a> {
    /// Path to the enum type from the register's module.
    path: TokenStream,
    e: &'a ir::Enum,
}

/// A field as the emitter sees it: the explicit fields of the IR, or the one
/// implicit field of a register declared without fields.
struct FieldModel<'a> {
    /// Name as written (the register's name for the implicit field).
    name: &'a str,
    description: Option<&'a str>,
    /// `None` for the implicit field covering a register without fields.
    snake: Option<String>,
    lsb: u32,
    width: u32,
    mask: u64,
    access: Access,
    enumeration: Option<EnumUse<'a>>,
    /// `<NAME>_MASK` and `<NAME>_SHIFT`, converted once: every method of the
    /// field names them.
    mask_const: Ident,
    shift_const: Ident,
}

impl FieldModel<'_> {
    fn is_implicit(&self) -> bool {
        self.snake.is_none()
    }
    fn mask_const(&self) -> &Ident {
        &self.mask_const
    }
    fn shift_const(&self) -> &Ident {
        &self.shift_const
    }
    fn bits_text(&self) -> String {
        if self.width == 1 {
            format!("Bit {}", self.lsb)
        } else {
            format!("Bits {}:{}", self.lsb + self.width - 1, self.lsb)
        }
    }
}

fn mask_ident(name: &str) -> Ident {
    format_ident!("{}_MASK", names::const_name(name))
}

fn shift_ident(name: &str) -> Ident {
    format_ident!("{}_SHIFT", names::const_name(name))
}

/// The emitted register type and what it needs beside it.
pub(super) fn emit(cx: &Cx<'_>, reg: &ir::Register, depth: usize) -> TokenStream {
    let rt = &cx.rt;
    let reg_bits = reg.width.value.bits();
    let word = word_type(reg.width.value);
    let ty = ident(&names::type_name(&reg.name.value));
    let reg_name = &reg.name.value;
    let mut errors = Vec::new();
    let mut inline_enums = Vec::new();

    let mut fields: Vec<FieldModel<'_>> = Vec::new();
    if reg.fields.is_empty() {
        fields.push(FieldModel {
            name: reg_name,
            description: reg.description.as_deref(),
            snake: None,
            lsb: 0,
            width: reg_bits,
            mask: ones(reg_bits),
            access: reg.access.value,
            enumeration: None,
            mask_const: mask_ident(reg_name),
            shift_const: shift_ident(reg_name),
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
                inline_enums.push(enums::emit(e, &cx.rt));
                enums::is_emitted(e).then(|| EnumUse {
                    path: ident(&names::type_name(&e.name.value)).into_token_stream(),
                    e,
                })
            }
            Some(ir::EnumRef::Named(n)) => match cx.enums.get(n.value.as_str()) {
                Some(e) => {
                    let name = ident(&names::type_name(&e.name.value));
                    let supers = std::iter::repeat_n(quote!(super::), depth);
                    enums::is_emitted(e).then(|| EnumUse {
                        path: quote!(#(#supers)* #name),
                        e,
                    })
                }
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
            snake: Some(names::fn_name(&f.name.value)),
            lsb: f.lsb,
            width: f.width(),
            mask: f.mask(),
            access: f.access.value,
            enumeration,
            mask_const: mask_ident(&f.name.value),
            shift_const: shift_ident(&f.name.value),
        });
    }
    if reg.reset.value & !ones(reg_bits) != 0 {
        errors.push(format!(
            "regmap: reset value {:#x} of register `{reg_name}` does not fit its {reg_bits} bits",
            reg.reset.value
        ));
    }
    let errors = errors.iter().map(|m| quote!(compile_error!(#m);));

    let has_actions = fields.iter().any(|f| f.access.idle_write_bit().is_some());
    let readable = fields.iter().any(|f| f.access.is_readable());
    let writable = fields.iter().any(|f| f.access.is_writable());
    let modifiable =
        readable && writable && !fields.iter().any(|f| f.access.has_read_side_effect());
    let wo_mask: u64 = fields
        .iter()
        .filter(|f| f.access == Access::WriteOnly)
        .map(|f| f.mask)
        .fold(0, |a, m| a | m);
    let action_mask: u64 = fields
        .iter()
        .filter(|f| f.access.idle_write_bit().is_some())
        .map(|f| f.mask)
        .fold(0, |a, m| a | m);
    let action_idle: u64 = fields
        .iter()
        .filter(|f| f.access.idle_write_bit() == Some(true))
        .map(|f| f.mask)
        .fold(0, |a, m| a | m);

    // --- constants ---
    let offset = hex(reg.offset.value, 0);
    let reset = hex(reg.reset.value & ones(reg_bits), reg_bits);
    let array_consts = reg.array.as_ref().map(|a| {
        let stride = hex(a.stride.value, 0);
        let count = dec(a.count.value);
        quote! {
            /// Distance between array elements in bytes.
            pub const STRIDE: usize = #stride;
            /// Number of array elements.
            pub const COUNT: usize = #count;
        }
    });
    let field_consts = fields.iter().filter(|f| !f.is_implicit()).map(|f| {
        let mask_c = f.mask_const();
        let shift_c = f.shift_const();
        let mask = hex(f.mask, reg_bits);
        let shift = dec(f.lsb.into());
        let mdoc = format!(" Mask of `{}` ({}).", f.name, f.bits_text().to_lowercase());
        let sdoc = format!(" Position of `{}`'s lowest bit.", f.name);
        quote! {
            #[doc = #mdoc]
            pub const #mask_c: #word = #mask;
            #[doc = #sdoc]
            pub const #shift_c: u32 = #shift;
        }
    });

    // --- methods ---
    let methods: Vec<TokenStream> = fields
        .iter()
        .map(|f| field_methods(cx, f, reg_bits, &word, has_actions))
        .collect();

    // --- struct ---
    let actions_field = has_actions.then(|| quote!(actions: #word,));
    let actions_zero = has_actions.then(|| quote!(actions: 0,));
    let write_bits = if !has_actions {
        quote!(self.bits)
    } else {
        let keep = (!action_mask) & ones(reg_bits);
        let base = if keep == 0 {
            None
        } else {
            let keep = hex(keep, reg_bits);
            Some(quote!(self.bits & #keep))
        };
        let idle = (action_idle != 0).then(|| hex(action_idle, reg_bits));
        match (base, idle) {
            (Some(b), Some(i)) => quote!(((#b) | #i) ^ self.actions),
            (Some(b), None) => quote!((#b) ^ self.actions),
            (None, Some(i)) => quote!(#i ^ self.actions),
            (None, None) => quote!(self.actions),
        }
    };

    let wo_mask = hex(wo_mask, reg_bits);
    let readable_impl = readable.then(|| quote!(impl #rt::Readable for #ty {}));
    let writable_impl = writable.then(|| quote!(impl #rt::Writable for #ty {}));
    let modifiable_impl = modifiable.then(|| quote!(impl #rt::Modifiable for #ty {}));

    let debug_fields: Vec<TokenStream> = fields
        .iter()
        .filter(|f| f.access.is_readable() && !f.is_implicit())
        .map(|f| {
            let getter = ident(f.snake.as_deref().unwrap_or("bits"));
            let label = getter.to_string();
            quote!(.field(#label, &self.#getter()))
        })
        .collect();
    let debug_body = if debug_fields.is_empty() {
        quote!(f.debug_struct(#reg_name).field("bits", &format_args!("{:#x}", self.bits)).finish())
    } else {
        quote!(f.debug_struct(#reg_name) #(#debug_fields)* .finish())
    };

    let field_descs = field_descs(cx, &fields);

    let struct_doc = {
        let what = reg
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| format!("Register `{reg_name}`."));
        let mut facts = format!(
            "Offset {:#x}, {reg_bits} bits, reset {:#x}, access `{}`.",
            reg.offset.value,
            reg.reset.value,
            reg.access.value.short_name()
        );
        if let Some(a) = &reg.array {
            facts.push_str(&format!(
                " An array of {} registers, {:#x} bytes apart.",
                a.count.value, a.stride.value
            ));
        }
        docs(&[&what, &facts])
    };
    let name_lit = reg_name.as_str();

    quote! {
        #(#errors)*

        #struct_doc
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct #ty {
            bits: #word,
            #actions_field
        }

        impl #ty {
            /// Offset from the parent's base (the first element, for an array).
            pub const OFFSET: usize = #offset;
            #array_consts
            /// Value after reset.
            pub const RESET: #word = #reset;
            #(#field_consts)*
            /// Static description of the fields, lowest bit first.
            pub const FIELDS: &'static [#rt::desc::FieldDesc] = &[#(#field_descs),*];

            /// A value holding `bits` as read from the hardware, no actions requested.
            #[inline(always)]
            pub const fn from_bits(bits: #word) -> Self {
                Self { bits, #actions_zero }
            }

            /// The raw bits (as read, with any setters applied).
            #[inline(always)]
            pub const fn bits(self) -> #word {
                self.bits
            }

            #(#methods)*
        }

        impl #rt::Register for #ty {
            type Word = #word;
            const NAME: &'static str = #name_lit;
            const RESET: #word = #reset;
            const WRITE_ONLY_MASK: #word = #wo_mask;

            #[inline(always)]
            fn from_bits(bits: #word) -> Self {
                Self { bits, #actions_zero }
            }

            #[inline(always)]
            fn bits(self) -> #word {
                self.bits
            }

            #[inline(always)]
            fn write_bits(self) -> #word {
                #write_bits
            }
        }

        #readable_impl
        #writable_impl
        #modifiable_impl

        impl ::core::fmt::Debug for #ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                #debug_body
            }
        }

        #(#inline_enums)*
    }
}

use quote::ToTokens;

pub(super) use crate::ir::ones;

/// The type a field's getter returns and its setter takes, before enums.
///
/// Widths of `arbitrary_int` types are recorded in the context, so the module
/// imports exactly those it uses (a long path per use was a fifth of the output).
fn value_type(cx: &Cx<'_>, width: u32) -> TokenStream {
    let rt = &cx.rt;
    match width {
        1 => quote!(bool),
        8 | 16 | 32 | 64 => native_type(width),
        n => {
            let t = format_ident!("u{}", n);
            if cx.uint_paths.get() {
                quote!(#rt::arbitrary_int::#t)
            } else {
                cx.uints.borrow_mut().insert(n);
                quote!(#t)
            }
        }
    }
}

/// The getter's plain value (not the enum) from `self.bits`.
fn read_value(cx: &Cx<'_>, f: &FieldModel<'_>, reg_bits: u32) -> TokenStream {
    let mask_c = f.mask_const();
    let shift_c = f.shift_const();
    if f.lsb == 0 && f.width == reg_bits {
        return quote!(self.bits);
    }
    match f.width {
        1 => quote!((self.bits & Self::#mask_c) != 0),
        8 | 16 | 32 | 64 => {
            let t = native_type(f.width);
            if f.lsb == 0 {
                quote!(self.bits as #t)
            } else {
                quote!((self.bits >> Self::#shift_c) as #t)
            }
        }
        _ => {
            let t = value_type(cx, f.width);
            let extract = format_ident!("extract_u{}", reg_bits);
            let lsb = dec(f.lsb.into());
            quote!(#t::#extract(self.bits, #lsb))
        }
    }
}

/// `v` (of the field's plain type, or the enum when `enumerated`) as a
/// register word, unshifted.
fn to_word(v: &TokenStream, f: &FieldModel<'_>, reg_bits: u32, enumerated: bool) -> TokenStream {
    let word = native_type(reg_bits);
    let (raw, raw_bits) = if enumerated {
        let e = f.enumeration.as_ref().map(|e| e.e);
        (quote!(#v.bits()), e.map(enums::repr_bits).unwrap_or(8))
    } else if matches!(f.width, 8 | 16 | 32 | 64) {
        (quote!(#v), f.width)
    } else {
        (quote!(#v.value()), native_bits(f.width))
    };
    if raw_bits == reg_bits {
        raw
    } else {
        quote!((#raw as #word))
    }
}

/// New register bits with the field set to `v` (a non-bool field).
fn placed_bits(
    f: &FieldModel<'_>,
    reg_bits: u32,
    word_value: TokenStream,
    mask_it: bool,
) -> TokenStream {
    let mask_c = f.mask_const();
    let shift_c = f.shift_const();
    if f.lsb == 0 && f.width == reg_bits {
        return word_value;
    }
    let shifted = if f.lsb == 0 {
        word_value
    } else {
        quote!((#word_value << Self::#shift_c))
    };
    let shifted = if mask_it {
        quote!((#shifted & Self::#mask_c))
    } else {
        shifted
    };
    quote!((self.bits & !Self::#mask_c) | #shifted)
}

fn field_methods(
    cx: &Cx<'_>,
    f: &FieldModel<'_>,
    reg_bits: u32,
    word: &TokenStream,
    has_actions: bool,
) -> TokenStream {
    let mut out = TokenStream::new();
    let bits_text = f.bits_text();
    let access = f.access.short_name();
    let what = f
        .description
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("Field `{}`.", f.name));
    let facts = format!("{bits_text}, access `{access}`.");
    let keep_actions = has_actions.then(|| quote!(actions: self.actions,));

    // Getter (the implicit field's getter is `bits`, which always exists).
    if f.access.is_readable() && !f.is_implicit() {
        let getter = ident(f.snake.as_deref().unwrap_or_default());
        let plain = read_value(cx, f, reg_bits);
        let doc = docs(&[&what, &facts]);
        match &f.enumeration {
            None => {
                let t = value_type(cx, f.width);
                out.extend(quote! {
                    #doc
                    #[inline(always)]
                    pub const fn #getter(self) -> #t {
                        #plain
                    }
                });
            }
            Some(eu) => out.extend(enum_getter(cx, f, eu, &getter, plain, doc)),
        }
    }

    let field_name = f.name;
    if f.access.is_writable() {
        match f.access.action_verb() {
            None => {
                // An ordinary setter.
                let (set, with) = match &f.snake {
                    Some(s) => (format_ident!("set_{}", s), format_ident!("with_{}", s)),
                    None => (format_ident!("set_bits"), format_ident!("with_bits")),
                };
                let enumerated = f.enumeration.is_some();
                let t = match &f.enumeration {
                    Some(eu) => eu.path.clone(),
                    None if f.is_implicit() => word.clone(),
                    None => value_type(cx, f.width),
                };
                let new_bits = if f.width == 1 && !enumerated {
                    let mask_c = f.mask_const();
                    quote!(if v { self.bits | Self::#mask_c } else { self.bits & !Self::#mask_c })
                } else {
                    let wv = to_word(&quote!(v), f, reg_bits, enumerated);
                    placed_bits(f, reg_bits, wv, enumerated)
                };
                // The getter carries the description; a write-only field has none.
                let sets = format!("Sets `{field_name}` ({}).", bits_text.to_lowercase());
                let set_doc = if f.access.is_readable() && !f.is_implicit() {
                    docs(&[&sets])
                } else {
                    docs(&[&sets, &what])
                };
                let with_doc = docs(&[&format!(
                    "This value with `{field_name}` set to `v` ({}).",
                    bits_text.to_lowercase()
                )]);
                out.extend(quote! {
                    #set_doc
                    #[inline(always)]
                    pub fn #set(&mut self, v: #t) -> &mut Self {
                        *self = self.#with(v);
                        self
                    }

                    #with_doc
                    #[inline(always)]
                    #[must_use]
                    pub const fn #with(self, v: #t) -> Self {
                        Self { bits: #new_bits, #keep_actions }
                    }
                });
            }
            Some(verb) => {
                // An action: recorded apart from the bits, written only when requested.
                let stem = f.snake.as_deref().unwrap_or("bits");
                let act = format_ident!("{}_{}", verb, stem);
                let with = format_ident!("with_{}_{}", verb, stem);
                let idle = if f.access.idle_write_bit() == Some(true) {
                    1
                } else {
                    0
                };
                let active = 1 - idle;
                let sentence = format!(
                    "Requests `{field_name}`'s {verb} action: the next write of this value writes {active} to the bits asked for (other writes leave them at {idle}, which does nothing)."
                );
                if f.width == 1 {
                    let mask_c = if f.is_implicit() {
                        hex(ones(reg_bits), reg_bits).into_token_stream()
                    } else {
                        let m = f.mask_const();
                        quote!(Self::#m)
                    };
                    let adoc = docs(&[&sentence, &facts]);
                    let wdoc = docs(&[&format!(
                        "This value with `{field_name}`'s {verb} action requested."
                    )]);
                    out.extend(quote! {
                        #adoc
                        #[inline(always)]
                        pub fn #act(&mut self) -> &mut Self {
                            *self = self.#with();
                            self
                        }

                        #wdoc
                        #[inline(always)]
                        #[must_use]
                        pub const fn #with(self) -> Self {
                            Self { bits: self.bits, actions: self.actions | #mask_c }
                        }
                    });
                } else {
                    let t = if f.is_implicit() {
                        word.clone()
                    } else {
                        value_type(cx, f.width)
                    };
                    let wv = to_word(&quote!(mask), f, reg_bits, false);
                    let placed = if f.lsb == 0 {
                        wv
                    } else {
                        let shift_c = f.shift_const();
                        quote!((#wv << Self::#shift_c))
                    };
                    let adoc = docs(&[
                        &format!(
                            "{sentence} `mask` selects the bits, lowest bit of the field first."
                        ),
                        &facts,
                    ]);
                    let wdoc = docs(&[&format!(
                        "This value with `{field_name}`'s {verb} action requested for the bits in `mask`."
                    )]);
                    out.extend(quote! {
                        #adoc
                        #[inline(always)]
                        pub fn #act(&mut self, mask: #t) -> &mut Self {
                            *self = self.#with(mask);
                            self
                        }

                        #wdoc
                        #[inline(always)]
                        #[must_use]
                        pub const fn #with(self, mask: #t) -> Self {
                            Self { bits: self.bits, actions: self.actions | #placed }
                        }
                    });
                }
            }
        }
    }
    out
}

/// A getter returning the enum (every value named) or `Result<Enum, raw>`.
fn enum_getter(
    cx: &Cx<'_>,
    f: &FieldModel<'_>,
    eu: &EnumUse<'_>,
    getter: &Ident,
    plain: TokenStream,
    doc: TokenStream,
) -> TokenStream {
    let path = &eu.path;
    let limit = ones(f.width);
    let mut seen = BTreeSet::new();
    let mut named: Vec<(u64, Ident)> = Vec::new();
    for v in &eu.e.variants {
        if v.value.value <= limit && seen.insert(v.value.value) {
            named.push((v.value.value, ident(&names::type_name(&v.name.value))));
        }
    }
    named.sort_by_key(|(value, _)| *value);
    let exhaustive = f.width < 64 && named.len() as u128 == 1u128 << f.width;
    let pattern = |value: u64| -> TokenStream {
        if f.width == 1 {
            if value == 0 {
                quote!(false)
            } else {
                quote!(true)
            }
        } else {
            dec(value).into_token_stream()
        }
    };
    let scrutinee = if f.width == 1 || matches!(f.width, 8 | 16 | 32 | 64) {
        quote!(raw)
    } else {
        quote!(raw.value())
    };
    if exhaustive {
        let (_, last) = named.pop().unwrap_or((0, ident("Unreachable")));
        let arms = named.iter().map(|(value, v)| {
            let p = pattern(*value);
            quote!(#p => #path::#v,)
        });
        quote! {
            #doc
            #[inline(always)]
            pub const fn #getter(self) -> #path {
                let raw = #plain;
                match #scrutinee {
                    #(#arms)*
                    _ => #path::#last,
                }
            }
        }
    } else {
        let t = value_type(cx, f.width);
        let arms = named.iter().map(|(value, v)| {
            let p = pattern(*value);
            quote!(#p => Ok(#path::#v),)
        });
        let doc2 = docs(&[
            "Returns the raw value as the error when the hardware holds a value the enum does not name.",
        ]);
        quote! {
            #doc
            ///
            #doc2
            #[inline(always)]
            pub const fn #getter(self) -> Result<#path, #t> {
                let raw = #plain;
                match #scrutinee {
                    #(#arms)*
                    _ => Err(raw),
                }
            }
        }
    }
}

/// The `FieldDesc`s of a register, lowest bit first.
fn field_descs(cx: &Cx<'_>, fields: &[FieldModel<'_>]) -> Vec<TokenStream> {
    let rt = &cx.rt;
    let mut order: Vec<&FieldModel<'_>> = fields.iter().collect();
    order.sort_by_key(|f| f.lsb);
    order
        .into_iter()
        .map(|f| {
            let name = f.name;
            let lsb = dec(f.lsb.into());
            let width = dec(f.width.into());
            let access = access_path(rt, f.access);
            let values = match &f.enumeration {
                Some(eu) => {
                    let path = &eu.path;
                    quote!(#path::VALUES)
                }
                None => quote!(&[]),
            };
            let description = super::util::first_line(f.description);
            quote! {
                #rt::desc::FieldDesc {
                    name: #name,
                    lsb: #lsb,
                    width: #width,
                    access: #access,
                    values: #values,
                    description: #description,
                }
            }
        })
        .collect()
}

/// The runtime's `desc::Access` variant for an access kind.
pub(super) fn access_path(rt: &TokenStream, access: Access) -> TokenStream {
    let v = match access {
        Access::ReadWrite => quote!(ReadWrite),
        Access::ReadOnly => quote!(ReadOnly),
        Access::WriteOnly => quote!(WriteOnly),
        Access::OneToClear => quote!(OneToClear),
        Access::OneToSet => quote!(OneToSet),
        Access::OneToToggle => quote!(OneToToggle),
        Access::ZeroToClear => quote!(ZeroToClear),
        Access::ZeroToSet => quote!(ZeroToSet),
        Access::ReadToClear => quote!(ReadToClear),
        Access::ReadToSet => quote!(ReadToSet),
    };
    quote!(#rt::desc::Access::#v)
}
