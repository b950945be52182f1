//! A sub-allocator over one large contiguous region ([`SubAllocator`]), and the
//! free list behind it, which simulated memory shares.
//!
//! Providers such as u-dma-buf, a `/dev/mem` region or a huge page give one big
//! region; drivers want many small buffers (a descriptor ring, several frames).
//! Blocks are handed out first-fit in address order, aligned by *physical*
//! address, rounded to a granule so two buffers never share a cache line (a
//! cache invalidate for one would otherwise destroy CPU writes to the other),
//! and returned and coalesced with their neighbours when the buffer drops.

use super::buffer::{DmaBacking, DmaBuffer};
use super::error::DmaError;
use super::{DMA_MIN_ALIGN, DmaAllocator};
use std::collections::BTreeMap;
use std::ptr::NonNull;
use std::sync::{Arc, Mutex, MutexGuard};

/// Usage of an allocator's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AllocStats {
    /// Bytes the allocator manages.
    pub total: u64,
    /// Bytes handed out (after rounding to the granule).
    pub used: u64,
    /// Largest free contiguous block: the largest buffer that can still be had
    /// (less, when it must be aligned).
    pub largest_free: u64,
    /// Number of free blocks (1 when nothing is fragmented).
    pub free_blocks: usize,
    /// Number of live allocations.
    pub allocations: usize,
}

impl AllocStats {
    /// Bytes free in total.
    pub fn free(&self) -> u64 {
        self.total - self.used
    }
}

/// Offsets free inside a region whose first byte is at physical address `base`.
#[derive(Debug, Clone)]
pub(crate) struct FreeList {
    base: u64,
    size: u64,
    granule: u64,
    /// Free blocks: offset -> length. Never two adjacent blocks (they are merged).
    free: BTreeMap<u64, u64>,
    used: u64,
    allocations: usize,
}

impl FreeList {
    /// A free list over `size` bytes at physical `base`; `granule` must be a
    /// power of two.
    pub(crate) fn new(base: u64, size: u64, granule: u64) -> Self {
        debug_assert!(granule.is_power_of_two());
        let mut free = BTreeMap::new();
        if size > 0 {
            free.insert(0, size);
        }
        Self {
            base,
            size,
            granule,
            free,
            used: 0,
            allocations: 0,
        }
    }

    /// The length a request of `len` bytes really takes.
    pub(crate) fn rounded(&self, len: u64) -> Option<u64> {
        len.checked_next_multiple_of(self.granule)
    }

    /// Takes `len` bytes whose physical address is a multiple of `align`;
    /// returns the offset and the length really taken.
    pub(crate) fn alloc(&mut self, len: u64, align: u64) -> Option<(u64, u64)> {
        let len = self.rounded(len)?;
        let align = align.max(self.granule);
        let (block, block_len, start) = self.free.iter().find_map(|(&off, &blen)| {
            let phys = self.base.checked_add(off)?;
            let aligned = phys.checked_next_multiple_of(align)?;
            let start = off + (aligned - phys);
            let end = start.checked_add(len)?;
            (end <= off + blen).then_some((off, blen, start))
        })?;
        self.free.remove(&block);
        if start > block {
            self.free.insert(block, start - block);
        }
        let end = start + len;
        if end < block + block_len {
            self.free.insert(end, block + block_len - end);
        }
        self.used += len;
        self.allocations += 1;
        Some((start, len))
    }

    /// Returns a block that [`alloc`](Self::alloc) handed out.
    pub(crate) fn free(&mut self, offset: u64, len: u64) {
        let mut start = offset;
        let mut len_total = len;
        if let Some((&prev, &plen)) = self.free.range(..offset).next_back() {
            debug_assert!(prev + plen <= offset, "double free at {offset:#x}");
            if prev + plen == offset {
                self.free.remove(&prev);
                start = prev;
                len_total += plen;
            }
        }
        if let Some(&nlen) = self.free.get(&(offset + len)) {
            self.free.remove(&(offset + len));
            len_total += nlen;
        }
        self.free.insert(start, len_total);
        self.used -= len;
        self.allocations -= 1;
    }

