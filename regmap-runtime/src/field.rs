//! The mechanics every generated register type shares, written once: a
//! register value ([`Value`]), constant field descriptors ([`Field`]), the
//! conversions between field bits and field types, the raw register type of
//! registers described without fields ([`Raw`]), and a `Debug` driven by the
//! field table.
//!
//! Generated code is mostly data on top of this: per register a newtype over
//! [`Value`], one `const` [`Field`] per field and one-line accessors that call
//! it. Everything here is `#[inline(always)]` and works on the register word,
//! so a field access compiles to the same shift and mask a hand-written one
//! would (the callgrind check in the test suite pins that).

use crate::desc::{EnumValueDesc, FieldDesc};
use crate::reg::{Modifiable, Readable, Register, Writable};
use crate::word::Word;
use core::fmt;
use core::marker::PhantomData;

/// A register's bits, plus the actions requested on it.
///
/// Action fields (write-one-to-clear and friends) are not written from
/// `bits`: a write puts them at their no-op value except where `actions` has
/// a 1, so a value read back and written never acknowledges an interrupt by
/// accident. [`Register::write_bits`] makes that word.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Value<W> {
    bits: W,
    actions: W,
}

impl<W: Word> Value<W> {
    /// `bits` as read, no action requested.
    #[inline(always)]
    pub const fn new(bits: W) -> Self {
        Self {
            bits,
            actions: W::ZERO,
        }
    }

    /// The bits (as read, with any setters applied).
    #[inline(always)]
    pub const fn bits(self) -> W {
        self.bits
    }

    /// The requested actions: a 1 where an action field's action is asked for.
    #[inline(always)]
    pub const fn actions(self) -> W {
        self.actions
    }
}

/// Access markers: a field's access kind, in its [`Field`]'s type.
pub mod access {
    use crate::desc::Access;

    mod sealed {
        pub trait Sealed {}
    }

    /// The marker of a field access kind.
    pub trait Kind: sealed::Sealed + 'static {
        /// The access kind, for the static description.
        const ACCESS: Access;
    }
    /// A field whose value can be read.
    pub trait Read: Kind {}
    /// A field whose value a write sets.
    pub trait Write: Kind {}
    /// A field written only as a requested action (`w1c`, `w1s`, `w1t`, `w0c`, `w0s`).
    pub trait Action: Kind {}

    macro_rules! kinds {
        ($($(#[$doc:meta])* $name:ident = $access:ident: $($tr:ident),*;)*) => {$(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub enum $name {}
            impl sealed::Sealed for $name {}
            impl Kind for $name {
                const ACCESS: Access = Access::$access;
            }
            $(impl $tr for $name {})*
        )*};
    }

    kinds! {
        /// Read and write (`rw`).
        RW = ReadWrite: Read, Write;
        /// Read only (`ro`).
        RO = ReadOnly: Read;
        /// Write only (`wo`).
        WO = WriteOnly: Write;
        /// Read only, reading clears it (`rc`).
        RC = ReadToClear: Read;
        /// Read only, reading sets it (`rs`).
        RS = ReadToSet: Read;
        /// Readable; writing 1 clears (`w1c`).
        W1C = OneToClear: Read, Action;
        /// Readable; writing 1 sets (`w1s`).
        W1S = OneToSet: Read, Action;
        /// Readable; writing 1 toggles (`w1t`).
        W1T = OneToToggle: Read, Action;
        /// Readable; writing 0 clears (`w0c`).
        W0C = ZeroToClear: Read, Action;
        /// Readable; writing 0 sets (`w0s`).
        W0S = ZeroToSet: Read, Action;
    }
}

/// The verbs of action fields without a setter, as types, so a compile error
/// can name the method to call instead (see [`NoSetter`]).
#[allow(
    non_camel_case_types,
    reason = "printed in messages as the method prefix"
)]
pub mod verb {
    /// The action of `w1c` and `w0c` fields: `clear_*`.
    #[derive(Debug)]
    pub enum clear {}
    /// The action of `w1t` fields: `toggle_*`.
    #[derive(Debug)]
    pub enum toggle {}
}

