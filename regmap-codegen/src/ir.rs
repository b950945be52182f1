//! The intermediate representation every front end lowers into.
//!
//! Levels, outermost first: a [`Design`] (an address map: block types and the
//! [`Instance`]s placed at base addresses), a [`Block`] (a register block type),
//! [`Item`]s inside it ([`Register`]s and [`Cluster`]s, either may be an
//! array), and [`Field`]s inside a register. Access behaviour is modelled as in
//! CMSIS-SVD / IP-XACT ([`Access`]), so importers have a place for what they
//! read even where the YAML format spells only part of it.
//!
//! Nodes carry a [`Loc`]: an opaque handle the front end maps back to source
//! (a YAML line and column, or a `proc_macro2::Span`). Checks report problems
//! against these handles.

/// Where a node came from, as an index into the front end's own location table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Loc(pub u32);

impl Loc {
    /// No known location (synthesised nodes).
    pub const NONE: Loc = Loc(u32::MAX);

    /// [`Loc::NONE`], for a deserialised node (it has no source).
    pub const fn none() -> Loc {
        Loc::NONE
    }
}

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub loc: Loc,
}

impl<T> Spanned<T> {
    /// Pairs `value` with `loc`.
    pub fn new(value: T, loc: Loc) -> Self {
        Self { value, loc }
    }
}

/// A whole input: block types and, optionally, an address map of instances.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Design {
    /// Register block types.
    pub blocks: Vec<Block>,
    /// Instances of those blocks at base addresses (empty for a lone block).
    pub instances: Vec<Instance>,
}

/// One instance of a block at a base address in an address map.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Instance {
    /// Instance name (`axi_timer_0`).
    pub name: Spanned<String>,
    /// Name of the block type it instantiates.
    pub block: Spanned<String>,
    /// Base address.
    pub base: Spanned<u64>,
    /// Size of the instance's address window in bytes, when the address map
    /// gives one (else the block's own size is mapped).
    pub size: Option<u64>,
    /// One-line description.
    pub description: Option<String>,
}

/// A register block type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Block {
    /// Name as written (`axi_timer`); the emitter derives Rust names from it.
    pub name: Spanned<String>,
    /// Description (rustdoc, docs).
    pub description: Option<String>,
    /// Size of the address window in bytes.
    pub size: Spanned<u64>,
    /// Registers and clusters, in source order.
    pub items: Vec<Item>,
    /// Enums shared by name between fields.
    pub enums: Vec<Enum>,
    /// Optional identification register checked when the block is bound.
    pub id: Option<IdCheck>,
    /// Where the block was declared.
    #[cfg_attr(feature = "serde", serde(skip, default = "Loc::none"))]
    pub loc: Loc,
}

/// A register or a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
pub enum Item {
    /// A register.
    Register(Register),
    /// A group of items with its own offset.
    Cluster(Cluster),
}

impl Item {
    /// The item's name.
    pub fn name(&self) -> &Spanned<String> {
        match self {
            Item::Register(r) => &r.name,
            Item::Cluster(c) => &c.name,
        }
    }
}

/// Repetition of a register or cluster: `count` copies, `stride` bytes apart.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Array {
    /// Number of elements (at least 1).
    pub count: Spanned<u64>,
    /// Distance between elements in bytes.
    pub stride: Spanned<u64>,
}

/// A group of items at an offset, optionally repeated (SVD `cluster`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Cluster {
    /// Cluster name.
    pub name: Spanned<String>,
    /// Description.
    pub description: Option<String>,
    /// Offset of the cluster's first byte from its parent's base.
    pub offset: Spanned<u64>,
    /// Repetition, if an array.
    pub array: Option<Array>,
    /// Items, offsets relative to this cluster.
    pub items: Vec<Item>,
    /// Where the cluster was declared.
    #[cfg_attr(feature = "serde", serde(skip, default = "Loc::none"))]
    pub loc: Loc,
}

#[cfg(feature = "serde")]
mod serde_impls {
    //! The hand-written halves of the serde mapping: a [`Spanned`] is its
    //! value (no source is serialised), an [`Access`] its short name, a
    //! [`Width`] its number of bits.

    use super::{Access, Loc, Spanned, Width};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    impl<T: Serialize> Serialize for Spanned<T> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            self.value.serialize(s)
        }
    }

    impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            T::deserialize(d).map(|value| Spanned::new(value, Loc::NONE))
        }
    }

    impl Serialize for Access {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(self.short_name())
        }
    }

    impl<'de> Deserialize<'de> for Access {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let name = String::deserialize(d)?;
            Access::from_short_name(&name).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "unknown access `{name}` (expected one of rw, ro, wo, w1c, w1s, w1t, w0c, w0s, rc, rs)"
                ))
            })
        }
    }

    impl From<Width> for u64 {
        fn from(w: Width) -> u64 {
            u64::from(w.bits())
        }
    }

    impl TryFrom<u64> for Width {
        type Error = String;
        fn try_from(bits: u64) -> Result<Self, String> {
            Width::from_bits(bits)
                .ok_or_else(|| format!("register width {bits} is not one of 8, 16, 32, 64"))
        }
    }
}