    pub(crate) fn stats(&self) -> AllocStats {
        AllocStats {
            total: self.size,
            used: self.used,
            largest_free: self.free.values().copied().max().unwrap_or(0),
            free_blocks: self.free.len(),
            allocations: self.allocations,
        }
    }

    /// Is `offset..offset + len` entirely inside one live allocation or several
    /// adjacent ones (that is, not free)? Returns the first free offset if not.
    pub(crate) fn first_free_in(&self, offset: u64, len: u64) -> Option<u64> {
        let end = offset + len;
        if let Some((&o, &l)) = self.free.range(..=offset).next_back()
            && o + l > offset
        {
            return Some(offset);
        }
        self.free.range(offset..end).next().map(|(&o, _)| o)
    }

    pub(crate) fn out_of_memory(&self, provider: String, len: u64, align: u64) -> DmaError {
        let stats = self.stats();
        DmaError::OutOfMemory {
            provider,
            requested: len,
            align: align.max(self.granule),
            free: Some(stats.free()),
            largest_free: Some(stats.largest_free),
        }
    }
}

struct SubInner {
    region: DmaBuffer,
    name: String,
    list: Mutex<FreeList>,
}

impl SubInner {
    fn list(&self) -> MutexGuard<'_, FreeList> {
        // A panic while the lock was held cannot leave the list half-updated in a
        // way that matters more than losing all buffers, so keep going.
        self.list.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Hands out [`DmaBuffer`]s carved from one large region.
///
/// Each buffer keeps the region alive; the allocator handle can be dropped
/// while buffers live. A leaked buffer's block is never reused.
#[derive(Clone)]
pub struct SubAllocator {
    inner: Arc<SubInner>,
}

impl std::fmt::Debug for SubAllocator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubAllocator")
            .field("region", &self.inner.region)
            .field("stats", &self.stats())
            .finish()
    }
}

impl SubAllocator {
    /// Manages `region` with the default granule ([`DMA_MIN_ALIGN`]).
    pub fn new(region: DmaBuffer) -> Self {
        Self::with_granule(region, DMA_MIN_ALIGN).expect("DMA_MIN_ALIGN is a power of two")
    }

    /// Manages `region`, rounding every block to `granule` bytes: a power of
    /// two, at least [`DMA_MIN_ALIGN`] (else [`DmaError::GranuleTooSmall`]), so
    /// two buffers never share a cache line.
    pub fn with_granule(region: DmaBuffer, granule: usize) -> Result<Self, DmaError> {
        if !granule.is_power_of_two() {
            return Err(DmaError::BadAlignment {
                align: granule as u64,
            });
        }
        if granule < DMA_MIN_ALIGN {
            return Err(DmaError::GranuleTooSmall {
                granule,
                min: DMA_MIN_ALIGN,
            });
        }
        let list = FreeList::new(region.phys_addr(), region.len() as u64, granule as u64);
        let name = format!("{} region at {:#x}", region.provider(), region.phys_addr());
        Ok(Self {
            inner: Arc::new(SubInner {
                region,
                name,
                list: Mutex::new(list),
            }),
        })
    }

    /// Physical address of the whole region.
    pub fn phys_addr(&self) -> u64 {
        self.inner.region.phys_addr()
    }

    /// Current usage.
    pub fn stats(&self) -> AllocStats {
        self.inner.list().stats()
    }
}

