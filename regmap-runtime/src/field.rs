//! The mechanics every generated register shares, written once: register
//! values ([`Value`]), constant field descriptors ([`Field`]), the conversions
//! between field bits and field types ([`FieldValue`]), the register type of
//! registers described without fields ([`Raw`]), and a `Debug` driven by the
//! field table.
//!
//! Generated code is data on top of this: per register a type that names it
//! (constants only, no methods) and one `const` [`Field`] per field. A value
//! read from a register is a `Value<Ctrl>`; `value.get(Ctrl::MODE)` and
//! `value.set(Ctrl::MODE, Mode::Run)` are written here once, generic over every
//! register and field, and inline to the same shift and mask a hand-written
//! access would (the callgrind check in the test suite pins that).

use crate::desc::FieldDesc;
use crate::reg::{Modifiable, Readable, Register, Writable};
use crate::word::Word;
use core::fmt;
use core::marker::PhantomData;

/// A value of register `R`: its bits, plus the actions requested on it.
///
/// Action fields (write-one-to-clear and friends) are not written from
/// `bits`: a write puts them at their no-op value except where an action was
/// requested ([`Value::clear`], [`Value::toggle`], [`Value::request`]), so a
/// value read back and written never acknowledges an interrupt by accident.
/// [`Value::write_bits`] makes the word a write puts on the bus.
pub struct Value<R: Register> {
    bits: R::Word,
    actions: R::Word,
    _reg: PhantomData<fn() -> R>,
}

impl<R: Register> Clone for Value<R> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}
impl<R: Register> Copy for Value<R> {}

/// Two values are equal when their bits and requested actions are.
impl<R: Register> PartialEq for Value<R> {
    #[inline(always)]
    fn eq(&self, other: &Self) -> bool {
        self.bits == other.bits && self.actions == other.actions
    }
}
impl<R: Register> Eq for Value<R> {}

/// Field by field, from the register's field table:
/// `CTRL { ENABLE: true, MODE: run }`.
impl<R: Register> fmt::Debug for Value<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_fields(
            R::NAME,
            self.bits.into(),
            8 * R::Word::BYTES as u32,
            R::FIELDS,
            f,
        )
    }
}

impl<R: Register> Default for Value<R> {
    /// The reset value.
    #[inline(always)]
    fn default() -> Self {
        Self::reset()
    }
}

impl<R: Register> Value<R> {
    /// A value holding `bits` as read from the hardware, no actions requested.
    #[inline(always)]
    pub const fn from_bits(bits: R::Word) -> Self {
        Self {
            bits,
            actions: R::Word::ZERO,
            _reg: PhantomData,
        }
    }

    /// The register's value after reset (what [`Reg::write`](crate::Reg::write)
    /// starts from).
    #[inline(always)]
    pub const fn reset() -> Self {
        Self::from_bits(R::RESET)
    }

    /// The bits (as read, with any setters applied).
    #[inline(always)]
    pub const fn bits(self) -> R::Word {
        self.bits
    }

    /// The requested actions: a 1 where an action field's action is asked for.
    #[inline(always)]
    pub const fn actions(self) -> R::Word {
        self.actions
    }

    /// What a write of this value puts on the bus: ordinary fields as set,
    /// action fields (w1c, w1s, ...) at their no-op value unless an action was
    /// requested.
    #[inline(always)]
    pub fn write_bits(self) -> R::Word {
        ((self.bits & !R::ACTION_MASK) | R::ACTION_IDLE) ^ self.actions
    }

    /// The value of field `f`.
    ///
    /// A field with an enum that names every value it can hold reads as the
    /// enum; one whose enum leaves values unnamed reads as
    /// `Result<Enum, raw>`, the raw value when no variant names it. Never
    /// panics.
    #[inline(always)]
    pub fn get<V: FieldValue, A: access::Read>(self, f: Field<R, V, A>) -> V::Get {
        let bits: u64 = self.bits.into();
        V::from_raw((bits & f.mask()) >> f.lsb)
    }

    /// Sets field `f` to `v` and returns the value, so setters chain:
    /// `w.set(Ctrl::ENABLE, true).set(Ctrl::MODE, Mode::Run)`.
    ///
    /// On a write-one-to-set (or write-zero-to-set) field this requests the
    /// set action on the bits of `v` that are 1.
    #[inline(always)]
    pub fn set<V: FieldValue, A: access::Write>(
        &mut self,
        f: Field<R, V, A>,
        v: V::Set,
    ) -> &mut Self {
        let m = R::Word::truncate(f.mask());
        let placed = R::Word::truncate(V::into_raw(v) << f.lsb) & m;
        if A::BY_ACTION {
            self.actions = self.actions | placed;
        } else {
            self.bits = (self.bits & !m) | placed;
        }
        self
    }

