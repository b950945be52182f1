//! Registers by name at run time, over a block's static description
//! ([`BlockDesc`]): what a bring-up tool needs to read, decode, write and watch
//! a device without generated types.
//!
//! Paths name a register instance as the description does (`STATUS`,
//! `IVAR[3]`, `channel[1].LENGTH`), optionally followed by one field
//! (`STATUS.COMPUTING`). Names match without regard to case.
//!
//! The access kinds are obeyed: nothing is written to a register without a
//! writable field, a read-only field cannot be named in a write, a register
//! whose read changes it (`rc`, `rs`) is read only when the caller says so
//! ([`Live::read`] takes the flag, [`Live::dump`] skips it), and action fields
//! (`w1c` and kin) that a write does not name are written with their idle
//! value, so a read-modify-write never acknowledges a pending bit.
//!
//! ```
//! use regmap_runtime::MemBus;
//! use regmap_runtime::desc::{Access, BlockDesc, FieldDesc, RegisterDesc};
//! use regmap_runtime::live::Live;
//!
//! static BLOCK: BlockDesc = BlockDesc {
//!     name: "timer",
//!     size: 8,
//!     description: "",
//!     registers: &[RegisterDesc {
//!         name: "CTRL",
//!         offset: 0,
//!         width: 4,
//!         reset: 0,
//!         fields: &[
//!             FieldDesc::new("ENABLE", 0, 1, Access::ReadWrite, &[], ""),
//!             FieldDesc::new("DONE", 1, 1, Access::OneToClear, &[], ""),
//!         ],
//!         description: "",
//!     }],
//! };
//!
//! let bus = MemBus::new(8);
//! let live = Live::new(&BLOCK, &bus);
//! live.modify("ctrl", &[("ENABLE", "1")])?;
//! let reading = live.read("CTRL", false)?;
//! assert_eq!(reading.value, 1);
//! assert_eq!(reading.fields[0].value, 1);
//! # Ok::<(), regmap_runtime::live::LiveError>(())
//! ```

/// The bring-up guide's code blocks, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/bring-up.md")]
struct BringUpGuide;

use crate::bus::Bus;
use crate::desc::{Access, BlockDesc, FieldDesc, RegisterDesc};
use crate::error::AccessError;
use std::fmt;

/// What went wrong addressing or accessing a register by name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LiveError {
    /// No register has this name.
    #[error("block `{block}` has no register `{name}`{}", suggest(suggestions))]
    UnknownRegister {
        /// The block searched.
        block: String,
        /// The name asked for.
        name: String,
        /// Near names that exist.
        suggestions: Vec<String>,
    },
    /// The register has no field of this name.
    #[error("register `{register}` has no field `{field}`{}", suggest(suggestions))]
    UnknownField {
        /// The register.
        register: String,
        /// The field asked for.
        field: String,
        /// Near names (or all fields, when few).
        suggestions: Vec<String>,
    },
    /// The register cannot be read (write-only).
    #[error("register `{register}` is write-only: a read returns nothing meaningful")]
    NotReadable {
        /// The register.
        register: String,
    },
    /// Reading the register would change it, and the caller did not allow it.
    #[error(
        "reading register `{register}` changes it (field `{field}` is {access}); allow side effects to read it anyway"
    )]
    ReadSideEffect {
        /// The register.
        register: String,
        /// The field whose read has an effect.
        field: String,
        /// Its access kind (`rc`, `rs`).
        access: &'static str,
    },
    /// The register (or field) cannot be written.
    #[error("{what} is read-only ({access}): it cannot be written")]
    NotWritable {
        /// `register `X`` or `field `F` of register `X``.
        what: String,
        /// Its access kind.
        access: &'static str,
    },
    /// A value that is neither a number nor one of the field's enum names.
    #[error(
        "`{text}` is not a value of {what}: expected a number{}",
        names(expected)
    )]
    BadValue {
        /// The text given.
        text: String,
        /// `field `F` of register `X``.
        what: String,
        /// The field's enum names, if any.
        expected: Vec<String>,
    },
    /// A value wider than the register or field.
    #[error("{value:#x} does not fit {what} ({bits} bits)")]
    TooWide {
        /// The value given.
        value: u64,
        /// What it was meant for.
        what: String,
        /// Its width in bits.
        bits: u32,
    },
    /// The path has a shape the names cannot have (empty, a dangling `.`).
    #[error("`{0}` is not a register path (REG, REG.FIELD, ARRAY[i], cluster[i].REG)")]
    BadPath(String),
    /// The window refused the access.
    #[error("register `{register}`: {source}")]
    Access {
        /// The register.
        register: String,
        /// What the window said.
        source: AccessError,
    },
}