/// Never implemented: generated code gives an action field a hidden `set_*`
/// method bounded by it, so calling `set_irq(true)` on a write-one-to-clear
/// field says which method to call instead of that no method exists.
#[diagnostic::on_unimplemented(
    message = "this field is an action field: it has no setter",
    label = "request its action with the field's `{V}_*` method instead",
    note = "writing back a value read would otherwise act on every bit that reads as 1; actions are requested explicitly"
)]
pub trait NoSetter<V> {}

/// A field type built from a field's bits (already shifted down and masked
/// to the field's width).
pub trait FromRaw: Copy {
    /// The value of these bits.
    fn from_raw(raw: u64) -> Self;
}

/// A field type that a setter places into the register.
pub trait IntoRaw: Copy {
    /// The bits of this value (the field masks them to its width).
    fn into_raw(self) -> u64;
}

impl FromRaw for bool {
    #[inline(always)]
    fn from_raw(raw: u64) -> Self {
        raw != 0
    }
}

impl IntoRaw for bool {
    #[inline(always)]
    fn into_raw(self) -> u64 {
        u64::from(self)
    }
}

macro_rules! native {
    ($($t:ty),*) => {$(
        impl FromRaw for $t {
            #[inline(always)]
            fn from_raw(raw: u64) -> Self {
                raw as $t
            }
        }
        impl IntoRaw for $t {
            #[inline(always)]
            fn into_raw(self) -> u64 {
                u64::from(self)
            }
        }
    )*};
}

native!(u8, u16, u32, u64);

macro_rules! odd_width {
    ($($t:ty),*) => {$(
        impl<const N: usize> FromRaw for arbitrary_int::UInt<$t, N>
        where
            Self: arbitrary_int::traits::Integer,
        {
            #[inline(always)]
            fn from_raw(raw: u64) -> Self {
                // The field already masked `raw` to its width, which is `N`.
                <Self as arbitrary_int::traits::Integer>::masked_new(raw)
            }
        }
        impl<const N: usize> IntoRaw for arbitrary_int::UInt<$t, N>
        where
            Self: arbitrary_int::traits::Integer,
        {
            #[inline(always)]
            fn into_raw(self) -> u64 {
                <Self as arbitrary_int::traits::Integer>::as_u64(self)
            }
        }
    )*};
}

odd_width!(u8, u16, u32, u64);

/// An enumerated field type (generated for each enum of a map).
///
/// A getter returns the enum itself where every value the field can hold is
/// named ([`Field::get`]), else `Result<Enum, raw>` ([`Field::try_get`]): the
/// raw value when the hardware holds one the enum does not name. Neither
/// panics.
pub trait FieldEnum: Copy + 'static {
    /// The variant [`Field::get`] returns for a value no variant names. The
    /// generator uses `get` only on fields where every value is named, so
    /// this is never seen through a generated getter.
    const FALLBACK: Self;
    /// The variant whose value is `raw`, if one is named.
    fn try_from_raw(raw: u64) -> Option<Self>;
    /// The variant's value.
    fn to_raw(self) -> u64;
}

impl<E: FieldEnum> FromRaw for E {
    #[inline(always)]
    fn from_raw(raw: u64) -> Self {
        E::try_from_raw(raw).unwrap_or(E::FALLBACK)
    }
}

impl<E: FieldEnum> IntoRaw for E {
    #[inline(always)]
    fn into_raw(self) -> u64 {
        self.to_raw()
    }
}

/// Mask of `width` bits at `lsb`.
const fn mask(lsb: u32, width: u32) -> u64 {
    let ones = if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    };
    ones << lsb
}

/// A constant field descriptor: where field `V` sits in register `R`, how it
/// may be accessed (`A`, one of the [`access`] markers), and its description.
///
/// Generated register types hold one per field (`Ctrl::ENABLE`), their
/// accessors call it, and their field table is made of them
/// ([`Field::desc`]); a field past its register's width does not compile.
pub struct Field<R, V, A> {
    name: &'static str,
    lsb: u32,
    width: u32,
    values: &'static [EnumValueDesc],
    description: &'static str,
    _types: PhantomData<Types<R, V, A>>,
}

