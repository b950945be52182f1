//! The macro pipelines as functions: `include_yaml` errors name the file, line
//! and column; its expansion tracks the file; `register_block` keeps the
//! module the user wrote.

use proc_macro2::TokenStream;
use regmap_codegen::emit::EmitOptions;
use regmap_codegen::expand;
use std::path::PathBuf;

/// A fresh directory holding `name` with `text`, standing in for a crate root.
fn manifest_dir_with(test: &str, name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(test);
    let file = dir.join(name);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, text).unwrap();
    dir
}

fn lit(path: &str) -> TokenStream {
    format!("{path:?}").parse().unwrap()
}

const GOOD: &str = "regmap: 1
block:
  name: tiny
  size: 0x8
  registers:
    - { name: CTRL, offset: 0x0 }
";

#[test]
fn include_yaml_expands_to_the_block_and_tracks_the_file() {
    let dir = manifest_dir_with("include_good", "maps/tiny.yaml", GOOD);
    let out = expand::try_include_yaml(lit("maps/tiny.yaml"), &dir, &EmitOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let file: syn::File = syn::parse2(out).expect("the expansion is Rust items");
    let tracked = dir.join("maps/tiny.yaml");
    let mut found_module = false;
    let mut found_include = false;
    for item in &file.items {
        match item {
            syn::Item::Mod(m) => found_module |= m.ident == "tiny",
            syn::Item::Const(c) => {
                let text = quote::quote!(#c).to_string();
                found_include |= text.contains("include_bytes")
                    && text.contains(&format!("{:?}", tracked.to_str().unwrap()));
            }
            _ => {}
        }
    }
    assert!(found_module, "module `tiny` emitted");
    assert!(found_include, "include_bytes! of the absolute path emitted");
}

#[test]
fn include_yaml_errors_show_the_file_line_and_column() {
    let bad = GOOD.replace("offset: 0x0", "offset: 0x2");
    let dir = manifest_dir_with("include_bad", "bad.yaml", &bad);
    let err = expand::try_include_yaml(lit("bad.yaml"), &dir, &EmitOptions::default())
        .expect_err("a misaligned register is an error");
    let text = err.to_string();
    assert!(text.starts_with("1 error in `bad.yaml`"), "{text}");
    assert!(
        text.contains("bad.yaml:6:"),
        "line and column of the offset: {text}"
    );
    assert!(text.contains("not a multiple of 4"), "{text}");
    assert!(text.contains("help:"), "the hint is shown: {text}");
}

#[test]
fn include_yaml_reports_a_missing_file_and_a_non_string() {
    let dir = manifest_dir_with("include_missing", "other.yaml", GOOD);
    let err = expand::try_include_yaml(lit("nope.yaml"), &dir, &EmitOptions::default())
        .expect_err("missing file");
    assert!(
        err.to_string().starts_with("cannot read `nope.yaml`"),
        "{err}"
    );
    let err = expand::try_include_yaml("42".parse().unwrap(), &dir, &EmitOptions::default())
        .expect_err("not a string");
    assert!(
        err.to_string().contains("expected the path of a YAML file"),
        "{err}"
    );
}

#[test]
fn register_block_keeps_the_module_name_visibility_and_attributes() {
    let attr: TokenStream = "size = 0x8".parse().unwrap();
    let item: TokenStream =
        "#[cfg(all())] pub(crate) mod MyTiny { #[register(offset = 0)] struct CTRL; }"
            .parse()
            .unwrap();
    let out = expand::try_register_block(attr, item, &EmitOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let m: syn::ItemMod = syn::parse2(out).expect("one module");
    assert_eq!(m.ident, "MyTiny");
    assert!(matches!(m.vis, syn::Visibility::Restricted(_)));
    assert!(m.attrs.iter().any(|a| a.path().is_ident("cfg")));
    assert!(
        m.attrs.iter().any(|a| a.path().is_ident("doc")),
        "the emitter's docs stay"
    );
    let body = quote::quote!(#m).to_string();
    assert!(
        body.contains("pub struct MyTiny"),
        "block type named from the block name"
    );
}

#[test]
fn register_block_reports_check_errors_and_emits_nothing() {
    let attr: TokenStream = "size = 0x4".parse().unwrap();
    let item: TokenStream =
        "mod m { #[register(offset = 0x4)] struct A; #[register(offset = 0x2)] struct B; }"
            .parse()
            .unwrap();
    let err = expand::try_register_block(attr.clone(), item.clone(), &EmitOptions::default())
        .expect_err("layout errors");
    let mut heads: Vec<String> = err
        .into_iter()
        .map(|e| e.to_string().lines().next().unwrap().to_owned())
        .collect();
    heads.sort();
    assert_eq!(
        heads,
        [
            "register `A` at 0x4..0x8 ends past the end of the 0x4-byte block",
            "register `B` at 0x2..0x6 ends past the end of the 0x4-byte block",
            "register `B` at 0x2..0x6 overlaps register `A` at 0x4..0x8",
            "the offset 0x2 of 32-bit register `B` is not a multiple of 4",
        ]
    );
    let out = expand::register_block(attr, item, &EmitOptions::default()).to_string();
    assert_eq!(out.matches("compile_error").count(), 4, "all at once");
    assert!(!out.contains("struct"), "nothing else is emitted");
}

/// Found by fuzzing: cluster arrays of 65536 x 65536 elements holding no
/// register once hung the expansion. The checks place such arrays from their
/// shapes, so the macro answers at once, with the located error.
#[test]
fn huge_empty_cluster_arrays_are_answered_without_walking_their_elements() {
    let attr: TokenStream = "size = 0x4".parse().unwrap();
    let item: TokenStream = "mod m {
        #[cluster(offset = 0, count = 65536, stride = 65536)]
        mod o { #[cluster(offset = 0, count = 65536, stride = 1)] mod i {} }
    }"
    .parse()
    .unwrap();
    let err = expand::try_register_block(attr, item, &EmitOptions::default())
        .expect_err("the cluster array runs past the block");
    let heads: Vec<String> = err
        .into_iter()
        .map(|e| e.to_string().lines().next().unwrap().to_owned())
        .collect();
    assert_eq!(
        heads,
        [
            "the last element of cluster `o` starts at 0xffff0000 and runs past the end of the 0x4-byte block"
        ]
    );
    // Inside the block, the same shape is valid and emits no description entry.
    let attr: TokenStream = "size = 0x100000000".parse().unwrap();
    let item: TokenStream = "mod m {
        #[cluster(offset = 0, count = 65535, stride = 65536)]
        mod o { #[cluster(offset = 0, count = 65536, stride = 1)] mod i {} }
    }"
    .parse()
    .unwrap();
    let out = expand::try_register_block(attr, item, &EmitOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.to_string().contains("registers : & []"));
}

const DESIGN: &str = "regmap: 1
design:
  name: soc
  instances:
    - { name: tiny_0, map: tiny.yaml, base: 0x40000000 }
    - { name: tiny_1, map: tiny.yaml, base: 0x40010000, size: 0x1000 }
";

#[test]
fn include_yaml_of_a_design_file_emits_the_design_and_tracks_every_map() {
    let dir = manifest_dir_with("include_design", "maps/tiny.yaml", GOOD);
    std::fs::write(dir.join("maps/soc.yaml"), DESIGN).unwrap();
    let out = expand::try_include_yaml(lit("maps/soc.yaml"), &dir, &EmitOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let file: syn::File = syn::parse2(out).expect("the expansion is Rust items");
    let mut names = Vec::new();
    let mut includes = Vec::new();
    for item in &file.items {
        match item {
            syn::Item::Mod(m) => names.push(m.ident.to_string()),
            syn::Item::Struct(s) => names.push(s.ident.to_string()),
            syn::Item::Const(c) => includes.push(quote::quote!(#c).to_string()),
            _ => {}
        }
    }
    assert_eq!(names, ["tiny", "instances", "Design"]);
    for tracked in ["maps/soc.yaml", "maps/tiny.yaml"] {
        let path = format!("{:?}", dir.join(tracked).to_str().unwrap());
        assert!(
            includes.iter().any(|c| c.contains(&path)),
            "{tracked} is tracked: {includes:?}"
        );
    }
    assert_eq!(
        includes.len(),
        2,
        "one map shared by two instances is tracked once"
    );

    // A design whose map does not load fails with that map's diagnostics.
    std::fs::write(dir.join("maps/tiny.yaml"), GOOD.replace("0x0 }", "0x2 }")).unwrap();
    let err = expand::try_include_yaml(lit("maps/soc.yaml"), &dir, &EmitOptions::default())
        .expect_err("the map has an error");
    let text = err.to_string();
    assert!(text.contains("in design `maps/soc.yaml`"), "{text}");
    assert!(text.contains("tiny.yaml:6:"), "{text}");
    assert!(text.contains("does not load"), "{text}");
}

#[test]
fn register_block_names_the_runtime_by_the_crate_key() {
    let item: TokenStream = "mod tiny { #[register(offset = 0x0)] struct CTRL; }"
        .parse()
        .unwrap();
    let text = |attr: &str| {
        expand::try_register_block(attr.parse().unwrap(), item.clone(), &EmitOptions::default())
            .unwrap_or_else(|e| panic!("{e}"))
            .to_string()
    };
    let default = text("size = 0x4");
    assert!(default.contains(":: regmap_runtime ::"), "{default}");
    let renamed = text("size = 0x4, crate = ::rt");
    assert!(renamed.contains(":: rt ::"), "{renamed}");
    assert!(!renamed.contains("regmap_runtime"), "{renamed}");

    let err = expand::try_register_block(
        "size = 0x4, crate = 0x1".parse().unwrap(),
        item.clone(),
        &EmitOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("`crate` takes a path"), "{err}");
}
