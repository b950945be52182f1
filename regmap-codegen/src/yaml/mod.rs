//! The YAML front end: format version 1 (`docs/yaml-format.md`) to [`ir::Design`].
//!
//! Parsing is in two steps: `tree` turns text into nodes with byte spans
//! (syntax errors, duplicate keys), then `lower` (with `values`) walks the
//! nodes against the format's keys (unknown keys, wrong types, bad numbers)
//! and builds the IR,
//! recording a [`Loc`](crate::ir::Loc) for every node in the [`SourceFile`].
//! Layout checks are not done here: [`crate::check::check`] runs them on the
//! IR, whichever front end built it.
//!
//! The `*_KEYS` constants are the keys accepted at each level; the JSON schema
//! in `schemas/regmap.schema.json` is tested against them.

pub mod design;
mod lower;
mod number;
mod tree;
mod values;

use crate::diag::Diagnostic;
use crate::ir;
use crate::source::SourceFile;

/// The JSON Schema (draft 2020-12) of the format, for editors and
/// `regmap-cli schema`; `tests/schema.rs` keeps it equal to this parser.
pub const JSON_SCHEMA: &str = include_str!("../../regmap.schema.json");

/// The format version this front end reads.
pub const FORMAT_VERSION: u64 = 1;

/// Keys of the top-level mapping.
pub const TOP_KEYS: &[&str] = &["regmap", "block"];
/// Keys of `block`.
pub const BLOCK_KEYS: &[&str] = &["name", "description", "size", "id", "enums", "registers"];
/// Keys of `block.id`.
pub const ID_KEYS: &[&str] = &["register", "value", "mask"];
/// Keys of an enum (in `block.enums` or inline as a field's `enum`).
pub const ENUM_KEYS: &[&str] = &["name", "description", "values"];
/// Keys of one enum value.
pub const VARIANT_KEYS: &[&str] = &["name", "value", "description"];
/// Keys of a register (an item without `registers`).
pub const REGISTER_KEYS: &[&str] = &[
    "name",
    "description",
    "offset",
    "width",
    "access",
    "reset",
    "count",
    "stride",
    "fields",
    "alternate_of",
];
/// Keys of a cluster (an item with `registers`).
pub const CLUSTER_KEYS: &[&str] = &[
    "name",
    "description",
    "offset",
    "count",
    "stride",
    "registers",
];
/// Keys of a field.
pub const FIELD_KEYS: &[&str] = &["name", "description", "bits", "access", "enum"];

/// Parses YAML `file` into a design holding one block.
///
/// Returns the design (when the text was well-formed enough to build one;
/// parts with errors are left out) and every problem found. The design is
/// not layout-checked: call [`crate::check::check`] for that.
pub fn parse(file: &mut SourceFile) -> (Option<ir::Design>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let design = match tree::parse(file, &mut diags) {
        Some(root) => lower::lower(file, &mut diags, &root),
        None => {
            if diags.is_empty() {
                let loc = file.loc(0..0);
                diags.push(
                    Diagnostic::error("missing-key", loc, "the file is empty")
                        .with_label("no register block here")
                        .with_hint("start with `regmap: 1` and a `block:` mapping"),
                );
            }
            None
        }
    };
    (design, diags)
}