/// Register width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "u64", into = "u64"))]
pub enum Width {
    /// 8 bits.
    W8,
    /// 16 bits.
    W16,
    /// 32 bits.
    W32,
    /// 64 bits.
    W64,
}

impl Width {
    /// Width in bits.
    pub const fn bits(self) -> u32 {
        match self {
            Width::W8 => 8,
            Width::W16 => 16,
            Width::W32 => 32,
            Width::W64 => 64,
        }
    }

    /// Width in bytes.
    pub const fn bytes(self) -> u64 {
        self.bits() as u64 / 8
    }

    /// The width of `bits` bits, if it is one of 8, 16, 32, 64.
    pub const fn from_bits(bits: u64) -> Option<Width> {
        match bits {
            8 => Some(Width::W8),
            16 => Some(Width::W16),
            32 => Some(Width::W32),
            64 => Some(Width::W64),
            _ => None,
        }
    }
}

/// How a field (or a whole register) behaves when read and written.
///
/// The same set as `regmap_runtime::desc::Access`; it covers SVD's `access` +
/// `modifiedWriteValues` + `readAction` and IP-XACT's equivalents, minus the
/// write-once kinds, which no importer needs yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// `rw`: read and write, no side effects.
    ReadWrite,
    /// `ro`: read only.
    ReadOnly,
    /// `wo`: write only.
    WriteOnly,
    /// `w1c`: readable; writing 1 clears.
    OneToClear,
    /// `w1s`: readable; writing 1 sets.
    OneToSet,
    /// `w1t`: readable; writing 1 toggles.
    OneToToggle,
    /// `w0c`: readable; writing 0 clears.
    ZeroToClear,
    /// `w0s`: readable; writing 0 sets.
    ZeroToSet,
    /// `rc`: read only; reading clears.
    ReadToClear,
    /// `rs`: read only; reading sets.
    ReadToSet,
}

impl Access {
    /// Every access kind, in the order the YAML format documents them.
    pub const ALL: [Access; 10] = [
        Access::ReadWrite,
        Access::ReadOnly,
        Access::WriteOnly,
        Access::OneToClear,
        Access::OneToSet,
        Access::OneToToggle,
        Access::ZeroToClear,
        Access::ZeroToSet,
        Access::ReadToClear,
        Access::ReadToSet,
    ];

    /// The short spelling (`rw`, `w1c`, ...).
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

    /// Parses a short spelling.
    pub fn from_short_name(s: &str) -> Option<Access> {
        Access::ALL.into_iter().find(|a| a.short_name() == s)
    }

    /// The access names Vitis HLS prints in its driver headers and reports,
    /// accepted in YAML as aliases, with the kind each means to software:
    /// `COR` (clear on read), `TOW` (toggle on write), and the bits that
    /// hardware clears by itself, which software reads and writes as plain
    /// `rw`: `COH` (clear on handshake, `ap_start`) and `SC` (self-clearing).
    pub const XILINX_ALIASES: [(&'static str, Access); 4] = [
        ("COR", Access::ReadToClear),
        ("TOW", Access::OneToToggle),
        ("COH", Access::ReadWrite),
        ("SC", Access::ReadWrite),
    ];

    /// Parses a short spelling or a Xilinx alias ([`Access::XILINX_ALIASES`]).
    pub fn from_name(s: &str) -> Option<Access> {
        Access::from_short_name(s).or_else(|| {
            Access::XILINX_ALIASES
                .into_iter()
                .find(|(alias, _)| *alias == s)
                .map(|(_, a)| a)
        })
    }

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

    /// Whether reading changes the field.
    pub const fn has_read_side_effect(self) -> bool {
        matches!(self, Access::ReadToClear | Access::ReadToSet)
    }

    /// For fields whose writes are actions (w1c, w1s, w1t, w0c, w0s): the
    /// per-bit value that does nothing. `None` for ordinary fields.
    pub const fn idle_write_bit(self) -> Option<bool> {
        match self {
            Access::OneToClear | Access::OneToSet | Access::OneToToggle => Some(false),
            Access::ZeroToClear | Access::ZeroToSet => Some(true),
            _ => None,
        }
    }

    /// For action fields, the verb of their generated methods (`clear_*`,
    /// `set_*`, `toggle_*`); `None` for ordinary fields. The emitter names the
    /// methods and the name checks look for collisions with this one table.
    pub const fn action_verb(self) -> Option<&'static str> {
        match self {
            Access::OneToClear | Access::ZeroToClear => Some("clear"),
            Access::OneToSet | Access::ZeroToSet => Some("set"),
            Access::OneToToggle => Some("toggle"),
            _ => None,
        }
    }

