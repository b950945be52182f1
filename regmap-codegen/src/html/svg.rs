//! The bit diagram of one register: inline SVG, its bits in rows of at most
//! 32 (most significant first), each field a box over its bit numbers,
//! reserved bits shaded, the access kind written in every box.
//!
//! The markup is the contract the browser test reads: every field is one
//! `g.field` with `data-field`, `data-lsb` and `data-msb`, holding one
//! `rect` per row it spans; every bit number is a `text.bit` with
//! `data-bit`. A register without fields is drawn as one field named like
//! the register.

use super::esc;
use crate::ir::{Access, Register};
use std::fmt::Write as _;

/// Width of one bit's cell, in SVG units.
const CELL: u32 = 26;
/// Space left and right of the cells.
const MARGIN: u32 = 4;
/// Height of the bit-number line above each row of boxes.
const NUMBERS: u32 = 16;
/// Height of a box whose name fits across it.
const LOW_BOX: u32 = 44;
/// Gap between two rows.
const GAP: u32 = 10;
/// Approximate advance of one character of a field name (13px sans-serif).
const CHAR: f32 = 7.4;

/// One field as drawn.
struct Drawn<'a> {
    name: &'a str,
    lsb: u32,
    msb: u32,
    access: Access,
    href: String,
    title: String,
}

/// The diagram of `r`; `anchor` is the register's anchor (its fields' are
/// `anchor.FIELD`).
pub(super) fn diagram(r: &Register, anchor: &str) -> String {
    let bits = r.width.value.bits();
    let mut fields: Vec<Drawn<'_>> = if r.fields.is_empty() {
        vec![Drawn {
            name: &r.name.value,
            lsb: 0,
            msb: bits - 1,
            access: r.access.value,
            href: format!("#{anchor}"),
            title: format!(
                "{} [{}:0] {}",
                r.name.value,
                bits - 1,
                r.access.value.short_name()
            ),
        }]
    } else {
        r.fields
            .iter()
            .map(|f| Drawn {
                name: &f.name.value,
                lsb: f.lsb,
                msb: f.msb.min(bits - 1),
                access: f.access.value,
                href: format!("#{anchor}.{}", f.name.value),
                title: format!(
                    "{} {} {}{}",
                    f.name.value,
                    super::bit_range(f.lsb, f.msb),
                    f.access.value.short_name(),
                    f.description
                        .as_deref()
                        .map(|d| format!(": {}", super::first_line(d)))
                        .unwrap_or_default()
                ),
            })
            .collect()
    };
    fields.sort_by_key(|f| std::cmp::Reverse(f.msb));
    let per_row = bits.min(32);
    let rows = bits / per_row;
    let width = MARGIN * 2 + per_row * CELL;
    // Each row is as tall as its longest name written upright needs.
    let heights: Vec<u32> = (0..rows)
        .map(|row| {
            let (top, bottom) = row_bits(row, rows, per_row);
            fields
                .iter()
                .filter(|f| f.lsb <= top && f.msb >= bottom)
                .map(|f| {
                    let cells = f.msb.min(top) - f.lsb.max(bottom) + 1;
                    box_height(f.name, cells)
                })
                .max()
                .unwrap_or(LOW_BOX)
        })
        .collect();
    let height: u32 = heights.iter().map(|h| NUMBERS + h + GAP).sum::<u32>() - GAP;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg class=\"bits\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" data-width=\"{bits}\" aria-label=\"Bit fields of {}\">",
        esc(&r.name.value)
    );
    let mut y = 0;
    for (row, h) in heights.iter().enumerate() {
        let (top, bottom) = row_bits(row as u32, rows, per_row);
        for bit in (bottom..=top).rev() {
            let x = MARGIN + (top - bit) * CELL + CELL / 2;
            let _ = write!(
                s,
                "<text class=\"bit\" data-bit=\"{bit}\" x=\"{x}\" y=\"{}\">{bit}</text>",
                y + NUMBERS - 4
            );
        }
        s.push('\n');
        // Reserved bits first, under the fields.
        let mut bit = top as i64;
        while bit >= i64::from(bottom) {
            let b = bit as u32;
            if fields.iter().any(|f| f.lsb <= b && b <= f.msb) {
                bit -= 1;
                continue;
            }
            let mut low = b;
            while low > bottom && !fields.iter().any(|f| f.lsb < low && low - 1 <= f.msb) {
                low -= 1;
            }
            let x = MARGIN + (top - b) * CELL;
            let _ = writeln!(
                s,
                "<rect class=\"reserved\" data-lsb=\"{low}\" data-msb=\"{b}\" x=\"{x}\" y=\"{}\" width=\"{}\" height=\"{h}\"><title>reserved {}</title></rect>",
                y + NUMBERS,
                (b - low + 1) * CELL,
                super::bit_range(low, b)
            );
            bit = i64::from(low) - 1;
        }
        y += NUMBERS + h + GAP;
    }
    // Fields: one group each, with a box in every row it reaches.
    for f in &fields {
        let _ = write!(
            s,
            "<a href=\"{}\"><g class=\"field acc-{}\" data-field=\"{}\" data-lsb=\"{}\" data-msb=\"{}\"><title>{}</title>",
            esc(&f.href),
            f.access.short_name(),
            esc(f.name),
            f.lsb,
            f.msb,
            esc(&f.title)
        );
        let mut y = 0;
        for (row, h) in heights.iter().enumerate() {
            let (top, bottom) = row_bits(row as u32, rows, per_row);
            if f.lsb <= top && f.msb >= bottom {
                let hi = f.msb.min(top);
                let lo = f.lsb.max(bottom);
                let x = MARGIN + (top - hi) * CELL;
                let w = (hi - lo + 1) * CELL;
                let y0 = y + NUMBERS;
                let _ = write!(
                    s,
                    "<rect x=\"{x}\" y=\"{y0}\" width=\"{w}\" height=\"{h}\" rx=\"2\"/>"
                );
                label(&mut s, f, x, y0, w, *h);
            }
            y += NUMBERS + h + GAP;
        }
        s.push_str("</g></a>\n");
    }
    s.push_str("</svg>");
    s
}

