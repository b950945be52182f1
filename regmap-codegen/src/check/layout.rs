//! Where registers land: past the block end, misaligned, overlapping.
//!
//! Arrays and clusters are expanded into one byte interval per register
//! element, then sorted by offset, so overlap detection is `n log n` in the
//! number of elements. Contiguous register arrays (stride equal to the width)
//! stay one interval: that is exact and keeps big memory-like arrays cheap.
//! Other arrays are expanded up to [`MAX_ELEMENTS`] in total; past that, a
//! warning says the overlap check stopped.
//!
//! A read-only and a write-only register may share exactly the same bytes
//! (the read and write sides of one address), a register may overlap the one
//! it is an alternate of (`alternate_of`), and two alternates of one register
//! each other; any other sharing is an overlap.

use std::collections::HashSet;

use super::walk::hex;
use crate::diag::{Diagnostic, Severity};
use crate::ir::{Block, Cluster, Item, Loc, Register};

/// Register elements expanded per block before the overlap check gives up.
pub(super) const MAX_ELEMENTS: usize = 1 << 18;

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

/// Which elements of a register a [`Piece`] covers.
#[derive(Clone, Copy)]
enum Elements {
    /// Not an array.
    One,
    /// Element `i` of an array.
    At(u128),
    /// Elements `0..n` of a contiguous array, as one interval.
    Run(u128),
}

/// One expanded piece of the layout: a register element, or a contiguous run
/// of elements. Kept small: there may be many.
struct Piece<'a> {
    start: u128,
    end: u128,
    reg: &'a Register,
    /// Serial number of the register declaration (its identity).
    id: usize,
    /// The cluster element it sits in ([`Expander::scopes`]), if any.
    scope: Option<usize>,
    elements: Elements,
    /// Where to point when this piece is wrong: the register's offset, or the
    /// count of the array whose repetition put it there.
    blame: Loc,
    /// For a run: the count, blamed when the run's first element fits
    /// the block but its last does not.
    count_loc: Loc,
}

/// A cluster (element) that pieces sit in, for naming them.
struct Scope<'a> {
    parent: Option<usize>,
    name: &'a str,
    index: Option<u128>,
}

struct Expander<'a> {
    pieces: Vec<Piece<'a>>,
    scopes: Vec<Scope<'a>>,
    next_id: usize,
    /// Items walked, pieces or not: thousands of clusters without registers
    /// in each element of an array make work that no piece counts.
    visited: usize,
    truncated: Option<Loc>,
}

impl<'a> Expander<'a> {
    fn items(&mut self, items: &'a [Item], base: u128, scope: Option<usize>, blame: Option<Loc>) {
        for item in items {
            self.visited += 1;
            if self.visited > 4 * MAX_ELEMENTS {
                self.truncated.get_or_insert(item.name().loc);
                return;
            }
            match item {
                Item::Register(r) => self.register(r, base, scope, blame),
                Item::Cluster(c) => self.cluster(c, base, scope, blame),
            }
        }
    }

    fn register(&mut self, r: &'a Register, base: u128, scope: Option<usize>, blame: Option<Loc>) {
        let id = self.next_id;
        self.next_id += 1;
        let start = base.saturating_add(u128::from(r.offset.value));
        let width = u128::from(r.width.value.bytes());
        let mut piece = Piece {
            start,
            end: start.saturating_add(width),
            reg: r,
            id,
            scope,
            elements: Elements::One,
            blame: blame.unwrap_or(r.offset.loc),
            count_loc: Loc::NONE,
        };
        let Some(array) = &r.array else {
            self.pieces.push(piece);
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
            piece.end = start.saturating_add(count.saturating_mul(width));
            piece.elements = Elements::Run(count);
            if blame.is_none() && count > 1 {
                piece.count_loc = array.count.loc;
            }
            self.pieces.push(piece);
            return;
        }
        for i in 0..count {
            if !self.has_room(array.count.loc) {
                return;
            }
            let at = start.saturating_add(i.saturating_mul(stride));
            self.pieces.push(Piece {
                start: at,
                end: at.saturating_add(width),
                elements: Elements::At(i),
                blame: blame.unwrap_or(if i == 0 {
                    r.offset.loc
                } else {
                    array.count.loc
                }),
                ..piece
            });
        }
    }

    fn cluster(&mut self, c: &'a Cluster, base: u128, parent: Option<usize>, blame: Option<Loc>) {
        // Nothing in it can overlap or stick out: `cluster_past_end` places
        // such a cluster without walking its elements.
        if crate::ir::register_instances(&c.items) == 0 {
            return;
        }
        let start = base.saturating_add(u128::from(c.offset.value));
        let name = c.name.value.as_str();
        let Some(array) = &c.array else {
            let scope = self.scope(parent, name, None);
            self.items(&c.items, start, Some(scope), blame);
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
            let scope = self.scope(parent, name, Some(i));
            // Every element holds the same registers under the same ids, so
            // a register is reported once, whichever element is wrong.
            let first_id = self.next_id;
            self.items(&c.items, at, Some(scope), here);
            if i + 1 < count {
                self.next_id = first_id;
            }
        }
    }

