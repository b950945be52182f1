//! Procedural macros of regmap. Every macro here is a thin shim: parsing,
//! checking and emitting live in `regmap-codegen` (`regmap_codegen::expand`),
//! shared with the CLI.
//!
//! Depend on `regmap-runtime`, which re-exports these macros (feature
//! `macros`, on by default); the generated code names the runtime by the name
//! your `Cargo.toml` gives it, renamed or not.

use proc_macro::TokenStream;
use proc_macro_crate::FoundCrate;
use regmap_codegen::emit::EmitOptions;

/// Generates a typed register block from a module that describes it.
///
/// ```
/// use regmap_runtime::{register_block, MemBus};
///
/// /// A small timer
/// #[register_block(size = 0x10)]
/// pub mod timer {
///     /// Timer mode
///     enum Mode {
///         Oneshot = 0,
///         Periodic = 1,
///     }
///
///     /// Control and status
///     #[register(offset = 0x0, reset = 0)]
///     struct CTRL {
///         #[bits(0)]
///         ENABLE: bool,
///         #[bits(1)]
///         MODE: Mode,
///         /// Pending interrupt; write 1 to acknowledge
///         #[bits(8, access = w1c)]
///         IRQ: bool,
///         #[bits(15:12)]
///         PRESCALE: u4,
///     }
///
///     /// Counter value
///     #[register(offset = 0x4, access = ro)]
///     struct COUNT;
/// }
///
/// use timer::Ctrl;
/// let t = timer::Timer::new(MemBus::new(0x10)).unwrap();
/// t.ctrl().modify(|w| w.set(Ctrl::ENABLE, true).set(Ctrl::MODE, timer::Mode::Periodic));
/// assert!(t.ctrl().read().get(Ctrl::ENABLE));
/// let _count: u32 = t.count().read().bits();
/// ```
///
/// The syntax: a module (the block) holding `#[register(...)] struct`s
/// (fields are `#[bits(msb:lsb)] NAME: type`), `#[cluster(...)] mod`s and
/// `enum`s, documented in `docs/rust-syntax.md`. The module is replaced by
/// the generated one of the same name. Layout mistakes are compile errors
/// on the attribute or field that caused them.
#[proc_macro_attribute]
pub fn register_block(attr: TokenStream, item: TokenStream) -> TokenStream {
    regmap_codegen::expand::register_block(attr.into(), item.into(), &options()).into()
}

/// Expands to the code generated from a YAML register map (see
/// `docs/yaml-format.md`), read from a path relative to the directory of
/// the crate's `Cargo.toml`: `include_yaml!("maps/timer.yaml")`.
///
/// A map with errors fails to compile with the map's diagnostics, each with
/// its line and column in the YAML file. Editing the file rebuilds the crate.
#[proc_macro]
pub fn include_yaml(input: TokenStream) -> TokenStream {
    let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        return syn::Error::new(
            proc_macro2::Span::call_site(),
            "`include_yaml!` needs CARGO_MANIFEST_DIR: build with cargo",
        )
        .to_compile_error()
        .into();
    };
    regmap_codegen::expand::include_yaml(input.into(), std::path::Path::new(&dir), &options())
        .into()
}

/// Emitter options naming the runtime as the calling crate sees it.
fn options() -> EmitOptions {
    EmitOptions::default().with_runtime_path(runtime_path())
}

/// `::regmap_runtime`, or the name the calling crate's `Cargo.toml` gives it,
/// or `crate` inside the runtime itself.
fn runtime_path() -> syn::Path {
    match proc_macro_crate::crate_name("regmap-runtime") {
        Ok(FoundCrate::Itself) => syn::parse_quote!(crate),
        Ok(FoundCrate::Name(name)) => {
            let ident = proc_macro2::Ident::new(&name, proc_macro2::Span::call_site());
            syn::parse_quote!(::#ident)
        }
        // Not a direct dependency (a facade re-exports it, or the manifest
        // could not be read): the conventional name is the best guess.
        Err(_) => syn::parse_quote!(::regmap_runtime),
    }
}

#[cfg(test)]
mod tests {
    use super::runtime_path;
    use quote::ToTokens;

    /// The one test of this binary that touches the environment.
    #[test]
    fn generated_code_names_the_runtime_as_the_manifest_does() {
        let root = std::env::temp_dir().join(format!("regmap-macros-{}", std::process::id()));
        // One directory per manifest: the crate-name lookup caches by
        // directory and file time, which a rewrite may not change.
        let path = |case: &str, deps: &str| {
            let dir = root.join(case);
            std::fs::create_dir_all(&dir).unwrap();
            let manifest = format!(
                "[package]\nname = \"user\"\nversion = \"0.1.0\"\n\n[dependencies]\n{deps}\n"
            );
            std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
            // SAFETY: no other test in this binary reads or writes the environment.
            unsafe { std::env::set_var("CARGO_MANIFEST_DIR", &dir) };
            runtime_path()
                .to_token_stream()
                .to_string()
                .replace(' ', "")
        };
        assert_eq!(
            path("plain", "regmap-runtime = \"0.1\""),
            "::regmap_runtime"
        );
        assert_eq!(
            path(
                "renamed",
                "rt = { package = \"regmap-runtime\", version = \"0.1\" }"
            ),
            "::rt"
        );
        assert_eq!(
            path("absent", "serde = \"1\""),
            "::regmap_runtime",
            "fallback"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
