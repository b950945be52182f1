//! The [`Bus`] trait: a byte-addressed window of registers.

use crate::dma::DmaSpace;
use crate::error::{AccessError, BindError};
use std::rc::Rc;
use std::sync::Arc;

/// A byte-addressed window of device registers (or anything that behaves like one).
///
/// Implementations: a mapped window (file, `/dev/mem`, UIO map, PCI BAR), the
/// in-memory [`MemBus`](crate::MemBus), a tracing wrapper, behavioural models.
///
/// The `*_unchecked` methods are the primitive: each is exactly one access of the
/// named width. They are `unsafe` to *call*: a mapped window performs a raw
/// volatile access, so the caller must keep it inside the window. Generated
/// register blocks check the window once, in their `new`, and then call the
/// unchecked methods with compile-time offsets, which is what makes them cost
/// the same as hand-written volatile code. The checked `read_*` / `write_*`
/// methods are for ad-hoc accesses at run-time offsets.
///
/// All methods take `&self`: device registers are shared, mutable state, so an
/// implementation uses volatile accesses or interior mutability.
///
/// # Safety
/// The trait is `unsafe` to implement because callers rely on what
/// [`size`](Bus::size) and [`base_alignment`](Bus::base_alignment) report once
/// they have checked it: a block that bound successfully calls the unchecked
/// methods with no further check. An implementation must guarantee:
/// - `size()` and `base_alignment()` return the same values for the whole life
///   of the value (a window never shrinks or moves under a bound block);
/// - every `*_unchecked` access at an `offset` with `offset + width <= size()`,
///   `offset` a multiple of the width and the width at most `base_alignment()`
///   (a power of two, at most 4096) is sound: callers never make an access
///   whose address is not a multiple of its width;
/// - the checked methods keep their default behaviour or check at least as much;
/// - [`dma_space`](Bus::dma_space) is the address space the device behind the
///   window masters, the same for the whole life of the value: a driver
///   programs the device only with addresses of buffers of that space. A
///   wrapper forwards its inner bus's; a window with no device behind it
///   (plain memory) may say anything, since nothing masters memory there.
pub unsafe trait Bus {
    /// Size of the window in bytes.
    fn size(&self) -> usize;

    /// Largest power of two that divides the window's base address (capped at
    /// 4096). A 64-bit register needs a base aligned to at least 8.
    fn base_alignment(&self) -> usize {
        4096
    }

    /// The address space in which the device behind this window masters
    /// memory: a DMA buffer's address means something to the device only if
    /// it belongs to this space (a VFIO BAR's device: its container's I/O
    /// addresses; a device model: its simulated memory). Required, so that
    /// no wrapper forgets to forward it.
    fn dma_space(&self) -> DmaSpace;

    /// Reads 8 bits at `offset`.
    ///
    /// # Safety
    /// `offset + 1 <= self.size()`.
    unsafe fn read_u8_unchecked(&self, offset: usize) -> u8;
    /// Reads 16 bits at `offset`.
    ///
    /// # Safety
    /// `offset` is a multiple of 2, `offset + 2 <= self.size()` and
    /// `self.base_alignment() >= 2`.
    unsafe fn read_u16_unchecked(&self, offset: usize) -> u16;
    /// Reads 32 bits at `offset`.
    ///
    /// # Safety
    /// `offset` is a multiple of 4, `offset + 4 <= self.size()` and
    /// `self.base_alignment() >= 4`.
    unsafe fn read_u32_unchecked(&self, offset: usize) -> u32;
    /// Reads 64 bits at `offset`.
    ///
    /// # Safety
    /// `offset` is a multiple of 8, `offset + 8 <= self.size()` and
    /// `self.base_alignment() >= 8`.
    unsafe fn read_u64_unchecked(&self, offset: usize) -> u64;
    /// Writes 8 bits at `offset`.
    ///
    /// # Safety
    /// As for [`Bus::read_u8_unchecked`].
    unsafe fn write_u8_unchecked(&self, offset: usize, value: u8);
    /// Writes 16 bits at `offset`.
    ///
    /// # Safety
    /// As for [`Bus::read_u16_unchecked`].
    unsafe fn write_u16_unchecked(&self, offset: usize, value: u16);
    /// Writes 32 bits at `offset`.
    ///
    /// # Safety
    /// As for [`Bus::read_u32_unchecked`].
    unsafe fn write_u32_unchecked(&self, offset: usize, value: u32);
    /// Writes 64 bits at `offset`.
    ///
    /// # Safety
    /// As for [`Bus::read_u64_unchecked`].
    unsafe fn write_u64_unchecked(&self, offset: usize, value: u64);

