//! What the model's AXI master ports see: physical memory, addressed by
//! physical address, that can answer with a decode or slave error.

use crate::dma::{DmaSpace, SimMemory};
use std::ops::Range;
use std::sync::Mutex;

/// An AXI error response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusFault {
    /// DECERR: no slave at the address.
    Decode,
    /// SLVERR: the slave refused the access.
    Slave,
}

/// Memory as the DMA's memory-mapped master sees it.
///
/// Implemented for the simulated physical memory of [`crate::dma`] and for
/// [`FaultyMemory`]; implement it yourself to put a model in front of other
/// memory. Accesses come from whichever thread drives the model.
pub trait PhysMemory: Send + Sync {
    /// Reads `out.len()` bytes at physical address `addr`.
    fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), BusFault>;
    /// Writes `data` at physical address `addr`.
    fn write(&self, addr: u64, data: &[u8]) -> Result<(), BusFault>;
    /// The address space of these addresses: a model mastering this memory
    /// takes buffers of this space only. A `SimMemory` has its own; a memory
    /// of your own takes a fresh [`DmaSpace::new_simulated`], or the space of
    /// the memory it wraps.
    fn dma_space(&self) -> DmaSpace;
}

impl<M: PhysMemory + ?Sized> PhysMemory for std::sync::Arc<M> {
    fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), BusFault> {
        (**self).read(addr, out)
    }
    fn write(&self, addr: u64, data: &[u8]) -> Result<(), BusFault> {
        (**self).write(addr, data)
    }
    fn dma_space(&self) -> DmaSpace {
        (**self).dma_space()
    }
}

/// The simulated physical memory DMA buffers come from. An access outside its
/// range is a decode error; so is one to bytes no live buffer owns, which on a
/// board would silently hit unrelated memory (a stale or wrong address).
impl PhysMemory for SimMemory {
    fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), BusFault> {
        SimMemory::read(self, addr, out).map_err(|_| BusFault::Decode)
    }
    fn write(&self, addr: u64, data: &[u8]) -> Result<(), BusFault> {
        SimMemory::write(self, addr, data).map_err(|_| BusFault::Decode)
    }
    fn dma_space(&self) -> DmaSpace {
        SimMemory::dma_space(self)
    }
}

/// Plain memory: one contiguous region of bytes at a physical base address.
/// Accesses outside it are decode errors. For tests of the model itself and
/// for users who need no DMA buffer API.
#[derive(Debug)]
pub struct RamRegion {
    base: u64,
    bytes: Mutex<Vec<u8>>,
    space: DmaSpace,
}

impl RamRegion {
    /// `len` zero bytes at physical address `base`.
    pub fn new(base: u64, len: usize) -> Self {
        Self {
            base,
            bytes: Mutex::new(vec![0; len]),
            space: DmaSpace::new_simulated(),
        }
    }

    /// The region's own address space (what a target aimed at it reports).
    pub fn dma_space(&self) -> DmaSpace {
        self.space
    }

    /// Physical address range covered.
    pub fn range(&self) -> Range<u64> {
        let len = self.bytes.lock().map(|b| b.len()).unwrap_or(0) as u64;
        self.base..self.base + len
    }

    fn span(&self, addr: u64, len: usize, have: usize) -> Result<Range<usize>, BusFault> {
        let start = addr.checked_sub(self.base).ok_or(BusFault::Decode)?;
        let start = usize::try_from(start).map_err(|_| BusFault::Decode)?;
        let end = start.checked_add(len).ok_or(BusFault::Decode)?;
        if end > have {
            return Err(BusFault::Decode);
        }
        Ok(start..end)
    }
}

impl PhysMemory for RamRegion {
    fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), BusFault> {
        let bytes = self.bytes.lock().map_err(|_| BusFault::Slave)?;
        let span = self.span(addr, out.len(), bytes.len())?;
        out.copy_from_slice(&bytes[span]);
        Ok(())
    }
    fn write(&self, addr: u64, data: &[u8]) -> Result<(), BusFault> {
        let mut bytes = self.bytes.lock().map_err(|_| BusFault::Slave)?;
        let span = self.span(addr, data.len(), bytes.len())?;
        bytes[span].copy_from_slice(data);
        Ok(())
    }
    fn dma_space(&self) -> DmaSpace {
        self.space
    }
}

