//! The block's static description (`desc::BlockDesc`): every register
//! instance, arrays and clusters expanded, in offset order.

use super::block::Cx;
use super::util::{dec, first_line, hex, ident};
use crate::ir;
use crate::names;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// More register instances than this make the description a `compile_error!`
/// rather than a multi-megabyte constant.
pub(super) const MAX_INSTANCES: usize = 1 << 16;

/// Bytes of names and descriptions the instances may hold in all: every
/// element of an array carries its own, so a long description on a big array
/// would otherwise be copied tens of thousands of times.
const MAX_TEXT_BYTES: usize = 16 << 20;

struct Instance {
    name: String,
    offset: u128,
    width: u64,
    reset: u64,
    ty: TokenStream,
    description: String,
}

/// Walks `items`, appending every register instance. `Err` once there are
/// too many, or their text passes `text` bytes left.
fn expand(
    cx: &Cx<'_>,
    items: &[ir::Item],
    prefix: &str,
    base: u128,
    module: &TokenStream,
    out: &mut Vec<Instance>,
    text: &mut usize,
) -> Result<(), ()> {
    for item in items {
        let (offset, array) = match item {
            ir::Item::Register(r) => (r.offset.value, r.array.as_ref()),
            ir::Item::Cluster(c) => (c.offset.value, c.array.as_ref()),
        };
        let name = &item.name().value;
        // A cluster without registers adds nothing: its elements are never
        // walked, however many there are (the work follows the output).
        if let ir::Item::Cluster(c) = item
            && ir::register_instances(&c.items) == 0
        {
            continue;
        }
        let elements: Vec<(String, u128)> = match array {
            None => vec![(format!("{prefix}{name}"), base + u128::from(offset))],
            Some(a) => {
                if out.len() as u64 + a.count.value > MAX_INSTANCES as u64 {
                    return Err(());
                }
                (0..a.count.value)
                    .map(|i| {
                        (
                            format!("{prefix}{name}[{i}]"),
                            base + u128::from(offset) + u128::from(i) * u128::from(a.stride.value),
                        )
                    })
                    .collect()
            }
        };
        // What every element of an array shares is worked out once, not per element.
        match item {
            ir::Item::Register(r) => {
                let rt = &cx.rt;
                // A register served by the runtime's `Raw` keeps its own name for its
                // one field here, as every register without fields does.
                let ty = if super::register::uses_raw(r) {
                    let width = dec(r.width.value.bits().into());
                    let access = ident(super::register::access_variant(r.access.value));
                    let reg_name = name.as_str();
                    let d = first_line(r.description.as_deref());
                    quote!(&[#rt::desc::FieldDesc {
                        name: #reg_name,
                        lsb: 0,
                        width: #width,
                        access: #rt::desc::Access::#access,
                        values: &[],
                        description: #d,
                    }])
                } else {
                    let ty = super::register::type_path(cx, r, module);
                    quote!(<#ty as #rt::Register>::FIELDS)
                };
                let description = first_line(r.description.as_deref());
                for (full, at) in elements {
                    if out.len() >= MAX_INSTANCES {
                        return Err(());
                    }
                    *text = text.checked_sub(full.len() + description.len()).ok_or(())?;
                    out.push(Instance {
                        name: full,
                        offset: at,
                        width: r.width.value.bytes(),
                        reset: r.reset.value,
                        ty: ty.clone(),
                        description: description.clone(),
                    });
                }
            }
            ir::Item::Cluster(c) => {
                let m = ident(&names::fn_name(name));
                let path = quote!(#module #m::);
                for (full, at) in elements {
                    expand(cx, &c.items, &format!("{full}."), at, &path, out, text)?;
                }
            }
        }
    }
    Ok(())
}

/// Items [`expand`] walks: clusters without registers once per element of
/// their parent, the rest once per element of their own. Thousands of empty
/// clusters in each element of an array are work no instance counts.
fn visits(items: &[ir::Item]) -> u64 {
    items
        .iter()
        .map(|item| match item {
            ir::Item::Register(_) => 1,
            ir::Item::Cluster(c) if ir::register_instances(&c.items) == 0 => 1,
            ir::Item::Cluster(c) => c
                .array
                .as_ref()
                .map_or(1, |a| a.count.value)
                .saturating_mul(visits(&c.items).saturating_add(1)),
        })
        .fold(0, u64::saturating_add)
}

/// `pub const DESC: &BlockDesc = ...` named `name`.
pub(super) fn emit(cx: &Cx<'_>, name: &Ident) -> TokenStream {
    let rt = &cx.rt;
    let block = cx.block;
    let mut instances = Vec::new();
    // Counted from the shapes first, so a map with too many instances is
    // refused before any of them is built.
    let too_many = ir::register_instances(&block.items) > MAX_INSTANCES as u64
        || visits(&block.items) > 4 * MAX_INSTANCES as u64;
    let mut text = MAX_TEXT_BYTES;
    if too_many
        || expand(
            cx,
            &block.items,
            "",
            0,
            &quote!(),
            &mut instances,
            &mut text,
        )
        .is_err()
    {
        let msg = format!(
            "regmap: block `{}` has more than {MAX_INSTANCES} register instances (or more than {} items to walk, or {} MiB of their names and descriptions), too many for a static description",
            block.name.value,
            4 * MAX_INSTANCES,
            MAX_TEXT_BYTES >> 20
        );
        return quote!(::core::compile_error!(#msg););
    }
    // Stable: instances at one offset (an overlap the checks reject) keep source order.
    instances.sort_by_key(|i| i.offset);
    let regs = instances.iter().map(|i| {
        let n = i.name.as_str();
        let offset = hex(u64::try_from(i.offset).unwrap_or(u64::MAX), 0);
        let width = dec(i.width);
        let reset = hex(i.reset, 0);
        let ty = &i.ty;
        let d = i.description.as_str();
        quote! {
            #rt::desc::RegisterDesc {
                name: #n,
                offset: #offset,
                width: #width,
                reset: #reset,
                fields: #ty,
                description: #d,
            }
        }
    });
    let block_name = block.name.value.as_str();
    let size = hex(block.size.value, 0);
    let d = first_line(block.description.as_deref());
    let doc = format!(
        " Static description of `{block_name}`: every register instance, arrays and clusters expanded, in offset order."
    );
    quote! {
        #[doc = #doc]
        pub const #name: &#rt::desc::BlockDesc = &#rt::desc::BlockDesc {
            name: #block_name,
            size: #size,
            registers: &[#(#regs),*],
            description: #d,
        };
    }
}
