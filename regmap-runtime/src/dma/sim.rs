//! Simulated physical memory shared by the CPU side and device models.
//!
//! [`SimMemory`] is an allocator of [`DmaBuffer`]s at made-up physical addresses
//! and, for device models, a bus that reads and writes those addresses from any
//! thread ([`SimMemory::read`], [`SimMemory::write`]).
//!
//! It behaves like a *non-coherent* platform: each buffer's CPU view is a
//! private copy (the "cache"), and only [`DmaBuffer::sync_for_device`] and
//! [`DmaBuffer::sync_for_cpu`] move bytes between it and the memory the device
//! sees. A driver that forgets a sync reads stale data here just as it would on
//! a Zynq, instead of passing on a laptop and failing on the board. (It also
//! keeps the CPU's slices and a model thread's writes apart, so no data race
//! can exist.)
//!
//! Device accesses are checked: outside the simulated range is
//! [`SimAccessError::OutOfRange`] (a model reports a decode error), and bytes no
//! live buffer owns are [`SimAccessError::Unallocated`] (a stale or wrong
//! address in the driver), so a freed buffer is never silently written.

use super::buffer::{DmaBacking, DmaBuffer};
use super::error::{DmaError, SimAccessError};
use super::suballoc::{AllocStats, FreeList};
use super::{DMA_MIN_ALIGN, DmaAllocator, DmaSpace};
use std::alloc::Layout;
use std::collections::BTreeMap;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// Simulated physical memory: cheap to clone (all clones share the memory).
#[derive(Clone)]
pub struct SimMemory {
    inner: Arc<SimInner>,
}

struct SimInner {
    base: u64,
    size: u64,
    space: DmaSpace,
    state: Mutex<SimState>,
    device_read: AtomicU64,
    device_written: AtomicU64,
}

struct SimState {
    list: FreeList,
    /// Live blocks by physical start address.
    blocks: BTreeMap<u64, Arc<SimBlock>>,
}

/// The device-side contents of one buffer.
struct SimBlock {
    phys: u64,
    len: u64,
    data: Mutex<Box<[u8]>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A model thread that panicked mid-copy leaves bytes half-written, which is
    // what real memory would hold too; keep serving.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl std::fmt::Debug for SimMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimMemory")
            .field("base", &format_args!("{:#x}", self.inner.base))
            .field("size", &format_args!("{:#x}", self.inner.size))
            .field("stats", &self.stats())
            .finish()
    }
}

impl SimMemory {
    /// `size` bytes of simulated memory starting at physical address `base`.
    ///
    /// Memory is only allocated for live buffers, so a large range (or one
    /// above 4 GiB, to test 64-bit addressing) costs nothing by itself.
    pub fn new(base: u64, size: u64) -> Self {
        // Keep base + size representable so every address check is exact.
        let size = size.min(u64::MAX - base);
        Self {
            inner: Arc::new(SimInner {
                base,
                size,
                space: DmaSpace::unique(DmaSpace::Simulated),
                state: Mutex::new(SimState {
                    list: FreeList::new(base, size, DMA_MIN_ALIGN as u64),
                    blocks: BTreeMap::new(),
                }),
                device_read: AtomicU64::new(0),
                device_written: AtomicU64::new(0),
            }),
        }
    }

    /// This memory's address space: its buffers' addresses mean something
    /// only to the models that master it.
    pub fn dma_space(&self) -> DmaSpace {
        self.inner.space
    }

    /// First simulated physical address.
    pub fn base(&self) -> u64 {
        self.inner.base
    }

    /// Size of the simulated range in bytes.
    pub fn size(&self) -> u64 {
        self.inner.size
    }

    /// Allocation statistics.
    pub fn stats(&self) -> AllocStats {
        lock(&self.inner.state).list.stats()
    }

    /// Bytes devices have read and written so far.
    pub fn device_traffic(&self) -> (u64, u64) {
        (
            self.inner.device_read.load(Ordering::Relaxed),
            self.inner.device_written.load(Ordering::Relaxed),
        )
    }

