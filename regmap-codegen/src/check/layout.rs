//! Where registers land: past the block end, misaligned, overlapping.
//!
//! Arrays and clusters are expanded into one byte interval per register
//! element, then sorted by offset, so overlap detection is `n log n` in the
//! number of elements. Contiguous register arrays (stride equal to the width)
//! stay one interval: that is exact and keeps big memory-like arrays cheap.
//! Other arrays are expanded up to [`MAX_ELEMENTS`] in total; past that, a
//! warning says the overlap check stopped.

use std::collections::HashSet;

use super::walk::hex;
use crate::diag::{Diagnostic, Severity};
use crate::ir::{Block, Cluster, Item, Loc, Register};

/// Register elements expanded per block before the overlap check gives up.
pub(super) const MAX_ELEMENTS: usize = 1 << 20;

/// Bytes `items` span from their parent's base: the end of the last byte of
/// any element (0 for none).
pub(crate) fn extent(items: &[Item]) -> u128 {
    items.iter().map(item_end).max().unwrap_or(0)
}

fn item_end(item: &Item) -> u128 {
    let (offset, array, element) = match item {
        Item::Register(r) => (r.offset.value, &r.array, u128::from(r.width.value.bytes())),
        Item::Cluster(c) => (c.offset.value, &c.array, extent(&c.items)),
    };
    let last = match array {
        Some(a) if a.count.value == 0 => return u128::from(offset),
        Some(a) => u128::from(a.count.value - 1).saturating_mul(u128::from(a.stride.value)),
        None => 0,
    };
    u128::from(offset)
        .saturating_add(last)
        .saturating_add(element)
}

/// One expanded piece of the layout: a register element, or a contiguous run
/// of elements.
struct Piece<'a> {
    start: u128,
    end: u128,
    reg: &'a Register,
    /// Serial number of the register declaration (its identity).
    id: usize,
    /// Readable name: `ch[2].CTRL[1]`, or `TLR[0..4]` for a run.
    path: String,
    /// Where to point when this piece is wrong: the register's offset, or the
    /// count of the array whose repetition put it there.
    blame: Loc,
}

struct Expander<'a> {
    pieces: Vec<Piece<'a>>,
    next_id: usize,
    truncated: Option<Loc>,
}

impl<'a> Expander<'a> {
    fn items(&mut self, items: &'a [Item], base: u128, prefix: &str, blame: Option<Loc>) {
        for item in items {
            match item {
                Item::Register(r) => self.register(r, base, prefix, blame),
                Item::Cluster(c) => self.cluster(c, base, prefix, blame),
            }
        }
    }

    fn register(&mut self, r: &'a Register, base: u128, prefix: &str, blame: Option<Loc>) {
        let id = self.next_id;
        self.next_id += 1;
        let start = base.saturating_add(u128::from(r.offset.value));
        let width = u128::from(r.width.value.bytes());
        let name = &r.name.value;
        let Some(array) = &r.array else {
            self.push(
                start,
                width,
                r,
                id,
                format!("{prefix}{name}"),
                blame.unwrap_or(r.offset.loc),
            );
            return;
        };
        let (count, stride) = (
            u128::from(array.count.value),
            u128::from(array.stride.value),
        );
        if count == 0 {
            return;
        }
        if stride == width || count == 1 {
            let end = start.saturating_add(count.saturating_mul(width));
            let path = if count == 1 {
                format!("{prefix}{name}[0]")
            } else {
                format!("{prefix}{name}[0..{count}]")
            };
            self.push_range(start, end, r, id, path, blame.unwrap_or(r.offset.loc));
            return;
        }
        for i in 0..count {
            if !self.has_room(array.count.loc) {
                return;
            }
            let at = start.saturating_add(i.saturating_mul(stride));
            let here = blame.unwrap_or(if i == 0 {
                r.offset.loc
            } else {
                array.count.loc
            });
            self.push(at, width, r, id, format!("{prefix}{name}[{i}]"), here);
        }
    }

    fn cluster(&mut self, c: &'a Cluster, base: u128, prefix: &str, blame: Option<Loc>) {
        let start = base.saturating_add(u128::from(c.offset.value));
        let name = &c.name.value;
        let Some(array) = &c.array else {
            self.items(&c.items, start, &format!("{prefix}{name}."), blame);
            return;
        };
        // Elements that overlap each other (a stride smaller than the
        // element, reported by the array check) would report every
        // neighbour twice: expand the first only.
        let stride = u128::from(array.stride.value);
        let count = if stride < extent(&c.items) {
            u128::from(array.count.value).min(1)
        } else {
            u128::from(array.count.value)
        };
        for i in 0..count {
            if !self.has_room(array.count.loc) {
                return;
            }
            let at = start.saturating_add(i.saturating_mul(stride));
            let here = blame.or((i > 0).then_some(array.count.loc));
            // Every element holds the same registers under the same ids, so
            // a register is reported once, whichever element is wrong.
            let first_id = self.next_id;
            self.items(&c.items, at, &format!("{prefix}{name}[{i}]."), here);
            if i + 1 < count {
                self.next_id = first_id;
            }
        }
    }

    fn has_room(&mut self, loc: Loc) -> bool {
        if self.pieces.len() < MAX_ELEMENTS {
            return true;
        }
        self.truncated.get_or_insert(loc);
        false
    }

    fn push(
        &mut self,
        start: u128,
        width: u128,
        reg: &'a Register,
        id: usize,
        path: String,
        blame: Loc,
    ) {
        self.push_range(start, start.saturating_add(width), reg, id, path, blame);
    }

    fn push_range(
        &mut self,
        start: u128,
        end: u128,
        reg: &'a Register,
        id: usize,
        path: String,
        blame: Loc,
    ) {
        self.pieces.push(Piece {
            start,
            end,
            reg,
            id,
            path,
            blame,
        });
    }
}

