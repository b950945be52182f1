//! What a DMA engine may be aimed at: memory with a bus address that a transfer
//! owns while the device uses it.

use super::{DmaBuffer, DmaError, DmaRange, DmaSpace};

/// Memory a transfer can take: a whole [`DmaBuffer`] or a [`DmaRange`] of one.
///
/// The transfer moves exactly these bytes and syncs exactly them: for the
/// device before the engine starts, for the CPU after an S2MM transfer.
///
/// # Safety
/// A driver programs [`phys_addr`](Self::phys_addr) and [`len`](Self::len)
/// straight into a DMA engine, which then writes that physical range. An
/// implementor guarantees that, for as long as the value lives:
/// - the range `phys_addr()..phys_addr() + len()` is memory a device may
///   write (DMA-able RAM, not a register window or memory of another owner),
///   owned exclusively by this value: no other live value, CPU view or
///   allocator hands out any byte of it, and it is not freed before the value
///   is dropped (a leaked value leaks the memory);
/// - [`dma_space`](Self::dma_space) is the address space `phys_addr()`
///   belongs to: a device of that space programmed with it reaches exactly
///   this range (a driver refuses a target of another space);
/// - the methods return the same values every time they are called;
/// - the sync methods make the CPU's and the device's views of exactly that
///   range agree, as their documentation says.
pub unsafe trait DmaTarget: Send {
    /// Physical (bus) address of the first byte.
    fn phys_addr(&self) -> u64;
    /// The address space [`phys_addr`](Self::phys_addr) belongs to.
    fn dma_space(&self) -> DmaSpace;
    /// Length in bytes.
    fn len(&self) -> usize;
    /// Whether the target has no bytes.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Hands the bytes to the device (cache clean).
    fn sync_for_device(&self) -> Result<(), DmaError>;
    /// Takes the bytes back from the device (cache invalidate).
    fn sync_for_cpu(&mut self) -> Result<(), DmaError>;
}

// SAFETY: a `DmaBuffer` owns its physically contiguous range exclusively
// (contract of its providers and of `DmaBuffer::from_raw_parts`), frees it
// only on drop, and its address and length never change.
unsafe impl DmaTarget for DmaBuffer {
    fn phys_addr(&self) -> u64 {
        DmaBuffer::phys_addr(self)
    }
    fn dma_space(&self) -> DmaSpace {
        DmaBuffer::dma_space(self)
    }
    fn len(&self) -> usize {
        DmaBuffer::len(self)
    }
    fn sync_for_device(&self) -> Result<(), DmaError> {
        DmaBuffer::sync_for_device(self, ..)
    }
    fn sync_for_cpu(&mut self) -> Result<(), DmaError> {
        DmaBuffer::sync_for_cpu(self, ..)
    }
}

// SAFETY: a `DmaRange` owns the whole `DmaBuffer` it was cut from and names a
// checked, fixed sub-range of it.
unsafe impl DmaTarget for DmaRange {
    fn phys_addr(&self) -> u64 {
        DmaRange::phys_addr(self)
    }
    fn dma_space(&self) -> DmaSpace {
        DmaRange::dma_space(self)
    }
    fn len(&self) -> usize {
        DmaRange::len(self)
    }
    fn sync_for_device(&self) -> Result<(), DmaError> {
        DmaRange::sync_for_device(self)
    }
    fn sync_for_cpu(&mut self) -> Result<(), DmaError> {
        DmaRange::sync_for_cpu(self)
    }
}
