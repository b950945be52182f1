//! The one audited place where generated blocks turn offsets into register
//! handles.
//!
//! A [`Bound`] is a bus checked once, when it is made, to hold `SIZE` bytes
//! with a base aligned to `ALIGN`; a [`Sub`] is a cluster element inside one.
//! Their accessors take a register's offset (and an array's stride and count)
//! as `const` parameters and prove, in a `const` block evaluated at compile
//! time, that every offset they can produce is aligned and inside the
//! checked span. Generated code therefore contains no `unsafe`: a map whose
//! offsets do not fit fails to compile here, and a block type can only be
//! built around a checked bus, whoever writes the struct expression.

use crate::bus::Bus;
use crate::error::{BindError, IndexError};
use crate::reg::{Reg, Register};
use crate::word::Word;
use core::fmt;

/// The compile-time proof behind every accessor: an array of `COUNT` items
/// `SIZE` bytes long, aligned to `ALIGN`, at `OFFSET` with `STRIDE`, lies
/// inside `SPAN` bytes whose base is aligned to `BASE_ALIGN`.
const fn fits(
    offset: usize,
    stride: usize,
    count: usize,
    size: usize,
    align: usize,
    span: usize,
    base_align: usize,
) -> bool {
    if count == 0 || !align.is_power_of_two() || align > base_align {
        return false;
    }
    if !offset.is_multiple_of(align) || (count > 1 && !stride.is_multiple_of(align)) {
        return false;
    }
    let Some(last) = (count - 1).checked_mul(stride) else {
        return false;
    };
    match offset.checked_add(last) {
        Some(start) => match start.checked_add(size) {
            Some(end) => end <= span,
            None => false,
        },
        None => false,
    }
}

/// A bus checked to hold a block of `SIZE` bytes whose base is aligned to
/// `ALIGN` bytes (its widest register).
pub struct Bound<B, const SIZE: usize, const ALIGN: usize> {
    bus: B,
}

impl<B, const SIZE: usize, const ALIGN: usize> fmt::Debug for Bound<B, SIZE, ALIGN> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bound({SIZE:#x} bytes)")
    }
}

impl<B: Bus, const SIZE: usize, const ALIGN: usize> Bound<B, SIZE, ALIGN> {
    /// Checks once that `bus` holds `SIZE` bytes at a base aligned to
    /// `ALIGN`; `block` names the block in the error.
    ///
    /// # Errors
    /// A [`BindError`] saying which check failed and by how much.
    pub fn new(bus: B, block: &'static str) -> Result<Self, BindError> {
        bus.check_block(block, SIZE, ALIGN)?;
        Ok(Self { bus })
    }

    /// The checked bus.
    #[inline(always)]
    pub fn bus(&self) -> &B {
        &self.bus
    }

    /// Gives the bus back.
    #[inline(always)]
    pub fn into_inner(self) -> B {
        self.bus
    }

    /// The span as a cluster element at offset 0, for the shared accessors.
    #[inline(always)]
    fn whole(&self) -> Sub<'_, B, SIZE, ALIGN> {
        Sub {
            bus: &self.bus,
            base: 0,
        }
    }

    /// The register `R` at `OFFSET`. Does not compile unless it is aligned
    /// and inside the block.
    #[inline(always)]
    pub fn reg<R: Register, const OFFSET: usize>(&self) -> Reg<'_, B, R> {
        self.whole().reg::<R, OFFSET>()
    }

    /// Element `index` of the register array `R` at `OFFSET`, `STRIDE` bytes
    /// apart, `COUNT` long (`name` names it in the error).
    ///
    /// # Errors
    /// An [`IndexError`] when `index` is not below `COUNT`.
    #[inline(always)]
    pub fn reg_at<R: Register, const OFFSET: usize, const STRIDE: usize, const COUNT: usize>(
        &self,
        index: usize,
        name: &'static str,
    ) -> Result<Reg<'_, B, R>, IndexError> {
        self.whole().reg_at::<R, OFFSET, STRIDE, COUNT>(index, name)
    }

    /// The cluster of `CSIZE` bytes (widest register `CALIGN`) at `OFFSET`.
    #[inline(always)]
    pub fn cluster<const OFFSET: usize, const CSIZE: usize, const CALIGN: usize>(
        &self,
    ) -> Sub<'_, B, CSIZE, CALIGN> {
        self.whole().cluster::<OFFSET, CSIZE, CALIGN>()
    }

    /// Element `index` of a cluster array (see [`Bound::cluster`]).
    ///
    /// # Errors
    /// An [`IndexError`] when `index` is not below `COUNT`.
    #[inline(always)]
    pub fn cluster_at<
        const OFFSET: usize,
        const STRIDE: usize,
        const COUNT: usize,
        const CSIZE: usize,
        const CALIGN: usize,
    >(
        &self,
        index: usize,
        name: &'static str,
    ) -> Result<Sub<'_, B, CSIZE, CALIGN>, IndexError> {
        self.whole()
            .cluster_at::<OFFSET, STRIDE, COUNT, CSIZE, CALIGN>(index, name)
    }
}

/// One element of a cluster: `SPAN` bytes at a base aligned to `ALIGN`,
/// inside a [`Bound`] block. Only the accessors here make one, so its base is
/// always one the block's layout allows.
pub struct Sub<'a, B: ?Sized, const SPAN: usize, const ALIGN: usize> {
    bus: &'a B,
    base: usize,
}

