//! The regmap register model and its pipeline.
//!
//! ```text
//! source (YAML file | #[register_block] item) -> front end -> ir::Design
//!     -> check (small passes, each returning Diagnostics) -> emit (Rust tokens)
//! ```
//!
//! Read [`ir`] first: it is the contract between front ends and back ends.
//! [`diag`] holds diagnostics; a front end records where each IR node came
//! from (a [`ir::Loc`]) and renders diagnostics against its own sources.

pub mod diag;
pub mod ir;
