//! What the `.hwh` and IP-XACT importers share: vendor numbers, vendor
//! access kinds, and IR clean-ups for what vendor files allow and the regmap
//! checks do not (register arrays written out element by element, field
//! access against register access, reserved bits).

use crate::diag::Diagnostic;
use crate::ir::{Access, Array, Block, Item, Loc, Register, Spanned};
use crate::source::SourceFile;

/// An attribute value's location, or the element's when it has no such attribute.
pub(crate) fn attr_loc(file: &mut SourceFile, node: roxmltree::Node<'_, '_>, name: &str) -> Loc {
    match node.attribute_node(name) {
        Some(attr) => file.loc(attr.range_value()),
        None => super::xml::loc(file, node),
    }
}

/// Parses an integer as vendors write them: decimal, `0x1F`, `#1F`,
/// Verilog-style `'h1F` / `32'hFFFF_0000` / `'d10` / `'b101` / `'o17`, with
/// `_` separators in the Verilog forms, and IP-XACT's `K`/`M`/`G`/`T` scale
/// suffixes on decimal numbers. `None` when it is none of these or does not
/// fit 64 bits.
pub(crate) fn parse_int(text: &str) -> Option<u64> {
    let s = text.trim();
    if let Some(tick) = s.find('\'') {
        let (width, rest) = s.split_at(tick);
        if !width.is_empty() && !width.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let rest = &rest[1..];
        let rest = rest.strip_prefix(['s', 'S']).unwrap_or(rest);
        let mut chars = rest.chars();
        let radix = match chars.next()?.to_ascii_lowercase() {
            'h' => 16,
            'd' => 10,
            'b' => 2,
            'o' => 8,
            _ => return None,
        };
        return digits(chars.as_str(), radix, true);
    }
    if let Some(hex) = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .or_else(|| s.strip_prefix('#'))
    {
        return digits(hex, 16, false);
    }
    let (number, scale) = match s.as_bytes().last()? {
        b'k' | b'K' => (&s[..s.len() - 1], 1u64 << 10),
        b'm' | b'M' => (&s[..s.len() - 1], 1 << 20),
        b'g' | b'G' => (&s[..s.len() - 1], 1 << 30),
        b't' | b'T' => (&s[..s.len() - 1], 1 << 40),
        _ => (s, 1),
    };
    digits(number, 10, false)?.checked_mul(scale)
}

fn digits(s: &str, radix: u32, underscores: bool) -> Option<u64> {
    let mut value: u64 = 0;
    let mut any = false;
    for c in s.chars() {
        if c == '_' && underscores && any {
            continue;
        }
        let d = c.to_digit(radix)?;
        value = value
            .checked_mul(u64::from(radix))?
            .checked_add(u64::from(d))?;
        any = true;
    }
    any.then_some(value)
}

/// A vendor access description lowered to one [`Access`], and what could
/// not be kept.
pub(crate) struct Lowered {
    /// The access kind.
    pub access: Access,
    /// Why something was dropped or changed, for a note.
    pub note: Option<String>,
    /// Whether the change loses hardware behaviour (a warning, not a note).
    pub lossy: bool,
    /// Set when a read side effect turned a writable access (`rw`, `w1c`...)
    /// into a read-only kind: writes are lost, which always deserves a
    /// warning. Holds the access the read action replaced.
    pub write_dropped: Option<Access>,
}

/// Reports what lowering `owner`'s access changed: a warning when it loses
/// hardware behaviour, else a note; a writable access a read action made
/// read-only is a `write-dropped` warning at `read_loc` (the read action),
/// as the SVD importer reports it.
pub(crate) fn report_access(
    diags: &mut Vec<Diagnostic>,
    loc: Loc,
    read_loc: Loc,
    owner: &str,
    lowered: &Lowered,
) {
    if let Some(was) = lowered.write_dropped {
        diags.push(
            Diagnostic::warning(
                "write-dropped",
                read_loc,
                format!(
                    "field `{owner}`: a read-to-{} field that is also writable (`{}`) is imported as `{}`",
                    if lowered.access == Access::ReadToClear { "clear" } else { "set" },
                    was.short_name(),
                    lowered.access.short_name()
                ),
            )
            .with_hint(
                "regmap's read-side-effect kinds are read-only: writes to it are not generated",
            ),
        );
    }
    let Some(note) = &lowered.note else {
        return;
    };
    let message = format!("field `{owner}`: {note}");
    diags.push(if lowered.lossy {
        Diagnostic::warning("access-approximated", loc, message)
    } else {
        Diagnostic::note("access-changed", loc, message)
    });
}

