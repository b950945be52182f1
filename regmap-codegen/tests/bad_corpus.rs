//! The bad-input corpus: every `tests/bad/*.yaml` must fail to load, and its
//! rendered diagnostics must equal the pinned `*.stderr` beside it.
//!
//! `REGMAP_BLESS=1 cargo test -p regmap-codegen --test bad_corpus` rewrites
//! the pins; review the diff before committing it.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use regmap_codegen::load_yaml_str;

/// Every diagnostic code the front end and the checks can produce, except
/// `io` (unreadable file) and `overlap-check-limited` (a warning on huge
/// arrays); the corpus must exercise each.
const CODES: &[&str] = &[
    "yaml-syntax",
    "yaml-unsupported",
    "duplicate-key",
    "unsupported-version",
    "missing-key",
    "unknown-key",
    "wrong-type",
    "bad-number",
    "number-too-large",
    "bad-bits",
    "bad-access",
    "bad-width",
    "register-past-end",
    "cluster-past-end",
    "misaligned-register",
    "overlapping-registers",
    "overlapping-fields",
    "field-past-width",
    "reset-too-wide",
    "enum-value-too-wide",
    "duplicate-enum-value",
    "empty-enum",
    "unknown-enum",
    "id-value-too-wide",
    "id-value-outside-mask",
    "unknown-id-register",
    "id-register-unusable",
    "name-collision",
    "rust-keyword",
    "invalid-name",
    "access-conflict",
    "zero-count",
    "stride-too-small",
    "unknown-alternate",
    "alternate-of-itself",
    "alternate-array",
    "alternate-chain",
    "alternate-not-overlapping",
];

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad")
}

fn files_with(ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

#[test]
fn every_bad_input_fails_with_its_pinned_diagnostics() {
    let bless = std::env::var_os("REGMAP_BLESS").is_some_and(|v| v == "1");
    let inputs = files_with("yaml");
    assert!(
        inputs.len() >= 30,
        "the corpus has only {} files",
        inputs.len()
    );
    let mut failures = Vec::new();
    let mut codes = BTreeSet::new();
    for input in &inputs {
        let stem = input.file_stem().unwrap().to_str().unwrap();
        let text = fs::read_to_string(input).unwrap();
        // A stable relative name keeps the pins free of machine paths.
        let shown = format!("tests/bad/{stem}.yaml");
        let report = match load_yaml_str(&text, &shown) {
            Ok(_) => {
                failures.push(format!("{shown}: loaded without errors"));
                continue;
            }
            Err(report) => report,
        };
        if !report.has_errors() {
            failures.push(format!("{shown}: the report holds no error"));
        }
        for d in report.diagnostics() {
            codes.insert(d.code);
            if d.is_error() && report.line_col(d).is_none() {
                failures.push(format!("{shown}: `{}` has no line and column", d.code));
            }
        }
        let actual = report.to_string();
        let pin = input.with_extension("stderr");
        if bless {
            fs::write(&pin, &actual).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&pin).unwrap_or_default();
        if expected.trim().is_empty() {
            failures.push(format!(
                "{shown}: no pinned output (run with REGMAP_BLESS=1)"
            ));
        } else if expected != actual {
            failures.push(format!(
                "{shown}: output differs from {stem}.stderr\n--- expected\n{expected}\n--- actual\n{actual}"
            ));
        }
    }
    for pin in files_with("stderr") {
        if !pin.with_extension("yaml").exists() {
            failures.push(format!("{} has no input beside it", pin.display()));
        }
    }
    let missing: Vec<_> = CODES.iter().filter(|c| !codes.contains(**c)).collect();
    if !missing.is_empty() {
        failures.push(format!("no corpus file produces {missing:?}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