    /// Checks that `len` bytes at `offset`, accessed `width` bytes at a time, are
    /// inside the window and aligned.
    fn check_access(&self, offset: usize, width: usize) -> Result<(), AccessError> {
        if !offset.is_multiple_of(width) {
            return Err(AccessError::Misaligned { offset, width });
        }
        // An aligned offset in a window whose base is not is still a
        // misaligned address, which a volatile access must never be.
        if self.base_alignment() < width {
            return Err(AccessError::MisalignedBase {
                alignment: self.base_alignment(),
                width,
            });
        }
        match offset.checked_add(width) {
            Some(end) if end <= self.size() => Ok(()),
            _ => Err(AccessError::OutOfBounds {
                offset,
                width,
                size: self.size(),
            }),
        }
    }

    /// Checks that a block of `size` bytes whose widest register is `max_width`
    /// bytes fits this window. Generated blocks call this once, in `new`.
    fn check_block(
        &self,
        block: &'static str,
        size: usize,
        max_width: usize,
    ) -> Result<(), BindError> {
        if self.size() < size {
            return Err(BindError::WindowTooSmall {
                block,
                needed: size,
                available: self.size(),
            });
        }
        if self.base_alignment() < max_width {
            return Err(BindError::MisalignedBase {
                block,
                alignment: self.base_alignment(),
                needed: max_width,
            });
        }
        Ok(())
    }

    /// Reads 8 bits at a run-time offset, checked.
    fn read_u8(&self, offset: usize) -> Result<u8, AccessError> {
        self.check_access(offset, 1)?;
        // SAFETY: bounds and alignment were checked just above.
        Ok(unsafe { self.read_u8_unchecked(offset) })
    }
    /// Reads 16 bits at a run-time offset, checked.
    fn read_u16(&self, offset: usize) -> Result<u16, AccessError> {
        self.check_access(offset, 2)?;
        // SAFETY: bounds and alignment were checked just above.
        Ok(unsafe { self.read_u16_unchecked(offset) })
    }
    /// Reads 32 bits at a run-time offset, checked.
    fn read_u32(&self, offset: usize) -> Result<u32, AccessError> {
        self.check_access(offset, 4)?;
        // SAFETY: bounds and alignment were checked just above.
        Ok(unsafe { self.read_u32_unchecked(offset) })
    }
    /// Reads 64 bits at a run-time offset, checked.
    fn read_u64(&self, offset: usize) -> Result<u64, AccessError> {
        self.check_access(offset, 8)?;
        // SAFETY: bounds and alignment were checked just above.
        Ok(unsafe { self.read_u64_unchecked(offset) })
    }
    /// Writes 8 bits at a run-time offset, checked.
    fn write_u8(&self, offset: usize, value: u8) -> Result<(), AccessError> {
        self.check_access(offset, 1)?;
        // SAFETY: bounds and alignment were checked just above.
        unsafe { self.write_u8_unchecked(offset, value) };
        Ok(())
    }
    /// Writes 16 bits at a run-time offset, checked.
    fn write_u16(&self, offset: usize, value: u16) -> Result<(), AccessError> {
        self.check_access(offset, 2)?;
        // SAFETY: bounds and alignment were checked just above.
        unsafe { self.write_u16_unchecked(offset, value) };
        Ok(())
    }
    /// Writes 32 bits at a run-time offset, checked.
    fn write_u32(&self, offset: usize, value: u32) -> Result<(), AccessError> {
        self.check_access(offset, 4)?;
        // SAFETY: bounds and alignment were checked just above.
        unsafe { self.write_u32_unchecked(offset, value) };
        Ok(())
    }
    /// Writes 64 bits at a run-time offset, checked.
    fn write_u64(&self, offset: usize, value: u64) -> Result<(), AccessError> {
        self.check_access(offset, 8)?;
        // SAFETY: bounds and alignment were checked just above.
        unsafe { self.write_u64_unchecked(offset, value) };
        Ok(())
    }
}

