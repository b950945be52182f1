//! `schemas/regmap.schema.json` and the YAML front end describe the same format.
//!
//! - The keys the parser accepts at each level (`regmap_codegen::yaml::*_KEYS`)
//!   equal the schema's `properties` there, each closed by
//!   `additionalProperties: false`; access kinds and widths match the IR.
//! - Every map in the repository (examples, test maps, the doc's example;
//!   the bad corpus aside) loads and is valid against the schema, and a selection of the bad corpus (those whose
//!   errors are about structure, not layout) is invalid.
//! - Dropping any one key from a map that uses every key is accepted by the
//!   schema exactly when the parser accepts it (required keys, `count` and
//!   `stride` together).
//!
//! Validation uses the small validator below, not the `jsonschema` crate:
//! that crate pulls in about 120 crates, too many for a dev-dependency on a
//! two-core CI. The validator knows exactly the keywords the schema uses and
//! panics on any other, so a schema that grows past it cannot pass silently.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use regmap_codegen::ir::Access;
use regmap_codegen::yaml;
use saphyr_parser::{Event, Parser, ScalarStyle};
use serde_json::{Map, Number, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn schema() -> Value {
    let text = std::fs::read_to_string(root().join("schemas/regmap.schema.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

// --- YAML to JSON, as an editor's YAML 1.2 (core schema) tooling sees it ---

fn scalar(text: &str, style: ScalarStyle) -> Value {
    if style != ScalarStyle::Plain {
        return Value::String(text.to_owned());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    static INT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[-+]?[0-9]+$").unwrap());
    static HEX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^0x[0-9a-fA-F]+$").unwrap());
    static OCT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^0o[0-7]+$").unwrap());
    static FLOAT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$").unwrap()
    });
    let (int, hex, oct, float) = (&*INT, &*HEX, &*OCT, &*FLOAT);
    let number = if int.is_match(text) {
        text.parse::<i128>().ok().map(|v| v as f64).and_then(|f| {
            text.parse::<u64>()
                .map(Number::from)
                .or_else(|_| text.parse::<i64>().map(Number::from))
                .ok()
                .or_else(|| Number::from_f64(f))
        })
    } else if hex.is_match(text) {
        u64::from_str_radix(&text[2..], 16).ok().map(Number::from)
    } else if oct.is_match(text) {
        u64::from_str_radix(&text[2..], 8).ok().map(Number::from)
    } else if float.is_match(text) {
        text.parse::<f64>().ok().and_then(Number::from_f64)
    } else {
        None
    };
    number.map_or_else(|| Value::String(text.to_owned()), Value::Number)
}

/// The first document of `text` as JSON, or `None` if it is not YAML.
fn to_json(text: &str) -> Option<Value> {
    enum Open {
        Seq(Vec<Value>),
        Map(Map<String, Value>, Option<String>),
    }
    fn add(stack: &mut [Open], root: &mut Option<Value>, v: Value) {
        match stack.last_mut() {
            None => *root = Some(v),
            Some(Open::Seq(items)) => items.push(v),
            Some(Open::Map(map, key)) => match key.take() {
                None => *key = Some(v.as_str().map_or_else(|| v.to_string(), str::to_owned)),
                Some(k) => {
                    map.insert(k, v);
                }
            },
        }
    }
    let mut stack = Vec::new();
    let mut root = None;
    for event in Parser::new_from_str(text) {
        let (event, _) = event.ok()?;
        match event {
            Event::Scalar(text, style, ..) => add(&mut stack, &mut root, scalar(&text, style)),
            Event::SequenceStart(..) => stack.push(Open::Seq(Vec::new())),
            Event::MappingStart(..) => stack.push(Open::Map(Map::new(), None)),
            Event::SequenceEnd | Event::MappingEnd => {
                let v = match stack.pop()? {
                    Open::Seq(items) => Value::Array(items),
                    Open::Map(map, _) => Value::Object(map),
                };
                add(&mut stack, &mut root, v);
            }
            Event::Alias(_) => add(&mut stack, &mut root, Value::Null),
            Event::DocumentEnd => break,
            _ => {}
        }
    }
    root
}

// --- the validator ---

struct Validator {
    root: Value,
    patterns: std::sync::Mutex<BTreeMap<String, Regex>>,
}

impl Validator {
    fn regex(&self, pattern: &str) -> Regex {
        let mut cache = self.patterns.lock().unwrap();
        cache
            .entry(pattern.to_owned())
            .or_insert_with(|| Regex::new(pattern).unwrap())
            .clone()
    }

    fn valid(&self, value: &Value) -> bool {
        self.check(&self.root, value)
    }

    fn resolve<'a>(&'a self, reference: &str) -> &'a Value {
        let name = reference
            .strip_prefix("#/$defs/")
            .unwrap_or_else(|| panic!("unsupported $ref {reference}"));
        &self.root["$defs"][name]
    }

    fn check(&self, schema: &Value, value: &Value) -> bool {
        let Value::Object(keywords) = schema else {
            panic!("schema is not an object: {schema}");
        };
        let mut ok = true;
        for (keyword, arg) in keywords {
            ok &= match keyword.as_str() {
                "$schema" | "$id" | "$defs" | "title" | "description" => true,
                // Evaluated together with `if`.
                "then" | "else" => true,
                "$ref" => self.check(self.resolve(arg.as_str().unwrap()), value),
                "type" => match arg {
                    Value::String(t) => has_type(t, value),
                    Value::Array(ts) => ts.iter().any(|t| has_type(t.as_str().unwrap(), value)),
                    _ => panic!("bad type {arg}"),
                },
                "enum" => arg.as_array().unwrap().contains(value),
                "const" => arg == value,
                "pattern" => value
                    .as_str()
                    .is_none_or(|s| self.regex(arg.as_str().unwrap()).is_match(s)),
                "minimum" => value.as_f64().is_none_or(|v| v >= arg.as_f64().unwrap()),
                "maximum" => match (value.as_u64(), arg.as_u64()) {
                    (Some(v), Some(max)) => v <= max,
                    _ => value.as_f64().is_none_or(|v| v <= arg.as_f64().unwrap()),
                },
                "minItems" => value
                    .as_array()
                    .is_none_or(|a| a.len() as u64 >= arg.as_u64().unwrap()),
                "items" => value
                    .as_array()
                    .is_none_or(|a| a.iter().all(|v| self.check(arg, v))),
                "properties" => value.as_object().is_none_or(|o| {
                    o.iter()
                        .all(|(k, v)| arg.get(k).is_none_or(|s| self.check(s, v)))
                }),
                "additionalProperties" => {
                    assert_eq!(arg, &Value::Bool(false), "only `false` is supported");
                    let known = keywords["properties"].as_object().unwrap();
                    value
                        .as_object()
                        .is_none_or(|o| o.keys().all(|k| known.contains_key(k)))
                }
                "required" => value.as_object().is_none_or(|o| {
                    arg.as_array()
                        .unwrap()
                        .iter()
                        .all(|k| o.contains_key(k.as_str().unwrap()))
                }),
                "dependentRequired" => value.as_object().is_none_or(|o| {
                    arg.as_object().unwrap().iter().all(|(if_key, needs)| {
                        !o.contains_key(if_key)
                            || needs
                                .as_array()
                                .unwrap()
                                .iter()
                                .all(|k| o.contains_key(k.as_str().unwrap()))
                    })
                }),
                "anyOf" => arg.as_array().unwrap().iter().any(|s| self.check(s, value)),
                "if" => {
                    let branch = if self.check(arg, value) {
                        "then"
                    } else {
                        "else"
                    };
                    keywords.get(branch).is_none_or(|s| self.check(s, value))
                }
                other => panic!("the test validator does not know keyword `{other}`"),
            };
        }
        ok
    }
}

fn has_type(t: &str, value: &Value) -> bool {
    match t {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "number" => value.is_number(),
        "integer" => value.is_u64() || value.is_i64(),
        _ => panic!("unknown type {t}"),
    }
}

fn validator() -> Validator {
    let root = schema();
    assert_eq!(
        root["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "the schema declares draft 2020-12"
    );
    Validator {
        root,
        patterns: Default::default(),
    }
}

// --- drift: keys, access kinds, widths ---

fn keys(object: &Value) -> BTreeSet<String> {
    assert_eq!(
        object["additionalProperties"],
        Value::Bool(false),
        "level is not closed: {object}"
    );
    object["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

fn set(keys: &[&str]) -> BTreeSet<String> {
    keys.iter().map(|k| (*k).to_owned()).collect()
}

#[test]
fn schema_keys_equal_the_parser_keys_at_every_level() {
    let s = schema();
    let defs = &s["$defs"];
    let levels: [(&str, &Value, &[&str]); 8] = [
        ("top", &s, yaml::TOP_KEYS),
        ("block", &defs["block"], yaml::BLOCK_KEYS),
        ("id", &defs["id"], yaml::ID_KEYS),
        ("enum", &defs["enum"], yaml::ENUM_KEYS),
        ("value", &defs["value"], yaml::VARIANT_KEYS),
        ("register", &defs["register"], yaml::REGISTER_KEYS),
        ("cluster", &defs["cluster"], yaml::CLUSTER_KEYS),
        ("field", &defs["field"], yaml::FIELD_KEYS),
    ];
    for (level, object, parser) in levels {
        assert_eq!(keys(object), set(parser), "keys of `{level}` drifted");
    }
}

#[test]
fn schema_version_access_kinds_and_widths_equal_the_model() {
    let s = schema();
    let access: Vec<&str> = s["$defs"]["access"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let model: Vec<&str> = Access::ALL
        .iter()
        .map(|a| a.short_name())
        .chain(Access::XILINX_ALIASES.iter().map(|(alias, _)| *alias))
        .collect();
    assert_eq!(access, model);
    assert_eq!(
        s["properties"]["regmap"]["anyOf"][0]["const"],
        serde_json::json!(yaml::FORMAT_VERSION),
        "format version"
    );
    let widths = &s["$defs"]["width"]["anyOf"][0]["enum"];
    assert_eq!(widths, &serde_json::json!([8, 16, 32, 64]));
}

// --- validation of good and bad maps ---

/// Every `.yaml` map under `dir`, skipping build output, hidden directories
/// and directories of bad inputs.
fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy();
        if path.is_dir() {
            // Bad inputs live in `bad` (this corpus) or `fail` (UI tests);
            // `fuzz` holds the fuzzers' seeds and findings, mostly broken.
            let skip = name.starts_with('.') || ["target", "bad", "fail", "fuzz"].contains(&&*name);
            if !skip {
                yaml_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

#[test]
fn every_good_map_in_the_repository_is_valid_against_the_schema() {
    let v = validator();
    let mut files = Vec::new();
    yaml_files(&root(), &mut files);
    files.sort();
    assert!(
        files.iter().any(|f| f.starts_with(root().join("examples"))),
        "no example found in {files:?}"
    );
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        if let Err(report) = regmap_codegen::load_yaml_str(&text, &file.display().to_string()) {
            panic!("{} does not load:\n{report}", file.display());
        }
        let json = to_json(&text).unwrap();
        assert!(
            v.valid(&json),
            "{} is invalid against the schema",
            file.display()
        );
    }
    let doc = include_str!("../../docs/yaml-format.md");
    let start = doc.find("```yaml\n").unwrap() + "```yaml\n".len();
    let end = start + doc[start..].find("```").unwrap();
    assert!(
        v.valid(&to_json(&doc[start..end]).unwrap()),
        "the doc's example"
    );
}

/// Bad inputs whose errors are about structure (keys, types, spellings), which
/// a schema can see. Layout and naming errors are beyond it.
const STRUCTURALLY_BAD: &[&str] = &[
    "top_level_list",
    "unsupported_version",
    "missing_keys",
    "unknown_key_top",
    "unknown_key_block",
    "unknown_key_register",
    "unknown_key_field",
    "unknown_key_enum",
    "unknown_key_cluster",
    "unknown_key_id",
    "wrong_types",
    "registers_not_a_list",
    "bad_access",
    "bad_width",
    "bad_bits_shape",
    "bad_numbers",
    "stride_without_count",
    "invalid_name",
    "empty_enum",
];

#[test]
fn structurally_bad_maps_are_invalid_against_the_schema() {
    let v = validator();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad");
    for name in STRUCTURALLY_BAD {
        let text = std::fs::read_to_string(dir.join(format!("{name}.yaml"))).unwrap();
        assert!(
            regmap_codegen::load_yaml_str(&text, name).is_err(),
            "{name} loads"
        );
        let json = to_json(&text).unwrap_or_else(|| panic!("{name} is not YAML"));
        assert!(!v.valid(&json), "{name} is valid against the schema");
    }
}

// --- required keys: schema and parser agree key by key ---

/// A map using every key at every level, as `(level, key, text)` lines so
/// that any one key can be left out.
fn full_map(omit: Option<(&str, &str)>) -> String {
    let keep = |level: &str, key: &str| omit != Some((level, key));
    let mapping = |level: &str, pairs: &[(&str, &str)]| -> String {
        let inner: Vec<String> = pairs
            .iter()
            .filter(|(k, _)| keep(level, k))
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        format!("{{ {} }}", inner.join(", "))
    };
    let value = mapping(
        "value",
        &[("name", "on"), ("value", "1"), ("description", "On")],
    );
    let inline_enum = mapping(
        "enum",
        &[
            ("name", "Speed"),
            ("description", "Speed"),
            ("values", &format!("[{value}]")),
        ],
    );
    let named_enum = "{ name: Mode, values: [{ name: off, value: 0 }] }";
    let field = mapping(
        "field",
        &[
            ("name", "SPEED"),
            ("description", "Speed"),
            ("bits", "3:2"),
            ("access", "rw"),
            ("enum", &inline_enum),
        ],
    );
    let register = mapping(
        "register",
        &[
            ("name", "CTRL"),
            ("description", "Control"),
            ("offset", "0x10"),
            ("width", "32"),
            ("access", "rw"),
            ("reset", "0x0"),
            ("count", "2"),
            ("stride", "0x4"),
            (
                "fields",
                &format!("[{field}, {{ name: MODE, bits: 0, enum: Mode }}]"),
            ),
        ],
    );
    let cluster = mapping(
        "cluster",
        &[
            ("name", "ch"),
            ("description", "Channel"),
            ("offset", "0x100"),
            ("count", "2"),
            ("stride", "0x10"),
            ("registers", "[{ name: DATA, offset: 0x0 }]"),
        ],
    );
    let id = mapping(
        "id",
        &[("register", "VERSION"), ("value", "0x1"), ("mask", "0xff")],
    );
    let block = mapping(
        "block",
        &[
            ("name", "dev"),
            ("description", "A device"),
            ("size", "0x200"),
            ("id", &id),
            ("enums", &format!("[{named_enum}]")),
            (
                "registers",
                &format!("[{{ name: VERSION, offset: 0x0, access: ro }}, {register}, {cluster}]"),
            ),
        ],
    );
    mapping("top", &[("regmap", "1"), ("block", &block)])
}

#[test]
fn leaving_out_any_key_is_an_error_in_both_or_in_neither() {
    let v = validator();
    let full = full_map(None);
    assert!(regmap_codegen::load_yaml_str(&full, "full.yaml").is_ok());
    assert!(v.valid(&to_json(&full).unwrap()));
    let levels: [(&str, &[&str]); 8] = [
        ("top", yaml::TOP_KEYS),
        ("block", yaml::BLOCK_KEYS),
        ("id", yaml::ID_KEYS),
        ("enum", yaml::ENUM_KEYS),
        ("value", yaml::VARIANT_KEYS),
        ("register", yaml::REGISTER_KEYS),
        ("cluster", yaml::CLUSTER_KEYS),
        ("field", yaml::FIELD_KEYS),
    ];
    let mut disagreements = BTreeMap::new();
    for (level, keys) in levels {
        for key in keys {
            let text = full_map(Some((level, key)));
            let (_, report) = regmap_codegen::check_yaml_str(&text, "omit.yaml");
            // Only front-end errors: leaving out `enum` also leaves an
            // unused enum, `count` turns an array into one register, which
            // the layout checks may judge; the schema sees structure only.
            let parser_ok = !report.diagnostics().iter().any(|d| {
                d.is_error() && matches!(d.code, "missing-key" | "wrong-type" | "unknown-key")
            });
            let schema_ok = v.valid(&to_json(&text).unwrap());
            if parser_ok != schema_ok {
                disagreements.insert(
                    format!("{level}.{key}"),
                    format!("parser ok: {parser_ok}, schema ok: {schema_ok}\n{report}"),
                );
            }
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

#[test]
fn the_test_validator_rejects_what_it_should() {
    // Guards against a validator that accepts everything.
    let v = validator();
    for bad in [
        serde_json::json!({}),
        serde_json::json!({"regmap": 2, "block": {"name": "a", "size": 1, "registers": []}}),
        serde_json::json!({"regmap": 1, "block": {"name": "a", "size": "0xZZ", "registers": []}}),
        serde_json::json!({"regmap": 1, "block": {"name": "1a", "size": 1, "registers": []}}),
        serde_json::json!({"regmap": 1, "block": {"name": "a", "size": 1, "registers": [
            {"name": "R", "offset": 0, "fields": [{"name": "F", "bits": "7-4"}]}]}}),
        serde_json::json!({"regmap": 1, "block": {"name": "a", "size": 1, "registers": [
            {"name": "R", "offset": 0, "access": "RW"}]}}),
        serde_json::json!({"regmap": 1, "block": {"name": "a", "size": 1, "registers": [
            {"name": "C", "offset": 0, "width": 32, "registers": []}]}}),
    ] {
        assert!(!v.valid(&bad), "accepted {bad}");
    }
    let good = serde_json::json!({"regmap": 1, "block": {"name": "a", "size": "0x1_0", "registers": [
        {"name": "R", "offset": 0, "fields": [{"name": "F", "bits": "7:4", "enum": "E"}]},
        {"name": "C", "offset": 4, "count": 2, "stride": 4, "registers": []}]}});
    assert!(v.valid(&good));
}