    /// This value with field `f` set to `v` (see [`Value::set`]).
    #[inline(always)]
    #[must_use]
    pub fn with<V: FieldValue, A: access::Write>(mut self, f: Field<R, V, A>, v: V::Set) -> Self {
        self.set(f, v);
        self
    }

    /// Requests the clear action of a write-one-to-clear (or write-zero-to-clear)
    /// field on all its bits: the next write of this value clears them.
    #[inline(always)]
    pub fn clear<V, A: access::Clear>(&mut self, f: Field<R, V, A>) -> &mut Self {
        self.request_all(f.mask())
    }

    /// Requests the toggle action of a write-one-to-toggle field on all its bits.
    #[inline(always)]
    pub fn toggle<V, A: access::Toggle>(&mut self, f: Field<R, V, A>) -> &mut Self {
        self.request_all(f.mask())
    }

    /// Requests the action on every bit of `mask`.
    #[inline(always)]
    fn request_all(&mut self, mask: u64) -> &mut Self {
        self.actions = self.actions | R::Word::truncate(mask);
        self
    }

    /// Requests the action of field `f` on the bits set in `mask` (lowest bit
    /// of the field first), whatever the action: the next write of this value
    /// writes the active value there, and the no-op value everywhere else.
    #[inline(always)]
    pub fn request<V: FieldValue, A: access::Action>(
        &mut self,
        f: Field<R, V, A>,
        mask: V::Set,
    ) -> &mut Self {
        let asked = R::Word::truncate(V::into_raw(mask) << f.lsb) & R::Word::truncate(f.mask());
        self.actions = self.actions | asked;
        self
    }