/// Memory that answers SLVERR or DECERR in chosen address ranges and passes
/// everything else to the memory it wraps: the way to make a model raise
/// DMASlvErr / SGSlvErr (over a data buffer / a descriptor ring) or DMADecErr /
/// SGDecErr.
#[derive(Debug)]
pub struct FaultyMemory<M> {
    inner: M,
    slave_errors: Mutex<Vec<Range<u64>>>,
    decode_errors: Mutex<Vec<Range<u64>>>,
}

impl<M: PhysMemory> FaultyMemory<M> {
    /// Wraps `inner` with no faulty ranges yet.
    pub fn new(inner: M) -> Self {
        Self {
            inner,
            slave_errors: Mutex::new(Vec::new()),
            decode_errors: Mutex::new(Vec::new()),
        }
    }

    /// Accesses touching `range` answer SLVERR from now on.
    pub fn add_slave_error(&self, range: Range<u64>) {
        if let Ok(mut ranges) = self.slave_errors.lock() {
            ranges.push(range);
        }
    }

    /// Accesses touching `range` answer DECERR from now on (as if nothing
    /// were mapped there).
    pub fn add_decode_error(&self, range: Range<u64>) {
        if let Ok(mut ranges) = self.decode_errors.lock() {
            ranges.push(range);
        }
    }

    /// The wrapped memory.
    pub fn inner(&self) -> &M {
        &self.inner
    }

    fn check(&self, addr: u64, len: usize) -> Result<(), BusFault> {
        let end = addr.saturating_add(len as u64);
        let hits = |ranges: &Mutex<Vec<Range<u64>>>| {
            ranges
                .lock()
                .map(|rs| rs.iter().any(|r| r.start < end && addr < r.end))
                .unwrap_or(true)
        };
        if hits(&self.decode_errors) {
            return Err(BusFault::Decode);
        }
        if hits(&self.slave_errors) {
            return Err(BusFault::Slave);
        }
        Ok(())
    }
}

impl<M: PhysMemory> PhysMemory for FaultyMemory<M> {
    fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), BusFault> {
        self.check(addr, out.len())?;
        self.inner.read(addr, out)
    }
    fn write(&self, addr: u64, data: &[u8]) -> Result<(), BusFault> {
        self.check(addr, data.len())?;
        self.inner.write(addr, data)
    }
    fn dma_space(&self) -> DmaSpace {
        self.inner.dma_space()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ram_region_decodes_only_its_range() {
        let ram = RamRegion::new(0x1_0000_0000, 16);
        ram.write(0x1_0000_0004, &[1, 2, 3]).unwrap();
        let mut out = [0; 4];
        ram.read(0x1_0000_0003, &mut out).unwrap();
        assert_eq!(out, [0, 1, 2, 3]);
        assert_eq!(ram.read(0xffff_ffff, &mut out), Err(BusFault::Decode));
        assert_eq!(ram.read(0x1_0000_000d, &mut out), Err(BusFault::Decode));
        assert_eq!(ram.write(u64::MAX, &[1]), Err(BusFault::Decode));
    }

    #[test]
    fn faulty_memory_answers_slverr_in_its_ranges() {
        let mem = FaultyMemory::new(RamRegion::new(0, 64));
        mem.add_slave_error(16..32);
        assert_eq!(mem.write(12, &[0; 4]), Ok(()));
        assert_eq!(mem.write(13, &[0; 4]), Err(BusFault::Slave));
        assert_eq!(mem.read(31, &mut [0; 1]), Err(BusFault::Slave));
        assert_eq!(mem.read(32, &mut [0; 1]), Ok(()));
        assert_eq!(mem.read(64, &mut [0; 1]), Err(BusFault::Decode));
        mem.add_decode_error(40..48);
        assert_eq!(mem.read(44, &mut [0; 1]), Err(BusFault::Decode));
    }
}
