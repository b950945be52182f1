//! What regmap's macros expand to, as plain functions of tokens: the
//! proc-macro crate is a shim over these, so they can be tested and
//! benchmarked without a compiler in the loop.

use crate::emit::{self, EmitOptions};
use crate::rust_frontend;
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::quote;
use std::path::Path;

/// `#[register_block(attr)] item`: lowers the module, runs the shared checks
/// and emits the block, or expands to every error found, each at its span.
pub fn register_block(attr: TokenStream, item: TokenStream, opts: &EmitOptions) -> TokenStream {
    try_register_block(attr, item, opts).unwrap_or_else(|e| e.to_compile_error())
}

/// [`register_block`], with the errors as a value.
pub fn try_register_block(
    attr: TokenStream,
    item: TokenStream,
    opts: &EmitOptions,
) -> Result<TokenStream, syn::Error> {
    let parsed = rust_frontend::parse_and_check(attr, item)?;
    let block = &parsed.design.blocks[0];
    let generated = match &parsed.runtime {
        Some(path) => emit::emit_block(block, &opts.clone().with_runtime_path(path.clone())),
        None => emit::emit_block(block, opts),
    };
    Ok(rewrap(generated, &parsed))
}

/// The emitter wraps a block as `#[doc..] pub mod <name> { body }`; the macro
/// keeps the module the user wrote: its name, visibility and attributes.
fn rewrap(generated: TokenStream, parsed: &rust_frontend::Parsed) -> TokenStream {
    let tokens: Vec<TokenTree> = generated.into_iter().collect();
    let body_at = tokens
        .iter()
        .rposition(|t| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace));
    let mod_at = tokens
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(i) if i == "mod"));
    let (Some(body_at), Some(mod_at)) = (body_at, mod_at) else {
        // Not the shape the emitter documents: keep its output as it is.
        return tokens.into_iter().collect();
    };
    let is_vis = |t: &TokenTree| match t {
        TokenTree::Ident(i) => i == "pub",
        TokenTree::Group(g) => g.delimiter() == Delimiter::Parenthesis,
        _ => false,
    };
    let mut head_end = mod_at;
    while head_end > 0 && is_vis(&tokens[head_end - 1]) {
        head_end -= 1;
    }
    let docs: TokenStream = tokens[..head_end].iter().cloned().collect();
    let body = &tokens[body_at];
    let attrs = &parsed.attrs;
    let vis = &parsed.vis;
    let ident = &parsed.ident;
    quote! {
        #docs
        #(#attrs)*
        #vis mod #ident #body
    }
}

/// `include_yaml!("path")`: reads the YAML file at `path` relative to
/// `manifest_dir`, checks it and emits its blocks, plus an `include_bytes!`
/// of the file so that editing it rebuilds the crate. Errors show the file's
/// diagnostics as rendered for a terminal, at the path literal.
pub fn include_yaml(input: TokenStream, manifest_dir: &Path, opts: &EmitOptions) -> TokenStream {
    try_include_yaml(input, manifest_dir, opts).unwrap_or_else(|e| e.to_compile_error())
}

/// [`include_yaml`], with the error as a value.
pub fn try_include_yaml(
    input: TokenStream,
    manifest_dir: &Path,
    opts: &EmitOptions,
) -> Result<TokenStream, syn::Error> {
    let lit: syn::LitStr = syn::parse2(input.clone()).map_err(|_| {
        syn::Error::new_spanned(
            &input,
            "expected the path of a YAML file: `include_yaml!(\"maps/timer.yaml\")`",
        )
    })?;
    let relative = lit.value();
    let path = manifest_dir.join(&relative);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        syn::Error::new(
            lit.span(),
            format!(
                "cannot read `{relative}`: {e}\n= note: the path is relative to the directory of the crate's Cargo.toml"
            ),
        )
    })?;
    if crate::yaml::design::is_design(&text) {
        return include_design(&lit, &relative, &path, &text, opts);
    }
    let design = crate::load_yaml_str(&text, &relative).map_err(|report| {
        let count = report.error_count();
        let s = if count == 1 { "" } else { "s" };
        syn::Error::new(
            lit.span(),
            format!(
                "{count} error{s} in `{relative}`\n\n{}",
                report.render(false).trim_end()
            ),
        )
    })?;
    let tracked = path.to_str().ok_or_else(|| {
        syn::Error::new(lit.span(), format!("the path of `{relative}` is not UTF-8"))
    })?;
    let code = emit::emit_design(&design, opts);
    Ok(quote! {
        #code
        const _: &[u8] = include_bytes!(#tracked);
    })
}

/// `include_yaml!` on a design file: every map it names is loaded and
/// tracked (`include_bytes!`), so editing any of them rebuilds the crate; the
/// output also holds the `instances` module and the `Design` type.
fn include_design(
    lit: &syn::LitStr,
    relative: &str,
    path: &Path,
    text: &str,
    opts: &EmitOptions,
) -> Result<TokenStream, syn::Error> {
    let (design, reports) = crate::import::load_design_file(path);
    let Some(design) = design else {
        let rendered: Vec<String> = reports
            .iter()
            .filter(|r| r.has_errors())
            .map(|r| r.render(false).trim_end().to_owned())
            .collect();
        let count: usize = reports.iter().map(crate::Report::error_count).sum();
        let s = if count == 1 { "" } else { "s" };
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "{count} error{s} in design `{relative}`\n\n{}",
                rendered.join("\n\n")
            ),
        ));
    };
    // The maps named by the design, as the loader resolved them.
    let mut file = crate::source::SourceFile::new(relative, text.to_owned());
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut tracked = vec![path.to_path_buf()];
    if let (Some(parsed), _) = crate::yaml::design::parse_design(&mut file) {
        for inst in parsed.instances {
            let map = dir.join(&inst.map.value);
            if !tracked.contains(&map) {
                tracked.push(map);
            }
        }
    }
    let tracked = tracked
        .iter()
        .map(|p| {
            p.to_str().map(str::to_owned).ok_or_else(|| {
                syn::Error::new(
                    lit.span(),
                    format!("the path of `{}` is not UTF-8", p.display()),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let code = emit::emit_design(&design.to_ir(), opts);
    Ok(quote! {
        #code
        #(const _: &[u8] = include_bytes!(#tracked);)*
    })
}