/// Highest and lowest bit of row `row` (row 0 holds the highest bits).
fn row_bits(row: u32, rows: u32, per_row: u32) -> (u32, u32) {
    let bottom = (rows - 1 - row) * per_row;
    (bottom + per_row - 1, bottom)
}

/// Whether `name` fits across `cells` bits.
fn fits_across(name: &str, cells: u32) -> bool {
    name.len() as f32 * CHAR + 6.0 <= (cells * CELL) as f32
}

/// The height of a box of `cells` bits naming `name`.
fn box_height(name: &str, cells: u32) -> u32 {
    if fits_across(name, cells) {
        LOW_BOX
    } else {
        // Upright: the name, then room for the access kind below it.
        // Upper-case glyphs run wider than the average a name across uses.
        let text = (name.chars().count().min(MAX_UPRIGHT) as f32 * UPRIGHT_CHAR) as u32;
        (text + 30).max(LOW_BOX)
    }
}

/// Advance of one character of a name written upright (room is reserved
/// for the widest capitals, so the name never runs into the access label).
const UPRIGHT_CHAR: f32 = 8.6;

/// Longest name written upright; longer ones are cut with an ellipsis.
const MAX_UPRIGHT: usize = 14;

fn label(s: &mut String, f: &Drawn<'_>, x: u32, y: u32, w: u32, h: u32) {
    let cx = x + w / 2;
    let cells = w / CELL;
    let access = f.access.short_name();
    if fits_across(f.name, cells) {
        let _ = write!(
            s,
            "<text class=\"name\" x=\"{cx}\" y=\"{}\">{}</text><text class=\"acc\" x=\"{cx}\" y=\"{}\">{access}</text>",
            y + 18,
            esc(f.name),
            y + h - 8
        );
    } else {
        let name: String = if f.name.chars().count() > MAX_UPRIGHT {
            let mut cut: String = f.name.chars().take(MAX_UPRIGHT - 1).collect();
            cut.push('…');
            cut
        } else {
            f.name.to_owned()
        };
        let ty = y + 5;
        let _ = write!(
            s,
            "<text class=\"name up\" transform=\"translate({},{ty}) rotate(90)\">{}</text><text class=\"acc\" x=\"{cx}\" y=\"{}\">{access}</text>",
            cx - 4,
            esc(&name),
            y + h - 6
        );
    }
}