    fn scope(&mut self, parent: Option<usize>, name: &'a str, index: Option<u128>) -> usize {
        self.scopes.push(Scope {
            parent,
            name,
            index,
        });
        self.scopes.len() - 1
    }

    /// Whether the expansion budget allows one more element; remembers
    /// where it ran out.
    fn has_room(&mut self, loc: Loc) -> bool {
        if self.pieces.len() + self.scopes.len() < MAX_ELEMENTS {
            return true;
        }
        self.truncated.get_or_insert(loc);
        false
    }

    /// `ch[2].CTRL[1]`, or `TLR[0..4]` for a run.
    fn path(&self, p: &Piece<'_>) -> String {
        let mut parts = Vec::new();
        let mut scope = p.scope;
        while let Some(i) = scope {
            let s = &self.scopes[i];
            parts.push(match s.index {
                Some(i) => format!("{}[{i}]", s.name),
                None => s.name.to_owned(),
            });
            scope = s.parent;
        }
        parts.reverse();
        parts.push(match p.elements {
            Elements::One => p.reg.name.value.clone(),
            Elements::At(i) => format!("{}[{i}]", p.reg.name.value),
            Elements::Run(1) => format!("{}[0]", p.reg.name.value),
            Elements::Run(n) => format!("{}[0..{n}]", p.reg.name.value),
        });
        parts.join(".")
    }
}

/// Checks that every register element lies inside the block, aligned to its
/// width, and overlaps no other register.
pub(super) fn check(block: &Block) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut ex = Expander {
        pieces: Vec::new(),
        scopes: Vec::new(),
        next_id: 0,
        visited: 0,
        truncated: None,
    };
    ex.items(&block.items, 0, None, None);
    let mut pieces = std::mem::take(&mut ex.pieces);
    past_end(block, &ex, &pieces, &mut diags);
    let faulty = super::alternates::faulty(&block.items);
    overlaps(&ex, &mut pieces, &faulty, &mut diags);
    alignment(&block.items, &mut diags);
    cluster_past_end(block, &block.items, 0, ex.truncated.is_some(), &mut diags);
    if let Some(loc) = ex.truncated {
        let mut d = Diagnostic::error(
            "overlap-check-limited",
            loc,
            format!(
                "more than {MAX_ELEMENTS} register elements: the overlap check looked at the first {MAX_ELEMENTS} only"
            ),
        )
        .with_label("expanded up to here")
        .with_hint("overlaps among the remaining elements are not checked");
        d.severity = Severity::Warning;
        diags.push(d);
    }
    diags
}

fn past_end(block: &Block, ex: &Expander<'_>, pieces: &[Piece<'_>], diags: &mut Vec<Diagnostic>) {
    let size = u128::from(block.size.value);
    let mut seen = HashSet::new();
    for p in pieces {
        if p.end > size && seen.insert(p.id) {
            let first_fits = p
                .start
                .saturating_add(u128::from(p.reg.width.value.bytes()))
                <= size;
            let blame = if first_fits && p.count_loc != Loc::NONE {
                p.count_loc
            } else {
                p.blame
            };
            diags.push(
                Diagnostic::error(
                    "register-past-end",
                    blame,
                    format!(
                        "register `{}` at {}..{} ends past the end of the {}-byte block",
                        ex.path(p),
                        hex(p.start),
                        hex(p.end),
                        hex(size)
                    ),
                )
                .with_label(format!("ends at {}", hex(p.end)))
                .with_related(block.size.loc, format!("the block is {} bytes", hex(size)))
                .with_hint(if blame == p.count_loc || blame != p.reg.offset.loc {
                    "check the array's `count` and `stride`, or make the block's `size` larger"
                } else {
                    "check the offset, or make the block's `size` larger"
                }),
            );
        }
    }
}

