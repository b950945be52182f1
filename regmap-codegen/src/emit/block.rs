//! The block type: `new` (window and id checks), `bus`, `into_inner`, and the
//! accessors of registers and clusters, which clusters share.

use super::layout::{self, Placement};
use super::util::{self, dec, doc_lines, docs, hex, ident};
use super::{EmitOptions, cluster, desc, enums, register, wide};
use crate::ir;
use crate::names;
use proc_macro2::TokenStream;
use quote::quote;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};

/// What every emitter of one block needs.
pub(super) struct Cx<'a> {
    /// Path of the runtime crate.
    pub rt: TokenStream,
    /// The block being emitted.
    pub block: &'a ir::Block,
    /// The block's shared enums by name as written.
    pub enums: BTreeMap<&'a str, &'a ir::Enum>,
    /// Whether the items are emitted into a module the emitter owns (else
    /// into the user's scope, which gets no `use` items).
    pub wrapped: bool,
    /// Widths of the `arbitrary_int` types the module being emitted uses.
    pub uints: RefCell<BTreeSet<u32>>,
    /// Whether `arbitrary_int` types are named by full path (no `use` possible).
    pub uint_paths: Cell<bool>,
    /// The runtime path as text (`::regmap_runtime`), for items written as text.
    pub rt_text: String,
    /// The short names of runtime items (`F_` for `Field`...) the module
    /// being emitted uses, which it then imports.
    pub aliases: RefCell<BTreeSet<&'static str>>,
}

/// The short names generated modules give runtime items their register
/// types use everywhere, by item. Each ends in `_`, which no converted name
/// does, so none can meet a name from a map.
const ALIASES: [(&str, &str); 3] = [("Field", "F_"), ("Partial", "P_"), ("access", "a_")];

impl Cx<'_> {
    /// How text names the runtime item `item` (`Field`, `Partial`, `access`):
    /// by its short name where the module imports it, else by full path.
    pub(super) fn alias(&self, item: &'static str) -> String {
        let short = ALIASES
            .iter()
            .find(|(name, _)| *name == item)
            .map(|(_, a)| *a);
        match short {
            Some(short) if !self.uint_paths.get() => {
                self.aliases.borrow_mut().insert(item);
                short.to_owned()
            }
            _ => format!("{}::{item}", self.rt_text),
        }
    }
}

/// Who owns an accessor: the block itself, or a cluster (which holds a bus
/// reference and its own absolute base).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Owner {
    Block,
    Cluster,
}

