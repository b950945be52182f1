//! The identification register: it exists, can be read safely, and the
//! expected value and mask fit it.

use super::walk::{self, hex, max_value};
use crate::diag::Diagnostic;
use crate::ir::{Block, IdCheck, Item, Register};

/// Checks `block.id`, if any.
pub(super) fn check(block: &Block) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let Some(id) = &block.id else { return diags };
    let name = id.register.value.as_str();
    let top = block.items.iter().find_map(|i| match i {
        Item::Register(r) if r.name.value == name => Some(r),
        _ => None,
    });
    let Some(reg) = top else {
        diags.push(missing(block, id));
        return diags;
    };
    if let Some(why) = unusable(reg) {
        diags.push(
            Diagnostic::error(
                "id-register-unusable",
                id.register.loc,
                format!("register `{name}` cannot serve as the id register: {why}"),
            )
            .with_label("this register")
            .with_related(reg.name.loc, format!("`{name}` is declared here"))
            .with_hint("name a plain readable register (no array, no read side effects)"),
        );
    }
    let bits = reg.width.value.bits();
    let mut too_wide = |value: u64, loc, what: &str| {
        if value > max_value(bits) {
            diags.push(
                Diagnostic::error(
                    "id-value-too-wide",
                    loc,
                    format!(
                        "id {what} {} does not fit in the {bits}-bit register `{name}`",
                        hex(value)
                    ),
                )
                .with_label(format!("more than {}", walk::bits(bits)))
                .with_related(reg.width.loc, format!("`{name}` is {bits} bits wide"))
                .with_hint(format!(
                    "the largest {bits}-bit value is {}",
                    hex(max_value(bits))
                )),
            );
            true
        } else {
            false
        }
    };
    let mut wide = too_wide(id.value.value, id.value.loc, "value");
    if let Some(mask) = &id.mask {
        wide |= too_wide(mask.value, mask.loc, "mask");
        let outside = id.value.value & !mask.value;
        if !wide && outside != 0 {
            diags.push(
                Diagnostic::error(
                    "id-value-outside-mask",
                    id.value.loc,
                    format!(
                        "id value {} has bits {} outside the mask {}: no register value can match",
                        hex(id.value.value),
                        hex(outside),
                        hex(mask.value)
                    ),
                )
                .with_label("bits outside the mask")
                .with_related(mask.loc, "the mask clears them before comparing")
                .with_hint(format!(
                    "write the value as {}, or widen the mask",
                    hex(id.value.value & mask.value)
                )),
            );
        }
    }
    diags
}

fn unusable(reg: &Register) -> Option<&'static str> {
    if reg.array.is_some() {
        return Some("it is an array");
    }
    let access = reg.access.value;
    if !access.is_readable()
        || (!reg.fields.is_empty() && reg.fields.iter().all(|f| !f.access.value.is_readable()))
    {
        return Some("it is write-only");
    }
    if access.has_read_side_effect()
        || reg
            .fields
            .iter()
            .any(|f| f.access.value.has_read_side_effect())
    {
        return Some("reading it has side effects");
    }
    None
}

fn missing(block: &Block, id: &IdCheck) -> Diagnostic {
    let name = id.register.value.as_str();
    let mut nested = None;
    super::walk::clusters(&block.items, &mut |c| {
        if nested.is_none()
            && c.items
                .iter()
                .any(|i| matches!(i, Item::Register(r) if r.name.value == name))
        {
            nested = Some(c.name.value.clone());
        }
    });
    let top: Vec<&str> = block
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Register(r) => Some(r.name.value.as_str()),
            Item::Cluster(_) => None,
        })
        .collect();
    let hint = match (&nested, super::names::closest(name, &top)) {
        (Some(cluster), _) => format!(
            "`{name}` is inside cluster `{cluster}`; the id register must be a top-level register"
        ),
        (None, Some(best)) => format!("did you mean `{best}`?"),
        (None, None) => "name one of the block's top-level registers".to_owned(),
    };
    Diagnostic::error(
        "unknown-id-register",
        id.register.loc,
        format!("id register `{name}` is not a register of this block"),
    )
    .with_label("no such top-level register")
    .with_hint(hint)
}
