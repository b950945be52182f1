//! The four access widths a register can have.

use crate::bus::Bus;
use core::fmt::{Debug, LowerHex};
use core::ops::{BitAnd, BitOr, BitXor, Not};

mod sealed {
    pub trait Sealed {}
    impl Sealed for u8 {}
    impl Sealed for u16 {}
    impl Sealed for u32 {}
    impl Sealed for u64 {}
}

/// An unsigned integer of a register's width: `u8`, `u16`, `u32` or `u64`.
///
/// Dispatches to the [`Bus`] method of the same width, so generic code over a
/// register type still compiles to one access of the exact width.
pub trait Word:
    sealed::Sealed
    + Copy
    + Eq
    + Debug
    + LowerHex
    + Default
    + Not<Output = Self>
    + BitAnd<Output = Self>
    + BitOr<Output = Self>
    + BitXor<Output = Self>
    + Into<u64>
    + Send
    + Sync
    + 'static
{
    /// Width in bytes.
    const BYTES: usize;
    /// All bits zero.
    const ZERO: Self;
    /// All bits one.
    const ONES: Self;

    /// Reads a word of this width from `bus` at `offset`.
    ///
    /// # Safety
    /// `offset` is a multiple of [`Self::BYTES`], `offset + BYTES <= bus.size()`
    /// and `BYTES <= bus.base_alignment()` (the window's base is aligned for
    /// the width: see [`Bus`]'s contract).
    unsafe fn read_from<B: Bus + ?Sized>(bus: &B, offset: usize) -> Self;

    /// Writes `self` to `bus` at `offset`.
    ///
    /// # Safety
    /// As for [`Word::read_from`].
    unsafe fn write_to<B: Bus + ?Sized>(self, bus: &B, offset: usize);

    /// Truncates a `u64` to this width.
    fn truncate(value: u64) -> Self;
}

macro_rules! word {
    ($t:ty, $read:ident, $write:ident) => {
        impl Word for $t {
            const BYTES: usize = core::mem::size_of::<$t>();
            const ZERO: Self = 0;
            const ONES: Self = <$t>::MAX;

            #[inline(always)]
            unsafe fn read_from<B: Bus + ?Sized>(bus: &B, offset: usize) -> Self {
                // SAFETY: the caller upholds the bounds and alignment contract of `Bus`.
                unsafe { bus.$read(offset) }
            }

            #[inline(always)]
            unsafe fn write_to<B: Bus + ?Sized>(self, bus: &B, offset: usize) {
                // SAFETY: the caller upholds the bounds and alignment contract of `Bus`.
                unsafe { bus.$write(offset, self) }
            }

            #[inline(always)]
            fn truncate(value: u64) -> Self {
                value as $t
            }
        }
    };
}

word!(u8, read_u8_unchecked, write_u8_unchecked);
word!(u16, read_u16_unchecked, write_u16_unchecked);
word!(u32, read_u32_unchecked, write_u32_unchecked);
word!(u64, read_u64_unchecked, write_u64_unchecked);