    /// Whether a field of kind `field` may live in a register declared `self`.
    /// A register's declared access bounds its fields: nothing writable in a
    /// read-only register, nothing readable in a write-only one.
    pub const fn allows_field(self, field: Access) -> bool {
        match self {
            Access::ReadOnly | Access::ReadToClear | Access::ReadToSet => !field.is_writable(),
            Access::WriteOnly => matches!(field, Access::WriteOnly),
            _ => true,
        }
    }
}

/// A register (or register array).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Register {
    /// Register name.
    pub name: Spanned<String>,
    /// Description.
    pub description: Option<String>,
    /// Offset from the parent's base (block or cluster).
    pub offset: Spanned<u64>,
    /// Width.
    pub width: Spanned<Width>,
    /// Declared access; fields without their own access inherit it.
    pub access: Spanned<Access>,
    /// Value after reset.
    pub reset: Spanned<u64>,
    /// Repetition, if an array.
    pub array: Option<Array>,
    /// Fields. Empty means one anonymous field covering the register.
    pub fields: Vec<Field>,
    /// Another register of the same item list whose bytes this one overlays:
    /// a second view of the same address (SVD `alternateRegister`, IP-XACT
    /// `alternateRegister`). The layout check lets the two overlap.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub alternate_of: Option<Spanned<String>>,
    /// Where the register was declared.
    #[cfg_attr(feature = "serde", serde(skip, default = "Loc::none"))]
    pub loc: Loc,
}

/// A field: bits `lsb..=msb` of a register.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Field {
    /// Field name.
    pub name: Spanned<String>,
    /// Description.
    pub description: Option<String>,
    /// Lowest bit (inclusive).
    pub lsb: u32,
    /// Highest bit (inclusive).
    pub msb: u32,
    /// Where the bit range was written.
    #[cfg_attr(feature = "serde", serde(skip, default = "Loc::none"))]
    pub bits_loc: Loc,
    /// Access (inherited from the register when not written).
    pub access: Spanned<Access>,
    /// Enumerated values, if any.
    pub enumeration: Option<EnumRef>,
    /// Where the field was declared.
    #[cfg_attr(feature = "serde", serde(skip, default = "Loc::none"))]
    pub loc: Loc,
}

impl Field {
    /// Number of bits.
    pub fn width(&self) -> u32 {
        self.msb - self.lsb + 1
    }

    /// Mask of the field within its register.
    pub fn mask(&self) -> u64 {
        ones(self.width()) << self.lsb
    }
}

/// All ones in the low `bits` bits: the largest value `bits` bits hold.
pub const fn ones(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// Width in bytes of the widest register at any depth below `items` (0 if none).
pub fn widest_register(items: &[Item]) -> u64 {
    items
        .iter()
        .map(|item| match item {
            Item::Register(r) => r.width.value.bytes(),
            Item::Cluster(c) => widest_register(&c.items),
        })
        .max()
        .unwrap_or(0)
}

/// How many register instances `items` hold, arrays and clusters multiplied
/// out (saturating). Computed from the shapes alone, so it costs one visit per
/// declaration however large the arrays are.
pub fn register_instances(items: &[Item]) -> u64 {
    items
        .iter()
        .map(|item| match item {
            Item::Register(r) => r.array.as_ref().map_or(1, |a| a.count.value),
            Item::Cluster(c) => {
                let per = register_instances(&c.items);
                c.array
                    .as_ref()
                    .map_or(per, |a| per.saturating_mul(a.count.value))
            }
        })
        .fold(0, u64::saturating_add)
}

/// A field's enumeration: a block-level enum by name, or one written inline.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum EnumRef {
    /// Refers to [`Block::enums`] by name.
    Named(Spanned<String>),
    /// Declared on the field itself.
    Inline(Enum),
}

/// An enumeration of field values.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Enum {
    /// Enum name.
    pub name: Spanned<String>,
    /// Description.
    pub description: Option<String>,
    /// Named values.
    pub variants: Vec<Variant>,
    /// Where the enum was declared.
    #[cfg_attr(feature = "serde", serde(skip, default = "Loc::none"))]
    pub loc: Loc,
}

/// One named value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Variant {
    /// Variant name.
    pub name: Spanned<String>,
    /// Description.
    pub description: Option<String>,
    /// Value.
    pub value: Spanned<u64>,
}

/// An identification register and the value it must hold for `new` to succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct IdCheck {
    /// Name of a (top-level, non-array) readable register of the block.
    pub register: Spanned<String>,
    /// Expected value after masking.
    pub value: Spanned<u64>,
    /// Mask applied to the read value before comparing (all ones if absent).
    pub mask: Option<Spanned<u64>>,
    /// Where the check was declared.
    #[cfg_attr(feature = "serde", serde(skip, default = "Loc::none"))]
    pub loc: Loc,
}
