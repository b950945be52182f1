//! Fields within their register: inside its width, not overlapping each
//! other, with an access the register allows.

use super::walk::{self};
use crate::diag::Diagnostic;
use crate::ir::{Block, Register};

/// Checks the fields of every register of `block`.
pub(super) fn check(block: &Block) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    walk::registers(&block.items, &mut |r| {
        past_width(r, &mut diags);
        overlapping(r, &mut diags);
        access(r, &mut diags);
    });
    diags
}

fn past_width(r: &Register, diags: &mut Vec<Diagnostic>) {
    let bits = r.width.value.bits();
    for f in r.fields.iter().filter(|f| f.msb >= bits) {
        let hint = if f.msb < 64 {
            format!(
                "this register's bits run from {}:0; check `bits`, or widen the register with `width: {}`",
                bits - 1,
                [8, 16, 32, 64]
                    .into_iter()
                    .find(|w| f.msb < *w)
                    .unwrap_or(64)
            )
        } else {
            "bit numbers run from 0 to 63 at most".to_owned()
        };
        diags.push(
            Diagnostic::error(
                "field-past-width",
                f.bits_loc,
                format!(
                    "field `{}` (bits {}:{}) does not fit in the {bits}-bit register `{}`",
                    f.name.value, f.msb, f.lsb, r.name.value
                ),
            )
            .with_label(format!("bit {} is past bit {}", f.msb, bits - 1))
            .with_related(
                r.width.loc,
                format!("`{}` is {bits} bits wide", r.name.value),
            )
            .with_hint(hint),
        );
    }
}

fn overlapping(r: &Register, diags: &mut Vec<Diagnostic>) {
    let mut order: Vec<usize> = (0..r.fields.len()).collect();
    order.sort_by_key(|&i| (r.fields[i].lsb, std::cmp::Reverse(r.fields[i].msb), i));
    // The field reaching highest so far; any field starting below its msb overlaps it.
    let mut top: Option<usize> = None;
    for i in order {
        let f = &r.fields[i];
        if let Some(t) = top {
            let other = &r.fields[t];
            if f.lsb <= other.msb {
                let (first, second) = if t < i { (other, f) } else { (f, other) };
                diags.push(
                    Diagnostic::error(
                        "overlapping-fields",
                        second.bits_loc,
                        format!(
                            "field `{}` (bits {}:{}) overlaps field `{}` (bits {}:{}) in register `{}`",
                            second.name.value, second.msb, second.lsb,
                            first.name.value, first.msb, first.lsb, r.name.value
                        ),
                    )
                    .with_label(format!("overlaps `{}`", first.name.value))
                    .with_related(first.bits_loc, format!("`{}` is here", first.name.value))
                    .with_hint("each bit belongs to one field: check both bit ranges"),
                );
            }
            if f.msb <= other.msb {
                continue;
            }
        }
        top = Some(i);
    }
}

fn access(r: &Register, diags: &mut Vec<Diagnostic>) {
    let reg = r.access.value;
    for f in r
        .fields
        .iter()
        .filter(|f| !reg.allows_field(f.access.value))
    {
        let field = f.access.value.short_name();
        let why = if reg.is_writable() {
            "a write-only register has nothing to read"
        } else {
            "a read-only register ignores writes"
        };
        diags.push(
            Diagnostic::error(
                "access-conflict",
                f.access.loc,
                format!(
                    "field `{}` is `{field}` but its register `{}` is `{}`",
                    f.name.value,
                    r.name.value,
                    reg.short_name()
                ),
            )
            .with_label(format!("`{field}` here"))
            .with_related(r.access.loc, format!("register declared `{}` here", reg.short_name()))
            .with_hint(format!(
                "{why}: change the field's access, or declare the register `rw` and give each field its own access"
            )),
        );
    }
}