/// What a [`Field`] is about, without owning any of it (so a field constant
/// is `Send`, `Sync` and `Copy` whatever the types).
type Types<R, V, A> = fn() -> (R, V, A);

impl<R, V, A> Clone for Field<R, V, A> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<R, V, A> Copy for Field<R, V, A> {}

impl<R, V, A> fmt::Debug for Field<R, V, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Field({} bits {}..{})",
            self.name,
            self.lsb,
            self.lsb + self.width
        )
    }
}

impl<R: Register, V, A: access::Kind> Field<R, V, A> {
    /// The field `name` of `width` bits whose lowest bit is `lsb`, with the
    /// named `values` of its enum (if any) and a one-line `description`.
    ///
    /// In a `const` (as generated), a field that does not fit the register is
    /// a compile error.
    #[inline(always)]
    pub const fn new(
        name: &'static str,
        lsb: u32,
        width: u32,
        values: &'static [EnumValueDesc],
        description: &'static str,
    ) -> Self {
        assert!(
            width >= 1 && lsb + width <= 8 * R::Word::BYTES as u32,
            "regmap: a field does not fit its register"
        );
        Self {
            name,
            lsb,
            width,
            values,
            description,
            _types: PhantomData,
        }
    }

    /// The field's static description.
    pub const fn desc(self) -> FieldDesc {
        FieldDesc {
            name: self.name,
            lsb: self.lsb,
            width: self.width,
            access: A::ACCESS,
            values: self.values,
            description: self.description,
        }
    }

    /// The field's lowest bit.
    pub const fn lsb(self) -> u32 {
        self.lsb
    }

    /// The field's width in bits.
    pub const fn width(self) -> u32 {
        self.width
    }

    /// The field's bits within the register.
    pub const fn mask(self) -> u64 {
        mask(self.lsb, self.width)
    }

    /// The field's value in `reg`.
    #[inline(always)]
    pub fn get(self, reg: R) -> V
    where
        V: FromRaw,
        A: access::Read,
    {
        let bits: u64 = reg.bits().into();
        V::from_raw((bits & self.mask()) >> self.lsb)
    }

    /// The field's value in `reg` as the enum `V`, or as the plain type `T`
    /// when the enum does not name it.
    ///
    /// # Errors
    /// The raw value, when no variant of `V` names it.
    #[inline(always)]
    pub fn try_get<T: FromRaw>(self, reg: R) -> Result<V, T>
    where
        V: FieldEnum,
        A: access::Read,
    {
        let bits: u64 = reg.bits().into();
        let raw = (bits & self.mask()) >> self.lsb;
        V::try_from_raw(raw).ok_or_else(|| T::from_raw(raw))
    }

    /// Sets the field in `reg` to `v` (bits of `v` beyond the field's width
    /// are dropped, which the field types rule out) and returns `reg`.
    #[inline(always)]
    pub fn set(self, reg: &mut R, v: V) -> &mut R
    where
        V: IntoRaw,
        A: access::Write,
    {
        let value = reg.value();
        let m = R::Word::truncate(self.mask());
        let placed = R::Word::truncate(v.into_raw() << self.lsb) & m;
        *reg = R::from_value(Value {
            bits: (value.bits & !m) | placed,
            actions: value.actions,
        });
        reg
    }

    /// `reg` with the field set to `v`.
    #[inline(always)]
    #[must_use]
    pub fn with(self, mut reg: R, v: V) -> R
    where
        V: IntoRaw,
        A: access::Write,
    {
        self.set(&mut reg, v);
        reg
    }
}

impl<R: Register, V: IntoRaw, A: access::Action> Field<R, V, A> {
    /// Requests the field's action on the bits set in `mask` (lowest bit of
    /// the field first): the next write of `reg` writes the active value
    /// there, and the no-op value everywhere else.
    #[inline(always)]
    pub fn request(self, reg: &mut R, mask: V) -> &mut R {
        let value = reg.value();
        let m = R::Word::truncate(self.mask());
        let asked = R::Word::truncate(mask.into_raw() << self.lsb) & m;
        *reg = R::from_value(Value {
            bits: value.bits,
            actions: value.actions | asked,
        });
        reg
    }
}

