//! The Rust front end: a `#[register_block]` module through lowering, the
//! shared checks and (when clean) the emitter, as the macro runs them; a
//! clean block printed back in the same syntax must lower to the same code.
#![no_main]

use libfuzzer_sys::fuzz_target;
use regmap_codegen::{check, rust_frontend};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    // The compiler hands the macro tokens of valid UTF-8 source only.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = rust_frontend::parse_str(text) else {
        return;
    };
    let diags = check::check(&parsed.design);
    for d in &diags {
        rust_frontend::render(d, &parsed.spans);
    }
    match rust_frontend::to_error(&diags, &parsed.spans) {
        Some(err) => drop(err.to_compile_error()),
        None => {
            common::emit(&parsed.design);
            common::rust_syntax_agrees(&parsed.design);
        }
    }
});
