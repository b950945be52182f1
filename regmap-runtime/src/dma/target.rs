//! What a DMA engine may be aimed at: memory with a bus address that a transfer
//! owns while the device uses it.

use super::{DmaBuffer, DmaError, DmaRange};

/// Memory a transfer can take: a whole [`DmaBuffer`] or a [`DmaRange`] of one.
///
/// The transfer moves exactly these bytes and syncs exactly them: for the
/// device before the engine starts, for the CPU after an S2MM transfer.
pub trait DmaTarget: Send {
    /// Physical (bus) address of the first byte.
    fn phys_addr(&self) -> u64;
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

impl DmaTarget for DmaBuffer {
    fn phys_addr(&self) -> u64 {
        DmaBuffer::phys_addr(self)
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

impl DmaTarget for DmaRange {
    fn phys_addr(&self) -> u64 {
        DmaRange::phys_addr(self)
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
