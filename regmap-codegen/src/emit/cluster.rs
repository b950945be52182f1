//! Clusters: a module per cluster holding its handle type (a bus reference and
//! an absolute base, built only by the generated accessors) and the types of
//! its items.

use super::block::{self, Cx, Owner};
use super::layout::Placement;
use super::util::{self, dec, docs, hex, ident};
use crate::ir;
use crate::names;
use proc_macro2::TokenStream;
use quote::quote;

/// `pub mod <cluster> { ... }`, emitted in the module `depth` levels below the block's.
pub(super) fn emit(cx: &Cx<'_>, c: &ir::Cluster, depth: usize, path: &[Placement]) -> TokenStream {
    let rt = &cx.rt;
    let name = c.name.value.as_str();
    let module = ident(&names::fn_name(name));
    let ty = ident(&names::type_name(name));
    let mut inner_path = path.to_vec();
    inner_path.push(Placement::of(c.offset.value, c.array.as_ref()));

    let accessors = block::accessors(cx, &c.items, Owner::Cluster, &inner_path, &quote!());
    let items = block::items(cx, &c.items, depth + 1, &inner_path);
    let offset = hex(c.offset.value, 0);
    let array_consts = c.array.as_ref().map(|a| {
        let stride = hex(a.stride.value, 0);
        let count = dec(a.count.value);
        quote! {
            /// Distance between array elements in bytes.
            pub const STRIDE: usize = #stride;
            /// Number of array elements.
            pub const COUNT: usize = #count;
        }
    });
    let what = c
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("Cluster `{name}`."));
    let module_doc = docs(&[&format!(
        "Cluster `{name}`: its handle type and the types of its registers."
    )]);
    let type_doc = docs(&[
        &what,
        "A handle: a reference to the block's bus and the cluster's base offset. Obtained from the enclosing block's accessor.",
    ]);
    let name_lit = name;

    let (span, align) = block::span_and_align(&c.items);
    let span = hex(span, 0);
    let align = dec(align);
    // A handle over registers with read side effects is not `Copy`: its
    // accessors of those registers take `&mut self`, which a copy would defeat.
    let copy = (!block::any_read_effect(&c.items)).then(|| {
        quote! {
            impl<B_> ::core::clone::Clone for #ty<'_, B_> {
                fn clone(&self) -> Self {
                    *self
                }
            }

            impl<B_> ::core::marker::Copy for #ty<'_, B_> {}
        }
    });

    let mut body = quote! {
            #type_doc
            pub struct #ty<'a, B_> {
                pub(super) at: #rt::Sub<'a, B_, #span, #align>,
            }

            #copy

            impl<B_> ::core::fmt::Debug for #ty<'_, B_> {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.write_str(#name_lit)?;
                    ::core::fmt::Debug::fmt(&self.at, f)
                }
            }

            impl<'a, B_: #rt::Bus> #ty<'a, B_> {
                /// Offset from the parent's base (the first element, for an array).
                pub const OFFSET: usize = #offset;
                #array_consts

                /// Offset of the cluster in the block's window.
                #[inline(always)]
                pub fn base_offset(&self) -> usize {
                    self.at.base()
                }

                #accessors
            }
    };
    util::append(&mut body, items);
    let mut out = quote! {
        #module_doc
        pub mod #module
    };
    util::append(&mut out, util::braced(body));
    out
}
