//! What every target checks besides "no panic": a report renders, and each
//! located error resolves to a line and column of the input.

// Each target uses the part of these helpers its front end needs.
#![allow(dead_code)]

use regmap_codegen::Report;
use regmap_codegen::emit::{self, EmitOptions};
use regmap_codegen::ir::{Design, Loc};

/// Renders `report` and checks that every located error points into the input.
pub fn check_report(report: &Report) {
    let rendered = report.render(false);
    if report.has_errors() {
        assert!(!rendered.is_empty(), "errors render to nothing");
    }
    for d in report.diagnostics() {
        if d.is_error() && d.loc != Loc::NONE {
            assert!(
                report.line_col(d).is_some(),
                "{} has a dangling loc",
                d.code
            );
        }
    }
}

/// Emits and formats a checked design: generation must never fail on a map
/// the checks accept, so the text must not be the emitter's bug marker, nor
/// hold what rustc refuses though the emitter's own lexer lets it through.
pub fn emit(design: &Design) {
    let text = emit::format(&emit::emit_design(design, &EmitOptions::default()));
    assert!(
        !text.contains("generated code does not parse"),
        "the emitter wrote code that does not parse:\n{text}"
    );
    assert_rustc_lexes(&text);
    assert_no_doc_code_block(&text);
}

/// No doc comment line starts a block other than a heading (the emitter's
/// own `# Errors`): an indented or fenced code block is a doctest of the
/// user's crate, and a list item or block quote may hold one or end a code
/// span's paragraph early.
pub fn assert_no_doc_code_block(text: &str) {
    for line in text.lines() {
        let Some(doc) = line.trim_start().strip_prefix("///") else {
            continue;
        };
        let content = doc.strip_prefix(' ').unwrap_or(doc);
        let body = content.trim_start_matches(' ');
        let digits = body.len() - body.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let opens = content.len() - body.len() >= 4
            || body.starts_with(['>', '-', '+', '*', '=', '_', '|', ':'])
            || body.starts_with("```")
            || body.starts_with("~~~")
            || body.starts_with("[^")
            || (body.starts_with('<') && !body.starts_with("<http"))
            || (digits > 0 && body[digits..].starts_with(['.', ')']));
        assert!(!opens, "a doc line starts a block: {line:?}");
    }
}

/// rustc refuses a carriage return that does not end a line in a doc
/// comment, and a control changing the direction of text in any comment or
/// literal (deny-by-default lints); generated Rust holds no carriage return
/// at all.
pub fn assert_rustc_lexes(text: &str) {
    let direction = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    assert!(
        !text.contains('\r') && !text.contains(direction),
        "generated Rust holds a carriage return or a direction control:\n{text:?}"
    );
}

/// What `regmap-cli import` writes from an import loads again: every block's
/// YAML checks without errors, and so does the design file naming them.
pub fn written_yaml_loads(design: &regmap_codegen::import::ImportedDesign) {
    use regmap_codegen::import;
    for block in &design.blocks {
        let yaml = import::block_yaml(block);
        let (_, report) = regmap_codegen::check_yaml_str(&yaml, "block.yaml");
        assert!(
            !report.has_errors(),
            "written YAML does not load:\n{yaml}\n{report}"
        );
    }
    let yaml = import::design_yaml(design);
    let mut file = regmap_codegen::source::SourceFile::new("design.yaml", &*yaml);
    let (_, diags) = regmap_codegen::yaml::design::parse_design(&mut file);
    assert!(
        diags.iter().all(|d| !d.is_error()),
        "written design file does not load:\n{yaml}\n{}",
        regmap_codegen::Report::new(file, diags)
    );
}

/// Every block of a clean design, written in `#[register_block]` syntax and
/// lowered by the Rust front end, checks clean and emits the same tokens: the
/// two front ends agree on whatever the YAML one accepts.
pub fn rust_syntax_agrees(design: &Design) {
    use regmap_codegen::{check, rust_frontend};
    let opts = EmitOptions::default();
    for block in &design.blocks {
        let source = rust_frontend::to_rust(block);
        assert_rustc_lexes(&source);
        let parsed = match rust_frontend::parse_str(&source) {
            Ok(parsed) => parsed,
            Err(err) => panic!("the Rust syntax of a clean block does not lower: {err}\n{source}"),
        };
        let diags = check::check(&parsed.design);
        if let Some(err) = rust_frontend::to_error(&diags, &parsed.spans) {
            panic!("the Rust syntax of a clean block does not check: {err}\n{source}");
        }
        assert_eq!(
            emit::emit_block(&parsed.design.blocks[0], &opts).to_string(),
            emit::emit_block(block, &opts).to_string(),
            "the two front ends disagree on\n{source}"
        );
    }
}
