//! The design file (`docs/importers.md`): YAML nodes to a [`DesignFile`].
//!
//! Same YAML subset, numbers and diagnostics as a block map; the maps it
//! names are loaded by [`crate::import::load_design_file`].

use super::lower::{Got, Lower, Reported};
use super::tree::{self, Node};
use crate::diag::Diagnostic;
use crate::ir::Spanned;
use crate::source::SourceFile;

/// Keys of a design file's top-level mapping.
pub const DESIGN_TOP_KEYS: &[&str] = &["regmap", "design"];
/// Keys of `design`.
pub const DESIGN_KEYS: &[&str] = &["name", "description", "instances"];
/// Keys of an instance.
pub const INSTANCE_KEYS: &[&str] = &[
    "name",
    "map",
    "base",
    "size",
    "description",
    "interrupts",
    "parameters",
];
/// Keys of an interrupt line.
pub const INTERRUPT_KEYS: &[&str] = &["name", "number", "controller"];
/// Keys of a parameter.
pub const PARAMETER_KEYS: &[&str] = &["name", "value"];

/// A design file as written: instances and the maps of their blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesignFile {
    /// The design's name.
    pub name: Spanned<String>,
    /// Description.
    pub description: Option<String>,
    /// Instances, in file order.
    pub instances: Vec<DesignInstance>,
}

/// One instance in a design file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesignInstance {
    /// Instance name.
    pub name: Spanned<String>,
    /// Path of the block's map, relative to the design file.
    pub map: Spanned<String>,
    /// Base address.
    pub base: Spanned<u64>,
    /// Window size in bytes.
    pub size: Option<Spanned<u64>>,
    /// Description.
    pub description: Option<String>,
    /// Interrupt lines: name (optional), number, controller (optional).
    pub interrupts: Vec<(Option<String>, u64, Option<String>)>,
    /// Parameters: name and value.
    pub parameters: Vec<(String, String)>,
}

/// Whether `text` is a design file rather than a block map: its top level
/// has a `design` key.
pub fn is_design(text: &str) -> bool {
    text.lines().any(|l| {
        l.strip_prefix("design")
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

/// Parses the design file in `file`.
pub fn parse_design(file: &mut SourceFile) -> (Option<DesignFile>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let design = match tree::parse(file, &mut diags) {
        Some(root) => {
            let mut cx = Lower {
                file,
                diags: &mut diags,
            };
            cx.design_file(&root).ok()
        }
        None => None,
    };
    if design.is_none() && diags.is_empty() {
        let loc = file.loc(0..0);
        diags.push(
            Diagnostic::error("missing-key", loc, "the file is empty")
                .with_hint("start with `regmap: 1` and a `design:` mapping"),
        );
    }
    (design, diags)
}

impl Lower<'_> {
    fn design_file(&mut self, root: &Node) -> Got<DesignFile> {
        let top = self.map(root, "design file", DESIGN_TOP_KEYS)?;
        let version = self
            .required(&top, "regmap")
            .and_then(|e| self.number(&e.value, "the format version"));
        if let Ok(v) = &version
            && v.value != super::FORMAT_VERSION
        {
            let entry = top.get("regmap").ok_or(Reported)?;
            self.error(
                "unsupported-version",
                entry.value.span.clone(),
                format!("unsupported format version {}", v.value),
            )
            .label("this version")
            .hint(format!("write `regmap: {}`", super::FORMAT_VERSION))
            .emit();
            return Err(Reported);
        }
        let entry = self.required(&top, "design")?;
        version?;
        let map = self.map(&entry.value, "design", DESIGN_KEYS)?;
        let name = self.name(&map);
        let description = self.opt_string(&map, "description");
        let instances = self
            .required(&map, "instances")
            .and_then(|e| self.list(&e.value, "instances"))
            .map(|nodes| {
                nodes
                    .iter()
                    .filter_map(|n| self.design_instance(n).ok())
                    .collect()
            });
        Ok(DesignFile {
            name: name?,
            description: description?,
            instances: instances?,
        })
    }

    fn design_instance(&mut self, node: &Node) -> Got<DesignInstance> {
        let map = self.map(node, "instance", INSTANCE_KEYS)?;
        let name = self.name(&map);
        let path = self
            .required(&map, "map")
            .and_then(|e| self.string(&e.value, "a map path"));
        let base = self
            .required(&map, "base")
            .and_then(|e| self.number(&e.value, "a base address"));
        let size = match map.get("size") {
            Some(e) => self.number(&e.value, "a size").map(Some),
            None => Ok(None),
        };
        let description = self.opt_string(&map, "description");
        let mut interrupts = Vec::new();
        if let Some(e) = map.get("interrupts") {
            for n in self.list(&e.value, "interrupts")? {
                let m = self.map(n, "interrupt", INTERRUPT_KEYS)?;
                let name = self.opt_string(&m, "name")?;
                let number = self
                    .required(&m, "number")
                    .and_then(|e| self.number(&e.value, "an interrupt number"))?;
                let controller = self.opt_string(&m, "controller")?;
                interrupts.push((name, number.value, controller));
            }
        }
        let mut parameters = Vec::new();
        if let Some(e) = map.get("parameters") {
            for n in self.list(&e.value, "parameters")? {
                let m = self.map(n, "parameter", PARAMETER_KEYS)?;
                let name = self.name(&m)?;
                let value = self
                    .required(&m, "value")
                    .and_then(|e| self.string(&e.value, "a value"))?;
                parameters.push((name.value, value.value));
            }
        }
        Ok(DesignInstance {
            name: name?,
            map: path?,
            base: base?,
            size: size?,
            description: description?,
            interrupts,
            parameters,
        })
    }
}
