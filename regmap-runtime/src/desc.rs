//! Static descriptions of register blocks, emitted by the generator beside the
//! typed accessors. Tools that need names at run time read these: the tracing
//! bus, behavioural models, register dumps.

/// How a field behaves when read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Access {
    /// Read and write, no side effects.
    ReadWrite,
    /// Read only; writes are ignored.
    ReadOnly,
    /// Write only; reads return nothing meaningful.
    WriteOnly,
    /// Readable; writing 1 clears the bit, 0 has no effect.
    OneToClear,
    /// Readable; writing 1 sets the bit, 0 has no effect.
    OneToSet,
    /// Readable; writing 1 toggles the bit, 0 has no effect.
    OneToToggle,
    /// Readable; writing 0 clears the bit, 1 has no effect.
    ZeroToClear,
    /// Readable; writing 0 sets the bit, 1 has no effect.
    ZeroToSet,
    /// Read only; reading clears the field.
    ReadToClear,
    /// Read only; reading sets the field.
    ReadToSet,
}

impl Access {
    /// Whether a read returns the field's value.
    pub const fn is_readable(self) -> bool {
        !matches!(self, Access::WriteOnly)
    }

    /// Whether a write can change the field.
    pub const fn is_writable(self) -> bool {
        !matches!(
            self,
            Access::ReadOnly | Access::ReadToClear | Access::ReadToSet
        )
    }

    /// Whether reading the field changes it.
    pub const fn has_read_side_effect(self) -> bool {
        matches!(self, Access::ReadToClear | Access::ReadToSet)
    }

    /// For fields whose writes are actions: the per-bit value that does nothing.
    pub const fn idle_write_bit(self) -> Option<bool> {
        match self {
            Access::OneToClear | Access::OneToSet | Access::OneToToggle => Some(false),
            Access::ZeroToClear | Access::ZeroToSet => Some(true),
            _ => None,
        }
    }

    /// Short name used in the YAML format and in docs (`rw`, `w1c`, ...).
    pub const fn short_name(self) -> &'static str {
        match self {
            Access::ReadWrite => "rw",
            Access::ReadOnly => "ro",
            Access::WriteOnly => "wo",
            Access::OneToClear => "w1c",
            Access::OneToSet => "w1s",
            Access::OneToToggle => "w1t",
            Access::ZeroToClear => "w0c",
            Access::ZeroToSet => "w0s",
            Access::ReadToClear => "rc",
            Access::ReadToSet => "rs",
        }
    }
}

/// One named value of an enumerated field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumValueDesc {
    /// Variant name as written in the description.
    pub name: &'static str,
    /// Its value.
    pub value: u64,
}

/// One field of a register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDesc {
    /// Field name as written in the description.
    pub name: &'static str,
    /// Lowest bit.
    pub lsb: u32,
    /// Number of bits.
    pub width: u32,
    /// Access behaviour.
    pub access: Access,
    /// Named values, if the field is enumerated.
    pub values: &'static [EnumValueDesc],
    /// One-line description.
    pub description: &'static str,
}

impl FieldDesc {
    /// A field description (what generated field tables are made of).
    pub const fn new(
        name: &'static str,
        lsb: u32,
        width: u32,
        access: Access,
        values: &'static [EnumValueDesc],
        description: &'static str,
    ) -> Self {
        Self {
            name,
            lsb,
            width,
            access,
            values,
            description,
        }
    }

    /// Mask of the field's bits within the register.
    pub const fn mask(&self) -> u64 {
        let ones = if self.width >= 64 {
            u64::MAX
        } else {
            (1u64 << self.width) - 1
        };
        ones << self.lsb
    }

    /// Extracts this field from a register value.
    pub const fn extract(&self, register: u64) -> u64 {
        (register & self.mask()) >> self.lsb
    }
}

/// One register instance, arrays and clusters already expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegisterDesc {
    /// Full name, with cluster path and array index: `channel[1].ctrl`.
    pub name: &'static str,
    /// Byte offset in the block.
    pub offset: usize,
    /// Width in bytes (1, 2, 4 or 8).
    pub width: usize,
    /// Value after reset.
    pub reset: u64,
    /// Fields, lowest bit first. A register described without fields has one
    /// field covering it whole, named like the register.
    pub fields: &'static [FieldDesc],
    /// One-line description.
    pub description: &'static str,
}

impl RegisterDesc {
    /// Whether any field can be read.
    pub fn is_readable(&self) -> bool {
        self.fields.iter().any(|f| f.access.is_readable())
    }

    /// Whether any field can be written.
    pub fn is_writable(&self) -> bool {
        self.fields.iter().any(|f| f.access.is_writable())
    }
}

/// A whole register block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockDesc {
    /// Block name.
    pub name: &'static str,
    /// Size in bytes.
    pub size: usize,
    /// Every register instance, in offset order.
    pub registers: &'static [RegisterDesc],
    /// One-line description.
    pub description: &'static str,
}

impl BlockDesc {
    /// The register instance covering `offset`, if any.
    pub fn register_at(&self, offset: usize) -> Option<&'static RegisterDesc> {
        let regs = self.registers;
        let idx = regs.partition_point(|r| r.offset + r.width <= offset);
        regs.get(idx).filter(|r| r.offset <= offset)
    }

    /// The register instance named `name` (as in [`RegisterDesc::name`]).
    pub fn register(&self, name: &str) -> Option<&'static RegisterDesc> {
        self.registers
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[FieldDesc] = &[FieldDesc {
        name: "mode",
        lsb: 4,
        width: 3,
        access: Access::ReadWrite,
        values: &[],
        description: "",
    }];

    static BLOCK: BlockDesc = BlockDesc {
        name: "b",
        size: 0x20,
        description: "",
        registers: &[
            RegisterDesc {
                name: "a",
                offset: 0,
                width: 4,
                reset: 0,
                fields: FIELDS,
                description: "",
            },
            RegisterDesc {
                name: "c",
                offset: 8,
                width: 8,
                reset: 0,
                fields: FIELDS,
                description: "",
            },
        ],
    };

    #[test]
    fn register_at_finds_the_covering_register_only() {
        assert_eq!(BLOCK.register_at(0).unwrap().name, "a");
        assert_eq!(BLOCK.register_at(3).unwrap().name, "a");
        assert!(BLOCK.register_at(4).is_none());
        assert_eq!(BLOCK.register_at(0xf).unwrap().name, "c");
        assert!(BLOCK.register_at(0x10).is_none());
    }

    #[test]
    fn field_masks_and_extraction() {
        assert_eq!(FIELDS[0].mask(), 0x70);
        assert_eq!(FIELDS[0].extract(0xfff5), 0x7);
        assert_eq!(Access::OneToClear.idle_write_bit(), Some(false));
        assert_eq!(Access::ZeroToClear.idle_write_bit(), Some(true));
        assert!(!Access::ReadToClear.is_writable());
    }
}
