//! Array shapes: a count of at least one, a stride no smaller than an element.

use super::layout::extent;
use super::walk::hex;
use crate::diag::Diagnostic;
use crate::ir::{Array, Block, Item};

/// Checks every register and cluster array of `block`.
pub(super) fn check(block: &Block) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    visit(&block.items, &mut diags);
    diags
}

fn visit(items: &[Item], diags: &mut Vec<Diagnostic>) {
    for item in items {
        let (array, element, what) = match item {
            Item::Register(r) => (&r.array, u128::from(r.width.value.bytes()), "register"),
            Item::Cluster(c) => {
                visit(&c.items, diags);
                (&c.array, extent(&c.items), "cluster")
            }
        };
        let Some(array) = array else { continue };
        check_array(array, element, what, &item.name().value, diags);
    }
}

fn check_array(array: &Array, element: u128, what: &str, name: &str, diags: &mut Vec<Diagnostic>) {
    if array.count.value == 0 {
        diags.push(
            Diagnostic::error(
                "zero-count",
                array.count.loc,
                format!("{what} array `{name}` has no elements"),
            )
            .with_label("count of 0")
            .with_hint("an array needs `count: 1` or more; remove `count` for a single one"),
        );
    }
    // One element needs no stride: nothing follows it.
    if array.count.value > 1 && u128::from(array.stride.value) < element {
        diags.push(
            Diagnostic::error(
                "stride-too-small",
                array.stride.loc,
                format!(
                    "the elements of {what} array `{name}` overlap: stride {} is smaller than an element ({} bytes)",
                    hex(array.stride.value),
                    hex(element)
                ),
            )
            .with_label(format!("less than {} bytes", hex(element)))
            .with_hint(format!("set `stride:` to at least {}", hex(element))),
        );
    }
}