pub(super) fn emit(block: &ir::Block, opts: &EmitOptions) -> TokenStream {
    let path = &opts.runtime_path;
    let rt = quote!(#path);
    let cx = Cx {
        rt,
        block,
        enums: block
            .enums
            .iter()
            .map(|e| (e.name.value.as_str(), e))
            .collect(),
        wrapped: opts.wrap_in_module,
        uints: RefCell::default(),
        uint_paths: Cell::new(false),
        rt_text: path_text(path),
        aliases: RefCell::default(),
    };
    let rt = &cx.rt;
    let name = block.name.value.as_str();
    let ty = ident(&names::type_name(name));
    let size = hex(block.size.value, 0);
    let max_width = max_width(&block.items).max(1);
    let max_width_lit = dec(max_width);
    let desc_name = if opts.wrap_in_module {
        ident("DESC")
    } else {
        ident(&format!("{}_DESC", names::const_name(name)))
    };

    let mut accessors = accessors(&cx, &block.items, Owner::Block, &[], &quote!());
    accessors.extend(wide::accessors(&cx));
    let items = items(&cx, &block.items, 0, &[]);
    let shared_enums = block.enums.iter().map(|e| enums::emit(e, &cx.rt));
    let desc = desc::emit(&cx, &desc_name);
    let id_check = id_check(&cx);

    let doc = doc_lines(
        block.description.as_deref(),
        &format!("The `{name}` register block."),
    );
    let type_doc = docs(&[
        &format!("The `{name}` register block, generic over the bus it is reached through."),
        "Bind it to a window with `new`, which checks the window once; every accessor after that is one volatile access at a compile-time offset.",
    ]);
    let mut body = quote! {
        #type_doc
        #[derive(Debug)]
        pub struct #ty<B_> {
            bus: #rt::Bound<B_, #size, #max_width_lit>,
        }

        impl<B_: #rt::Bus> #ty<B_> {
            /// Size of the block's address window in bytes.
            pub const SIZE: usize = #size;
            /// Static description (names, offsets, fields) for tracing, models and dumps.
            pub const DESC: &'static #rt::desc::BlockDesc = #desc_name;

            /// Binds the block to `bus`, checking once that the window is large enough,
            /// aligned for the widest register, and (where the map declares one) that the
            /// identification register holds the expected value.
            ///
            /// # Errors
            /// A `BindError` saying which check failed and by how much.
            pub fn new(bus: B_) -> ::core::result::Result<Self, #rt::BindError> {
                let block = Self { bus: #rt::Bound::new(bus, #name)? };
                #id_check
                ::core::result::Result::Ok(block)
            }

            /// The bus the block is bound to.
            #[inline(always)]
            pub fn bus(&self) -> &B_ {
                self.bus.bus()
            }

            /// Unbinds the block, giving the bus back.
            #[inline(always)]
            pub fn into_inner(self) -> B_ {
                self.bus.into_inner()
            }

            #accessors
        }
    };
    // Large streams are moved, never interpolated: `quote!` clones what it
    // interpolates, and a shared stream is deep-copied when extended.
    util::append(&mut body, items);
    body.extend(shared_enums);
    util::append(&mut body, desc);
    if opts.wrap_in_module {
        let module = ident(&names::fn_name(name));
        let mut out = quote! {
            #doc
            pub mod #module
        };
        util::append(&mut out, util::braced(body));
        out
    } else {
        body
    }
}

use crate::ir::widest_register as max_width;

