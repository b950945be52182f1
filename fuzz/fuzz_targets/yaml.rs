//! The YAML front end: a block map through parse, checks and (when clean)
//! the Rust emitter; a design file through its parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use regmap_codegen::source::SourceFile;
use regmap_codegen::yaml::design::{is_design, parse_design};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if is_design(&text) {
        let mut file = SourceFile::new("design.yaml", &*text);
        let (_design, diags) = parse_design(&mut file);
        common::check_report(&regmap_codegen::Report::new(file, diags));
        return;
    }
    let (design, report) = regmap_codegen::check_yaml_str(&text, "fuzz.yaml");
    common::check_report(&report);
    match design {
        Some(design) if !report.has_errors() => common::emit(&design),
        Some(_) => {}
        None => assert!(report.has_errors(), "no design and no error"),
    }
});
