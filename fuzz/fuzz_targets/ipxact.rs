//! The IpXact importer: parse, rename, merge, check, then (on success) the
//! YAML writer, whose output must load again, and the Rust emitter.
#![no_main]

use libfuzzer_sys::fuzz_target;
use regmap_codegen::import::{self, Format};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match import::import_str(&text, "component.xml", Some(Format::IpXact)) {
        Ok(imported) => {
            common::check_report(&imported.report);
            common::written_yaml_loads(&imported.design);
            common::emit(&imported.design.to_ir());
        }
        Err(report) => common::check_report(&report),
    }
});
