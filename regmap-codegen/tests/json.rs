//! The JSON output (`docs/outputs.md`): every map of the repository and two
//! imported vendor files survive a round trip through JSON (the Rust emitted
//! from the model read back is the Rust emitted from the original), every
//! document has exactly the documented keys with the documented types, and
//! other versions, other formats and unknown keys are refused.
#![cfg(feature = "serde")]

use regmap_codegen::ir::Design;
use regmap_codegen::json::{JSON_FORMAT_VERSION, JsonError, from_json, to_json};
use regmap_codegen::{EmitOptions, emit};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every block map of the repository that loads, and two imports.
fn designs() -> Vec<(String, Design)> {
    let mut out = Vec::new();
    let mut maps = Vec::new();
    for dir in [
        "examples/axi-timer",
        "examples/axi-gpio",
        "examples/axi-intc",
        "examples/edu",
        "regmap-runtime/maps",
        "tests/runtime/maps",
        "regmap-codegen/tests/good",
        "regmap-codegen/tests/maps",
        "regmap-macros/tests/maps",
    ] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                maps.push(path);
            }
        }
    }
    maps.sort();
    assert!(maps.len() >= 14, "{maps:?}");
    for path in maps {
        let design = regmap_codegen::load_yaml_file(&path).unwrap_or_else(|r| panic!("{r}"));
        out.push((path.display().to_string(), design));
    }
    for vendor in [
        "regmap-codegen/tests/import/xilinx/pynq_z2_base.hwh",
        "regmap-codegen/tests/import/svd/STMicro_STM32H7x3.svd",
    ] {
        let import = regmap_codegen::import::import_file(&root().join(vendor))
            .unwrap_or_else(|r| panic!("{r}"));
        out.push((vendor.to_owned(), import.design.to_ir()));
    }
    out
}

#[test]
fn every_map_survives_a_round_trip() {
    for (name, design) in designs() {
        let text = to_json(&design, Some("d"));
        let back = from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(to_json(&back, Some("d")), text, "{name}");
        assert!(
            regmap_codegen::check::check(&back)
                .iter()
                .all(|d| !d.is_error()),
            "{name}: the model read back fails a check"
        );
        let opts = EmitOptions::default();
        assert!(
            emit::format_design(&back, &opts) == emit::format_design(&design, &opts),
            "{name}: the Rust of the model read back differs"
        );
    }
}

/// The keys of each level, as `docs/outputs.md` lists them.
const TOP: &[&str] = &["format", "version", "name", "blocks", "instances"];
const BLOCK: &[&str] = &["name", "description", "size", "items", "enums", "id"];
const REGISTER: &[&str] = &[
    "kind",
    "name",
    "description",
    "offset",
    "width",
    "access",
    "reset",
    "array",
    "fields",
];
/// Written only when set: the register an alternate view overlays.
const REGISTER_OPTIONAL: &[&str] = &["alternate_of"];
const CLUSTER: &[&str] = &["kind", "name", "description", "offset", "array", "items"];
const ARRAY: &[&str] = &["count", "stride"];
const FIELD: &[&str] = &["name", "description", "lsb", "msb", "access", "enumeration"];
const ENUM: &[&str] = &["name", "description", "variants"];
const VARIANT: &[&str] = &["name", "description", "value"];
const ID: &[&str] = &["register", "value", "mask"];
const INSTANCE: &[&str] = &["name", "block", "base", "size", "description"];

fn keys(v: &Value, expected: &[&str], at: &str) {
    let obj = v
        .as_object()
        .unwrap_or_else(|| panic!("{at}: not an object"));
    let mut got: Vec<&str> = obj.keys().map(String::as_str).collect();
    let mut want = expected.to_vec();
    got.sort();
    want.sort();
    assert_eq!(got, want, "{at}");
}

fn string(v: &Value, at: &str) {
    assert!(v.is_string(), "{at}: {v} is not a string");
}

fn opt_string(v: &Value, at: &str) {
    assert!(v.is_string() || v.is_null(), "{at}: {v}");
}

fn uint(v: &Value, at: &str) -> u64 {
    v.as_u64()
        .unwrap_or_else(|| panic!("{at}: {v} is not an unsigned integer"))
}

fn access(v: &Value, at: &str) {
    let s = v.as_str().unwrap_or_else(|| panic!("{at}: {v}"));
    assert!(
        regmap_codegen::ir::Access::from_short_name(s).is_some(),
        "{at}: access {s}"
    );
}

fn enumeration(e: &Value, at: &str) {
    keys(e, ENUM, at);
    string(&e["name"], at);
    opt_string(&e["description"], at);
    for v in e["variants"].as_array().unwrap() {
        keys(v, VARIANT, at);
        string(&v["name"], at);
        opt_string(&v["description"], at);
        uint(&v["value"], at);
    }
}

fn array(a: &Value, at: &str) {
    if !a.is_null() {
        keys(a, ARRAY, at);
        uint(&a["count"], at);
        uint(&a["stride"], at);
    }
}