impl DmaAllocator for SubAllocator {
    fn allocate_aligned(&self, len: usize, align: usize) -> Result<DmaBuffer, DmaError> {
        super::check_request(len, align)?;
        let (offset, taken) = {
            let mut list = self.inner.list();
            list.alloc(len as u64, align as u64).ok_or_else(|| {
                list.out_of_memory(self.inner.name.clone(), len as u64, align as u64)
            })?
        };
        let backing = SubBlock {
            inner: self.inner.clone(),
            offset: offset as usize,
            taken,
        };
        // The offsets fit in usize: they lie inside a region of `usize` length.
        let offset = offset as usize;
        // SAFETY: offset + len lies inside the region (the free list never hands
        // out bytes past its size), the region's pointer is valid for its length
        // for as long as `inner` lives, which the backing keeps alive, and the
        // free list hands each byte to at most one live block.
        Ok(unsafe {
            let cpu = NonNull::new_unchecked(self.inner.region.cpu_ptr().as_ptr().add(offset));
            DmaBuffer::from_raw_parts(
                cpu,
                len,
                self.inner.region.phys_addr() + offset as u64,
                Box::new(backing),
            )
        })
    }

    fn stats(&self) -> Option<AllocStats> {
        Some(SubAllocator::stats(self))
    }
}

struct SubBlock {
    inner: Arc<SubInner>,
    offset: usize,
    taken: u64,
}

impl std::fmt::Debug for SubBlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubBlock")
            .field("region", &self.inner.name)
            .field("offset", &self.offset)
            .finish()
    }
}

impl DmaBacking for SubBlock {
    fn provider(&self) -> &str {
        self.inner.region.provider()
    }
    fn dma_space(&self) -> crate::dma::DmaSpace {
        self.inner.region.dma_space()
    }
    fn sync_for_device(&self, offset: usize, len: usize) -> Result<(), DmaError> {
        self.inner
            .region
            .backing()
            .sync_for_device(self.offset + offset, len)
    }
    fn sync_for_cpu(&self, offset: usize, len: usize) -> Result<(), DmaError> {
        self.inner
            .region
            .backing()
            .sync_for_cpu(self.offset + offset, len)
    }
}