impl<B: ?Sized, const SPAN: usize, const ALIGN: usize> Clone for Sub<'_, B, SPAN, ALIGN> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<B: ?Sized, const SPAN: usize, const ALIGN: usize> Copy for Sub<'_, B, SPAN, ALIGN> {}

impl<B: ?Sized, const SPAN: usize, const ALIGN: usize> fmt::Debug for Sub<'_, B, SPAN, ALIGN> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sub({:#x}..{:#x})", self.base, self.base + SPAN)
    }
}

impl<'a, B: Bus + ?Sized, const SPAN: usize, const ALIGN: usize> Sub<'a, B, SPAN, ALIGN> {
    /// Offset of this element in the block's window.
    #[inline(always)]
    pub fn base(&self) -> usize {
        self.base
    }

    /// The bus.
    #[inline(always)]
    pub fn bus(&self) -> &'a B {
        self.bus
    }

    /// The register `R` at `OFFSET` from the base (see [`Bound::reg`]).
    #[inline(always)]
    pub fn reg<R: Register, const OFFSET: usize>(&self) -> Reg<'a, B, R> {
        const {
            assert!(
                fits(OFFSET, 0, 1, R::Word::BYTES, R::Word::BYTES, SPAN, ALIGN),
                "regmap: a register is misaligned or outside its block"
            );
        }
        // SAFETY: the base was checked (by `Bound::new` for the block, by the
        // accessors below for a cluster) to be aligned to ALIGN with SPAN bytes
        // behind it in the window, and the const block above proves that
        // OFFSET is a multiple of the register width (at most ALIGN) and that
        // the register ends within SPAN.
        unsafe { Reg::new(self.bus, self.base + OFFSET) }
    }

    /// Element `index` of a register array (see [`Bound::reg_at`]).
    ///
    /// # Errors
    /// An [`IndexError`] when `index` is not below `COUNT`.
    #[inline(always)]
    pub fn reg_at<R: Register, const OFFSET: usize, const STRIDE: usize, const COUNT: usize>(
        &self,
        index: usize,
        name: &'static str,
    ) -> Result<Reg<'a, B, R>, IndexError> {
        const {
            assert!(
                fits(
                    OFFSET,
                    STRIDE,
                    COUNT,
                    R::Word::BYTES,
                    R::Word::BYTES,
                    SPAN,
                    ALIGN
                ),
                "regmap: a register array is misaligned or runs outside its block"
            );
        }
        if index >= COUNT {
            return Err(IndexError {
                array: name,
                index,
                count: COUNT,
            });
        }
        // SAFETY: as in `reg`, for every element below COUNT (the const block
        // checks the last one; `index` is below COUNT).
        Ok(unsafe { Reg::new(self.bus, self.base + OFFSET + index * STRIDE) })
    }

    /// A cluster inside this one (see [`Bound::cluster`]).
    #[inline(always)]
    pub fn cluster<const OFFSET: usize, const CSIZE: usize, const CALIGN: usize>(
        &self,
    ) -> Sub<'a, B, CSIZE, CALIGN> {
        const {
            assert!(
                fits(OFFSET, 0, 1, CSIZE, CALIGN, SPAN, ALIGN),
                "regmap: a cluster is misaligned or outside its block"
            );
        }
        Sub {
            bus: self.bus,
            base: self.base + OFFSET,
        }
    }

    /// Element `index` of a cluster array inside this one.
    ///
    /// # Errors
    /// An [`IndexError`] when `index` is not below `COUNT`.
    #[inline(always)]
    pub fn cluster_at<
        const OFFSET: usize,
        const STRIDE: usize,
        const COUNT: usize,
        const CSIZE: usize,
        const CALIGN: usize,
    >(
        &self,
        index: usize,
        name: &'static str,
    ) -> Result<Sub<'a, B, CSIZE, CALIGN>, IndexError> {
        const {
            assert!(
                fits(OFFSET, STRIDE, COUNT, CSIZE, CALIGN, SPAN, ALIGN),
                "regmap: a cluster array is misaligned or runs outside its block"
            );
        }
        if index >= COUNT {
            return Err(IndexError {
                array: name,
                index,
                count: COUNT,
            });
        }
        Ok(Sub {
            bus: self.bus,
            base: self.base + OFFSET + index * STRIDE,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::fits;

    #[test]
    fn fits_checks_alignment_bounds_and_overflow() {
        assert!(fits(0x1c, 0, 1, 4, 4, 0x20, 4));
        assert!(!fits(0x1d, 0, 1, 4, 4, 0x20, 4), "misaligned");
        assert!(!fits(0x20, 0, 1, 4, 4, 0x20, 4), "past the end");
        assert!(fits(0x0, 8, 4, 4, 4, 0x1c, 4));
        assert!(!fits(0x0, 8, 4, 4, 4, 0x1b, 4), "last element past the end");
        assert!(!fits(0x0, 6, 2, 4, 4, 0x20, 4), "misaligned stride");
        assert!(!fits(0x0, 4, 0, 4, 4, 0x20, 4), "empty array");
        assert!(
            !fits(0, 0, 1, 8, 8, 0x20, 4),
            "wider than the base alignment"
        );
        assert!(!fits(usize::MAX - 3, 0, 1, 4, 4, usize::MAX, 4), "overflow");
        assert!(!fits(0, usize::MAX, 3, 4, 4, usize::MAX, 4), "overflow");
        // An empty cluster (no registers: size 0, alignment 1) still has to start inside.
        assert!(fits(0x10, 0, 1, 0, 1, 0x20, 4));
    }
}