fn suggest(names: &[String]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", quoted(names, " or "))
    }
}

fn names(names: &[String]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!(" or one of {}", quoted(names, ", "))
    }
}

fn quoted(names: &[String], sep: &str) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(sep)
}

/// The names among `candidates` nearest to `name`, best first (at most 3).
fn near<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<String> {
    let lower = name.to_ascii_lowercase();
    let mut scored: Vec<(f64, &str)> = candidates
        .map(|c| {
            let cl = c.to_ascii_lowercase();
            // A name that contains what was typed (`DMASR` for
            // `S2MM_DMASR`) is as good a guess as a near spelling.
            // Three letters at least, or a one-letter name would match everything.
            let contains =
                (lower.len() >= 3 && cl.contains(&lower)) || (cl.len() >= 3 && lower.contains(&cl));
            let score = strsim::jaro_winkler(&lower, &cl).max(if contains { 0.9 } else { 0.0 });
            (score, c)
        })
        .filter(|(s, _)| *s >= 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| c.to_string())
        .collect()
}

/// A resolved path: one register, and one of its fields if the path named it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// The register.
    pub register: &'static RegisterDesc,
    /// The field, if the path named one.
    pub field: Option<&'static FieldDesc>,
}

/// Resolves `path` (`REG`, `REG.FIELD`, `ARRAY[i]`, `cluster[i].REG.FIELD`)
/// in `block`.
pub fn resolve(block: &BlockDesc, path: &str) -> Result<Target, LiveError> {
    let path = path.trim();
    if path.is_empty() || path.starts_with('.') || path.ends_with('.') {
        return Err(LiveError::BadPath(path.to_string()));
    }
    if let Some(register) = block.register(path) {
        return Ok(Target {
            register,
            field: None,
        });
    }
    // `REG.FIELD`: the register is everything before the last dot.
    if let Some((reg, field)) = path.rsplit_once('.')
        && let Some(register) = block.register(reg)
    {
        let field = field_of(register, field)?;
        return Ok(Target {
            register,
            field: Some(field),
        });
    }
    Err(LiveError::UnknownRegister {
        block: block.name.to_string(),
        name: path.to_string(),
        suggestions: near(path, block.registers.iter().map(|r| r.name)),
    })
}

/// The field of `register` named `name` (any case).
pub fn field_of(
    register: &'static RegisterDesc,
    name: &str,
) -> Result<&'static FieldDesc, LiveError> {
    register
        .fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            let mut suggestions = near(name, register.fields.iter().map(|f| f.name));
            if suggestions.is_empty() && register.fields.len() <= 8 {
                suggestions = register.fields.iter().map(|f| f.name.to_string()).collect();
            }
            LiveError::UnknownField {
                register: register.name.to_string(),
                field: name.to_string(),
                suggestions,
            }
        })
}

/// Parses a number: decimal, `0x` hexadecimal, `0o` octal or `0b` binary,
/// with `_` separators allowed.
pub fn parse_number(text: &str) -> Option<u64> {
    let t: String = text.trim().chars().filter(|&c| c != '_').collect();
    let lower = t.to_ascii_lowercase();
    let (digits, radix) = if let Some(h) = lower.strip_prefix("0x") {
        (h, 16)
    } else if let Some(b) = lower.strip_prefix("0b") {
        (b, 2)
    } else if let Some(o) = lower.strip_prefix("0o") {
        (o, 8)
    } else {
        (lower.as_str(), 10)
    };
    if digits.is_empty() {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// Parses a value of `field` of `register`: a number or one of the field's
/// enum names (any case), checked against the field's width.
pub fn parse_field_value(
    register: &RegisterDesc,
    field: &FieldDesc,
    text: &str,
) -> Result<u64, LiveError> {
    let what = || format!("field `{}` of register `{}`", field.name, register.name);
    let value = match field
        .values
        .iter()
        .find(|v| v.name.eq_ignore_ascii_case(text.trim()))
    {
        Some(v) => v.value,
        None => parse_number(text).ok_or_else(|| LiveError::BadValue {
            text: text.to_string(),
            what: what(),
            expected: field.values.iter().map(|v| v.name.to_string()).collect(),
        })?,
    };
    if value > field.mask() >> field.lsb {
        return Err(LiveError::TooWide {
            value,
            what: what(),
            bits: field.width,
        });
    }
    Ok(value)
}

/// One field of a register reading, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldValue {
    /// The field.
    pub desc: &'static FieldDesc,
    /// Its value.
    pub value: u64,
    /// The enum name of the value, when the field is enumerated and the value named.
    pub name: Option<&'static str>,
    /// A `w1c` (or `w0c`) flag that is set: an event waiting to be acknowledged.
    pub pending: bool,
}

/// A register's value and its fields decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The register.
    pub register: &'static RegisterDesc,
    /// The raw value.
    pub value: u64,
    /// Every readable field, lowest bit first.
    pub fields: Vec<FieldValue>,
}