/// Cluster arrays placed from their shapes alone (first and last element),
/// so a cluster array's size never costs a walk of its elements. Clusters
/// without registers have no register to report past the end, and once the
/// expansion ran out of budget registers past the end may have been skipped:
/// those are reported here. `last_base` is the base of the parent's last element.
fn cluster_past_end(
    block: &Block,
    items: &[Item],
    last_base: u128,
    truncated: bool,
    diags: &mut Vec<Diagnostic>,
) {
    let size = u128::from(block.size.value);
    for item in items {
        let Item::Cluster(c) = item else { continue };
        let (last, loc) = match &c.array {
            Some(a) if a.count.value == 0 => continue,
            Some(a) => (
                u128::from(a.count.value - 1).saturating_mul(u128::from(a.stride.value)),
                if a.count.value > 1 {
                    a.count.loc
                } else {
                    c.offset.loc
                },
            ),
            None => (0, c.offset.loc),
        };
        let start = last_base
            .saturating_add(u128::from(c.offset.value))
            .saturating_add(last);
        let span = extent(&c.items);
        let empty = crate::ir::register_instances(&c.items) == 0;
        // An element without registers must still start inside the block.
        let outside = if span == 0 {
            start >= size
        } else {
            start.saturating_add(span) > size
        };
        if outside && (empty || truncated) {
            diags.push(
                Diagnostic::error(
                    "cluster-past-end",
                    loc,
                    format!(
                        "the last element of cluster `{}` starts at {} {} the end of the {}-byte block",
                        c.name.value,
                        hex(start),
                        if span == 0 { "at or past" } else { "and runs past" },
                        hex(size)
                    ),
                )
                .with_label(format!("last element at {}", hex(start)))
                .with_related(block.size.loc, format!("the block is {} bytes", hex(size)))
                .with_hint(
                    "check the cluster's `offset`, `count` and `stride`, or make the block's `size` larger",
                ),
            );
            continue;
        }
        cluster_past_end(block, &c.items, start, truncated, diags);
    }
}

fn overlaps(
    ex: &Expander<'_>,
    pieces: &mut [Piece<'_>],
    faulty: &HashSet<*const Register>,
    diags: &mut Vec<Diagnostic>,
) {
    pieces.sort_unstable_by_key(|p| (p.start, std::cmp::Reverse(p.end), p.id));
    let mut reported = HashSet::new();
    let mut widest: Option<usize> = None;
    for i in 0..pieces.len() {
        if let Some(w) = widest {
            let (a, b) = (&pieces[w], &pieces[i]);
            if b.start < a.end
                && a.id != b.id
                && !read_write_pair(a, b)
                && !alternates(a, b)
                && !faulty.contains(&std::ptr::from_ref(a.reg))
                && !faulty.contains(&std::ptr::from_ref(b.reg))
                && reported.insert((a.id.min(b.id), a.id.max(b.id)))
            {
                diags.push(overlap(ex, a, b));
            }
            if pieces[i].end <= pieces[w].end {
                continue;
            }
        }
        widest = Some(i);
    }
}

/// A read-only and a write-only register at exactly the same bytes: the two
/// sides of one address, as in a 16550 UART's RBR and THR. Not an overlap.
fn read_write_pair(a: &Piece<'_>, b: &Piece<'_>) -> bool {
    let same_bytes = a.start == b.start && a.end == b.end;
    same_bytes && ((!writable(a.reg) && !readable(b.reg)) || (!readable(a.reg) && !writable(b.reg)))
}

/// A register and its alternate view (`alternate_of`), or two alternates of
/// one register, in the same list (the same scope: one cluster element, or
/// the block). Whether the name is right is the `alternates` pass's business.
fn alternates(a: &Piece<'_>, b: &Piece<'_>) -> bool {
    let (a_of, b_of) = (alternate_of(a.reg), alternate_of(b.reg));
    a.scope == b.scope
        && (a_of == Some(b.reg.name.value.as_str())
            || b_of == Some(a.reg.name.value.as_str())
            || (a_of.is_some() && a_of == b_of))
}

fn alternate_of(r: &Register) -> Option<&str> {
    r.alternate_of.as_ref().map(|n| n.value.as_str())
}

fn readable(r: &Register) -> bool {
    if r.fields.is_empty() {
        r.access.value.is_readable()
    } else {
        r.fields.iter().any(|f| f.access.value.is_readable())
    }
}

fn writable(r: &Register) -> bool {
    if r.fields.is_empty() {
        r.access.value.is_writable()
    } else {
        r.fields.iter().any(|f| f.access.value.is_writable())
    }
}

fn overlap(ex: &Expander<'_>, a: &Piece<'_>, b: &Piece<'_>) -> Diagnostic {
    let (first, second) = if a.reg.loc <= b.reg.loc {
        (a, b)
    } else {
        (b, a)
    };
    let (first_path, second_path) = (ex.path(first), ex.path(second));
    Diagnostic::error(
        "overlapping-registers",
        second.blame,
        format!(
            "register `{second_path}` at {}..{} overlaps register `{first_path}` at {}..{}",
            hex(second.start),
            hex(second.end),
            hex(first.start),
            hex(first.end)
        ),
    )
    .with_label(format!("overlaps `{first_path}`"))
    .with_related(
        first.blame,
        format!(
            "`{first_path}` covers {}..{}",
            hex(first.start),
            hex(first.end)
        ),
    )
    .with_hint(
        "move one of them, or make them one register with fields; only a read-only and a write-only register of one width may share an address",
    )
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

use crate::ir::widest_register as max_width;