/// Formats a register value field by field, from its field table: what the
/// generated `Debug` impls call.
pub fn debug<R: Register>(reg: &R, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    debug_fields(
        R::NAME,
        reg.bits().into(),
        8 * R::Word::BYTES as u32,
        R::FIELDS,
        f,
    )
}

/// The body of [`debug`], kept out of the generic function so that a map with
/// thousands of register types compiles the loop once instead of once per type
/// (on the STM32H7x3 map this cut the release build of the generated crate
/// by about a third of its CPU time).
#[inline(never)]
fn debug_fields(
    name: &'static str,
    bits: u64,
    width: u32,
    fields: &'static [FieldDesc],
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    let mut s = f.debug_struct(name);
    for field in fields {
        // A register described without fields: its one field, named like the
        // register, is the register's bits (shown even when write-only, as
        // the value being built).
        if field.lsb == 0 && field.width == width && field.name == name {
            s.field("bits", &format_args!("{bits:#x}"));
            continue;
        }
        if !field.access.is_readable() {
            continue;
        }
        let raw = field.extract(bits);
        match field.values.iter().find(|v| v.value == raw) {
            Some(named) => s.field(field.name, &format_args!("{}", named.name)),
            None if field.width == 1 => s.field(field.name, &(raw != 0)),
            None => s.field(field.name, &format_args!("{raw:#x}")),
        };
    }
    s.finish()
}

/// The register type of registers described without fields: the word itself,
/// with the access `A` (an [`access`] marker) in its type. Its one
/// pseudo-field, covering the whole register, is named `bits`.
pub struct Raw<W, A> {
    value: Value<W>,
    _access: PhantomData<fn() -> A>,
}

impl<W: Copy, A> Clone for Raw<W, A> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<W: Copy, A> Copy for Raw<W, A> {}

impl<W: PartialEq, A> PartialEq for Raw<W, A> {
    fn eq(&self, other: &Self) -> bool {
        self.value.bits == other.value.bits
    }
}
impl<W: Eq, A> Eq for Raw<W, A> {}

impl<W: Word, A> fmt::Debug for Raw<W, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}", self.value.bits)
    }
}

/// The [`access`] markers a [`Raw`] register can have (no actions, no read
/// side effects: those registers get a generated type).
pub trait RawAccess: access::Kind {}
impl RawAccess for access::RW {}
impl RawAccess for access::RO {}
impl RawAccess for access::WO {}

impl<W: Word, A> Raw<W, A> {
    /// A value holding `bits`.
    #[inline(always)]
    pub const fn from_bits(bits: W) -> Self {
        Self {
            value: Value::new(bits),
            _access: PhantomData,
        }
    }

    /// The register's bits.
    #[inline(always)]
    pub const fn bits(self) -> W {
        self.value.bits
    }

    /// Sets the register's bits.
    #[inline(always)]
    pub fn set_bits(&mut self, bits: W) -> &mut Self
    where
        A: access::Write,
    {
        self.value.bits = bits;
        self
    }
}

impl<W: Word, A: RawAccess> Register for Raw<W, A> {
    type Word = W;
    const NAME: &'static str = "bits";
    const RESET: W = W::ZERO;
    const WRITE_ONLY_MASK: W = W::ZERO;
    const ACTION_MASK: W = W::ZERO;
    const ACTION_IDLE: W = W::ZERO;
    const FIELDS: &'static [FieldDesc] = &[FieldDesc {
        name: "bits",
        lsb: 0,
        width: 8 * W::BYTES as u32,
        access: A::ACCESS,
        values: &[],
        description: "",
    }];

    #[inline(always)]
    fn from_value(value: Value<W>) -> Self {
        Self {
            value,
            _access: PhantomData,
        }
    }

    #[inline(always)]
    fn value(self) -> Value<W> {
        self.value
    }
}

impl<W: Word, A: RawAccess + access::Read> Readable for Raw<W, A> {}
impl<W: Word, A: RawAccess + access::Write> Writable for Raw<W, A> {}
impl<W: Word> Modifiable for Raw<W, access::RW> {}