impl Reading {
    /// Decodes `value` as a value of `register`.
    pub fn decode(register: &'static RegisterDesc, value: u64) -> Self {
        let fields = register
            .fields
            .iter()
            .filter(|f| f.access.is_readable())
            .map(|f| {
                let v = f.extract(value);
                FieldValue {
                    desc: f,
                    value: v,
                    name: f.values.iter().find(|e| e.value == v).map(|e| e.name),
                    // A set flag that a write clears is an event not yet acknowledged.
                    pending: matches!(f.access, Access::OneToClear | Access::ZeroToClear) && v != 0,
                }
            })
            .collect();
        Self {
            register,
            value,
            fields,
        }
    }

    /// The field named `name` (any case), if the reading has it.
    pub fn field(&self, name: &str) -> Option<&FieldValue> {
        self.fields
            .iter()
            .find(|f| f.desc.name.eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Reading {
    /// `NAME @ 0xOFF = 0xVALUE` and one line per field (when the register
    /// has named fields).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.register;
        let digits = r.width * 2;
        write!(
            f,
            "{} @ {:#06x} = {:#0w$x}",
            r.name,
            r.offset,
            self.value,
            w = digits + 2
        )?;
        let whole = r.fields.len() == 1 && r.fields[0].width as usize == r.width * 8;
        if whole {
            return Ok(());
        }
        for fv in &self.fields {
            let d = fv.desc;
            let bits = if d.width == 1 {
                format!("[{}]", d.lsb)
            } else {
                format!("[{}:{}]", d.lsb + d.width - 1, d.lsb)
            };
            write!(
                f,
                "\n  {:<20} {:<8} {:<4} {:#x}",
                d.name,
                bits,
                d.access.short_name(),
                fv.value
            )?;
            if let Some(n) = fv.name {
                write!(f, " ({n})")?;
            }
            if fv.pending {
                write!(f, " pending")?;
            }
        }
        Ok(())
    }
}

/// What [`Live::dump`] found at one register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DumpEntry {
    /// Read and decoded.
    Read(Reading),
    /// Not read: write-only, or its read has side effects.
    Skipped {
        /// The register.
        register: &'static RegisterDesc,
        /// Why, in a few words.
        reason: &'static str,
    },
}

/// A block's registers on a bus, by name.
#[derive(Debug, Clone, Copy)]
pub struct Live<'a, B: ?Sized> {
    block: &'a BlockDesc,
    bus: &'a B,
}

impl<'a, B: Bus + ?Sized> Live<'a, B> {
    /// The registers of `block` on `bus` (offsets relative to the bus's first byte).
    pub fn new(block: &'a BlockDesc, bus: &'a B) -> Self {
        Self { block, bus }
    }