fn items(list: &Value, at: &str) {
    for item in list.as_array().unwrap() {
        let at = format!("{at}.{}", item["name"]);
        match item["kind"].as_str() {
            Some("register") => {
                // `alternate_of` is written only for an alternate view.
                if item.get("alternate_of").is_some() {
                    string(&item["alternate_of"], &at);
                    keys(item, &[REGISTER, REGISTER_OPTIONAL].concat(), &at);
                } else {
                    keys(item, REGISTER, &at);
                }
                assert!([8, 16, 32, 64].contains(&uint(&item["width"], &at)), "{at}");
                access(&item["access"], &at);
                uint(&item["offset"], &at);
                uint(&item["reset"], &at);
                opt_string(&item["description"], &at);
                array(&item["array"], &at);
                for f in item["fields"].as_array().unwrap() {
                    let at = format!("{at}.{}", f["name"]);
                    keys(f, FIELD, &at);
                    assert!(uint(&f["lsb"], &at) <= uint(&f["msb"], &at), "{at}");
                    access(&f["access"], &at);
                    opt_string(&f["description"], &at);
                    match &f["enumeration"] {
                        Value::Null => {}
                        Value::Object(e) if e.len() == 1 && e.contains_key("named") => {
                            string(&e["named"], &at)
                        }
                        Value::Object(e) if e.len() == 1 && e.contains_key("inline") => {
                            enumeration(&e["inline"], &at)
                        }
                        other => panic!("{at}: enumeration {other}"),
                    }
                }
            }
            Some("cluster") => {
                keys(item, CLUSTER, &at);
                uint(&item["offset"], &at);
                opt_string(&item["description"], &at);
                array(&item["array"], &at);
                items(&item["items"], &at);
            }
            other => panic!("{at}: kind {other:?}"),
        }
    }
}

#[test]
fn documents_have_exactly_the_documented_keys() {
    let mut seen_id = false;
    let mut seen_instances = false;
    for (name, design) in designs() {
        let doc: Value = serde_json::from_str(&to_json(&design, None)).unwrap();
        keys(&doc, TOP, &name);
        assert_eq!(doc["format"], "regmap");
        assert_eq!(uint(&doc["version"], &name), JSON_FORMAT_VERSION);
        assert!(doc["name"].is_null());
        for b in doc["blocks"].as_array().unwrap() {
            let at = format!("{name}: {}", b["name"]);
            keys(b, BLOCK, &at);
            string(&b["name"], &at);
            opt_string(&b["description"], &at);
            uint(&b["size"], &at);
            items(&b["items"], &at);
            for e in b["enums"].as_array().unwrap() {
                enumeration(e, &at);
            }
            if !b["id"].is_null() {
                seen_id = true;
                keys(&b["id"], ID, &at);
                string(&b["id"]["register"], &at);
                uint(&b["id"]["value"], &at);
            }
        }
        for i in doc["instances"].as_array().unwrap() {
            seen_instances = true;
            keys(i, INSTANCE, &name);
            string(&i["name"], &name);
            string(&i["block"], &name);
            uint(&i["base"], &name);
        }
    }
    assert!(
        seen_id && seen_instances,
        "the corpus covers id checks and instances"
    );
}

#[test]
fn the_documentation_lists_the_same_keys() {
    let doc = std::fs::read_to_string(root().join("docs/outputs.md")).unwrap();
    let register = [REGISTER, REGISTER_OPTIONAL].concat();
    for (level, keys) in [
        ("document", TOP),
        ("block", BLOCK),
        ("register", register.as_slice()),
        ("cluster", CLUSTER),
        ("array", ARRAY),
        ("field", FIELD),
        ("enum", ENUM),
        ("variant", VARIANT),
        ("id", ID),
        ("instance", INSTANCE),
    ] {
        let line = doc
            .lines()
            .find(|l| l.starts_with(&format!("| {level} |")))
            .unwrap_or_else(|| panic!("docs/outputs.md has no row for `{level}`"));
        for key in keys {
            assert!(
                line.contains(&format!("`{key}`")),
                "docs/outputs.md: `{key}` missing from the `{level}` row"
            );
        }
        assert_eq!(
            line.matches('`').count(),
            keys.len() * 2,
            "docs/outputs.md: the `{level}` row lists other keys: {line}"
        );
    }
}

#[test]
fn other_versions_formats_and_unknown_keys_are_refused() {
    let (_, design) = designs().remove(0);
    let text = to_json(&design, None);
    let later = text.replacen("\"version\": 1", "\"version\": 2", 1);
    assert!(matches!(from_json(&later), Err(JsonError::Version(2))));
    assert!(
        from_json(&later)
            .unwrap_err()
            .to_string()
            .contains("version 2 is not supported (this regmap reads version 1)")
    );
    let other = text.replacen("\"format\": \"regmap\"", "\"format\": \"svd\"", 1);
    assert!(matches!(from_json(&other), Err(JsonError::NotRegmap(f)) if f == "svd"));
    let typo = text.replacen("\"offset\":", "\"ofset\":", 1);
    let err = from_json(&typo).unwrap_err().to_string();
    assert!(err.contains("unknown field `ofset`"), "{err}");
    let width = text.replacen("\"width\": 32", "\"width\": 24", 1);
    assert_ne!(width, text);
    let err = from_json(&width).unwrap_err().to_string();
    assert!(
        err.contains("register width 24 is not one of 8, 16, 32, 64"),
        "{err}"
    );
    assert!(matches!(from_json("[1, 2]"), Err(JsonError::Syntax(_))));
}
