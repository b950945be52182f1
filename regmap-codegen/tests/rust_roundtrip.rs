//! Every YAML map in the repository, written back in `#[register_block]`
//! syntax by `rust_frontend::to_rust` and lowered again by the Rust front
//! end, emits the same tokens as the YAML: the two front ends agree on every
//! shape the maps hold (clusters, arrays, shared and inline enums, ids,
//! every access kind, descriptions).

use regmap_codegen::emit::{EmitOptions, emit_block};
use regmap_codegen::{check, load_yaml_file, rust_frontend};
use std::path::{Path, PathBuf};

fn maps() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.push(root.join("regmap-codegen/tests/good"));
    dirs.push(root.join("regmap-codegen/tests/maps"));
    // The runtime tests' maps: name collisions and hostile description text.
    dirs.push(root.join("tests/runtime/maps"));
    let mut maps: Vec<PathBuf> = dirs
        .iter()
        .filter(|d| d.is_dir())
        .flat_map(|d| std::fs::read_dir(d).unwrap().map(|e| e.unwrap().path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    maps.sort();
    maps
}

/// The codepoints rustc refuses raw in comments and literals
/// (`text_direction_codepoint_in_comment` / `_in_literal`).
fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[test]
fn every_map_round_trips_through_the_rust_syntax() {
    let maps = maps();
    assert!(
        maps.len() >= 7,
        "the examples and test maps are found: {maps:?}"
    );
    for path in maps {
        let design = load_yaml_file(&path).unwrap_or_else(|r| panic!("{r}"));
        let opts = EmitOptions::default();
        for block in &design.blocks {
            let source = rust_frontend::to_rust(block);
            // What the front end's lexer lets through but rustc refuses in a
            // source file: a carriage return not ending a line, and (in a
            // comment or a literal) a control changing the direction of text.
            assert!(
                !source.contains('\r') && !source.contains(is_direction_control),
                "{}: the Rust syntax holds what rustc refuses\n{source}",
                path.display()
            );
            let parsed = rust_frontend::parse_str(&source)
                .unwrap_or_else(|e| panic!("{}: {e}\n{source}", path.display()));
            let errors: Vec<_> = check::check(&parsed.design)
                .into_iter()
                .filter(|d| d.is_error())
                .collect();
            assert!(errors.is_empty(), "{}: {errors:?}", path.display());
            let from_yaml = emit_block(block, &opts).to_string();
            let from_rust = emit_block(&parsed.design.blocks[0], &opts).to_string();
            assert!(
                from_yaml == from_rust,
                "{}: the Rust syntax emits different code\n{source}",
                path.display()
            );
        }
    }
}

#[test]
fn parse_str_wants_one_register_block_module() {
    assert!(rust_frontend::parse_str("mod a {}").is_err());
    assert!(rust_frontend::parse_str("").is_err());
    let two = "#[register_block(size = 4)] mod a {} #[register_block(size = 4)] mod b {}";
    assert!(rust_frontend::parse_str(two).is_err());
    assert!(rust_frontend::parse_str("#[register_block(size = 4)] mod a {}").is_ok());
}