    /// The block's description.
    pub fn block(&self) -> &'a BlockDesc {
        self.block
    }

    /// Resolves `path` in the block ([`resolve`]).
    pub fn resolve(&self, path: &str) -> Result<Target, LiveError> {
        resolve(self.block, path)
    }

    /// Reads the register at `path` (a field in the path is ignored: the
    /// whole register is read and decoded). A register whose read has side
    /// effects is read only with `side_effects`.
    pub fn read(&self, path: &str, side_effects: bool) -> Result<Reading, LiveError> {
        let t = self.resolve(path)?;
        self.read_register(t.register, side_effects)
    }

    /// Reads and decodes `register`, refusing write-only registers, and
    /// registers whose read has side effects unless `side_effects`.
    pub fn read_register(
        &self,
        register: &'static RegisterDesc,
        side_effects: bool,
    ) -> Result<Reading, LiveError> {
        check_readable(register, side_effects)?;
        let value = self.raw_read(register)?;
        Ok(Reading::decode(register, value))
    }

    /// Every register in offset order: read, or skipped (write-only; side
    /// effects on read unless `side_effects`).
    pub fn dump(&self, side_effects: bool) -> Result<Vec<DumpEntry>, LiveError> {
        self.block
            .registers
            .iter()
            .map(|r| match check_readable(r, side_effects) {
                Ok(()) => Ok(DumpEntry::Read(Reading::decode(r, self.raw_read(r)?))),
                Err(LiveError::NotReadable { .. }) => Ok(DumpEntry::Skipped {
                    register: r,
                    reason: "write-only",
                }),
                Err(LiveError::ReadSideEffect { .. }) => Ok(DumpEntry::Skipped {
                    register: r,
                    reason: "read has side effects",
                }),
                Err(e) => Err(e),
            })
            .collect()
    }

    /// Writes `value` to the register at `path`; a path naming a field
    /// writes that field, the others as [`Live::write`] does. Refused when
    /// nothing named is writable. Returns the register value written.
    pub fn write_raw(&self, path: &str, value: u64) -> Result<u64, LiveError> {
        let t = self.resolve(path)?;
        let r = t.register;
        if let Some(f) = t.field {
            let v = check_fits(value, f.width, || {
                format!("field `{}` of register `{}`", f.name, r.name)
            })?;
            return self.write_fields_of(r, &[(f, v)], false);
        }
        check_writable(r)?;
        let v = check_fits(value, r.width as u32 * 8, || {
            format!("register `{}`", r.name)
        })?;
        self.raw_write(r, v)?;
        Ok(v)
    }

    /// Writes the register at `path` with the named fields set (`FIELD` →
    /// value text: a number or an enum name); every other field gets its
    /// reset value, action fields their idle value. Returns the value written.
    pub fn write(&self, path: &str, fields: &[(&str, &str)]) -> Result<u64, LiveError> {
        let r = self.resolve(path)?.register;
        let parsed = parse_pairs(r, fields)?;
        self.write_fields_of(r, &parsed, false)
    }

    /// Reads the register at `path`, changes only the named fields and
    /// writes it back. Action fields not named are written idle (a pending
    /// `w1c` flag is not acknowledged); named ones are written as given.
    /// Returns the value written.
    pub fn modify(&self, path: &str, fields: &[(&str, &str)]) -> Result<u64, LiveError> {
        let r = self.resolve(path)?.register;
        let parsed = parse_pairs(r, fields)?;
        self.write_fields_of(r, &parsed, true)
    }

    fn write_fields_of(
        &self,
        r: &'static RegisterDesc,
        fields: &[(&'static FieldDesc, u64)],
        modify: bool,
    ) -> Result<u64, LiveError> {
        check_writable(r)?;
        for (f, _) in fields {
            if !f.access.is_writable() {
                return Err(LiveError::NotWritable {
                    what: format!("field `{}` of register `{}`", f.name, r.name),
                    access: f.access.short_name(),
                });
            }
        }
        // The base keeps what the register holds (modify) or its reset value
        // (write) in ordinary fields; only a register that can be read
        // without effect is read.
        let mut value = if modify {
            // Without a read there is nothing to keep: a write-only register
            // is written whole with `write`.
            check_readable(r, false)?;
            self.raw_read(r)?
        } else {
            r.reset
        };
        for f in r.fields {
            if let Some(idle) = f.access.idle_write_bit() {
                value = (value & !f.mask()) | if idle { f.mask() } else { 0 };
            } else if f.access == Access::WriteOnly && modify {
                // A write-only field reads as nothing: its reset value is
                // the only sane default.
                value = (value & !f.mask()) | (r.reset & f.mask());
            }
        }
        for (f, v) in fields {
            value = (value & !f.mask()) | ((v << f.lsb) & f.mask());
        }
        self.raw_write(r, value)?;
        Ok(value)
    }

    fn raw_read(&self, r: &RegisterDesc) -> Result<u64, LiveError> {
        let o = r.offset;
        let res = match r.width {
            1 => self.bus.read_u8(o).map(u64::from),
            2 => self.bus.read_u16(o).map(u64::from),
            4 => self.bus.read_u32(o).map(u64::from),
            _ => self.bus.read_u64(o),
        };
        res.map_err(|source| LiveError::Access {
            register: r.name.to_string(),
            source,
        })
    }

    fn raw_write(&self, r: &RegisterDesc, v: u64) -> Result<(), LiveError> {
        let o = r.offset;
        // The value was checked against the width, so the casts keep every bit.
        let res = match r.width {
            1 => self.bus.write_u8(o, v as u8),
            2 => self.bus.write_u16(o, v as u16),
            4 => self.bus.write_u32(o, v as u32),
            _ => self.bus.write_u64(o, v),
        };
        res.map_err(|source| LiveError::Access {
            register: r.name.to_string(),
            source,
        })
    }
}

fn check_fits(value: u64, bits: u32, what: impl Fn() -> String) -> Result<u64, LiveError> {
    if bits < 64 && value >> bits != 0 {
        return Err(LiveError::TooWide {
            value,
            what: what(),
            bits,
        });
    }
    Ok(value)
}

fn parse_pairs(
    r: &'static RegisterDesc,
    fields: &[(&str, &str)],
) -> Result<Vec<(&'static FieldDesc, u64)>, LiveError> {
    fields
        .iter()
        .map(|(name, text)| {
            let f = field_of(r, name)?;
            Ok((f, parse_field_value(r, f, text)?))
        })
        .collect()
}

/// Whether `r` may be read: not write-only, and no read side effects unless allowed.
pub fn check_readable(r: &RegisterDesc, side_effects: bool) -> Result<(), LiveError> {
    if !r.is_readable() {
        return Err(LiveError::NotReadable {
            register: r.name.to_string(),
        });
    }
    if !side_effects && let Some(f) = r.fields.iter().find(|f| f.access.has_read_side_effect()) {
        return Err(LiveError::ReadSideEffect {
            register: r.name.to_string(),
            field: f.name.to_string(),
            access: f.access.short_name(),
        });
    }
    Ok(())
}

fn check_writable(r: &RegisterDesc) -> Result<(), LiveError> {
    if r.is_writable() {
        return Ok(());
    }
    Err(LiveError::NotWritable {
        what: format!("register `{}`", r.name),
        access: r.fields.first().map_or("ro", |f| f.access.short_name()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemBus;
    use crate::desc::EnumValueDesc;

    const MODES: &[EnumValueDesc] = &[
        EnumValueDesc {
            name: "idle",
            value: 0,
        },
        EnumValueDesc {
            name: "run",
            value: 2,
        },
    ];

    static BLOCK: BlockDesc = BlockDesc {
        name: "dev",
        size: 0x20,
        description: "",
        registers: &[
            RegisterDesc {
                name: "CTRL",
                offset: 0,
                width: 4,
                reset: 0x100,
                fields: &[
                    FieldDesc::new("EN", 0, 1, Access::ReadWrite, &[], ""),
                    FieldDesc::new("MODE", 1, 2, Access::ReadWrite, MODES, ""),
                    FieldDesc::new("DONE", 4, 1, Access::OneToClear, &[], ""),
                    FieldDesc::new("KEEP", 8, 4, Access::ReadWrite, &[], ""),
                ],
                description: "",
            },
            RegisterDesc {
                name: "ID",
                offset: 4,
                width: 4,
                reset: 0,
                fields: &[FieldDesc::new("ID", 0, 32, Access::ReadOnly, &[], "")],
                description: "",
            },
            RegisterDesc {
                name: "FIFO",
                offset: 8,
                width: 2,
                reset: 0,
                fields: &[FieldDesc::new("FIFO", 0, 16, Access::ReadToClear, &[], "")],
                description: "",
            },
            RegisterDesc {
                name: "chan[1].LEN",
                offset: 0x10,
                width: 8,
                reset: 0,
                fields: &[FieldDesc::new("LEN", 0, 64, Access::ReadWrite, &[], "")],
                description: "",
            },
        ],
    };

    #[test]
    fn paths_resolve_registers_fields_and_cluster_elements() {
        let t = resolve(&BLOCK, "ctrl.mode").unwrap();
        assert_eq!((t.register.name, t.field.unwrap().name), ("CTRL", "MODE"));
        let t = resolve(&BLOCK, "CHAN[1].len").unwrap();
        assert_eq!(t.register.offset, 0x10);
        assert!(t.field.is_none());
        let t = resolve(&BLOCK, "chan[1].LEN.LEN").unwrap();
        assert_eq!(t.field.unwrap().width, 64);
    }

    #[test]
    fn unknown_names_suggest_near_ones() {
        let e = resolve(&BLOCK, "CTLR").unwrap_err();
        assert!(e.to_string().contains("did you mean `CTRL`"), "{e}");
        let e = resolve(&BLOCK, "CTRL.MOD").unwrap_err();
        assert_eq!(
            e.to_string(),
            "register `CTRL` has no field `MOD`; did you mean `MODE`?"
        );
        assert!(matches!(
            resolve(&BLOCK, "CTRL."),
            Err(LiveError::BadPath(_))
        ));
    }

    #[test]
    fn modify_keeps_other_fields_and_never_acknowledges() {
        let bus = MemBus::new(0x20);
        bus.write_u32(0, 0x0000_0a11).unwrap(); // EN, DONE pending, KEEP = 0xa
        let live = Live::new(&BLOCK, &bus);
        live.modify("CTRL", &[("MODE", "run")]).unwrap();
        // DONE written 0 (idle), the rest kept.
        assert_eq!(bus.read_u32(0).unwrap(), 0x0000_0a05);
        live.modify("CTRL", &[("DONE", "1")]).unwrap();
        assert_eq!(bus.read_u32(0).unwrap(), 0x0000_0a15);
    }

    #[test]
    fn write_starts_from_reset() {
        let bus = MemBus::new(0x20);
        bus.write_u32(0, 0xffff_ffff).unwrap();
        let live = Live::new(&BLOCK, &bus);
        live.write("CTRL", &[("EN", "1")]).unwrap();
        assert_eq!(bus.read_u32(0).unwrap(), 0x101);
        live.write_raw("CTRL.KEEP", 3).unwrap();
        assert_eq!(bus.read_u32(0).unwrap(), 0x300);
    }

    #[test]
    fn access_kinds_are_obeyed() {
        let bus = MemBus::new(0x20);
        let live = Live::new(&BLOCK, &bus);
        assert!(matches!(
            live.write_raw("ID", 1),
            Err(LiveError::NotWritable { .. })
        ));
        assert!(matches!(
            live.read("FIFO", false),
            Err(LiveError::ReadSideEffect { .. })
        ));
        assert!(live.read("FIFO", true).is_ok());
        let dump = live.dump(false).unwrap();
        assert!(matches!(dump[2], DumpEntry::Skipped { .. }));
        assert!(matches!(
            live.write("CTRL", &[("MODE", "7")]),
            Err(LiveError::TooWide { bits: 2, .. })
        ));
        assert!(matches!(
            live.write("CTRL", &[("MODE", "fast")]),
            Err(LiveError::BadValue { .. })
        ));
    }

    #[test]
    fn readings_decode_enums_and_pending_flags() {
        let r = Reading::decode(&BLOCK.registers[0], 0x15);
        assert_eq!(r.field("mode").unwrap().name, Some("run"));
        assert!(r.field("DONE").unwrap().pending);
        assert!(r.to_string().contains("DONE"));
        assert!(r.to_string().contains("pending"));
        let quiet = Reading::decode(&BLOCK.registers[0], 0x05);
        assert!(!quiet.field("DONE").unwrap().pending);
        assert!(!quiet.to_string().contains("pending"));
    }

    #[test]
    fn zero_to_clear_flags_are_written_ones_when_not_named() {
        static W0C: BlockDesc = BlockDesc {
            name: "w0c",
            size: 4,
            description: "",
            registers: &[RegisterDesc {
                name: "ISR",
                offset: 0,
                width: 4,
                reset: 0,
                fields: &[
                    FieldDesc::new("EVT", 0, 2, Access::ZeroToClear, &[], ""),
                    FieldDesc::new("MASK", 4, 1, Access::ReadWrite, &[], ""),
                ],
                description: "",
            }],
        };
        let bus = MemBus::new(4);
        bus.write_u32(0, 0x1).unwrap();
        let live = Live::new(&W0C, &bus);
        assert!(live.read("ISR", false).unwrap().fields[0].pending);
        assert_eq!(live.modify("ISR", &[("MASK", "1")]).unwrap(), 0x13);
    }

    #[test]
    fn numbers_parse_in_every_base() {
        assert_eq!(parse_number("0x1_0"), Some(16));
        assert_eq!(parse_number("0b101"), Some(5));
        assert_eq!(parse_number("0o17"), Some(15));
        assert_eq!(parse_number("42"), Some(42));
        assert_eq!(parse_number("0x"), None);
        assert_eq!(parse_number("x"), None);
    }
}