impl Drop for SubBlock {
    fn drop(&mut self) {
        self.inner.list().free(self.offset as u64, self.taken);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_fit_rounds_to_granule_and_aligns_by_physical_address() {
        // Base 0x1040: offset 0 is only 64-aligned physically.
        let mut l = FreeList::new(0x1040, 0x1000, 64);
        assert_eq!(l.alloc(1, 1), Some((0, 64)));
        // 256-aligned physical address: 0x1100 is offset 0xc0.
        assert_eq!(l.alloc(100, 256), Some((0xc0, 128)));
        let s = l.stats();
        assert_eq!(s.used, 192);
        assert_eq!(s.allocations, 2);
        // The gap 0x40..0xc0 stays free and is found first for small requests.
        assert_eq!(l.alloc(128, 64), Some((0x40, 128)));
        assert_eq!(l.stats().free_blocks, 1);
    }

    #[test]
    fn freeing_coalesces_with_both_neighbours() {
        let mut l = FreeList::new(0, 0x400, 64);
        let a = l.alloc(0x100, 64).unwrap();
        let b = l.alloc(0x100, 64).unwrap();
        let c = l.alloc(0x100, 64).unwrap();
        assert_eq!(l.stats().free_blocks, 1);
        l.free(a.0, a.1);
        l.free(c.0, c.1);
        let s = l.stats();
        assert_eq!((s.free_blocks, s.largest_free), (2, 0x200));
        l.free(b.0, b.1);
        let s = l.stats();
        assert_eq!((s.free_blocks, s.largest_free, s.used), (1, 0x400, 0));
    }

    #[test]
    fn fragmentation_refuses_what_fits_in_total_but_not_in_one_block() {
        let mut l = FreeList::new(0, 0x400, 0x100);
        let blocks: Vec<_> = (0..4).map(|_| l.alloc(0x100, 1).unwrap()).collect();
        l.free(blocks[0].0, blocks[0].1);
        l.free(blocks[2].0, blocks[2].1);
        assert_eq!(l.stats().free(), 0x200);
        assert_eq!(l.alloc(0x200, 1), None);
        let err = l.out_of_memory("test".into(), 0x200, 1);
        let msg = err.to_string();
        assert!(msg.contains("asked for 512 bytes"), "{msg}");
        assert!(msg.contains("512 bytes free"), "{msg}");
        assert!(msg.contains("largest free block 256 bytes"), "{msg}");
        assert!(msg.contains("fragmented"), "{msg}");
    }

    #[test]
    fn sub_buffers_free_on_drop_and_outlive_the_allocator_handle() {
        use crate::dma::SimMemory;
        let mem = SimMemory::new(0x10_0000, 0x10000);
        let region = mem.allocate(0x1000).unwrap();
        let base = region.phys_addr();
        let sub = SubAllocator::new(region);
        let a = sub.allocate(300).unwrap();
        let mut b = sub.allocate_aligned(100, 0x400).unwrap();
        assert_eq!(a.phys_addr(), base);
        assert_eq!(b.phys_addr(), base + 0x400);
        assert_eq!(a.provider(), "simulated memory");
        let s = sub.stats();
        assert_eq!((s.used, s.allocations, s.free_blocks), (384 + 128, 2, 2));
        drop(a);
        assert_eq!(sub.stats().allocations, 1);

        // A sub-buffer syncs its own bytes at its own place in the region.
        b.as_bytes_mut()[..2].copy_from_slice(&[0xbe, 0xef]);
        b.sync_for_device(..2).unwrap();
        let mut back = [0; 2];
        mem.read(base + 0x400, &mut back).unwrap();
        assert_eq!(back, [0xbe, 0xef]);
        mem.write(base + 0x410, &[9]).unwrap();
        b.sync_for_cpu(0x10..0x11).unwrap();
        assert_eq!(b.as_bytes()[0x10], 9);

        // The region stays alive (and allocated in simulated memory) while `b` lives.
        drop(sub);
        assert_eq!(mem.stats().allocations, 1);
        drop(b);
        assert_eq!(mem.stats().allocations, 0);
    }

    #[test]
    fn out_of_memory_names_the_region_and_the_numbers() {
        use crate::dma::SimMemory;
        let mem = SimMemory::new(0x2000, 0x10000);
        let sub = SubAllocator::new(mem.allocate(0x800).unwrap());
        let _a = sub.allocate(0x700).unwrap();
        let err = sub.allocate(0x200).unwrap_err();
        assert_eq!(
            err.to_string(),
            "out of contiguous DMA memory in simulated memory region at 0x2000: asked for 512 bytes aligned to 128, 256 bytes free, largest free block 256 bytes"
        );
        assert!(matches!(
            SubAllocator::with_granule(mem.allocate(0x100).unwrap(), 48),
            Err(DmaError::BadAlignment { align: 48 })
        ));
    }

    #[test]
    fn granules_below_a_cache_line_are_refused() {
        let mem = crate::dma::SimMemory::new(0x2000, 0x1000);
        let err = SubAllocator::with_granule(mem.allocate(0x400).unwrap(), 64).unwrap_err();
        assert!(
            matches!(
                err,
                DmaError::GranuleTooSmall {
                    granule: 64,
                    min: 128
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("share a cache line"), "{err}");
        let sub = SubAllocator::with_granule(mem.allocate(0x400).unwrap(), 256).unwrap();
        let a = sub.allocate(1).unwrap();
        let b = sub.allocate(1).unwrap();
        assert_eq!(b.phys_addr() - a.phys_addr(), 256);
    }

    #[test]
    fn first_free_in_finds_holes() {
        let mut l = FreeList::new(0, 0x300, 0x100);
        let a = l.alloc(0x100, 1).unwrap();
        let _b = l.alloc(0x100, 1).unwrap();
        assert_eq!(l.first_free_in(0, 0x200), None);
        assert_eq!(l.first_free_in(0x80, 0x200), Some(0x200));
        l.free(a.0, a.1);
        assert_eq!(l.first_free_in(0x80, 0x10), Some(0x80));
        assert_eq!(l.first_free_in(0x100, 0x100), None);
    }

    mod model {
        use super::*;
        use proptest::prelude::*;

        const BASE: u64 = 0x1040; // only 64-aligned: alignment must follow the physical address
        const SIZE: u64 = 8192;
        const GRANULE: u64 = 64;

        /// The obvious allocator: a byte map, lowest aligned position that fits.
        struct Model {
            used: Vec<bool>,
        }

        impl Model {
            fn alloc(&mut self, len: u64, align: u64) -> Option<(u64, u64)> {
                let len = len.next_multiple_of(GRANULE);
                let align = align.max(GRANULE);
                let first = (BASE.next_multiple_of(align) - BASE) as usize;
                (first..SIZE as usize)
                    .step_by(align as usize)
                    .find(|&o| {
                        o + len as usize <= SIZE as usize
                            && self.used[o..o + len as usize].iter().all(|u| !u)
                    })
                    .map(|o| {
                        self.used[o..o + len as usize].fill(true);
                        (o as u64, len)
                    })
            }
            fn free(&mut self, o: u64, len: u64) {
                self.used[o as usize..(o + len) as usize].fill(false);
            }
            fn runs(&self) -> Vec<u64> {
                let mut runs = Vec::new();
                let mut cur = 0;
                for &u in &self.used {
                    if u {
                        if cur > 0 {
                            runs.push(cur);
                        }
                        cur = 0;
                    } else {
                        cur += 1;
                    }
                }
                if cur > 0 {
                    runs.push(cur);
                }
                runs
            }
        }

        #[derive(Debug, Clone)]
        enum Op {
            Alloc(u64, u32),
            Free(usize),
        }

        fn op() -> impl Strategy<Value = Op> {
            prop_oneof![
                3 => (1u64..1500, 0u32..11).prop_map(|(l, a)| Op::Alloc(l, a)),
                2 => (0usize..64).prop_map(Op::Free),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
            #[test]
            fn free_list_matches_the_obvious_allocator(ops in proptest::collection::vec(op(), 1..80)) {
                let mut list = FreeList::new(BASE, SIZE, GRANULE);
                let mut model = Model { used: vec![false; SIZE as usize] };
                let mut live: Vec<(u64, u64)> = Vec::new();
                for op in ops {
                    match op {
                        Op::Alloc(len, align_bits) => {
                            let align = 1u64 << align_bits;
                            let got = list.alloc(len, align);
                            prop_assert_eq!(got, model.alloc(len, align));
                            if let Some((o, l)) = got {
                                prop_assert_eq!((BASE + o) % align, 0);
                                prop_assert!(l >= len && o + l <= SIZE);
                                live.push((o, l));
                            }
                        }
                        Op::Free(i) if !live.is_empty() => {
                            let (o, l) = live.swap_remove(i % live.len());
                            list.free(o, l);
                            model.free(o, l);
                        }
                        Op::Free(_) => {}
                    }
                    let stats = list.stats();
                    let runs = model.runs();
                    prop_assert_eq!(stats.used, live.iter().map(|b| b.1).sum::<u64>());
                    prop_assert_eq!(stats.allocations, live.len());
                    prop_assert_eq!(stats.free_blocks, runs.len(), "adjacent free blocks were not merged");
                    prop_assert_eq!(stats.largest_free, runs.iter().copied().max().unwrap_or(0));
                }
                for (o, l) in live.drain(..) {
                    list.free(o, l);
                }
                let stats = list.stats();
                prop_assert_eq!((stats.free_blocks, stats.largest_free, stats.used), (1, SIZE, 0));
            }
        }
    }
}