/// Checks that every register element lies inside the block, aligned to its
/// width, and overlaps no other register.
pub(super) fn check(block: &Block) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut ex = Expander {
        pieces: Vec::new(),
        next_id: 0,
        truncated: None,
    };
    ex.items(&block.items, 0, "", None);
    past_end(block, &ex.pieces, &mut diags);
    overlaps(&mut ex.pieces, &mut diags);
    alignment(&block.items, &mut diags);
    if let Some(loc) = ex.truncated {
        let mut d = Diagnostic::error(
            "overlap-check-limited",
            loc,
            format!("more than {MAX_ELEMENTS} register elements: the overlap check looked at the first {MAX_ELEMENTS} only"),
        )
        .with_label("expanded up to here")
        .with_hint("overlaps among the remaining elements are not checked");
        d.severity = Severity::Warning;
        diags.push(d);
    }
    diags
}

fn past_end(block: &Block, pieces: &[Piece<'_>], diags: &mut Vec<Diagnostic>) {
    let size = u128::from(block.size.value);
    let mut seen = HashSet::new();
    for p in pieces {
        if p.end > size && seen.insert(p.id) {
            diags.push(
                Diagnostic::error(
                    "register-past-end",
                    p.blame,
                    format!(
                        "register `{}` at {}..{} ends past the end of the {}-byte block",
                        p.path,
                        hex(p.start),
                        hex(p.end),
                        hex(size)
                    ),
                )
                .with_label(format!("ends at {}", hex(p.end)))
                .with_related(block.size.loc, format!("the block is {} bytes", hex(size)))
                .with_hint("check the offset, or make the block's `size` larger"),
            );
        }
    }
}

fn overlaps(pieces: &mut [Piece<'_>], diags: &mut Vec<Diagnostic>) {
    pieces.sort_by_key(|p| (p.start, std::cmp::Reverse(p.end), p.id));
    let mut reported = HashSet::new();
    let mut widest: Option<usize> = None;
    for i in 0..pieces.len() {
        if let Some(w) = widest {
            let (a, b) = (&pieces[w], &pieces[i]);
            if b.start < a.end && a.id != b.id && reported.insert((a.id.min(b.id), a.id.max(b.id)))
            {
                diags.push(overlap(a, b));
            }
            if pieces[i].end <= pieces[w].end {
                continue;
            }
        }
        widest = Some(i);
    }
}

fn overlap(a: &Piece<'_>, b: &Piece<'_>) -> Diagnostic {
    let (first, second) = if a.reg.loc <= b.reg.loc {
        (a, b)
    } else {
        (b, a)
    };
    Diagnostic::error(
        "overlapping-registers",
        second.blame,
        format!(
            "register `{}` at {}..{} overlaps register `{}` at {}..{}",
            second.path,
            hex(second.start),
            hex(second.end),
            first.path,
            hex(first.start),
            hex(first.end)
        ),
    )
    .with_label(format!("overlaps `{}`", first.path))
    .with_related(
        first.blame,
        format!(
            "`{}` covers {}..{}",
            first.path,
            hex(first.start),
            hex(first.end)
        ),
    )
    .with_hint("move one of them, or make them one register with fields")
}

/// Offsets relative to their parent must be multiples of the width, and so
/// must strides; a cluster's offset and stride must keep its widest register
/// aligned. Together these align every element within the block.
fn alignment(items: &[Item], diags: &mut Vec<Diagnostic>) {
    for item in items {
        match item {
            Item::Register(r) => {
                let bytes = r.width.value.bytes();
                let what = format!("{}-bit register `{}`", r.width.value.bits(), r.name.value);
                misaligned(r.offset.value, bytes, r.offset.loc, "offset", &what, diags);
                if let Some(a) = r.array.as_ref().filter(|a| a.count.value > 1) {
                    misaligned(a.stride.value, bytes, a.stride.loc, "stride", &what, diags);
                }
            }
            Item::Cluster(c) => {
                alignment(&c.items, diags);
                let bytes = max_width(&c.items);
                if bytes == 0 {
                    continue;
                }
                let what = format!(
                    "cluster `{}` (it holds {}-bit registers)",
                    c.name.value,
                    bytes * 8
                );
                misaligned(c.offset.value, bytes, c.offset.loc, "offset", &what, diags);
                if let Some(a) = c.array.as_ref().filter(|a| a.count.value > 1) {
                    misaligned(a.stride.value, bytes, a.stride.loc, "stride", &what, diags);
                }
            }
        }
    }
}

fn misaligned(
    value: u64,
    bytes: u64,
    loc: Loc,
    key: &str,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) {
    if value.is_multiple_of(bytes) {
        return;
    }
    let down = value - value % bytes;
    diags.push(
        Diagnostic::error(
            "misaligned-register",
            loc,
            format!(
                "the {key} {} of {what} is not a multiple of {bytes}",
                hex(value)
            ),
        )
        .with_label(format!("not {bytes}-byte aligned"))
        .with_hint(format!(
            "a {}-bit access needs {} that is a multiple of {bytes}, such as {}",
            bytes * 8,
            if key == "offset" {
                "an offset"
            } else {
                "a stride"
            },
            if down == 0 {
                hex(bytes)
            } else {
                format!(
                    "{} or {}",
                    hex(down),
                    hex(u128::from(down) + u128::from(bytes))
                )
            }
        )),
    );
}

/// The widest register width in bytes at any depth below `items`.
fn max_width(items: &[Item]) -> u64 {
    let mut widest = 0;
    super::walk::registers(items, &mut |r| widest = widest.max(r.width.value.bytes()));
    widest
}