    /// Sets every bit at once, past the field types: the register's whole
    /// word, as for a register described without fields. Action bits still
    /// take effect only where requested.
    #[inline(always)]
    pub fn set_bits(&mut self, bits: R::Word) -> &mut Self
    where
        R: Writable,
    {
        self.bits = bits;
        self
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
    #[diagnostic::on_unimplemented(
        message = "this field cannot be read: its access is `{Self}`",
        label = "a write-only field",
        note = "a read returns nothing meaningful for it; keep a copy of what you wrote if you need it"
    )]
    pub trait Read: Kind {}
    /// A field that [`Value::set`](crate::Value::set) can set.
    #[diagnostic::on_unimplemented(
        message = "this field has no setter: its access is `{Self}`",
        label = "not settable",
        note = "a `w1c` or `w0c` field is acknowledged with `.clear(field)`, a `w1t` field flipped with `.toggle(field)`, any action field with `.request(field, mask)`; writing back a value read would otherwise act on every bit that reads as 1",
        note = "`ro`, `rc` and `rs` fields are read only"
    )]
    pub trait Write: Kind {
        /// Whether setting the field requests its action (write-one-to-set,
        /// write-zero-to-set) rather than placing bits.
        const BY_ACTION: bool = false;
    }
    /// A field written only as a requested action (`w1c`, `w1s`, `w1t`, `w0c`, `w0s`).
    #[diagnostic::on_unimplemented(
        message = "this field has no write action: its access is `{Self}`",
        label = "not an action field",
        note = "set ordinary fields with `.set(field, value)`"
    )]
    pub trait Action: Kind {}
    /// An action field whose action clears (`w1c`, `w0c`).
    #[diagnostic::on_unimplemented(
        message = "this field has no clear action: its access is `{Self}`",
        label = "not a `w1c` or `w0c` field",
        note = "set ordinary fields with `.set(field, value)`, flip `w1t` fields with `.toggle(field)`"
    )]
    pub trait Clear: Action {}
    /// An action field whose action toggles (`w1t`).
    #[diagnostic::on_unimplemented(
        message = "this field has no toggle action: its access is `{Self}`",
        label = "not a `w1t` field",
        note = "acknowledge `w1c` fields with `.clear(field)`, set ordinary fields with `.set(field, value)`"
    )]
    pub trait Toggle: Action {}

    macro_rules! kinds {
        ($($(#[$doc:meta])* $name:ident = $access:ident: $($tr:ident $({$($body:tt)*})?),*;)*) => {$(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub enum $name {}
            impl sealed::Sealed for $name {}
            impl Kind for $name {
                const ACCESS: Access = Access::$access;
            }
            $(impl $tr for $name { $($($body)*)? })*
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
        W1C = OneToClear: Read, Action, Clear;
        /// Readable; writing 1 sets (`w1s`).
        W1S = OneToSet: Read, Action, Write { const BY_ACTION: bool = true; };
        /// Readable; writing 1 toggles (`w1t`).
        W1T = OneToToggle: Read, Action, Toggle;
        /// Readable; writing 0 clears (`w0c`).
        W0C = ZeroToClear: Read, Action, Clear;
        /// Readable; writing 0 sets (`w0s`).
        W0S = ZeroToSet: Read, Action, Write { const BY_ACTION: bool = true; };
    }
}

/// The type of a field's value: what [`Value::get`] returns for it and what
/// [`Value::set`] takes.
pub trait FieldValue: 'static {
    /// What reading the field gives.
    type Get;
    /// What setting the field takes.
    type Set;
    /// The value of these bits (already shifted down and masked to the
    /// field's width).
    fn from_raw(raw: u64) -> Self::Get;
    /// The bits of `v` (the caller masks them to the field's width).
    fn into_raw(v: Self::Set) -> u64;
}

impl FieldValue for bool {
    type Get = bool;
    type Set = bool;
    #[inline(always)]
    fn from_raw(raw: u64) -> bool {
        raw != 0
    }
    #[inline(always)]
    fn into_raw(v: bool) -> u64 {
        u64::from(v)
    }
}

macro_rules! native {
    ($($t:ty),*) => {$(
        impl FieldValue for $t {
            type Get = $t;
            type Set = $t;
            #[inline(always)]
            fn from_raw(raw: u64) -> $t {
                raw as $t
            }
            #[inline(always)]
            fn into_raw(v: $t) -> u64 {
                u64::from(v)
            }
        }
    )*};
}

native!(u8, u16, u32, u64);

macro_rules! odd_width {
    ($($t:ty),*) => {$(
        impl<const N: usize> FieldValue for arbitrary_int::UInt<$t, N>
        where
            Self: arbitrary_int::traits::Integer,
        {
            type Get = Self;
            type Set = Self;
            #[inline(always)]
            fn from_raw(raw: u64) -> Self {
                // The field already masked `raw` to its width, which is `N`.
                <Self as arbitrary_int::traits::Integer>::masked_new(raw)
            }
            #[inline(always)]
            fn into_raw(v: Self) -> u64 {
                <Self as arbitrary_int::traits::Integer>::as_u64(v)
            }
        }
    )*};
}

odd_width!(u8, u16, u32, u64);

/// An enumerated field type (generated for each enum of a map).
pub trait FieldEnum: Copy + 'static {
    /// The variant a field whose enum names every value it can hold reads as
    /// for a value no variant names: never seen, as such a value cannot occur.
    const FALLBACK: Self;
    /// The variant whose value is `raw`, if one is named.
    fn try_from_raw(raw: u64) -> Option<Self>;
    /// The variant's value.
    fn to_raw(self) -> u64;
}

/// A field whose enum names every value its bits can hold reads as the enum.
impl<E: FieldEnum> FieldValue for E {
    type Get = E;
    type Set = E;
    #[inline(always)]
    fn from_raw(raw: u64) -> E {
        E::try_from_raw(raw).unwrap_or(E::FALLBACK)
    }
    #[inline(always)]
    fn into_raw(v: E) -> u64 {
        v.to_raw()
    }
}

/// The value type of a field whose enum `E` leaves some of its values
/// unnamed: it reads as `Ok(variant)`, or `Err(raw)` as the plain type `T`
/// (`u3`, `u8`, ...) when the hardware holds a value no variant names, and is
/// set from a variant.
pub enum Partial<E, T> {
    #[doc(hidden)]
    _Never(core::convert::Infallible, PhantomData<fn() -> (E, T)>),
}

