//! [`MemBus`]: a register window backed by ordinary memory, for tests and simulation.

use crate::bus::Bus;
use std::sync::atomic::{AtomicU64, Ordering};

/// A window of plain memory that behaves like registers with no side effects.
///
/// Storage is a slice of `AtomicU64`, so the bus is `Sync` and can be shared
/// with a device model running on another thread; narrower accesses update
/// their bytes inside the containing word atomically. Little-endian, like the
/// AXI and PCIe devices this crate targets.
#[derive(Debug)]
pub struct MemBus {
    words: Box<[AtomicU64]>,
    size: usize,
}

impl MemBus {
    /// A zero-filled window of `size` bytes.
    pub fn new(size: usize) -> Self {
        let words = (0..size.div_ceil(8)).map(|_| AtomicU64::new(0)).collect();
        Self { words, size }
    }

    #[inline]
    fn get(&self, offset: usize, width: usize) -> u64 {
        assert!(
            offset.is_multiple_of(width) && offset + width <= self.size,
            "MemBus: {width}-byte access at {offset:#x} outside the {:#x}-byte window or misaligned",
            self.size
        );
        let word = self.words[offset / 8].load(Ordering::SeqCst);
        let shift = (offset % 8) * 8;
        let mask = if width == 8 {
            u64::MAX
        } else {
            (1u64 << (width * 8)) - 1
        };
        (word >> shift) & mask
    }

    #[inline]
    fn set(&self, offset: usize, width: usize, value: u64) {
        assert!(
            offset.is_multiple_of(width) && offset + width <= self.size,
            "MemBus: {width}-byte access at {offset:#x} outside the {:#x}-byte window or misaligned",
            self.size
        );
        let shift = (offset % 8) * 8;
        let mask = if width == 8 {
            u64::MAX
        } else {
            ((1u64 << (width * 8)) - 1) << shift
        };
        let cell = &self.words[offset / 8];
        let mut old = cell.load(Ordering::SeqCst);
        loop {
            let new = (old & !mask) | ((value << shift) & mask);
            match cell.compare_exchange_weak(old, new, Ordering::SeqCst, Ordering::SeqCst) {
                Ok(_) => break,
                Err(actual) => old = actual,
            }
        }
    }
}

// The unchecked methods still assert: a MemBus exists for tests, where an
// out-of-bounds access should fail loudly rather than touch the wrong word.
// SAFETY: the size is fixed at construction; every access is bounds-checked
// against it anyway and goes through atomics, never raw memory.
unsafe impl Bus for MemBus {
    fn size(&self) -> usize {
        self.size
    }
    fn dma_space(&self) -> crate::dma::DmaSpace {
        // Plain memory: no device masters anything through it.
        crate::dma::DmaSpace::Unreachable
    }
    unsafe fn read_u8_unchecked(&self, offset: usize) -> u8 {
        self.get(offset, 1) as u8
    }
    unsafe fn read_u16_unchecked(&self, offset: usize) -> u16 {
        self.get(offset, 2) as u16
    }
    unsafe fn read_u32_unchecked(&self, offset: usize) -> u32 {
        self.get(offset, 4) as u32
    }
    unsafe fn read_u64_unchecked(&self, offset: usize) -> u64 {
        self.get(offset, 8)
    }
    unsafe fn write_u8_unchecked(&self, offset: usize, value: u8) {
        self.set(offset, 1, value.into())
    }
    unsafe fn write_u16_unchecked(&self, offset: usize, value: u16) {
        self.set(offset, 2, value.into())
    }
    unsafe fn write_u32_unchecked(&self, offset: usize, value: u32) {
        self.set(offset, 4, value.into())
    }
    unsafe fn write_u64_unchecked(&self, offset: usize, value: u64) {
        self.set(offset, 8, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AccessError;

    #[test]
    fn narrow_writes_touch_only_their_bytes() {
        let bus = MemBus::new(16);
        bus.write_u64(8, 0x1122_3344_5566_7788).unwrap();
        bus.write_u8(9, 0xaa).unwrap();
        bus.write_u16(12, 0xbbcc).unwrap();
        assert_eq!(bus.read_u64(8).unwrap(), 0x1122_bbcc_5566_aa88);
        assert_eq!(bus.read_u32(12).unwrap(), 0x1122_bbcc);
        assert_eq!(bus.read_u8(15).unwrap(), 0x11);
    }

    #[test]
    fn checked_accesses_report_misalignment_and_bounds() {
        let bus = MemBus::new(12);
        assert_eq!(
            bus.read_u32(2),
            Err(AccessError::Misaligned {
                offset: 2,
                width: 4
            })
        );
        assert_eq!(
            bus.read_u64(8),
            Err(AccessError::OutOfBounds {
                offset: 8,
                width: 8,
                size: 12
            })
        );
        assert_eq!(bus.write_u32(8, 7), Ok(()));
        assert_eq!(bus.read_u32(8), Ok(7));
    }
}
