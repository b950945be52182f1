//! The Rust emitter: IR in, Rust tokens out, in the shape `docs/generated-api.md`
//! specifies.
//!
//! One (private) file per IR kind: `block` (the block type, its `new` and
//! its accessors, shared with clusters), `cluster`, `register` (register value
//! types), `enums` and `desc` (the static description); `wide` (64-bit
//! values split over two registers) and `design` (the `Design` type of an
//! address map). The generated register access holds no `unsafe`: accessors pass offsets to the runtime as `const`
//! parameters, where `const` assertions prove them aligned and inside the
//! block. `layout` re-derives the same from the IR alone, so a bad offset in
//! an unchecked model becomes a readable `compile_error!` instead. The one
//! `unsafe fn` emitted is `Design::open_devmem`, whose contract (the ranges
//! are device registers) only its caller can keep.
//!
//! The emitter never panics on any IR. What it cannot express (a field past its
//! register, a register outside the block) becomes a `compile_error!` naming the
//! problem, so code generated from an unchecked model fails to build rather
//! than building something unsound.

mod block;
mod cluster;
mod desc;
mod design;
mod enums;
mod layout;
mod pretty;
mod register;
mod text;
mod util;
mod wide;

use crate::ir;
use proc_macro2::TokenStream;
use quote::quote;

/// How the emitter writes its output.
#[derive(Clone)]
#[non_exhaustive]
pub struct EmitOptions {
    /// Path of the runtime crate as the generated code names it
    /// (default `::regmap_runtime`). A crate that re-exports the runtime under
    /// another name sets this.
    pub runtime_path: syn::Path,
    /// Wrap each block in `pub mod <block_name> { ... }` (default `true`). The
    /// attribute macro turns this off to emit beside the item it replaces.
    pub wrap_in_module: bool,
}

impl Default for EmitOptions {
    fn default() -> Self {
        Self {
            runtime_path: syn::parse_quote!(::regmap_runtime),
            wrap_in_module: true,
        }
    }
}

impl std::fmt::Debug for EmitOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = &self.runtime_path;
        f.debug_struct("EmitOptions")
            .field("runtime_path", &quote!(#path).to_string())
            .field("wrap_in_module", &self.wrap_in_module)
            .finish()
    }
}

impl EmitOptions {
    /// Names the runtime crate by `path`.
    pub fn with_runtime_path(mut self, path: syn::Path) -> Self {
        self.runtime_path = path;
        self
    }

    /// Chooses whether each block is wrapped in a module of its own.
    pub fn with_module(mut self, wrap: bool) -> Self {
        self.wrap_in_module = wrap;
        self
    }
}

/// Emits one block: its type, register value types, enums and description.
pub fn emit_block(block: &ir::Block, opts: &EmitOptions) -> TokenStream {
    let _ = text::take();
    let tokens = block::emit(block, opts);
    text::expand(tokens, &text::take(), &opts.runtime_path)
}

/// Emits every block of a design, then, when it has instances, their base
/// addresses (in a module `instances`) and the `Design` type that binds them
/// all (see the `design` emitter).
pub fn emit_design(design: &ir::Design, opts: &EmitOptions) -> TokenStream {
    let tokens = emit_design_items(design, opts);
    text::expand(tokens, &text::take(), &opts.runtime_path)
}

/// [`emit_design`] with the items written as text left as such, for the
/// formatter, which copies them.
/// The texts are left in [`text::take`].
fn emit_design_items(design: &ir::Design, opts: &EmitOptions) -> TokenStream {
    let _ = text::take();
    let mut out = TokenStream::new();
    for b in &design.blocks {
        util::append(&mut out, block::emit(b, opts));
    }
    let instances = if design.instances.is_empty() {
        TokenStream::new()
    } else {
        let consts = design.instances.iter().map(|inst| {
            let name = util::ident(&crate::names::const_name(&inst.name.value));
            let base = util::hex(inst.base.value, 0);
            let block = &inst.block.value;
            let doc = util::doc_lines(
                inst.description.as_deref(),
                &format!("Base address of `{}` (a `{block}` block).", inst.name.value),
            );
            quote! { #doc pub const #name: u64 = #base; }
        });
        quote! {
            /// Base addresses of the block instances of the address map.
            pub mod instances {
                #(#consts)*
            }
        }
    };
    util::append(&mut out, instances);
    util::append(&mut out, design::emit(design, opts));
    out
}

/// Formats emitted tokens as Rust source.
///
/// Deterministic: the same tokens always give the same text. Tokens that
/// do not parse as a file (which only a bug in the emitter could produce)
/// become a `compile_error!` saying so, never a panic.
pub fn format(tokens: &TokenStream) -> String {
    // Items written as text are here when the stream comes from this
    // module's own formatting paths; public streams hold none.
    let texts = text::take();
    if let Some(text) = pretty::format(tokens, &texts) {
        return text;
    }
    match syn::parse2::<syn::File>(text::expand(
        tokens.clone(),
        &texts,
        &EmitOptions::default().runtime_path,
    )) {
        Ok(file) => prettyplease::unparse(&file),
        Err(err) => format!(
            "compile_error!({:?});\n",
            format!("regmap: generated code does not parse ({err}); please report this bug")
        ),
    }
}

/// Emits and formats a design: the same text as
/// `format(&emit_design(design, opts))`, faster: the items written as text
/// are copied, never turned into tokens and printed back.
pub fn format_design(design: &ir::Design, opts: &EmitOptions) -> String {
    format(&emit_design_items(design, opts))
}

/// The header comment of a generated file: generated by regmap, from which
/// source (a file name only, never a path, so output does not depend on where
/// it was generated; a line break or direction control in it escaped, as in
/// doc comments).
pub fn header(source_name: &str) -> String {
    let name = std::path::Path::new(source_name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| source_name.to_owned());
    let name = crate::comment_text::escape_invisible(&name);
    format!(
        "// @generated by regmap-codegen from `{name}`. Do not edit: edit the register map and regenerate.\n\n"
    )
}

#[cfg(test)]
mod tests;