/// Lowers IP-XACT's `access` + `modifiedWriteValue` + `readAction` (the
/// `.hwh` spells them `ACCESS`, `MODIFIED_READ_VALUES`, `READ_ACTION`).
/// `None` for an access word that is none of IP-XACT's.
pub(crate) fn lower_access(
    access: &str,
    modified_write: Option<&str>,
    read_action: Option<&str>,
) -> Option<Lowered> {
    let mut note = None;
    let mut lossy = false;
    let mut write_dropped = None;
    let base = match access.trim() {
        "read-write" | "" => Access::ReadWrite,
        "read-only" => Access::ReadOnly,
        "write-only" => Access::WriteOnly,
        "read-writeOnce" => {
            note = Some(
                "`read-writeOnce` imported as `rw`: the write-once rule is not modelled".into(),
            );
            lossy = true;
            Access::ReadWrite
        }
        "writeOnce" => {
            note = Some("`writeOnce` imported as `wo`: the write-once rule is not modelled".into());
            lossy = true;
            Access::WriteOnly
        }
        _ => return None,
    };
    let mut access = base;
    match modified_write.map(str::trim).unwrap_or("") {
        // `modify` says only "something else happens"; Vitis HLS writes it on
        // every writable bit, so it carries no information.
        "" | "modify" => {}
        mwv => {
            let action = match mwv {
                "oneToClear" => Some(Access::OneToClear),
                "oneToSet" => Some(Access::OneToSet),
                "oneToToggle" => Some(Access::OneToToggle),
                "zeroToClear" => Some(Access::ZeroToClear),
                "zeroToSet" => Some(Access::ZeroToSet),
                _ => None,
            };
            match action {
                // A write-only bit whose writes act elsewhere (AXI INTC's IAR
                // clears ISR bits) stays write-only: it has no value to read.
                Some(_) if base == Access::WriteOnly => {
                    note = Some(format!(
                        "write-only with `{mwv}`: imported as `wo` (the write acts on another register)"
                    ));
                }
                // A side effect on write makes the bit writable even where
                // `access` says read-only (HLS interrupt status bits).
                Some(action) => access = action,
                None => {
                    note = Some(format!(
                        "modified write value `{mwv}` has no regmap equivalent: imported as `{}`",
                        base.short_name()
                    ));
                    lossy = true;
                }
            }
        }
    }
    match read_action.map(str::trim).unwrap_or("") {
        // As above: `modify` is written on every read-only HLS bit, including
        // plain ones such as ap_idle, so it says nothing usable.
        "" | "modify" => {}
        action @ ("clear" | "set") => {
            if access.is_writable() {
                write_dropped = Some(access);
            }
            access = if action == "clear" {
                Access::ReadToClear
            } else {
                Access::ReadToSet
            };
        }
        other => {
            note = Some(format!(
                "read action `{other}` has no regmap equivalent: dropped"
            ));
            lossy = true;
        }
    }
    Some(Lowered {
        access,
        note,
        lossy,
        write_dropped,
    })
}

