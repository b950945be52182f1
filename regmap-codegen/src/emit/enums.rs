//! Enumerated field values: one Rust enum per IR enum.

use super::util::{doc_lines, hex, ident, native_bits, native_type};
use crate::ir;
use crate::names;
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeSet;

/// Bits of the enum's representation: the narrowest native type holding its
/// largest value (at least 8).
pub(super) fn repr_bits(e: &ir::Enum) -> u32 {
    let max = e.variants.iter().map(|v| v.value.value).max().unwrap_or(0);
    native_bits(64 - max.leading_zeros())
}

/// Whether the emitter produces a Rust type for `e`. An enum without variants
/// has none (`#[repr]` needs one); fields using it behave as plain fields.
pub(super) fn is_emitted(e: &ir::Enum) -> bool {
    !e.variants.is_empty()
}

/// The enum type, its `from_bits` and `bits`.
pub(super) fn emit(e: &ir::Enum, rt: &TokenStream) -> TokenStream {
    if !is_emitted(e) {
        return TokenStream::new();
    }
    let name = ident(&names::type_name(&e.name.value));
    let bits = repr_bits(e);
    let repr = native_type(bits);
    let doc = doc_lines(
        e.description.as_deref(),
        &format!("Values of `{}`.", e.name.value),
    );

    let mut seen = BTreeSet::new();
    let mut duplicate = None;
    for v in &e.variants {
        if !seen.insert(v.value.value) {
            duplicate = Some(v);
        }
    }
    if let Some(v) = duplicate {
        let msg = format!(
            "regmap: enum `{}` has two variants with the value {:#x}; give each value one name",
            e.name.value, v.value.value
        );
        return quote! { ::core::compile_error!(#msg); };
    }

    let variants = e.variants.iter().map(|v| {
        let vname = ident(&names::type_name(&v.name.value));
        let value = hex(v.value.value, 0);
        let vdoc = doc_lines(
            v.description.as_deref(),
            &format!("`{}` ({:#x}).", v.name.value, v.value.value),
        );
        quote! { #vdoc #vname = #value }
    });
    let values = e.variants.iter().map(|v| {
        let n = v.name.value.as_str();
        let value = hex(v.value.value, 0);
        quote!(#rt::desc::EnumValueDesc { name: #n, value: #value })
    });
    let arms = e.variants.iter().map(|v| {
        let vname = ident(&names::type_name(&v.name.value));
        let value = hex(v.value.value, 0);
        quote! { #value => ::core::option::Option::Some(Self::#vname) }
    });
    // A `_` arm after every value of the representation would be unreachable.
    let covers_all = bits < 64 && seen.len() as u128 == 1u128 << bits;
    let fallback = if covers_all {
        quote!()
    } else {
        quote!(_ => ::core::option::Option::None,)
    };
    let last = e
        .variants
        .last()
        .map(|v| ident(&names::type_name(&v.name.value)))
        .unwrap_or_else(|| ident("Unreachable"));
    // Raw values wider than the representation name no variant.
    let try_from = if bits == 64 {
        quote!(Self::from_bits(raw))
    } else {
        quote! {
            match <#repr as ::core::convert::TryFrom<u64>>::try_from(raw) {
                ::core::result::Result::Ok(bits) => Self::from_bits(bits),
                ::core::result::Result::Err(_) => ::core::option::Option::None,
            }
        }
    };
    quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(
            clippy::enum_variant_names,
            reason = "variant names follow the register map's names"
        )]
        #[repr(#repr)]
        pub enum #name {
            #(#variants,)*
        }

        impl #name {
            /// The named values, for the static description.
            pub const VALUES: &'static [#rt::desc::EnumValueDesc] = &[#(#values),*];

            /// The variant whose value is `bits`, if one is named.
            #[inline(always)]
            pub const fn from_bits(bits: #repr) -> ::core::option::Option<Self> {
                match bits {
                    #(#arms,)*
                    #fallback
                }
            }

            /// The variant's value.
            #[inline(always)]
            pub const fn bits(self) -> #repr {
                self as #repr
            }
        }

        impl #rt::FieldEnum for #name {
            const FALLBACK: Self = Self::#last;

            #[inline(always)]
            fn try_from_raw(raw: u64) -> ::core::option::Option<Self> {
                #try_from
            }

            #[inline(always)]
            fn to_raw(self) -> u64 {
                self as u64
            }
        }
    }
}
