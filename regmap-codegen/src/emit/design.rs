//! The `Design` type of an address map: one field per instance, each a block
//! bound to its own window, opened from `/dev/mem`, from UIO devices found
//! by instance name, or from any window the caller makes.
//!
//! Only a design with instances gets one. Instances whose block is missing
//! from the design (an unchecked model) become a `compile_error!`, never a
//! panic. `open_devmem` is the one `unsafe fn` of generated code: mapping
//! physical memory is sound only for ranges that are device registers, and
//! only the caller knows that the bitstream loaded is the one the design file
//! describes.

use super::EmitOptions;
use super::util::{docs, hex, ident};
use crate::ir;
use crate::names;
use proc_macro2::TokenStream;
use quote::quote;

pub(super) fn emit(design: &ir::Design, opts: &EmitOptions) -> TokenStream {
    if design.instances.is_empty() {
        return TokenStream::new();
    }
    let path = &opts.runtime_path;
    let rt = quote!(#path);
    let mut fields = Vec::new();
    let mut infos = Vec::new();
    let mut binds = Vec::new();
    for (index, inst) in design.instances.iter().enumerate() {
        let name = &inst.name.value;
        let block_name = &inst.block.value;
        let Some(block) = design.blocks.iter().find(|b| b.name.value == *block_name) else {
            let msg = format!(
                "regmap: instance `{name}` names block `{block_name}`, which the design does not define"
            );
            return quote! { compile_error!(#msg); };
        };
        let field = ident(&names::fn_name(name));
        let ty = ident(&names::type_name(block_name));
        let ty = if opts.wrap_in_module {
            let module = ident(&names::fn_name(block_name));
            quote!(#module::#ty)
        } else {
            quote!(#ty)
        };
        let base = hex(inst.base.value, 0);
        let size = hex(inst.size.unwrap_or(block.size.value), 0);
        let doc = match inst.description.as_deref().map(str::trim) {
            Some(d) if !d.is_empty() => docs(&[
                &format!("`{name}`: block `{block_name}` at {:#x}.", inst.base.value),
                d,
            ]),
            _ => docs(&[&format!(
                "`{name}`: block `{block_name}` at {:#x}.",
                inst.base.value
            )]),
        };
        fields.push(quote! { #doc pub #field: #ty<B_>, });
        infos.push(quote! {
            #rt::design::InstanceInfo { name: #name, block: #block_name, base: #base, size: #size },
        });
        let index = proc_macro2::Literal::usize_unsuffixed(index);
        binds.push(quote! {
            #field: #rt::design::bind_instance(&Self::INSTANCES[#index], &mut open, #ty::new)?,
        });
    }
    let type_doc = docs(&[
        "Every instance of the address map, each a register block bound to its own window.",
        "Open it with `open_uio` (one UIO device per instance, found by instance name), with `open_devmem` (each instance's range of `/dev/mem`), or with `bind` from any windows. A failure names the instance it happened to.",
    ]);
    // Generated code has no comments to hold a `SAFETY:` line: the reason
    // attribute says it, where clippy and a reader of the code both see it.
    let reason = "generated code holds no comments: the unsafe block only forwards this function's own `# Safety` contract (the ranges of `INSTANCES`, the only ones mapped)";
    let result = quote!(::core::result::Result<Self, #rt::design::DesignError>);
    quote! {
        #type_doc
        #[derive(Debug)]
        pub struct Design<B_> {
            #(#fields)*
        }

        impl<B_> Design<B_> {
            /// The instances, in address-map order: name, block, base address, and the size of window to map.
            pub const INSTANCES: &'static [#rt::design::InstanceInfo] = &[#(#infos)*];
        }

        impl<B_: #rt::Bus> Design<B_> {
            /// Binds every instance to the window `open` makes for it, called once per instance in [`Self::INSTANCES`] order.
            ///
            /// # Errors
            /// The first instance whose window does not open, or whose block refuses it.
            pub fn bind(
                mut open: impl FnMut(&#rt::design::InstanceInfo) -> ::core::result::Result<B_, #rt::DeviceError>,
            ) -> #result {
                ::core::result::Result::Ok(Self { #(#binds)* })
            }
        }

        // `#[inline]` on these non-generic openers: without it the library that
        // includes the design compiles every instance's binding twice (UIO and
        // /dev/mem) whether or not it opens the design; with it, only the crate
        // that calls one does.
        impl Design<#rt::MappedWindow> {
            /// Opens every instance as the UIO device named as the instance (map 0).
            ///
            /// # Errors
            /// The first instance with no such UIO device, whose map does not open, or whose block refuses it.
            #[inline]
            pub fn open_uio() -> #result {
                Self::open_uio_in(&#rt::SysRoot::default())
            }

            /// As [`Self::open_uio`], with the devices of `root`.
            ///
            /// # Errors
            /// As [`Self::open_uio`].
            #[inline]
            pub fn open_uio_in(root: &#rt::SysRoot) -> #result {
                Self::bind(|i| #rt::Uio::open_by_name_in(root, i.name)?.map(0))
            }

            /// Maps every instance's range (base address and size) through `/dev/mem`.
            ///
            /// # Safety
            /// As for `DevMem::map`, for every range of [`Self::INSTANCES`]: each must be device registers
            /// (the bitstream loaded must be the one this address map describes), never memory that is
            /// handed out as Rust references while the design lives.
            ///
            /// # Errors
            /// The first instance whose range does not map, or whose block refuses it.
            #[inline]
            #[allow(clippy::undocumented_unsafe_blocks, reason = #reason)]
            pub unsafe fn open_devmem() -> #result {
                unsafe { Self::open_devmem_in(&#rt::SysRoot::default()) }
            }

            /// As [`Self::open_devmem`], with `<root.dev>/mem` as the memory device.
            ///
            /// # Safety
            /// As for [`Self::open_devmem`], for the memory `<root.dev>/mem` exposes.
            ///
            /// # Errors
            /// As [`Self::open_devmem`].
            #[inline]
            #[allow(clippy::undocumented_unsafe_blocks, reason = #reason)]
            pub unsafe fn open_devmem_in(root: &#rt::SysRoot) -> #result {
                Self::bind(|i| unsafe { #rt::DevMem::map_in(root, i.base, i.size) })
            }
        }
    }
}
