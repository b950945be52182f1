//! Procedural macros of regmap. Every macro here is a thin shim: parsing,
//! checking and emitting live in `regmap-codegen` (`regmap_codegen::expand`),
//! shared with the CLI.
//!
//! Depend on `regmap-runtime`, which re-exports these macros (feature
//! `macros`, on by default). The generated code names the runtime
//! `::regmap_runtime`; a crate that renames the dependency writes
//! `#[register_block(crate = ::rt, ..)]`, and the runtime's `include_yaml!`
//! passes its own path (`$crate`), renamed or not. Nothing reads the calling
//! crate's `Cargo.toml`, which keeps a TOML parser out of every user's build.

use proc_macro::TokenStream;
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
/// on the attribute or field that caused them, all of them in one build.
///
/// The generated code names the runtime `::regmap_runtime`; a crate that
/// renames the dependency, or reaches the runtime through a re-export, says
/// where it is: `#[register_block(size = 0x10, crate = ::rt)]`.
#[proc_macro_attribute]
pub fn register_block(attr: TokenStream, item: TokenStream) -> TokenStream {
    regmap_codegen::expand::register_block(attr.into(), item.into(), &EmitOptions::default()).into()
}

/// Expands to the code generated from a YAML register map (see
/// `docs/yaml-format.md`), read from a path relative to the directory of
/// the crate's `Cargo.toml`: `include_yaml!("maps/timer.yaml")`.
///
/// A map with errors fails to compile with the map's diagnostics, each with
/// its line and column in the YAML file. Editing the file rebuilds the crate.
/// Called directly, the generated code names the runtime `::regmap_runtime`;
/// `regmap_runtime::include_yaml!` names it however the caller depends on it.
#[proc_macro]
pub fn include_yaml(input: TokenStream) -> TokenStream {
    include_yaml_with(input.into(), syn::parse_quote!(::regmap_runtime))
}

/// `include_yaml!` with the runtime's path first: `include_yaml_in!(path,
/// "maps/timer.yaml")`. The runtime's own `include_yaml!` calls it with
/// `$crate`, which names the runtime however the calling crate depends on it.
#[doc(hidden)]
#[proc_macro]
pub fn include_yaml_in(input: TokenStream) -> TokenStream {
    let input = proc_macro2::TokenStream::from(input);
    let mut tokens = input.clone().into_iter();
    let mut path = proc_macro2::TokenStream::new();
    for tt in tokens.by_ref() {
        if matches!(&tt, proc_macro2::TokenTree::Punct(p) if p.as_char() == ',') {
            break;
        }
        path.extend([tt]);
    }
    let path: syn::Path = match syn::parse2(path) {
        Ok(path) => path,
        Err(_) => {
            return syn::Error::new_spanned(input, "expected `path, \"file.yaml\"`")
                .to_compile_error()
                .into();
        }
    };
    include_yaml_with(tokens.collect(), path)
}

fn include_yaml_with(input: proc_macro2::TokenStream, runtime: syn::Path) -> TokenStream {
    let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        return syn::Error::new(
            proc_macro2::Span::call_site(),
            "`include_yaml!` needs CARGO_MANIFEST_DIR: build with cargo",
        )
        .to_compile_error()
        .into();
    };
    let options = EmitOptions::default().with_runtime_path(runtime);
    regmap_codegen::expand::include_yaml(input, std::path::Path::new(&dir), &options).into()
}