#[cfg(test)]
mod tests {
    use super::access::{RO, RW, W1C};
    use super::*;
    use crate::desc::{Access, EnumValueDesc};

    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    enum Mode {
        Idle,
        Run,
    }
    impl FieldEnum for Mode {
        const FALLBACK: Self = Mode::Run;
        fn try_from_raw(raw: u64) -> Option<Self> {
            match raw {
                0 => Some(Mode::Idle),
                1 => Some(Mode::Run),
                _ => None,
            }
        }
        fn to_raw(self) -> u64 {
            self as u64
        }
    }

    #[derive(Clone, Copy, PartialEq, Eq)]
    struct Ctrl(Value<u32>);
    impl Register for Ctrl {
        type Word = u32;
        const NAME: &'static str = "CTRL";
        const RESET: u32 = 0;
        const WRITE_ONLY_MASK: u32 = 0;
        const ACTION_MASK: u32 = 0x100;
        const ACTION_IDLE: u32 = 0;
        const FIELDS: &'static [FieldDesc] = &[
            FieldDesc {
                name: "EN",
                lsb: 0,
                width: 1,
                access: Access::ReadWrite,
                values: &[],
                description: "",
            },
            FieldDesc {
                name: "MODE",
                lsb: 4,
                width: 2,
                access: Access::ReadWrite,
                values: &[
                    EnumValueDesc {
                        name: "idle",
                        value: 0,
                    },
                    EnumValueDesc {
                        name: "run",
                        value: 1,
                    },
                ],
                description: "",
            },
            FieldDesc {
                name: "IRQ",
                lsb: 8,
                width: 1,
                access: Access::OneToClear,
                values: &[],
                description: "",
            },
        ];
        fn from_value(v: Value<u32>) -> Self {
            Self(v)
        }
        fn value(self) -> Value<u32> {
            self.0
        }
    }
    const EN: Field<Ctrl, bool, RW> = Field::new("EN", 0, 1, &[], "");
    const MODE: Field<Ctrl, Mode, RO> = Field::new("MODE", 4, 2, &[], "");
    const MODE_W: Field<Ctrl, Mode, RW> = Field::new("MODE", 4, 2, &[], "");
    const IRQ: Field<Ctrl, bool, W1C> = Field::new("IRQ", 8, 1, &[], "");

    impl fmt::Debug for Ctrl {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            debug(self, f)
        }
    }

    #[test]
    fn fields_get_and_set_their_bits_only() {
        let mut c = Ctrl::from_bits(0xffff_fe00);
        EN.set(&mut c, true);
        MODE_W.set(&mut c, Mode::Run);
        assert_eq!(c.bits(), 0xffff_fe11);
        assert!(EN.get(c));
        assert_eq!(MODE.try_get::<arbitrary_int::u2>(c), Ok(Mode::Run));
        assert_eq!(
            MODE.try_get(Ctrl::from_bits(0x30)),
            Err(arbitrary_int::u2::new(3))
        );
        assert_eq!(MODE.get(Ctrl::from_bits(0x10)), Mode::Run);
    }

    #[test]
    fn field_constants_describe_their_fields() {
        assert_eq!(IRQ.desc(), Ctrl::FIELDS[2]);
        assert_eq!(EN.desc().access, Access::ReadWrite);
    }

    #[test]
    fn actions_are_written_only_when_requested() {
        // IRQ reads as 1: writing the value back must not clear it.
        let mut c = Ctrl::from_bits(0x100);
        assert_eq!(c.write_bits(), 0);
        IRQ.request(&mut c, true);
        assert_eq!(c.write_bits(), 0x100);
    }

    #[test]
    fn debug_names_fields_and_enum_values() {
        let c = Ctrl::from_bits(0x111);
        assert_eq!(format!("{c:?}"), "CTRL { EN: true, MODE: run, IRQ: true }");
        let r = Raw::<u16, RW>::from_bits(0x2a);
        assert_eq!(format!("{r:?}"), "0x2a");
        assert_eq!(<Raw<u16, RO> as Register>::FIELDS[0].width, 16);
    }
}
