//! Enums: references that resolve, at least one value, distinct values,
//! and values that fit every field using them.

use std::collections::HashMap;

use super::walk::{self, hex, max_value};
use crate::diag::Diagnostic;
use crate::ir::{Block, Enum, EnumRef, Field};

/// Checks every enum of `block` and every field's use of one.
pub(super) fn check(block: &Block) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for e in walk::enums(block) {
        shape(e, &mut diags);
    }
    let named: HashMap<&str, &Enum> = block
        .enums
        .iter()
        .map(|e| (e.name.value.as_str(), e))
        .collect();
    walk::registers(&block.items, &mut |r| {
        for field in &r.fields {
            let e = match &field.enumeration {
                None => continue,
                Some(EnumRef::Inline(e)) => e,
                Some(EnumRef::Named(name)) => match named.get(name.value.as_str()) {
                    Some(e) => e,
                    None => {
                        diags.push(unknown(block, field, &name.value, name.loc));
                        continue;
                    }
                },
            };
            fits(e, field, &mut diags);
        }
    });
    diags
}

fn shape(e: &Enum, diags: &mut Vec<Diagnostic>) {
    if e.variants.is_empty() {
        diags.push(
            Diagnostic::error(
                "empty-enum",
                e.name.loc,
                format!("enum `{}` has no values", e.name.value),
            )
            .with_label("no values")
            .with_hint(
                "list at least one `{ name: ..., value: ... }` under `values`, or remove the enum",
            ),
        );
    }
    let mut seen: HashMap<u64, usize> = HashMap::new();
    for (i, v) in e.variants.iter().enumerate() {
        if let Some(&first) = seen.get(&v.value.value) {
            let first = &e.variants[first];
            diags.push(
                Diagnostic::error(
                    "duplicate-enum-value",
                    v.value.loc,
                    format!(
                        "`{}` and `{}` of enum `{}` have the same value {}",
                        first.name.value,
                        v.name.value,
                        e.name.value,
                        hex(v.value.value)
                    ),
                )
                .with_label("value used twice")
                .with_related(
                    first.value.loc,
                    format!("`{}` has it already", first.name.value),
                )
                .with_hint("each value names one state: give them different values or drop one"),
            );
        } else {
            seen.insert(v.value.value, i);
        }
    }
}

fn fits(e: &Enum, field: &Field, diags: &mut Vec<Diagnostic>) {
    let width = field.width();
    for v in e
        .variants
        .iter()
        .filter(|v| v.value.value > max_value(width))
    {
        diags.push(
            Diagnostic::error(
                "enum-value-too-wide",
                v.value.loc,
                format!(
                    "value {} of `{}::{}` does not fit in the {width}-bit field `{}`",
                    hex(v.value.value),
                    e.name.value,
                    v.name.value,
                    field.name.value
                ),
            )
            .with_label(format!("more than {}", walk::bits(width)))
            .with_related(
                field.bits_loc,
                format!("`{}` is {} wide", field.name.value, walk::bits(width)),
            )
            .with_hint(format!(
                "a {width}-bit field holds 0..={}: check the value or the field's `bits`",
                hex(max_value(width))
            )),
        );
    }
}

fn unknown(block: &Block, field: &Field, name: &str, loc: crate::ir::Loc) -> Diagnostic {
    let known: Vec<&str> = block.enums.iter().map(|e| e.name.value.as_str()).collect();
    let hint = match super::names::closest(name, &known) {
        Some(best) => format!("did you mean `{best}`?"),
        None if known.is_empty() => {
            "declare it under the block's `enums:`, or write the enum inline as a mapping"
                .to_owned()
        }
        None => format!("declared enums: {}", known.join(", ")),
    };
    Diagnostic::error(
        "unknown-enum",
        loc,
        format!(
            "field `{}` uses enum `{name}`, which is not declared",
            field.name.value
        ),
    )
    .with_label("no such enum")
    .with_hint(hint)
}
