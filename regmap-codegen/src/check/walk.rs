//! Visiting the registers, clusters and enums of a block.

use crate::ir::{Block, Cluster, Enum, EnumRef, Item, Register};

/// Calls `f` on every register at any depth, in source order.
pub(super) fn registers<'a>(items: &'a [Item], f: &mut impl FnMut(&'a Register)) {
    for item in items {
        match item {
            Item::Register(r) => f(r),
            Item::Cluster(c) => registers(&c.items, f),
        }
    }
}

/// Calls `f` on every cluster at any depth, in source order.
pub(super) fn clusters<'a>(items: &'a [Item], f: &mut impl FnMut(&'a Cluster)) {
    for item in items {
        if let Item::Cluster(c) = item {
            f(c);
            clusters(&c.items, f);
        }
    }
}

/// Every enum of the block: the named ones, then the inline ones in field order.
pub(super) fn enums(block: &Block) -> Vec<&Enum> {
    let mut all: Vec<&Enum> = block.enums.iter().collect();
    registers(&block.items, &mut |r| {
        for field in &r.fields {
            if let Some(EnumRef::Inline(e)) = &field.enumeration {
                all.push(e);
            }
        }
    });
    all
}

/// `0x1f`-style hex for messages.
pub(super) fn hex(v: impl Into<u128>) -> String {
    format!("{:#x}", v.into())
}

pub(super) use crate::ir::ones as max_value;

/// "1 bit", "4 bits".
pub(super) fn bits(n: u32) -> String {
    if n == 1 {
        "1 bit".to_owned()
    } else {
        format!("{n} bits")
    }
}
