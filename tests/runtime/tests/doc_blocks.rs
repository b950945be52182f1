//! Every code block of the README and of `docs/*.md` is tested by something:
//! Rust blocks by rustdoc (their file is included with `#[doc =
//! include_str!(..)]` somewhere in the workspace, so `cargo test` compiles
//! them and runs the runnable ones), register maps by loading them here, and
//! every other block says its language. Nothing is `ignore`d: a snippet that
//! stops compiling fails the tests.

use std::path::{Path, PathBuf};

/// Languages a block may be written in besides Rust (not compiled).
const OTHER_LANGUAGES: &[&str] = &["sh", "yaml", "toml", "dts", "text", "c", "json", "python"];
/// Rustdoc attributes a Rust block may carry: `no_run` for code that needs
/// hardware (it is still compiled).
const RUST_ATTRIBUTES: &[&str] = &["no_run", "should_panic"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `(line, info string, body)` of each fenced block of `text`.
fn blocks(text: &str) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, String, String)> = None;
    for (i, line) in text.lines().enumerate() {
        if let Some(info) = line.trim_start().strip_prefix("```") {
            match open.take() {
                None => open = Some((i + 1, info.trim().to_owned(), String::new())),
                Some(block) => out.push(block),
            }
        } else if let Some((_, _, body)) = &mut open {
            body.push_str(line);
            body.push('\n');
        }
    }
    assert!(open.is_none(), "an unclosed code block");
    out
}

fn docs() -> Vec<PathBuf> {
    let mut files = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// The Markdown files that some crate of the workspace includes as rustdoc.
fn included_as_rustdoc() -> Vec<String> {
    fn walk(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for line in text.lines() {
                    if let Some(rest) = line.trim().strip_prefix("#[doc = include_str!(\"")
                        && let Some(end) = rest.find("\")")
                    {
                        let name = Path::new(&rest[..end]).file_name().unwrap();
                        found.push(name.to_string_lossy().into_owned());
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    for dir in [
        "regmap-runtime/src",
        "regmap-codegen/src",
        "tests/runtime/src",
    ] {
        walk(&root().join(dir), &mut found);
    }
    found
}

#[test]
fn every_block_says_its_language_and_none_is_ignored() {
    let mut problems = Vec::new();
    for file in docs() {
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        for (line, info, _) in blocks(&std::fs::read_to_string(&file).unwrap()) {
            let mut parts = info.split(',').map(str::trim);
            let language = parts.next().unwrap_or("");
            let rest: Vec<&str> = parts.collect();
            let ok = match language {
                "rust" => rest.iter().all(|a| RUST_ATTRIBUTES.contains(a)),
                // Rustdoc reads a block without a language as Rust.
                "" => false,
                other => OTHER_LANGUAGES.contains(&other) && rest.is_empty(),
            };
            if !ok {
                problems.push(format!("{name}:{line}: ```{info}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "blocks without a language, `ignore`d or of an unknown kind:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_file_with_rust_blocks_is_compiled_by_rustdoc() {
    let included = included_as_rustdoc();
    let missing: Vec<String> = docs()
        .into_iter()
        .filter(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            blocks(&text)
                .iter()
                .any(|(_, info, _)| info.starts_with("rust"))
        })
        .map(|file| file.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|name| !included.contains(name))
        .collect();
    assert!(
        missing.is_empty(),
        "Rust blocks that no doctest compiles: include these files with \
         `#[doc = include_str!(..)]`: {missing:?}"
    );
}

#[test]
fn every_register_map_in_the_docs_loads() {
    let mut checked = 0;
    for file in docs() {
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        for (line, info, body) in blocks(&std::fs::read_to_string(&file).unwrap()) {
            // Whole maps only: a design file names maps that are not beside it.
            if info != "yaml" || !body.lines().any(|l| l == "block:") {
                continue;
            }
            if let Err(report) = regmap_codegen::load_yaml_str(&body, &format!("{name}:{line}")) {
                panic!("{}", report.render(false));
            }
            checked += 1;
        }
    }
    assert!(checked >= 2, "the README's and the format's maps");
}