impl<E: FieldEnum, T: FieldValue<Get = T>> FieldValue for Partial<E, T> {
    type Get = Result<E, T>;
    type Set = E;
    #[inline(always)]
    fn from_raw(raw: u64) -> Result<E, T> {
        E::try_from_raw(raw).ok_or_else(|| T::from_raw(raw))
    }
    #[inline(always)]
    fn into_raw(v: E) -> u64 {
        v.to_raw()
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

/// A constant field descriptor: where field `V` sits in register `R` and how
/// it may be accessed (`A`, one of the [`access`] markers).
///
/// Generated register types hold one per field (`Ctrl::ENABLE`); values take
/// them in [`Value::get`], [`Value::set`] and the action methods, which exist
/// only where `A` allows. A field past its register's width does not compile.
/// Names and descriptions live in the register's field table
/// ([`Register::FIELDS`]).
pub struct Field<R, V, A> {
    lsb: u32,
    width: u32,
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

impl<R: Register, V, A> fmt::Debug for Field<R, V, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.desc().map_or("?", |d| d.name);
        write!(
            f,
            "Field({}.{} bits {}..{})",
            R::NAME,
            name,
            self.lsb,
            self.lsb + self.width
        )
    }
}

impl<R: Register, V, A> Field<R, V, A> {
    /// The field of `width` bits whose lowest bit is `lsb`.
    ///
    /// In a `const` (as generated), a field that does not fit the register is
    /// a compile error.
    #[inline(always)]
    pub const fn new(lsb: u32, width: u32) -> Self {
        assert!(
            width >= 1 && lsb + width <= 8 * R::Word::BYTES as u32,
            "regmap: a field does not fit its register"
        );
        Self {
            lsb,
            width,
            _types: PhantomData,
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

    /// The field's entry in its register's field table (name, access,
    /// enum values, description).
    pub fn desc(self) -> Option<&'static FieldDesc> {
        R::FIELDS
            .iter()
            .find(|d| d.lsb == self.lsb && d.width == self.width)
    }
}

/// Formats register bits field by field, from a field table: what the `Debug`
/// of [`Value`] calls. Not generic, so a map with thousands of register types
/// compiles the loop once instead of once per type.
#[inline(never)]
fn debug_fields(
    name: &'static str,
    bits: u64,
    width: u32,
    fields: &'static [FieldDesc],
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    // A register described without fields: its one field, covering it whole,
    // is the register's bits (shown even when write-only, as the value being
    // built).
    if let [only] = fields
        && only.lsb == 0
        && only.width == width
        && (only.name == name || only.name == "bits")
    {
        return write!(f, "{name}({bits:#x})");
    }
    let mut s = f.debug_struct(name);
    for field in fields {
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

/// The register type of registers described without fields: the word `W`,
/// with the access `A` (an [`access`] marker) in its type. Its one
/// pseudo-field, covering the whole register, is named `bits`; values are
/// read with [`Value::bits`] and written with [`Value::set_bits`].
pub struct Raw<W, A> {
    _types: PhantomData<fn() -> (W, A)>,
}

/// Short names of the [`Raw`] register types, as generated accessors name
/// them: `raw::Rw32` is `Raw<u32, access::RW>`.
pub mod raw {
    use super::{Raw, access};

    macro_rules! aliases {
        ($($name:ident = $w:ty, $a:ident;)*) => {$(
            #[doc = concat!("`Raw<", stringify!($w), ", access::", stringify!($a), ">`: a register without fields.")]
            pub type $name = Raw<$w, access::$a>;
        )*};
    }

    aliases! {
        Rw8 = u8, RW; Ro8 = u8, RO; Wo8 = u8, WO;
        Rw16 = u16, RW; Ro16 = u16, RO; Wo16 = u16, WO;
        Rw32 = u32, RW; Ro32 = u32, RO; Wo32 = u32, WO;
        Rw64 = u64, RW; Ro64 = u64, RO; Wo64 = u64, WO;
    }
}

/// The [`access`] markers a [`Raw`] register can have (no actions, no read
/// side effects: those registers get a generated type).
pub trait RawAccess: access::Kind {}
impl RawAccess for access::RW {}
impl RawAccess for access::RO {}
impl RawAccess for access::WO {}

impl<W: Word, A: RawAccess> Register for Raw<W, A> {
    type Word = W;
    const NAME: &'static str = "bits";
    const RESET: W = W::ZERO;
    const WRITE_ONLY_MASK: W = if matches!(A::ACCESS, crate::desc::Access::WriteOnly) {
        W::ONES
    } else {
        W::ZERO
    };
    const FIELDS: &'static [FieldDesc] = &[FieldDesc {
        name: "bits",
        lsb: 0,
        width: 8 * W::BYTES as u32,
        access: A::ACCESS,
        values: &[],
        description: "",
    }];
}

// One impl per access, not one bounded by the access marker: misuse then
// reports the register-level message ("register `Raw<u32, WO>` is
// write-only") rather than a field-level one.
impl<W: Word> Readable for Raw<W, access::RW> {}
impl<W: Word> Readable for Raw<W, access::RO> {}
impl<W: Word> Writable for Raw<W, access::RW> {}
impl<W: Word> Writable for Raw<W, access::WO> {}
impl<W: Word> Modifiable for Raw<W, access::RW> {}

#[cfg(test)]
mod tests {
    use super::access::{RO, RW, W1C, W1S, W1T, WO};
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

