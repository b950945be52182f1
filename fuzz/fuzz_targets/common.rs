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
/// the checks accept, so the text must not be the emitter's bug marker.
pub fn emit(design: &Design) {
    let text = emit::format(&emit::emit_design(design, &EmitOptions::default()));
    assert!(
        !text.contains("generated code does not parse"),
        "the emitter wrote code that does not parse:\n{text}"
    );
}
