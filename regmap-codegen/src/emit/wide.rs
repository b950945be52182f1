//! 64-bit values split over two 32-bit registers, as HLS cores pass 64-bit
//! arguments (`x_1`/`x_2` in Vivado HLS, `X_LO`/`X_HI` elsewhere): one
//! accessor pair on the block reads and writes both halves as one `u64`.
//!
//! A pair qualifies when both halves are plain (read-write, read-only or
//! write-only) 32-bit registers that are not arrays, each holding one value
//! (no fields, or one field of all 32 bits), the low word at an offset
//! divisible by 4 and the high word 4 bytes above it. The accessors are
//! built on the registers' own accessors, so they add no offsets of their
//! own; a name that would collide with an accessor already there is skipped.

use super::block::Cx;
use super::util::{docs, ident};
use crate::ir::{self, Access};
use crate::names;
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::HashSet;

/// A register split into a low and a high word.
pub(crate) struct Pair<'a> {
    /// The value's name as written (the registers' common prefix).
    pub name: String,
    /// The register holding bits 31:0.
    pub lo: &'a ir::Register,
    /// The register holding bits 63:32.
    pub hi: &'a ir::Register,
}

/// Suffixes of the low and high halves, matched without regard to case.
const SUFFIXES: [(&str, &str); 2] = [("_1", "_2"), ("_lo", "_hi")];

/// The split 64-bit values among the block-level registers of `items`.
pub(crate) fn pairs(items: &[ir::Item]) -> Vec<Pair<'_>> {
    let regs: Vec<&ir::Register> = items
        .iter()
        .filter_map(|i| match i {
            ir::Item::Register(r) if plain(r) => Some(r),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for lo in &regs {
        let name = lo.name.value.to_ascii_lowercase();
        for (lo_suffix, hi_suffix) in SUFFIXES {
            let Some(prefix) = name.strip_suffix(lo_suffix).filter(|p| !p.is_empty()) else {
                continue;
            };
            let hi_name = format!("{prefix}{hi_suffix}");
            let hi = regs.iter().find(|r| {
                r.name.value.eq_ignore_ascii_case(&hi_name) && r.offset.value == lo.offset.value + 4
            });
            if let Some(hi) = hi
                && lo.offset.value % 4 == 0
            {
                let written = &lo.name.value[..prefix.len()];
                out.push(Pair {
                    name: written.to_owned(),
                    lo,
                    hi,
                });
            }
        }
    }
    out
}

/// A 32-bit register holding one plain value.
fn plain(r: &ir::Register) -> bool {
    let plain_access =
        |a: Access| matches!(a, Access::ReadWrite | Access::ReadOnly | Access::WriteOnly);
    r.width.value == ir::Width::W32
        && r.array.is_none()
        && plain_access(r.access.value)
        && match r.fields.as_slice() {
            [] => true,
            [f] => f.lsb == 0 && f.msb == 31 && f.access.value == r.access.value,
            _ => false,
        }
}

/// The accessors of the block's split 64-bit values.
pub(super) fn accessors(cx: &Cx<'_>) -> TokenStream {
    let taken: HashSet<String> = cx
        .block
        .items
        .iter()
        .map(|i| names::fn_name(&i.name().value))
        .chain(["new", "bus", "into_inner"].map(str::to_owned))
        .collect();
    let mut out = TokenStream::new();
    let rt = &cx.rt;
    let mut emitted = HashSet::new();
    for pair in pairs(&cx.block.items) {
        let get = names::fn_name(&pair.name);
        let set = format!("set_{get}");
        if taken.contains(&get) || taken.contains(&set) || !emitted.insert(get.clone()) {
            continue;
        }
        let (lo, hi) = (&pair.lo.name.value, &pair.hi.name.value);
        let lo_fn = ident(&names::fn_name(lo));
        let hi_fn = ident(&names::fn_name(hi));
        let access = |a: Access| (a.is_readable(), a.is_writable());
        let (lo_r, lo_w) = access(pair.lo.access.value);
        let (hi_r, hi_w) = access(pair.hi.access.value);
        let name = &pair.name;
        if lo_r && hi_r {
            let doc = docs(&[
                &format!(
                    "`{name}` as one 64-bit value: `{lo}` holds bits 31:0, `{hi}` bits 63:32."
                ),
                "Reads the low word, then the high word: two accesses, not one. A value the device changes between them can tear, so read it while the core is idle (HLS arguments are stable then).",
            ]);
            let get = ident(&get);
            out.extend(quote! {
                #doc
                #[inline(always)]
                pub fn #get(&self) -> u64 {
                    let lo = self.#lo_fn().read().bits();
                    let hi = self.#hi_fn().read().bits();
                    (u64::from(hi) << 32) | u64::from(lo)
                }
            });
        }
        if lo_w && hi_w {
            let doc = docs(&[
                &format!(
                    "Writes `{name}` as one 64-bit value: bits 31:0 to `{lo}`, bits 63:32 to `{hi}`."
                ),
                "Writes the low word, then the high word. An HLS core takes its arguments when it starts, so write every argument before setting `AP_START`.",
            ]);
            let set = ident(&set);
            out.extend(quote! {
                #doc
                #[inline(always)]
                pub fn #set(&self, value: u64) {
                    self.#lo_fn().write_value(#rt::Value::from_bits(value as u32));
                    self.#hi_fn().write_value(#rt::Value::from_bits((value >> 32) as u32));
                }
            });
        }
    }
    out
}