    const fn fd(name: &'static str, lsb: u32, width: u32, access: Access) -> FieldDesc {
        FieldDesc {
            name,
            lsb,
            width,
            access,
            values: &[],
            description: "",
        }
    }

    enum Ctrl {}
    impl Register for Ctrl {
        type Word = u32;
        const NAME: &'static str = "CTRL";
        const RESET: u32 = 0;
        const ACTION_MASK: u32 = 0xf100;
        const FIELDS: &'static [FieldDesc] = &[
            fd("EN", 0, 1, Access::ReadWrite),
            FieldDesc {
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
                ..fd("MODE", 4, 2, Access::ReadWrite)
            },
            fd("IRQ", 8, 1, Access::OneToClear),
            fd("GO", 12, 2, Access::OneToSet),
            fd("FLIP", 14, 2, Access::OneToToggle),
            fd("KEY", 16, 8, Access::WriteOnly),
        ];
    }
    impl Ctrl {
        const EN: Field<Ctrl, bool, RW> = Field::new(0, 1);
        const MODE: Field<Ctrl, Partial<Mode, arbitrary_int::u2>, RW> = Field::new(4, 2);
        const MODE_RO: Field<Ctrl, Mode, RO> = Field::new(4, 2);
        const IRQ: Field<Ctrl, bool, W1C> = Field::new(8, 1);
        const GO: Field<Ctrl, arbitrary_int::u2, W1S> = Field::new(12, 2);
        const FLIP: Field<Ctrl, arbitrary_int::u2, W1T> = Field::new(14, 2);
        const KEY: Field<Ctrl, u8, WO> = Field::new(16, 8);
    }
    impl Readable for Ctrl {}
    impl Writable for Ctrl {}

    type V = Value<Ctrl>;

    #[test]
    fn fields_get_and_set_their_bits_only() {
        let mut c = V::from_bits(0xff00_fe00);
        c.set(Ctrl::EN, true).set(Ctrl::MODE, Mode::Run);
        assert_eq!(c.bits(), 0xff00_fe11);
        assert!(c.get(Ctrl::EN));
        assert_eq!(c.get(Ctrl::MODE), Ok(Mode::Run));
        assert_eq!(
            V::from_bits(0x30).get(Ctrl::MODE),
            Err(arbitrary_int::u2::new(3))
        );
        assert_eq!(V::from_bits(0x10).get(Ctrl::MODE_RO), Mode::Run);
        let k = V::reset().with(Ctrl::KEY, 0xa5);
        assert_eq!(k.bits(), 0x00a5_0000);
    }

    #[test]
    fn field_constants_find_their_descriptions() {
        assert_eq!(Ctrl::IRQ.desc(), Some(&Ctrl::FIELDS[2]));
        assert_eq!(Ctrl::MODE.desc().map(|d| d.name), Some("MODE"));
        assert_eq!(Ctrl::KEY.mask(), 0x00ff_0000);
        assert_eq!(format!("{:?}", Ctrl::MODE), "Field(CTRL.MODE bits 4..6)");
    }

    #[test]
    fn actions_are_written_only_when_requested() {
        // IRQ, GO and FLIP read as 1: writing the value back must not act.
        let mut c = V::from_bits(0xf100);
        assert_eq!(c.write_bits(), 0);
        c.clear(Ctrl::IRQ);
        assert_eq!(c.write_bits(), 0x100);
        // Setting a write-one-to-set field requests its action on the 1 bits.
        let mut g = V::reset();
        g.set(Ctrl::GO, arbitrary_int::u2::new(2));
        assert_eq!(g.bits(), 0, "a set action is not a stored bit");
        assert_eq!(g.write_bits(), 0x2000);
        let mut t = V::reset();
        t.toggle(Ctrl::FLIP);
        assert_eq!(t.write_bits(), 0xc000);
        let mut r = V::reset();
        r.request(Ctrl::FLIP, arbitrary_int::u2::new(1));
        assert_eq!(r.write_bits(), 0x4000);
        assert_ne!(r, V::reset(), "values with different actions differ");
    }

    #[test]
    fn debug_names_fields_and_enum_values() {
        let c = V::from_bits(0x111);
        assert_eq!(
            format!("{c:?}"),
            "CTRL { EN: true, MODE: run, IRQ: true, GO: 0x0, FLIP: 0x0 }"
        );
        let r = Value::<Raw<u16, RW>>::from_bits(0x2a);
        assert_eq!(format!("{r:?}"), "bits(0x2a)");
        assert_eq!(<Raw<u16, RO> as Register>::FIELDS[0].width, 16);
    }
}