macro_rules! forward_bus {
    ($($ptr:ty),*) => {$(
        // SAFETY: every method forwards to the pointee, whose contract holds;
        // the pointee cannot change while the pointer is alive.
        unsafe impl<B: Bus + ?Sized> Bus for $ptr {
            #[inline(always)]
            fn size(&self) -> usize { (**self).size() }
            #[inline(always)]
            fn base_alignment(&self) -> usize { (**self).base_alignment() }
            fn dma_space(&self) -> DmaSpace { (**self).dma_space() }
            #[inline(always)]
            unsafe fn read_u8_unchecked(&self, o: usize) -> u8 {
                // SAFETY: forwarded contract.
                unsafe { (**self).read_u8_unchecked(o) }
            }
            #[inline(always)]
            unsafe fn read_u16_unchecked(&self, o: usize) -> u16 {
                // SAFETY: forwarded contract.
                unsafe { (**self).read_u16_unchecked(o) }
            }
            #[inline(always)]
            unsafe fn read_u32_unchecked(&self, o: usize) -> u32 {
                // SAFETY: forwarded contract.
                unsafe { (**self).read_u32_unchecked(o) }
            }
            #[inline(always)]
            unsafe fn read_u64_unchecked(&self, o: usize) -> u64 {
                // SAFETY: forwarded contract.
                unsafe { (**self).read_u64_unchecked(o) }
            }
            #[inline(always)]
            unsafe fn write_u8_unchecked(&self, o: usize, v: u8) {
                // SAFETY: forwarded contract.
                unsafe { (**self).write_u8_unchecked(o, v) }
            }
            #[inline(always)]
            unsafe fn write_u16_unchecked(&self, o: usize, v: u16) {
                // SAFETY: forwarded contract.
                unsafe { (**self).write_u16_unchecked(o, v) }
            }
            #[inline(always)]
            unsafe fn write_u32_unchecked(&self, o: usize, v: u32) {
                // SAFETY: forwarded contract.
                unsafe { (**self).write_u32_unchecked(o, v) }
            }
            #[inline(always)]
            unsafe fn write_u64_unchecked(&self, o: usize, v: u64) {
                // SAFETY: forwarded contract.
                unsafe { (**self).write_u64_unchecked(o, v) }
            }
        }
    )*};
}

forward_bus!(&B, Box<B>, Rc<B>, Arc<B>);

/// A window inside another window: an IP instance at a base offset within a
/// larger mapping (one `/dev/mem` window holding several blocks, say).
#[derive(Debug, Clone)]
pub struct SubBus<B> {
    parent: B,
    base: usize,
    size: usize,
}

impl<B: Bus> SubBus<B> {
    /// A window of `size` bytes at `base` inside `parent`; fails if it does not fit.
    pub fn new(parent: B, base: usize, size: usize) -> Result<Self, AccessError> {
        match base.checked_add(size) {
            Some(end) if end <= parent.size() => Ok(Self { parent, base, size }),
            _ => Err(AccessError::OutOfBounds {
                offset: base,
                width: size,
                size: parent.size(),
            }),
        }
    }

    /// The enclosing window.
    pub fn parent(&self) -> &B {
        &self.parent
    }

    /// Offset of this window inside its parent.
    pub fn base(&self) -> usize {
        self.base
    }
}

// SAFETY: size and base are fixed at construction, and `new` checked that
// base + size fits the parent's (fixed) size. The alignment reported is at most
// the parent's and at most the base's own, so an access the contract allows
// (width at most that alignment, offset a multiple of the width) has `base + o`
// a multiple of the width inside the parent, whose alignment covers the width:
// exactly what the parent's contract needs.
unsafe impl<B: Bus> Bus for SubBus<B> {
    #[inline(always)]
    fn size(&self) -> usize {
        self.size
    }
    fn base_alignment(&self) -> usize {
        let own = if self.base == 0 {
            4096
        } else {
            1 << self.base.trailing_zeros().min(12)
        };
        own.min(self.parent.base_alignment())
    }
    fn dma_space(&self) -> DmaSpace {
        self.parent.dma_space()
    }
    #[inline(always)]
    unsafe fn read_u8_unchecked(&self, o: usize) -> u8 {
        // SAFETY: o is inside this window, which lies inside the parent (checked in `new`).
        unsafe { self.parent.read_u8_unchecked(self.base + o) }
    }
    #[inline(always)]
    unsafe fn read_u16_unchecked(&self, o: usize) -> u16 {
        // SAFETY: as above; alignment is preserved because `base_alignment` reports the sum's.
        unsafe { self.parent.read_u16_unchecked(self.base + o) }
    }
    #[inline(always)]
    unsafe fn read_u32_unchecked(&self, o: usize) -> u32 {
        // SAFETY: as above.
        unsafe { self.parent.read_u32_unchecked(self.base + o) }
    }
    #[inline(always)]
    unsafe fn read_u64_unchecked(&self, o: usize) -> u64 {
        // SAFETY: as above.
        unsafe { self.parent.read_u64_unchecked(self.base + o) }
    }
    #[inline(always)]
    unsafe fn write_u8_unchecked(&self, o: usize, v: u8) {
        // SAFETY: as above.
        unsafe { self.parent.write_u8_unchecked(self.base + o, v) }
    }
    #[inline(always)]
    unsafe fn write_u16_unchecked(&self, o: usize, v: u16) {
        // SAFETY: as above.
        unsafe { self.parent.write_u16_unchecked(self.base + o, v) }
    }
    #[inline(always)]
    unsafe fn write_u32_unchecked(&self, o: usize, v: u32) {
        // SAFETY: as above.
        unsafe { self.parent.write_u32_unchecked(self.base + o, v) }
    }
    #[inline(always)]
    unsafe fn write_u64_unchecked(&self, o: usize, v: u64) {
        // SAFETY: as above.
        unsafe { self.parent.write_u64_unchecked(self.base + o, v) }
    }
}
