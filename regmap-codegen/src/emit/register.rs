//! Register value types: plain `Copy` data with field getters, setters,
//! `with_*` and actions, the runtime's `Register` traits as access allows, a
//! field-by-field `Debug`, constants and the fields' static description.

use super::block::Cx;
use super::enums;
use super::util::{dec, docs, hex, ident, native_type, word_type};
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
    /// The field's constant (`<NAME>`), converted once: every method of the
    /// field names it.
    mask_const: Ident,
}

impl FieldModel<'_> {
    fn is_implicit(&self) -> bool {
        self.snake.is_none()
    }
    fn field_const(&self) -> &Ident {
        &self.mask_const
    }
    fn bits_text(&self) -> String {
        if self.width == 1 {
            format!("Bit {}", self.lsb)
        } else {
            format!("Bits {}:{}", self.lsb + self.width - 1, self.lsb)
        }
    }
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
            mask_const: field_const(reg_name),
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
            mask_const: field_const(&f.name.value),
        });
    }
    if reg.reset.value & !ones(reg_bits) != 0 {
        errors.push(format!(
            "regmap: reset value {:#x} of register `{reg_name}` does not fit its {reg_bits} bits",
            reg.reset.value
        ));
    }
    let errors = errors.iter().map(|m| quote!(::core::compile_error!(#m);));

    let readable = fields.iter().any(|f| f.access.is_readable());
    let writable = fields.iter().any(|f| f.access.is_writable());
    let modifiable =
        readable && writable && !fields.iter().any(|f| f.access.has_read_side_effect());
    let mask_of = |keep: &dyn Fn(&FieldModel<'_>) -> bool| -> syn::LitInt {
        let m = fields
            .iter()
            .filter(|f| keep(f))
            .map(|f| f.mask)
            .fold(0, |a, m| a | m);
        hex(m, reg_bits)
    };
    let wo_mask = mask_of(&|f| f.access == Access::WriteOnly);
    let action_mask = mask_of(&|f| f.access.idle_write_bit().is_some());
    let action_idle = mask_of(&|f| f.access.idle_write_bit() == Some(true));

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
    let members: Vec<TokenStream> = fields
        .iter()
        .map(|f| field_members(cx, f, reg_bits, &word))
        .collect();

    let readable_impl = readable.then(|| quote!(impl #rt::Readable for #ty {}));
    let writable_impl = writable.then(|| quote!(impl #rt::Writable for #ty {}));
    let modifiable_impl = modifiable.then(|| quote!(impl #rt::Modifiable for #ty {}));
    let descs = field_descs(&fields);
    let name_lit = reg_name.as_str();
    let what = reg
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("Register `{reg_name}`."));
    let doc = docs(&[
        &what,
        &format!(
            "Offset {:#x}, {reg_bits} bits, reset {:#x}, access `{}`.",
            reg.offset.value,
            reg.reset.value & ones(reg_bits),
            reg.access.value.short_name()
        ),
    ]);

    quote! {
        #(#errors)*

        #doc
        // No `Hash`: nobody keys a map by a register value, and on a map of
        // two thousand registers the derive was 5-8% of `cargo check`.
        #[derive(Clone, Copy, PartialEq, Eq)]
        pub struct #ty(#rt::Value<#word>);

        impl #rt::Register for #ty {
            type Word = #word;
            const NAME: &'static str = #name_lit;
            const RESET: #word = #reset;
            const WRITE_ONLY_MASK: #word = #wo_mask;
            const ACTION_MASK: #word = #action_mask;
            const ACTION_IDLE: #word = #action_idle;
            const FIELDS: &'static [#rt::desc::FieldDesc] = &[#(#descs),*];

            #[inline(always)]
            fn from_value(value: #rt::Value<#word>) -> Self {
                Self(value)
            }

            #[inline(always)]
            fn value(self) -> #rt::Value<#word> {
                self.0
            }
        }

        #readable_impl
        #writable_impl
        #modifiable_impl

        impl ::core::fmt::Debug for #ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                #rt::field::debug(self, f)
            }
        }

        impl #ty {
            /// Offset from the parent's base (the first element, for an array).
            pub const OFFSET: usize = #offset;
            #array_consts

            /// A value holding `bits` as read from the hardware, no actions requested.
            #[inline(always)]
            pub const fn from_bits(bits: #word) -> Self {
                Self(#rt::Value::new(bits))
            }

            /// The raw bits (as read, with any setters applied).
            #[inline(always)]
            pub const fn bits(self) -> #word {
                self.0.bits()
            }

            #(#members)*
        }

        #(#inline_enums)*
    }
}

/// The field's constant: its name in SCREAMING_SNAKE_CASE.
fn field_const(name: &str) -> Ident {
    ident(&names::const_name(name))
}

/// The access marker type of a field: its access kind, exactly.
fn access_marker(rt: &TokenStream, access: Access) -> TokenStream {
    let m = match access {
        Access::ReadWrite => quote!(RW),
        Access::ReadOnly => quote!(RO),
        Access::WriteOnly => quote!(WO),
        Access::ReadToClear => quote!(RC),
        Access::ReadToSet => quote!(RS),
        Access::OneToClear => quote!(W1C),
        Access::OneToSet => quote!(W1S),
        Access::OneToToggle => quote!(W1T),
        Access::ZeroToClear => quote!(W0C),
        Access::ZeroToSet => quote!(W0S),
    };
    quote!(#rt::access::#m)
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

/// A field's constant and its accessors: getter, setter or action methods.
fn field_members(
    cx: &Cx<'_>,
    f: &FieldModel<'_>,
    reg_bits: u32,
    word: &TokenStream,
) -> TokenStream {
    let rt = &cx.rt;
    let bits_text = f.bits_text();
    let access = f.access.short_name();
    let what = f
        .description
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("Field `{}`.", f.name));
    let facts = format!("{bits_text}, access `{access}`.");
    let marker = access_marker(rt, f.access);
    let lsb = dec(f.lsb.into());
    let width = dec(f.width.into());
    // Only named where used: naming an `arbitrary_int` type imports it.
    let plain = || {
        if f.is_implicit() {
            word.clone()
        } else {
            value_type(cx, f.width)
        }
    };
    let value_ty = match &f.enumeration {
        Some(eu) => eu.path.clone(),
        None => plain(),
    };
    let mut out = TokenStream::new();
    // The implicit field of a register without fields is the constant
    // `BITS` (no field can be named so: `bits` is reserved); its methods are
    // `bits` (always there) and `set_bits` / `clear_bits`...
    let c = if f.is_implicit() {
        ident("BITS")
    } else {
        f.field_const().clone()
    };
    let name = f.name;
    let values = match &f.enumeration {
        Some(eu) => {
            let path = &eu.path;
            quote!(#path::VALUES)
        }
        None => quote!(&[]),
    };
    let description = super::util::first_line(f.description);
    let cdoc = if f.is_implicit() {
        format!(
            " The whole register, as a field ({}).",
            bits_text.to_lowercase()
        )
    } else {
        format!(
            " `{}`: {}, access `{access}`.",
            f.name,
            bits_text.to_lowercase()
        )
    };
    out.extend(quote! {
        #[doc = #cdoc]
        pub const #c: #rt::Field<Self, #value_ty, #marker> =
            #rt::Field::new(#name, #lsb, #width, #values, #description);
    });
    let field = quote!(Self::#c);
    let _ = reg_bits;

    if f.access.is_readable() && !f.is_implicit() {
        let getter = ident(f.snake.as_deref().unwrap_or_default());
        let doc = docs(&[&what, &facts]);
        match &f.enumeration {
            Some(eu) if !exhaustive(f, eu.e) => {
                let path = &eu.path;
                let plain = plain();
                let doc2 = docs(&[
                    "Returns the raw value as the error when the hardware holds a value the enum does not name.",
                ]);
                out.extend(quote! {
                    #doc
                    ///
                    #doc2
                    #[inline(always)]
                    pub fn #getter(self) -> ::core::result::Result<#path, #plain> {
                        #field.try_get(self)
                    }
                });
            }
            _ => out.extend(quote! {
                #doc
                #[inline(always)]
                pub fn #getter(self) -> #value_ty {
                    #field.get(self)
                }
            }),
        }
    }

    let field_name = f.name;
    if f.access.is_writable() {
        let stem = f.snake.as_deref().unwrap_or("bits");
        match f.access.action_verb() {
            None => {
                let set = format_ident!("set_{}", stem);
                let sets = format!("Sets `{field_name}` ({}).", bits_text.to_lowercase());
                // The getter carries the description; a write-only field has none.
                let set_doc = if f.access.is_readable() && !f.is_implicit() {
                    docs(&[&sets])
                } else {
                    docs(&[&sets, &what])
                };
                out.extend(quote! {
                    #set_doc
                    #[inline(always)]
                    pub fn #set(&mut self, v: #value_ty) -> &mut Self {
                        #field.set(self, v)
                    }
                });
            }
            Some(verb) => {
                let act = format_ident!("{}_{}", verb, stem);
                // `set_*` on a clear or toggle field: a compile error that
                // names the method to call.
                if verb != "set" {
                    let set = format_ident!("set_{}", stem);
                    let v = format_ident!("{}", verb);
                    out.extend(quote! {
                        #[doc(hidden)]
                        pub fn #set<V_: #rt::field::NoSetter<#rt::field::verb::#v>>(&mut self, _: V_) -> &mut Self {
                            self
                        }
                    });
                }
                let idle = u8::from(f.access.idle_write_bit() == Some(true));
                let active = 1 - idle;
                let sentence = format!(
                    "Requests `{field_name}`'s {verb} action: the next write of this value writes {active} to the bits asked for (other writes leave them at {idle}, which does nothing)."
                );
                if f.width == 1 {
                    let adoc = docs(&[&sentence, &facts]);
                    out.extend(quote! {
                        #adoc
                        #[inline(always)]
                        pub fn #act(&mut self) -> &mut Self {
                            #field.request(self, true)
                        }
                    });
                } else {
                    let plain = plain();
                    let adoc = docs(&[
                        &format!(
                            "{sentence} `mask` selects the bits, lowest bit of the field first."
                        ),
                        &facts,
                    ]);
                    out.extend(quote! {
                        #adoc
                        #[inline(always)]
                        pub fn #act(&mut self, mask: #plain) -> &mut Self {
                            #field.request(self, mask)
                        }
                    });
                }
            }
        }
    }
    out
}

/// Whether every value the field can hold is named by its enum (then the
/// getter returns the enum itself, else a `Result`).
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

/// The field table of a register, lowest bit first: each field constant's
/// description.
fn field_descs(fields: &[FieldModel<'_>]) -> Vec<TokenStream> {
    let mut order: Vec<&FieldModel<'_>> = fields.iter().collect();
    order.sort_by_key(|f| f.lsb);
    order
        .into_iter()
        .map(|f| {
            let c = if f.is_implicit() {
                ident("BITS")
            } else {
                f.field_const().clone()
            };
            quote!(Self::#c.desc())
        })
        .collect()
}
