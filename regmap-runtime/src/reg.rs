//! Typed register handles: [`Reg`] and the traits generated register types implement.

use crate::bus::Bus;
use crate::desc::FieldDesc;
use crate::field::Value;
use crate::word::Word;
use core::fmt;
use core::marker::PhantomData;

/// A register: the type that names it in generated code (`Ctrl`), holding
/// its constants and, as associated constants, its fields (`Ctrl::ENABLE`).
///
/// Values of the register are [`Value<Ctrl>`](Value): its bits plus the
/// actions requested on them. Fields with write side effects
/// (write-one-to-clear and friends) record *requested actions* apart from the
/// bits, so writing back a value that was read never acknowledges an
/// interrupt by accident ([`Value::write_bits`]).
///
/// Generated types implement it with constants only; every method lives on
/// [`Value`] and [`Reg`], once.
pub trait Register: 'static {
    /// The register's width.
    type Word: Word;
    /// Register name as written in the description.
    const NAME: &'static str;
    /// Value after reset.
    const RESET: Self::Word;
    /// Bits of write-only fields. `modify` takes these from [`Self::RESET`]
    /// rather than from the read value, which says nothing about them.
    const WRITE_ONLY_MASK: Self::Word = <Self::Word as Word>::ZERO;
    /// Bits of action fields (`w1c`, `w1s`, `w1t`, `w0c`, `w0s`).
    const ACTION_MASK: Self::Word = <Self::Word as Word>::ZERO;
    /// The no-op value of the action fields' bits (1 for `w0c`/`w0s`).
    const ACTION_IDLE: Self::Word = <Self::Word as Word>::ZERO;
    /// Static description of the fields, lowest bit first.
    const FIELDS: &'static [FieldDesc];
}

/// A register that can be read.
#[diagnostic::on_unimplemented(
    message = "register `{Self}` is write-only: it cannot be read",
    label = "this register has no readable fields",
    note = "a read of a write-only register returns nothing meaningful; keep a shadow copy if you need the last written value"
)]
pub trait Readable: Register {}

/// A register that can be written.
#[diagnostic::on_unimplemented(
    message = "register `{Self}` is read-only: it cannot be written",
    label = "this register has no writable fields"
)]
pub trait Writable: Register {}

/// A register that a read-modify-write cannot corrupt: readable, writable, and
/// without read side effects (a read-to-clear field would lose events).
#[diagnostic::on_unimplemented(
    message = "register `{Self}` cannot be modified (read-modify-write)",
    label = "it is not both readable and writable, or reading it has side effects",
    note = "use `read` and `write` separately, deciding what to do with the value read"
)]
pub trait Modifiable: Readable + Writable {}

/// A handle on one register of one block: a bus reference and an offset.
///
/// Its methods exist only where the register's access allows them. It holds no
/// reference to device memory; each method performs exactly one access of the
/// register's width (two for `modify`).
pub struct Reg<'a, B: ?Sized, R> {
    bus: &'a B,
    offset: usize,
    _reg: PhantomData<fn() -> R>,
}

impl<B: ?Sized, R> Clone for Reg<'_, B, R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<B: ?Sized, R> Copy for Reg<'_, B, R> {}

impl<B: ?Sized, R: Register> fmt::Debug for Reg<'_, B, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Reg({} @ {:#x})", R::NAME, self.offset)
    }
}

impl<'a, B: Bus + ?Sized, R: Register> Reg<'a, B, R> {
    /// A handle on the register at `offset`.
    ///
    /// # Safety
    /// `offset` is a multiple of the register width,
    /// `offset + width <= bus.size()` and the width is at most
    /// `bus.base_alignment()`, for as long as the handle lives. Generated
    /// blocks guarantee this by checking the window once in `new`.
    #[inline(always)]
    pub const unsafe fn new(bus: &'a B, offset: usize) -> Self {
        Self {
            bus,
            offset,
            _reg: PhantomData,
        }
    }

    /// Byte offset of the register in its window.
    #[inline(always)]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The register's name.
    pub fn name(&self) -> &'static str {
        R::NAME
    }

    #[inline(always)]
    fn load(&self) -> R::Word {
        // SAFETY: `new`'s contract keeps the offset aligned and in bounds.
        unsafe { R::Word::read_from(self.bus, self.offset) }
    }

    #[inline(always)]
    fn store(&self, bits: R::Word) {
        // SAFETY: `new`'s contract keeps the offset aligned and in bounds.
        unsafe { bits.write_to(self.bus, self.offset) }
    }
}