    /// Device side: reads `buf.len()` bytes at physical address `addr`.
    pub fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), SimAccessError> {
        self.access(addr, buf.len(), |data, done| {
            let n = data.len();
            buf[done..done + n].copy_from_slice(data);
        })?;
        self.inner
            .device_read
            .fetch_add(buf.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    /// Device side: writes `bytes` at physical address `addr`.
    pub fn write(&self, addr: u64, bytes: &[u8]) -> Result<(), SimAccessError> {
        self.access(addr, bytes.len(), |data, done| {
            let n = data.len();
            data.copy_from_slice(&bytes[done..done + n]);
        })?;
        self.inner
            .device_written
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    /// Device side: a little-endian `u32` at `addr`.
    pub fn read_u32(&self, addr: u64) -> Result<u32, SimAccessError> {
        let mut b = [0; 4];
        self.read(addr, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    /// Device side: a little-endian `u64` at `addr`.
    pub fn read_u64(&self, addr: u64) -> Result<u64, SimAccessError> {
        let mut b = [0; 8];
        self.read(addr, &mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    /// Device side: writes a little-endian `u32` at `addr`.
    pub fn write_u32(&self, addr: u64, value: u32) -> Result<(), SimAccessError> {
        self.write(addr, &value.to_le_bytes())
    }

    /// Device side: writes a little-endian `u64` at `addr`.
    pub fn write_u64(&self, addr: u64, value: u64) -> Result<(), SimAccessError> {
        self.write(addr, &value.to_le_bytes())
    }

    /// Checks that `[addr, addr + len)` is simulated and owned by live buffers,
    /// then calls `f(block bytes, bytes done before them)` for each piece, in
    /// address order. Nothing is touched unless the whole range is valid. The
    /// state lock is held throughout, so a buffer cannot be freed mid-access.
    fn access(
        &self,
        addr: u64,
        len: usize,
        mut f: impl FnMut(&mut [u8], usize),
    ) -> Result<(), SimAccessError> {
        let inner = &*self.inner;
        let out_of_range = SimAccessError::OutOfRange {
            addr,
            len,
            base: inner.base,
            size: inner.size,
        };
        let end = addr.checked_add(len as u64).ok_or(out_of_range.clone())?;
        if addr < inner.base || end > inner.base + inner.size {
            return Err(out_of_range);
        }
        let state = lock(&inner.state);
        if let Some(unowned) = state.list.first_free_in(addr - inner.base, len as u64) {
            return Err(SimAccessError::Unallocated {
                addr,
                len,
                unowned: inner.base + unowned,
            });
        }
        // Bytes not free are inside some live block, but a block may be shorter
        // than the granule-rounded bytes the free list took for it: check first.
        let pieces = |visit: &mut dyn FnMut(&SimBlock, usize, usize)| {
            let mut at = addr;
            while at < end {
                let block = state
                    .blocks
                    .range(..=at)
                    .next_back()
                    .map(|(_, b)| b)
                    .filter(|b| at - b.phys < b.len);
                let Some(block) = block else {
                    return Err(SimAccessError::Unallocated {
                        addr,
                        len,
                        unowned: at,
                    });
                };
                let start = at - block.phys;
                let n = (block.len - start).min(end - at);
                visit(block, start as usize, n as usize);
                at += n;
            }
            Ok(())
        };
        pieces(&mut |_, _, _| {})?;
        let mut done = 0;
        pieces(&mut |block, start, n| {
            f(&mut lock(&block.data)[start..start + n], done);
            done += n;
        })
    }
}

impl DmaAllocator for SimMemory {
    fn allocate_aligned(&self, len: usize, align: usize) -> Result<DmaBuffer, DmaError> {
        super::check_request(len, align)?;
        let inner = &self.inner;
        let layout = Layout::from_size_align(len, align.max(DMA_MIN_ALIGN)).map_err(|_| {
            DmaError::BadAlignment {
                align: align as u64,
            }
        })?;
        let mut state = lock(&inner.state);
        let (offset, taken) = state.list.alloc(len as u64, align as u64).ok_or_else(|| {
            state
                .list
                .out_of_memory("simulated memory".into(), len as u64, align as u64)
        })?;
        let phys = inner.base + offset;
        let block = Arc::new(SimBlock {
            phys,
            len: len as u64,
            data: Mutex::new(vec![0; len].into_boxed_slice()),
        });
        state.blocks.insert(phys, block.clone());
        drop(state);
        // SAFETY: `layout` has a non-zero size (check_request refused len 0).
        let cache = unsafe { std::alloc::alloc_zeroed(layout) };
        let Some(cache) = NonNull::new(cache) else {
            std::alloc::handle_alloc_error(layout)
        };
        let backing = SimBacking {
            mem: self.clone(),
            block,
            offset,
            taken,
            cache,
            layout,
        };
        // SAFETY: `cache` is a fresh allocation of `len` bytes owned by the
        // backing (freed in its Drop) and used by nothing else; the simulated
        // range phys..phys+len is reserved for this buffer in the free list,
        // in this memory's own space, which only its models master.
        Ok(unsafe { DmaBuffer::from_raw_parts(cache, len, phys, Box::new(backing)) })
    }

    fn stats(&self) -> Option<AllocStats> {
        Some(SimMemory::stats(self))
    }
}

/// A simulated buffer: its device-side block and its CPU-side copy ("cache").
struct SimBacking {
    mem: SimMemory,
    block: Arc<SimBlock>,
    offset: u64,
    taken: u64,
    cache: NonNull<u8>,
    layout: Layout,
}

// SAFETY: the cache allocation is owned by this backing; it is only touched
// through the owning DmaBuffer (shared or exclusive borrow) and by the sync
// methods, which DmaBuffer calls with the borrow the access needs.
unsafe impl Send for SimBacking {}
// SAFETY: as above.
unsafe impl Sync for SimBacking {}

impl std::fmt::Debug for SimBacking {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimBacking")
            .field("phys", &format_args!("{:#x}", self.block.phys))
            .field("len", &self.layout.size())
            .finish()
    }
}

impl DmaBacking for SimBacking {
    fn provider(&self) -> &str {
        "simulated memory"
    }

    fn dma_space(&self) -> DmaSpace {
        self.mem.dma_space()
    }

    fn sync_for_device(&self, offset: usize, len: usize) -> Result<(), DmaError> {
        let mut data = lock(&self.block.data);
        // SAFETY: offset + len <= the buffer length (checked by DmaBuffer), the
        // cache is valid for that length, and DmaBuffer::sync_for_device holds a
        // shared borrow, so nobody writes the cache meanwhile.
        let cpu = unsafe { std::slice::from_raw_parts(self.cache.as_ptr().add(offset), len) };
        data[offset..offset + len].copy_from_slice(cpu);
        Ok(())
    }

    fn sync_for_cpu(&self, offset: usize, len: usize) -> Result<(), DmaError> {
        let data = lock(&self.block.data);
        // SAFETY: in range as above; DmaBuffer::sync_for_cpu holds an exclusive
        // borrow of the buffer, so no CPU view of the cache exists meanwhile
        // (a SubAllocator syncs only the sub-block its exclusive owner asked for).
        let cpu = unsafe { std::slice::from_raw_parts_mut(self.cache.as_ptr().add(offset), len) };
        cpu.copy_from_slice(&data[offset..offset + len]);
        Ok(())
    }
}

impl Drop for SimBacking {
    fn drop(&mut self) {
        {
            let mut state = lock(&self.mem.inner.state);
            state.blocks.remove(&self.block.phys);
            state.list.free(self.offset, self.taken);
        }
        // SAFETY: allocated in `allocate_aligned` with this layout; the owning
        // DmaBuffer is being dropped, so no view of it remains.
        unsafe { std::alloc::dealloc(self.cache.as_ptr(), self.layout) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_sees_cpu_writes_only_after_sync_for_device() {
        let mem = SimMemory::new(0x8000_0000, 1 << 20);
        let mut buf = mem.allocate(256).unwrap();
        buf.as_bytes_mut()[..4].copy_from_slice(&[1, 2, 3, 4]);
        assert_eq!(mem.read_u32(buf.phys_addr()).unwrap(), 0);
        buf.sync_for_device(..4).unwrap();
        assert_eq!(mem.read_u32(buf.phys_addr()).unwrap(), 0x0403_0201);
    }

    #[test]
    fn cpu_sees_device_writes_only_after_sync_for_cpu_over_that_range() {
        let mem = SimMemory::new(0x1000, 0x10000);
        let mut buf = mem.allocate(64).unwrap();
        mem.write(buf.phys_addr() + 8, &[0xaa; 8]).unwrap();
        assert_eq!(buf.as_bytes()[8], 0);
        buf.sync_for_cpu(8..12).unwrap();
        assert_eq!(
            &buf.as_bytes()[6..14],
            &[0, 0, 0xaa, 0xaa, 0xaa, 0xaa, 0, 0]
        );
    }

    #[test]
    fn device_access_outside_memory_or_owned_bytes_is_refused() {
        let mem = SimMemory::new(0x1000, 0x1000);
        let buf = mem.allocate(100).unwrap();
        let p = buf.phys_addr();
        assert_eq!(
            mem.write(0x2000, &[0]),
            Err(SimAccessError::OutOfRange {
                addr: 0x2000,
                len: 1,
                base: 0x1000,
                size: 0x1000
            })
        );
        assert!(matches!(
            mem.read(u64::MAX, &mut [0; 2]),
            Err(SimAccessError::OutOfRange { .. })
        ));
        // Bytes 100..128 are rounded into the block but not part of the buffer.
        assert_eq!(
            mem.write(p + 96, &[0; 8]),
            Err(SimAccessError::Unallocated {
                addr: p + 96,
                len: 8,
                unowned: p + 100
            })
        );
        drop(buf);
        assert_eq!(
            mem.read(p, &mut [0; 4]),
            Err(SimAccessError::Unallocated {
                addr: p,
                len: 4,
                unowned: p
            })
        );
    }

    #[test]
    fn device_access_may_span_adjacent_buffers() {
        let mem = SimMemory::new(0, 0x1000);
        let a = mem.allocate(128).unwrap();
        let b = mem.allocate(128).unwrap();
        assert_eq!(b.phys_addr(), a.phys_addr() + 128);
        mem.write(120, &[7; 16]).unwrap();
        let mut back = [0; 16];
        mem.read(120, &mut back).unwrap();
        assert_eq!(back, [7; 16]);
        assert_eq!(mem.device_traffic(), (16, 16));
    }

    #[test]
    fn a_leaked_buffer_stays_owned_and_is_never_reused() {
        let mem = SimMemory::new(0, 0x200);
        let leaked = mem.allocate(0x100).unwrap();
        let p = leaked.phys_addr();
        std::mem::forget(leaked);
        let other = mem.allocate(0x100).unwrap();
        assert_ne!(other.phys_addr(), p);
        // A device still writing the leaked buffer hits its own memory, not `other`'s.
        mem.write(p, &[1; 0x100]).unwrap();
        assert!(matches!(
            mem.allocate(0x80),
            Err(DmaError::OutOfMemory { .. })
        ));
    }

    #[test]
    fn addresses_above_4gib_work() {
        let mem = SimMemory::new(0x1_0000_0000 - 0x100, 0x1000);
        let buf = mem.allocate_aligned(0x200, 0x100).unwrap();
        assert_eq!(buf.phys_addr(), 0xffff_ff00);
        mem.write_u64(0x1_0000_0000, 0x1122_3344_5566_7788).unwrap();
        assert_eq!(mem.read_u64(0x1_0000_0000).unwrap(), 0x1122_3344_5566_7788);
    }
}
