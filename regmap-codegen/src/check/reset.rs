//! Reset values that fit their register.

use super::walk::{self, hex, max_value};
use crate::diag::Diagnostic;
use crate::ir::Block;

/// Checks the reset value of every register of `block`.
pub(super) fn check(block: &Block) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    walk::registers(&block.items, &mut |r| {
        let bits = r.width.value.bits();
        if r.reset.value > max_value(bits) {
            diags.push(
                Diagnostic::error(
                    "reset-too-wide",
                    r.reset.loc,
                    format!(
                        "reset value {} does not fit in the {bits}-bit register `{}`",
                        hex(r.reset.value),
                        r.name.value
                    ),
                )
                .with_label(format!("more than {}", walk::bits(bits)))
                .with_related(r.width.loc, format!("`{}` is {bits} bits wide", r.name.value))
                .with_hint(format!(
                    "the largest {bits}-bit value is {}: check the digits, or the register's `width`",
                    hex(max_value(bits))
                )),
            );
        }
    });
    diags
}