// The access methods bound `R` per method, not per impl block: calling one
// the register does not allow is then an unmet trait bound, which shows the
// `on_unimplemented` message ("register `X` is read-only"), rather than
// a bare "method exists but its trait bounds were not satisfied".
impl<B: Bus + ?Sized, R: Register> Reg<'_, B, R> {
    /// Reads the register.
    #[inline(always)]
    pub fn read(&self) -> Value<R>
    where
        R: Readable,
    {
        Value::from_bits(self.load())
    }

    /// Writes a value built by `f` from the reset value. Action fields start at
    /// their no-op value, so only the actions `f` requests take effect.
    ///
    /// Every field `f` does not set is written at its reset value, read-only
    /// ones included: a register with `reset = 0x4` (a status bit high after
    /// reset) puts `0x5` on the bus when `f` sets only bit 0. Hardware ignores
    /// writes to read-only bits, but a trace or a model shows them; use
    /// [`Reg::write_from_zero`] to start from all-zero bits instead.
    ///
    /// Setters chain and return the value, so the closure reads as the
    /// register does: `reg.write(|w| w.set(Ctrl::ENABLE, true).set(Ctrl::MODE, Mode::Run))`.
    /// A closure with statements ends by returning its argument:
    /// `|w| { if fast { w.set(Ctrl::DIV, u3::new(1)); } w }`.
    #[inline(always)]
    pub fn write(&self, f: impl FnOnce(&mut Value<R>) -> &mut Value<R>)
    where
        R: Writable,
    {
        let mut value = Value::<R>::reset();
        f(&mut value);
        self.store(value.write_bits());
    }

    /// Writes a value built by `f` from all-zero bits rather than the reset
    /// value: every field `f` does not set is written as 0. Action fields
    /// still start at their no-op value (1 for `w0c`/`w0s`), so only the
    /// actions `f` requests take effect.
    #[inline(always)]
    pub fn write_from_zero(&self, f: impl FnOnce(&mut Value<R>) -> &mut Value<R>)
    where
        R: Writable,
    {
        let mut value = Value::<R>::from_bits(R::Word::ZERO);
        f(&mut value);
        self.store(value.write_bits());
    }

    /// Writes `value`. Action fields take effect only where requested on `value`
    /// (bits read from the hardware are never written back as actions).
    #[inline(always)]
    pub fn write_value(&self, value: Value<R>)
    where
        R: Writable,
    {
        self.store(value.write_bits());
    }

    /// Reads the register, lets `f` change the value, and writes it back.
    ///
    /// Action fields (w1c, w1s, ...) are written at their no-op value unless `f`
    /// requests the action, so a read-modify-write never clears a pending
    /// interrupt it did not mean to. Write-only fields are written at their
    /// reset value unless `f` sets them.
    ///
    /// The closure has the same shape as [`Reg::write`]'s:
    /// `reg.modify(|w| w.set(Ctrl::ENABLE, false))`.
    #[inline(always)]
    pub fn modify(&self, f: impl FnOnce(&mut Value<R>) -> &mut Value<R>)
    where
        R: Modifiable,
    {
        let read = self.load();
        let bits = (read & !R::WRITE_ONLY_MASK) | (R::RESET & R::WRITE_ONLY_MASK);
        let mut value = Value::<R>::from_bits(bits);
        f(&mut value);
        self.store(value.write_bits());
    }
}

/// A handle on a register whose reads have side effects (a read-to-clear or
/// read-to-set field): generated accessors hand one out only for `&mut` access
/// to their block, and reading takes `&mut self`, so no two readers sharing a
/// block can split the events one read returns.
///
/// Not `Clone`: a copy would be a second reader.
pub struct RegMut<'a, B: ?Sized, R> {
    reg: Reg<'a, B, R>,
}

impl<'a, B: ?Sized, R> From<Reg<'a, B, R>> for RegMut<'a, B, R> {
    #[inline(always)]
    fn from(reg: Reg<'a, B, R>) -> Self {
        Self { reg }
    }
}

impl<B: ?Sized, R: Register> fmt::Debug for RegMut<'_, B, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.reg, f)
    }
}

impl<B: Bus + ?Sized, R: Register> RegMut<'_, B, R> {
    /// Byte offset of the register in its window.
    #[inline(always)]
    pub fn offset(&self) -> usize {
        self.reg.offset
    }

    /// The register's name.
    pub fn name(&self) -> &'static str {
        R::NAME
    }

    /// Reads the register, with its side effects (see [`Reg::read`]).
    #[inline(always)]
    pub fn read(&mut self) -> Value<R>
    where
        R: Readable,
    {
        self.reg.read()
    }

    /// Writes a value built by `f` from the reset value (see [`Reg::write`]).
    #[inline(always)]
    pub fn write(&self, f: impl FnOnce(&mut Value<R>) -> &mut Value<R>)
    where
        R: Writable,
    {
        self.reg.write(f);
    }

    /// Writes a value built by `f` from all-zero bits (see
    /// [`Reg::write_from_zero`]).
    #[inline(always)]
    pub fn write_from_zero(&self, f: impl FnOnce(&mut Value<R>) -> &mut Value<R>)
    where
        R: Writable,
    {
        self.reg.write_from_zero(f);
    }

    /// Writes `value` (see [`Reg::write_value`]).
    #[inline(always)]
    pub fn write_value(&self, value: Value<R>)
    where
        R: Writable,
    {
        self.reg.write_value(value);
    }

    /// Never callable: a register whose reads have side effects is not
    /// [`Modifiable`]. Present so that calling it says why, rather than that
    /// no such method exists.
    #[inline(always)]
    pub fn modify(&self, f: impl FnOnce(&mut Value<R>) -> &mut Value<R>)
    where
        R: Modifiable,
    {
        self.reg.modify(f);
    }
}