/// The register value types and cluster modules of `items`, emitted in the
/// module `depth` levels below the block's.
pub(super) fn items(
    cx: &Cx<'_>,
    items: &[ir::Item],
    depth: usize,
    path: &[Placement],
) -> TokenStream {
    // Each module records the `arbitrary_int` widths it uses; nested modules
    // (clusters) save and restore the enclosing module's record.
    let outer_uints = cx.uints.take();
    let outer_aliases = cx.aliases.take();
    let outer_paths = cx.uint_paths.replace(depth == 0 && !cx.wrapped);
    let mut out = TokenStream::new();
    for item in items {
        match item {
            ir::Item::Register(r) => out.extend(register::emit(cx, r, depth)),
            ir::Item::Cluster(c) => out.extend(cluster::emit(cx, c, depth, path)),
        }
    }
    let used = cx.uints.replace(outer_uints);
    let aliases = cx.aliases.replace(outer_aliases);
    cx.uint_paths.set(outer_paths);
    let rt = &cx.rt;
    let mut with_use = TokenStream::new();
    if !aliases.is_empty() {
        let names = ALIASES
            .iter()
            .filter(|(item, _)| aliases.contains(item))
            .map(|(item, short)| {
                let (item, short) = (ident(item), ident(short));
                quote!(#item as #short)
            });
        with_use.extend(quote! {
            use #rt::{#(#names),*};
        });
    }
    if !used.is_empty() {
        let types = used.iter().map(|w| ident(&format!("u{w}")));
        with_use.extend(quote! {
            use #rt::arbitrary_int::{#(#types),*};
        });
    }
    util::append(&mut with_use, out);
    with_use
}

/// A path as text, without the spaces token printing puts around `::`; a
/// placeholder the token API replaces when the path is not words (`$crate`).
fn path_text(path: &syn::Path) -> String {
    if path
        .segments
        .iter()
        .any(|s| s.ident.to_string().starts_with('$'))
    {
        return super::text::RT_PLACEHOLDER.to_owned();
    }
    let mut out = String::new();
    if path.leading_colon.is_some() {
        out.push_str("::");
    }
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    out.push_str(&segments.join("::"));
    out
}

/// Whether reading `r` changes it (a read-to-clear or read-to-set field): its
/// accessor then needs exclusive access, so two readers sharing a block can
/// never split one event between them.
pub(super) fn read_has_effect(r: &ir::Register) -> bool {
    if r.fields.is_empty() {
        r.access.value.has_read_side_effect()
    } else {
        r.fields
            .iter()
            .any(|f| f.access.value.has_read_side_effect())
    }
}

/// Whether any register under `items` has a read side effect.
pub(super) fn any_read_effect(items: &[ir::Item]) -> bool {
    items.iter().any(|item| match item {
        ir::Item::Register(r) => read_has_effect(r),
        ir::Item::Cluster(c) => any_read_effect(&c.items),
    })
}

/// A cluster's span (bytes from its base to the end of its last register)
/// and the alignment its base needs (its widest register, at least 1).
pub(super) fn span_and_align(items: &[ir::Item]) -> (u64, u64) {
    let span = crate::check::layout::extent(items);
    (
        u64::try_from(span).unwrap_or(u64::MAX),
        max_width(items).max(1),
    )
}

/// One accessor per item of `items`. `prefix` is the module path (from the
/// owner's module) of the items' types; `path` the placements above them.
/// Every offset goes to the runtime as a `const` parameter, where a `const`
/// assertion proves it aligned and inside the block: no `unsafe` here.
pub(super) fn accessors(
    cx: &Cx<'_>,
    items: &[ir::Item],
    owner: Owner,
    path: &[Placement],
    prefix: &TokenStream,
) -> TokenStream {
    let rt = &cx.rt;
    let at = match owner {
        Owner::Block => quote!(self.bus),
        Owner::Cluster => quote!(self.at),
    };
    let mut out = TokenStream::new();
    for item in items {
        let name = item.name().value.as_str();
        let fname = ident(&names::fn_name(name));
        match item {
            ir::Item::Register(r) => {
                let ty = super::register::type_path(cx, r, prefix);
                let mut full = path.to_vec();
                full.push(Placement::of(r.offset.value, r.array.as_ref()));
                if let Err(why) = layout::check(&full, r.width.value.bytes(), cx.block.size.value) {
                    let msg = format!("regmap: register `{name}` cannot be accessed safely: {why}");
                    out.extend(quote!(::core::compile_error!(#msg);));
                    continue;
                }
                // Which view of shared bytes this is: the accessor is where a
                // reader of the driver meets the register.
                let doc = match &r.alternate_of {
                    None => doc_lines(r.description.as_deref(), &format!("Register `{name}`.")),
                    Some(a) => docs(&[
                        r.description
                            .as_deref()
                            .map(str::trim)
                            .filter(|d| !d.is_empty())
                            .unwrap_or(&format!("Register `{name}`.")),
                        &format!(
                            "An alternate view of the bytes of `{}` (`{}()`): a write through either changes what both read.",
                            a.value,
                            names::fn_name(&a.value)
                        ),
                    ]),
                };
                let offset = hex(r.offset.value, 0);
                let exclusive = read_has_effect(r);
                let (receiver, handle) = if exclusive {
                    (quote!(&mut self), quote!(#rt::RegMut))
                } else {
                    (quote!(&self), quote!(#rt::Reg))
                };
                let into = exclusive.then(|| quote!(.into()));
                let doc_exclusive = exclusive.then(|| {
                    docs(&["Reading it changes it (a read side effect): the accessor needs exclusive access, so no other reader can take an event this one should see."])
                });
                match &r.array {
                    None => {
                        out.extend(quote! {
                            #doc
                            #doc_exclusive
                            #[inline(always)]
                            pub fn #fname(#receiver) -> #handle<'_, B_, #ty> {
                                #at.reg::<#ty, #offset>() #into
                            }
                        });
                    }
                    Some(a) => {
                        let count = dec(a.count.value);
                        let stride = hex(a.stride.value, 0);
                        let mapped = if exclusive {
                            quote!(.map(#rt::RegMut::from))
                        } else {
                            quote!()
                        };
                        out.extend(quote! {
                            #doc
                            #doc_exclusive
                            ///
                            /// # Errors
                            /// An `IndexError` when `index` is not below the array's length.
                            #[inline(always)]
                            pub fn #fname(
                                #receiver,
                                index: usize,
                            ) -> ::core::result::Result<#handle<'_, B_, #ty>, #rt::IndexError> {
                                #at.reg_at::<#ty, #offset, #stride, #count>(index, #name) #mapped
                            }
                        });
                    }
                }
            }
            ir::Item::Cluster(c) => {
                let module = ident(&names::fn_name(name));
                let ty = ident(&names::type_name(name));
                let doc = doc_lines(c.description.as_deref(), &format!("Cluster `{name}`."));
                let (span, align) = span_and_align(&c.items);
                let span = hex(span, 0);
                let align = dec(align);
                let offset = hex(c.offset.value, 0);
                let receiver = if any_read_effect(&c.items) {
                    quote!(&mut self)
                } else {
                    quote!(&self)
                };
                match &c.array {
                    None => {
                        out.extend(quote! {
                            #doc
                            #[inline(always)]
                            pub fn #fname(#receiver) -> #prefix #module::#ty<'_, B_> {
                                #prefix #module::#ty { at: #at.cluster::<#offset, #span, #align>() }
                            }
                        });
                    }
                    Some(a) => {
                        let count = dec(a.count.value);
                        let stride = hex(a.stride.value, 0);
                        out.extend(quote! {
                            #doc
                            ///
                            /// # Errors
                            /// An `IndexError` when `index` is not below the array's length.
                            #[inline(always)]
                            pub fn #fname(
                                #receiver,
                                index: usize,
                            ) -> ::core::result::Result<#prefix #module::#ty<'_, B_>, #rt::IndexError> {
                                #at.cluster_at::<#offset, #stride, #count, #span, #align>(index, #name)
                                    .map(|at| #prefix #module::#ty { at })
                            }
                        });
                    }
                }
            }
        }
    }
    out
}

/// The identification check in `new`, if the block declares one.
fn id_check(cx: &Cx<'_>) -> TokenStream {
    let rt = &cx.rt;
    let Some(id) = &cx.block.id else {
        return TokenStream::new();
    };
    let block_name = cx.block.name.value.as_str();
    let wanted = id.register.value.as_str();
    let reg = cx.block.items.iter().find_map(|item| match item {
        ir::Item::Register(r) if r.name.value == wanted && r.array.is_none() => Some(r),
        _ => None,
    });
    let Some(reg) = reg else {
        let msg = format!(
            "regmap: the id register `{wanted}` of block `{block_name}` is not a top-level, non-array register of the block"
        );
        return quote!(::core::compile_error!(#msg););
    };
    let bits = reg.width.value.bits();
    let all = super::register::ones(bits);
    let fname = ident(&names::fn_name(&reg.name.value));
    let read = if bits == 64 {
        quote!(block.#fname().read().bits())
    } else {
        quote!(<u64 as ::core::convert::From<_>>::from(block.#fname().read().bits()))
    };
    let (mask_value, found) = match &id.mask {
        Some(m) if m.value & all != all => {
            let lit = hex(m.value & all, bits);
            (m.value & all, quote!(#read & #lit))
        }
        _ => (all, read),
    };
    let expected = hex(id.value.value, bits);
    let mask = hex(mask_value, bits);
    let reg_name = reg.name.value.as_str();
    quote! {
        let found = #found;
        if found != #expected {
            return ::core::result::Result::Err(#rt::BindError::IdMismatch {
                block: #block_name,
                register: #reg_name,
                expected: #expected,
                found,
                mask: #mask,
            });
        }
    }
}
