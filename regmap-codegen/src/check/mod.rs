//! Layout and naming checks on the IR, independent of the front end.
//!
//! [`check`] runs every pass on every block; each pass is a small module
//! returning its diagnostics, and all problems are reported, not only the
//! first. Passes read only the IR and its [`Loc`](crate::ir::Loc)s, so the
//! YAML front end and the macro front end share them.
//!
//! | code | pass |
//! |------|------|
//! | `register-past-end`, `misaligned-register`, `overlapping-registers` | [`layout`] |
//! | `zero-count`, `stride-too-small` | [`arrays`] |
//! | `field-past-width`, `overlapping-fields`, `access-conflict` | [`fields`] |
//! | `reset-too-wide` | [`reset`] |
//! | `unknown-enum`, `empty-enum`, `duplicate-enum-value`, `enum-value-too-wide` | [`enums`] |
//! | `unknown-id-register`, `id-register-unusable`, `id-value-too-wide`, `id-value-outside-mask` | [`id`] |
//! | `invalid-name`, `rust-keyword`, `name-collision` | [`names`] |

mod arrays;
mod enums;
mod fields;
mod id;
mod layout;
pub mod names;
mod reset;
mod walk;

use crate::diag::Diagnostic;
use crate::ir::{Block, Design};

/// The passes, in the order their diagnostics are listed.
const PASSES: &[fn(&Block) -> Vec<Diagnostic>] = &[
    names::check,
    arrays::check,
    layout::check,
    fields::check,
    reset::check,
    enums::check,
    id::check,
];

/// Runs every check on every block of `design`.
pub fn check(design: &Design) -> Vec<Diagnostic> {
    design
        .blocks
        .iter()
        .flat_map(|block| PASSES.iter().flat_map(move |pass| pass(block)))
        .collect()
}
