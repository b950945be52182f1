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