/// Whether two registers differ only in name, offset and locations.
fn same_shape(a: &Register, b: &Register) -> bool {
    let fields = |r: &Register| {
        r.fields
            .iter()
            .map(|f| {
                (
                    f.name.value.clone(),
                    f.lsb,
                    f.msb,
                    f.access.value,
                    f.description.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    a.width.value == b.width.value
        && a.access.value == b.access.value
        && a.reset.value == b.reset.value
        && a.array.is_none()
        && b.array.is_none()
        && fields(a) == fields(b)
}

/// Splits `NAME[3]` into `("NAME", 3)`.
fn indexed(name: &str) -> Option<(&str, u64)> {
    let open = name.strip_suffix(']')?.rfind('[')?;
    let index = name[open + 1..name.len() - 1].parse().ok()?;
    Some((&name[..open], index))
}

/// Folds runs of registers written out as `NAME[0]`, `NAME[1]`, ... at a
/// constant stride with one layout into one register array named `NAME`
/// (vendors expand arrays; the generated code is better with one).
pub(crate) fn fold_arrays(regs: Vec<Register>) -> Vec<Register> {
    let mut out: Vec<Register> = Vec::with_capacity(regs.len());
    let mut i = 0;
    while i < regs.len() {
        let Some((base, 0)) = indexed(&regs[i].name.value) else {
            out.push(regs[i].clone());
            i += 1;
            continue;
        };
        let mut end = i + 1;
        while end < regs.len()
            && indexed(&regs[end].name.value) == Some((base, (end - i) as u64))
            && same_shape(&regs[i], &regs[end])
        {
            end += 1;
        }
        let count = (end - i) as u64;
        let stride = regs
            .get(i + 1)
            .map_or(0, |r| r.offset.value.wrapping_sub(regs[i].offset.value));
        let even = (i + 1..end)
            .all(|k| regs[k].offset.value.checked_sub(regs[k - 1].offset.value) == Some(stride));
        if count >= 2 && even && stride > 0 {
            let mut first = regs[i].clone();
            first.name.value = base.to_owned();
            first.array = Some(Array {
                count: Spanned::new(count, first.loc),
                stride: Spanned::new(stride, first.loc),
            });
            out.push(first);
            i = end;
        } else {
            out.push(regs[i].clone());
            i += 1;
        }
    }
    out
}

/// Makes a register the regmap checks accept without changing what it does:
/// drops reserved fields (they have no use in generated code and often
/// contradict their register's access), widens a register's declared access to
/// `rw` when its fields need it, and turns a register whose one field covers
/// it all into a register without fields.
pub(crate) fn tidy_register(reg: &mut Register, diags: &mut Vec<Diagnostic>) {
    reg.fields
        .retain(|f| !f.name.value.to_ascii_lowercase().starts_with("reserved"));
    // Vendor metadata has bugs (the AXI CDMA of Vivado 2018.3 puts Err_IrqEn
    // on Reset's bit): keep the first field of any overlap, so the rest of
    // the register still imports, and say so.
    let mut used = 0u64;
    let mut kept = Vec::with_capacity(reg.fields.len());
    for f in std::mem::take(&mut reg.fields) {
        // Bits past 63 are left to the checks (`field-past-width`).
        let mask = if f.msb < 64 { f.mask() } else { 0 };
        if used & mask != 0 {
            let other = kept
                .iter()
                .find(|k: &&crate::ir::Field| k.msb < 64 && k.mask() & mask != 0)
                .map_or(String::new(), |k| k.name.value.clone());
            diags.push(
                Diagnostic::warning(
                    "field-dropped",
                    f.bits_loc,
                    format!(
                        "field `{}` of `{}` (bits {}:{}) overlaps `{other}`: dropped",
                        f.name.value, reg.name.value, f.msb, f.lsb
                    ),
                )
                .with_label("overlaps an earlier field")
                .with_hint(
                    "the vendor metadata is inconsistent here; check the IP's product guide",
                ),
            );
            continue;
        }
        used |= mask;
        kept.push(f);
    }
    reg.fields = kept;
    if reg
        .fields
        .iter()
        .any(|f| !reg.access.value.allows_field(f.access.value))
    {
        diags.push(Diagnostic::note(
            "access-widened",
            reg.access.loc,
            format!(
                "register `{}` declared `{}` but its fields are not all `{}`: imported as `rw`, each field keeps its own access",
                reg.name.value,
                reg.access.value.short_name(),
                reg.access.value.short_name()
            ),
        ));
        reg.access.value = Access::ReadWrite;
    }
    if let [field] = reg.fields.as_slice()
        && field.lsb == 0
        && field.msb + 1 == reg.width.value.bits()
        && field.access.value == reg.access.value
        && field.enumeration.is_none()
    {
        let field = reg.fields.pop().expect("one field");
        if reg.description.is_none() {
            reg.description = field.description;
        }
    }
}

/// A copy of `block` with every location cleared, to compare layouts.
pub(crate) fn without_locs(block: &Block) -> Block {
    fn items(list: &mut [Item]) {
        for item in list {
            match item {
                Item::Register(r) => {
                    r.loc = Loc::NONE;
                    r.name.loc = Loc::NONE;
                    r.offset.loc = Loc::NONE;
                    r.width.loc = Loc::NONE;
                    r.access.loc = Loc::NONE;
                    r.reset.loc = Loc::NONE;
                    if let Some(a) = &mut r.array {
                        a.count.loc = Loc::NONE;
                        a.stride.loc = Loc::NONE;
                    }
                    for f in &mut r.fields {
                        f.loc = Loc::NONE;
                        f.name.loc = Loc::NONE;
                        f.bits_loc = Loc::NONE;
                        f.access.loc = Loc::NONE;
                        if let Some(crate::ir::EnumRef::Inline(e)) = &mut f.enumeration {
                            clear_enum(e);
                        }
                    }
                }
                Item::Cluster(c) => {
                    c.loc = Loc::NONE;
                    c.name.loc = Loc::NONE;
                    c.offset.loc = Loc::NONE;
                    if let Some(a) = &mut c.array {
                        a.count.loc = Loc::NONE;
                        a.stride.loc = Loc::NONE;
                    }
                    items(&mut c.items);
                }
            }
        }
    }
    fn clear_enum(e: &mut crate::ir::Enum) {
        e.loc = Loc::NONE;
        e.name.loc = Loc::NONE;
        for v in &mut e.variants {
            v.name.loc = Loc::NONE;
            v.value.loc = Loc::NONE;
        }
    }
    let mut b = block.clone();
    b.loc = Loc::NONE;
    b.enums.iter_mut().for_each(clear_enum);
    b.name = Spanned::new(String::new(), Loc::NONE);
    b.size.loc = Loc::NONE;
    items(&mut b.items);
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_every_vendor_spelling() {
        assert_eq!(parse_int("42"), Some(42));
        assert_eq!(parse_int(" 0x1F "), Some(0x1f));
        assert_eq!(parse_int("#1f"), Some(0x1f));
        assert_eq!(parse_int("'h1F"), Some(0x1f));
        assert_eq!(parse_int("32'hFFFF_0000"), Some(0xffff_0000));
        assert_eq!(parse_int("8'b1010_0101"), Some(0xa5));
        assert_eq!(parse_int("'d10"), Some(10));
        assert_eq!(parse_int("4K"), Some(4096));
        assert_eq!(parse_int("0x00000000000000010"), Some(0x10));
        assert_eq!(parse_int("'h_1"), None);
        assert_eq!(parse_int("x'h1"), None);
        assert_eq!(parse_int("0x1_0"), None);
        assert_eq!(parse_int("0x1_0000_0000_0000_0000"), None);
        assert_eq!(parse_int("'h1_0000_0000_0000_0000"), None);
        assert_eq!(parse_int(""), None);
        assert_eq!(parse_int("-1"), None);
    }

    #[test]
    fn side_effects_lower_to_access_kinds() {
        let l = |a, w, r| lower_access(a, w, r).map(|l| l.access);
        assert_eq!(
            l("read-write", Some("oneToClear"), None),
            Some(Access::OneToClear)
        );
        assert_eq!(
            l("read-only", Some("oneToToggle"), Some("modify")),
            Some(Access::OneToToggle)
        );
        assert_eq!(
            l("read-write", Some("oneToSet"), Some("")),
            Some(Access::OneToSet)
        );
        assert_eq!(
            l("read-only", None, Some("clear")),
            Some(Access::ReadToClear)
        );
        assert_eq!(
            l("write-only", Some("oneToClear"), None),
            Some(Access::WriteOnly)
        );
        assert_eq!(
            l("read-write", Some("modify"), None),
            Some(Access::ReadWrite)
        );
        assert_eq!(l("sideways", None, None), None);
        assert!(
            lower_access("read-write", Some("zeroToToggle"), None)
                .unwrap()
                .note
                .is_some()
        );
        // A read side effect on a writable access drops its writes: told,
        // with the access it replaced; on a read-only one nothing is lost.
        let dropped = |a, w, r| lower_access(a, w, r).and_then(|l| l.write_dropped);
        assert_eq!(
            dropped("read-write", Some("oneToClear"), Some("clear")),
            Some(Access::OneToClear)
        );
        assert_eq!(
            dropped("read-write", None, Some("set")),
            Some(Access::ReadWrite)
        );
        assert_eq!(dropped("read-only", None, Some("clear")), None);
        assert_eq!(dropped("read-write", None, None), None);
    }

    fn reg(name: &str, offset: u64, reset: u64) -> Register {
        Register {
            name: Spanned::new(name.to_owned(), Loc::NONE),
            description: None,
            offset: Spanned::new(offset, Loc::NONE),
            width: Spanned::new(crate::ir::Width::W32, Loc::NONE),
            access: Spanned::new(Access::ReadWrite, Loc::NONE),
            reset: Spanned::new(reset, Loc::NONE),
            array: None,
            fields: Vec::new(),
            alternate_of: None,
            loc: Loc::NONE,
        }
    }

    #[test]
    fn written_out_arrays_fold_only_when_regular() {
        let mut regs = vec![reg("CTRL", 0, 0)];
        regs.extend((0..32).map(|i| reg(&format!("IVAR[{i}]"), 0x100 + 4 * i, 0x10)));
        // Irregular: a gap in the stride, so these stay separate registers.
        regs.extend([
            reg("X[0]", 0x200, 0),
            reg("X[1]", 0x204, 0),
            reg("X[2]", 0x20c, 0),
        ]);
        // Different resets: not one layout.
        regs.extend([reg("Y[0]", 0x300, 0), reg("Y[1]", 0x304, 1)]);
        let folded = fold_arrays(regs);
        let names: Vec<&str> = folded.iter().map(|r| r.name.value.as_str()).collect();
        assert_eq!(
            names,
            ["CTRL", "IVAR", "X[0]", "X[1]", "X[2]", "Y[0]", "Y[1]"]
        );
        let a = folded[1].array.as_ref().unwrap();
        assert_eq!(
            (folded[1].offset.value, a.count.value, a.stride.value),
            (0x100, 32, 4)
        );
    }
}
