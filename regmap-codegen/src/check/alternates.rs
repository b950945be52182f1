//! Alternate registers: `alternate_of` names a register of the same item
//! list whose bytes the alternate overlays.
//!
//! The layout check lets a register overlap the one it names (and two
//! alternates of one register overlap each other); this pass makes sure that
//! permission is asked for something real: the named register exists in the
//! same list, is not the alternate itself, is not an alternate too, and the two
//! really share bytes. Arrays take no part: an array's elements have no single
//! address for an alternate to overlay.

use std::collections::HashSet;

use super::walk::hex;
use crate::diag::Diagnostic;
use crate::ir::{Block, Item, Register};

/// Checks every `alternate_of` of `block`, list by list.
pub(super) fn check(block: &Block) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    visit(&block.items, None, &mut |_, d| diags.push(d));
    diags
}

/// The registers whose `alternate_of` this pass refuses. The layout check
/// reports no overlap for them: the refusal already says what is wrong, and
/// an overlap error beside it would blame the wrong thing.
pub(super) fn faulty(items: &[Item]) -> HashSet<*const Register> {
    let mut out = HashSet::new();
    visit(items, None, &mut |r, _| {
        out.insert(std::ptr::from_ref(r));
    });
    out
}

/// Calls `f` on every register of `items` (at any depth) whose
/// `alternate_of` is wrong, with the diagnostic saying why.
/// `cluster`: the name of the cluster holding `items`, `None` at the top.
fn visit<'a>(
    items: &'a [Item],
    cluster: Option<&str>,
    f: &mut impl FnMut(&'a Register, Diagnostic),
) {
    for item in items {
        match item {
            Item::Register(r) => {
                if let Some(d) = problem(items, cluster, r) {
                    f(r, d);
                }
            }
            Item::Cluster(c) => visit(&c.items, Some(&c.name.value), f),
        }
    }
}

/// What is wrong with `r.alternate_of` in its list `items`, if anything.
fn problem(items: &[Item], cluster: Option<&str>, r: &Register) -> Option<Diagnostic> {
    let alt = r.alternate_of.as_ref()?;
    let name = alt.value.as_str();
    if name == r.name.value {
        return Some(
            Diagnostic::error(
                "alternate-of-itself",
                alt.loc,
                format!("register `{name}` names itself as the register it is an alternate of"),
            )
            .with_label("the register's own name")
            .with_hint("name the other register at the same address, or remove `alternate_of`"),
        );
    }
    let Some(target) = register_named(items, name) else {
        return Some(unknown(items, cluster, r, name, alt.loc));
    };
    if let Some(array) = [r, target].into_iter().find(|x| x.array.is_some()) {
        return Some(
            Diagnostic::error(
                "alternate-array",
                alt.loc,
                format!(
                    "register `{}` is an array: alternate registers must be single registers",
                    array.name.value
                ),
            )
            .with_label(if std::ptr::eq(array, r) {
                "on an array"
            } else {
                "names an array"
            })
            .with_related(
                array.name.loc,
                format!("`{}` is declared here", array.name.value),
            )
            .with_hint("write the alternate views as single registers, or remove `alternate_of`"),
        );
    }
    if let Some(next) = &target.alternate_of {
        return Some(
            Diagnostic::error(
                "alternate-chain",
                alt.loc,
                format!(
                    "register `{name}` is itself an alternate of `{}`",
                    next.value
                ),
            )
            .with_label("an alternate, not the register it overlays")
            .with_related(next.loc, format!("`{name}` overlays `{}`", next.value))
            .with_hint(format!(
                "name the register every view overlays: `alternate_of: {}`",
                next.value
            )),
        );
    }
    let (start, end) = span(r);
    let (t_start, t_end) = span(target);
    if start < t_end && t_start < end {
        return None;
    }
    Some(
        Diagnostic::error(
            "alternate-not-overlapping",
            alt.loc,
            format!(
                "register `{}` at {}..{} does not overlap `{name}` at {}..{}: it is no alternate view of it",
                r.name.value,
                hex(start),
                hex(end),
                hex(t_start),
                hex(t_end)
            ),
        )
        .with_label(format!("`{name}` is elsewhere"))
        .with_related(target.offset.loc, format!("`{name}` is at {}", hex(t_start)))
        .with_hint(format!(
            "give `{}` the offset of `{name}`, or remove `alternate_of`",
            r.name.value
        )),
    )
}

/// Byte interval of a single register in its list.
fn span(r: &Register) -> (u128, u128) {
    let start = u128::from(r.offset.value);
    (start, start + u128::from(r.width.value.bytes()))
}

fn register_named<'a>(items: &'a [Item], name: &str) -> Option<&'a Register> {
    items.iter().find_map(|i| match i {
        Item::Register(r) if r.name.value == name => Some(r),
        _ => None,
    })
}

fn unknown(
    items: &[Item],
    cluster: Option<&str>,
    r: &Register,
    name: &str,
    loc: crate::ir::Loc,
) -> Diagnostic {
    let list = match cluster {
        Some(c) => format!("a register of cluster `{c}`"),
        None => "a top-level register of the block".to_owned(),
    };
    let is_cluster = items
        .iter()
        .any(|i| matches!(i, Item::Cluster(c) if c.name.value == name));
    let others: Vec<&str> = items
        .iter()
        .filter_map(|i| match i {
            Item::Register(o) if o.name.value != r.name.value => Some(o.name.value.as_str()),
            _ => None,
        })
        .collect();
    let hint = if is_cluster {
        format!("`{name}` is a cluster; an alternate overlays one register")
    } else if let Some(best) = super::names::closest(name, &others) {
        format!("did you mean `{best}`?")
    } else {
        "name a register declared beside this one: in the same cluster, or both at the top level"
            .to_owned()
    };
    Diagnostic::error(
        "unknown-alternate",
        loc,
        format!(
            "register `{}` is an alternate of `{name}`, which is not {list}",
            r.name.value
        ),
    )
    .with_label("no such register here")
    .with_hint(hint)
}
