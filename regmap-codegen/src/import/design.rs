//! The design file: an address map of block instances, in YAML.
//!
//! ```yaml
//! regmap: 1
//! design:
//!   name: STM32H7x3
//!   instances:
//!     - name: GPIOA
//!       map: gpioa.yaml          # the block's map, relative to this file
//!       base: 0x58020000
//!       size: 0x400              # optional
//!       interrupts:              # optional
//!         - { name: EXTI0, number: 6 }
//!       parameters:              # optional, values as written by the vendor tool
//!         - { name: C_GPIO_WIDTH, value: "32" }
//! ```
//!
//! `regmap-cli import` writes it beside one map per distinct block;
//! `docs/importers.md` describes it and `schemas/regmap-design.schema.json`
//! is its JSON Schema.

/// The design file format version written by [`super::design_yaml`].
pub const DESIGN_FORMAT_VERSION: u64 = 1;

/// The JSON Schema (draft 2020-12) of the design file.
pub const DESIGN_JSON_SCHEMA: &str = include_str!("../../regmap-design.schema.json");

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{ImportedDesign, Instance, Interrupt, Parameter};
use crate::Report;
use crate::diag::Diagnostic;
use crate::ir::{self, Spanned};
use crate::names::fn_name;
use crate::source::SourceFile;
use crate::yaml::design::parse_design;

/// Reads the design file at `path` and the maps it names (paths relative to
/// it, each loaded and checked once however many instances use it).
///
/// Returns the design when everything loads, and the report of every file
/// that has something to say (the design file's first), errors and warnings.
pub fn load_design_file(path: &Path) -> (Option<ImportedDesign>, Vec<Report>) {
    let name = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) => return (None, vec![Report::io_error(&name, &err)]),
    };
    let dir = path.parent().unwrap_or(Path::new(""));
    load_design_str(&text, &name, dir, crate::check_yaml_file)
}

/// [`load_design_file`] for a design file held in `text` (named `file_name`
/// in diagnostics), whose map paths are relative to `dir`: `load_map` reads
/// and checks the map at a path, as [`crate::check_yaml_file`] does. For tools
/// that hold their maps elsewhere than in files (and the fuzz targets).
pub fn load_design_str(
    text: &str,
    file_name: &str,
    dir: &Path,
    mut load_map: impl FnMut(&Path) -> (Option<ir::Design>, Report),
) -> (Option<ImportedDesign>, Vec<Report>) {
    let mut file = SourceFile::new(file_name, text);
    let (parsed, mut diags) = parse_design(&mut file);
    let mut reports = Vec::new();
    let Some(parsed) = parsed else {
        return (None, vec![Report::new(file, diags)]);
    };
    let mut blocks: Vec<ir::Block> = Vec::new();
    // Map path -> name of its block (None: it did not load).
    let mut loaded: HashMap<PathBuf, Option<String>> = HashMap::new();
    // Module name -> the map declaring it, and its block's name.
    let mut block_file: HashMap<String, (PathBuf, String)> = HashMap::new();
    let mut instance_names: HashMap<String, Spanned<String>> = HashMap::new();
    let mut instances = Vec::new();
    for inst in parsed.instances {
        let map_path = dir.join(&inst.map.value);
        let block = loaded
            .entry(map_path.clone())
            .or_insert_with(|| {
                let (design, report) = load_map(&map_path);
                let ok = !report.has_errors();
                if !report.diagnostics().is_empty() {
                    reports.push(report);
                }
                let block = design.filter(|_| ok)?.blocks.into_iter().next()?;
                let block_name = block.name.value.clone();
                blocks.push(block);
                Some(block_name)
            })
            .clone();
        let Some(block) = block else {
            diags.push(
                Diagnostic::error(
                    "map-does-not-load",
                    inst.map.loc,
                    format!("the map of instance `{}` does not load", inst.name.value),
                )
                .with_label("this map")
                .with_hint("fix the errors reported for it"),
            );
            continue;
        };
        // Blocks become modules side by side: distinct in `snake_case`.
        let module = fn_name(&block);
        match block_file.get(&module) {
            Some((other, first)) if *other != map_path => diags.push(
                Diagnostic::error(
                    "name-collision",
                    inst.map.loc,
                    if *first == block {
                        format!(
                            "`{}` and `{}` both declare block `{block}`",
                            other.display(),
                            map_path.display()
                        )
                    } else {
                        format!(
                            "block `{first}` of `{}` and block `{block}` of `{}` both become the module `{module}`",
                            other.display(),
                            map_path.display()
                        )
                    },
                )
                .with_label("a second block of this name")
                .with_hint("rename one of the blocks"),
            ),
            Some(_) => {}
            None => {
                block_file.insert(module, (map_path.clone(), block.clone()));
            }
        }
        let rust = fn_name(&inst.name.value);
        if !crate::check::names::is_valid_name(&inst.name.value) {
            diags.push(
                Diagnostic::error(
                    "invalid-name",
                    inst.name.loc,
                    format!("instance name `{}` is not a valid name", inst.name.value),
                )
                .with_label("not a name")
                .with_hint("names are ASCII letters, digits and `_`, starting with a letter"),
            );
        } else if let Some(first) = instance_names.get(&rust) {
            diags.push(
                Diagnostic::error(
                    "name-collision",
                    inst.name.loc,
                    format!(
                        "instances `{}` and `{}` both become `{rust}`",
                        first.value, inst.name.value
                    ),
                )
                .with_label(format!("becomes `{rust}`"))
                .with_related(first.loc, "the first is here")
                .with_hint("rename one of them"),
            );
        } else {
            instance_names.insert(rust, inst.name.clone());
        }
        instances.push(Instance {
            name: inst.name,
            block,
            base: inst.base,
            size: inst.size.map(|s| s.value),
            interrupts: inst
                .interrupts
                .into_iter()
                .map(|(name, number, controller)| Interrupt {
                    name,
                    number,
                    controller,
                })
                .collect(),
            parameters: inst
                .parameters
                .into_iter()
                .map(|(name, value)| Parameter { name, value })
                .collect(),
            description: inst.description,
        });
    }
    let design_report = Report::new(file, diags);
    let ok = !design_report.has_errors() && reports.iter().all(|r| !r.has_errors());
    if !design_report.diagnostics().is_empty() {
        reports.insert(0, design_report);
    }
    let design = ok.then_some(ImportedDesign {
        name: parsed.name,
        description: parsed.description,
        blocks,
        instances,
    });
    (design, reports)
}
