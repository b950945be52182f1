//! [`VfioDma`]: DMA buffers in a device's I/O address space.

use super::{Container, sys};
use crate::barrier;
use crate::dma::DmaSpace;
use crate::dma::{DmaAllocator, DmaBacking, DmaBuffer, DmaError, check_request};
use std::collections::BTreeMap;
use std::os::fd::AsFd;
use std::ptr::NonNull;
use std::sync::{Arc, PoisonError};

/// IOVAs handed out by default: from 1 MiB (leaving low addresses, which
/// some devices treat specially, unused) to the x86 MSI window at
/// 0xfee0_0000, which the IOMMU reserves for interrupts. Buffers are placed
/// lowest first, so devices with narrow DMA masks are served.
pub(crate) const DEFAULT_IOVA: std::ops::Range<u64> = 0x10_0000..0xfee0_0000;

/// The IOVA ranges in use (start -> end), first fit, inside the window the
/// user allows and the ranges the IOMMU reports as usable.
#[derive(Debug)]
pub(crate) struct IovaSpace {
    pub(crate) range: std::ops::Range<u64>,
    /// Usable IOVA ranges as the kernel reports them (inclusive ends).
    pub(crate) usable: Vec<(u64, u64)>,
    used: BTreeMap<u64, u64>,
}

impl Default for IovaSpace {
    fn default() -> Self {
        Self {
            range: DEFAULT_IOVA,
            usable: vec![(0, u64::MAX)],
            used: BTreeMap::new(),
        }
    }
}

impl IovaSpace {
    /// The lowest `align`-aligned free range of `len` bytes.
    pub(crate) fn reserve(&mut self, len: u64, align: u64) -> Option<u64> {
        let found = self.usable.iter().find_map(|&(start, last)| {
            let lo = start.max(self.range.start);
            let hi = last.saturating_add(1).min(self.range.end);
            (lo < hi)
                .then(|| self.first_fit(lo, hi, len, align))
                .flatten()
        })?;
        self.used.insert(found, found + len);
        Some(found)
    }

    fn first_fit(&self, lo: u64, hi: u64, len: u64, align: u64) -> Option<u64> {
        let mut at = lo.checked_next_multiple_of(align)?;
        for (&start, &end) in &self.used {
            if end <= at {
                continue;
            }
            if at.checked_add(len)? <= start {
                break;
            }
            at = end.checked_next_multiple_of(align)?;
        }
        (at.checked_add(len)? <= hi).then_some(at)
    }

    pub(crate) fn release(&mut self, start: u64) {
        self.used.remove(&start);
    }
}

/// The usable IOVA ranges in a `VFIO_IOMMU_GET_INFO` answer (its
/// `IOVA_RANGE` capability), or `None` if it has none. Never panics on a
/// short or malformed buffer.
pub(crate) fn parse_iova_ranges(info: &[u8]) -> Option<Vec<(u64, u64)>> {
    let u32_at = |o: usize| Some(u32::from_ne_bytes(info.get(o..o + 4)?.try_into().ok()?));
    let u64_at = |o: usize| Some(u64::from_ne_bytes(info.get(o..o + 8)?.try_into().ok()?));
    let flags = u32_at(4)?;
    if flags & sys::IOMMU_INFO_CAPS == 0 {
        return None;
    }
    let mut off = u32_at(16)? as usize;
    // Each capability is visited once: a chain that loops ends here.
    for _ in 0..64 {
        if off == 0 {
            return None;
        }
        let id = u16::from_ne_bytes(info.get(off..off + 2)?.try_into().ok()?);
        if id == sys::IOMMU_TYPE1_INFO_CAP_IOVA_RANGE {
            let n = u32_at(off + 8)? as usize;
            return (0..n.min(1024))
                .map(|i| {
                    let at = off + 16 + 16 * i;
                    Some((u64_at(at)?, u64_at(at + 8)?))
                })
                .collect();
        }
        off = u32_at(off + 4)? as usize;
    }
    None
}

/// Hands out [`DmaBuffer`]s whose bus address is an IOVA of one VFIO device
/// ([`Vfio::dma`](super::Vfio::dma)).
///
/// Each buffer is zeroed anonymous memory of whole pages, pinned and mapped
/// for device reads and writes with `VFIO_IOMMU_MAP_DMA`. The device can
/// reach exactly the buffers alive and nothing else: an access anywhere else
/// is an IOMMU fault, not a write into someone's memory. A buffer is unmapped
/// from the IOMMU when dropped, and only then; a transfer owns its buffer
/// while the device may use it, so the device never writes memory that is
/// being freed. If the unmap fails, the memory is leaked instead of freed.
#[derive(Debug, Clone)]
pub struct VfioDma {
    container: Arc<Container>,
}

impl VfioDma {
    pub(super) fn new(container: Arc<Container>) -> Self {
        Self { container }
    }

    /// The IOVA ranges the IOMMU can map (inclusive ends), as the kernel
    /// reported them; `[(0, u64::MAX)]` if it did not say.
    pub fn usable_ranges(&self) -> Vec<(u64, u64)> {
        self.container
            .iova
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .usable
            .clone()
    }

    /// Limits the IOVAs of later buffers to `range` (a device with a narrow
    /// DMA mask, say); the ranges the IOMMU reports as reserved stay excluded.
    /// Buffers already mapped stay where they are.
    pub fn set_iova_range(&self, range: std::ops::Range<u64>) {
        self.container
            .iova
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .range = range;
    }
}

impl DmaAllocator for VfioDma {
    fn allocate_aligned(&self, len: usize, align: usize) -> Result<DmaBuffer, DmaError> {
        check_request(len, align)?;
        let page = crate::window::page_size();
        let map_len = len
            .checked_next_multiple_of(page)
            .ok_or(DmaError::ZeroLength)?;
        let align = align.max(page) as u64;
        let iova = self
            .container
            .iova
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .reserve(map_len as u64, align)
            .ok_or_else(|| DmaError::OutOfMemory {
                provider: "VFIO IOVA space".into(),
                requested: map_len as u64,
                align,
                free: None,
                largest_free: None,
            })?;
        let release = || {
            self.container
                .iova
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .release(iova)
        };
        // SAFETY: a fresh private anonymous mapping; no memory of ours is touched.
        let cpu = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if cpu == libc::MAP_FAILED {
            release();
            return Err(DmaError::Io {
                op: "mmap",
                path: "anonymous memory for VFIO DMA".into(),
                source: std::io::Error::last_os_error(),
            });
        }
        // The IOMMU maps the pages pinned now: a fork's copy-on-write would
        // give this process new pages the device never sees.
        // SAFETY: advice on our own fresh mapping; no memory is read or written.
        if unsafe { libc::madvise(cpu, map_len, libc::MADV_DONTFORK) } != 0 {
            let source = std::io::Error::last_os_error();
            // SAFETY: our own fresh mapping, not yet shared with anyone.
            unsafe { libc::munmap(cpu, map_len) };
            release();
            return Err(DmaError::Io {
                op: "madvise(MADV_DONTFORK)",
                path: "anonymous memory for VFIO DMA".into(),
                source,
            });
        }
        let mut map = sys::DmaMap {
            argsz: sys::argsz::<sys::DmaMap>(),
            flags: sys::DMA_MAP_FLAG_READ | sys::DMA_MAP_FLAG_WRITE,
            vaddr: cpu as u64,
            iova,
            size: map_len as u64,
        };
        // SAFETY: VFIO_IOMMU_MAP_DMA takes a `struct vfio_iommu_type1_dma_map`;
        // the kernel pins the pages of our own fresh mapping.
        let mapped =
            unsafe { sys::ioctl_ptr(self.container.file.as_fd(), sys::IOMMU_MAP_DMA, &mut map) };
        if let Err(e) = mapped {
            // SAFETY: our mapping of `map_len` bytes, never mapped for the device.
            unsafe { libc::munmap(cpu, map_len) };
            release();
            return Err(DmaError::Io {
                op: "VFIO_IOMMU_MAP_DMA",
                path: self.container.path.clone(),
                source: e,
            });
        }
        let cpu = NonNull::new(cpu.cast::<u8>()).expect("mmap succeeded");
        let backing = VfioBacking {
            container: Arc::clone(&self.container),
            cpu: cpu.as_ptr() as usize,
            map_len,
            iova,
        };
        // SAFETY: `cpu` is our mapping of `map_len >= len` bytes, freed only
        // when the backing drops; the IOMMU maps IOVA `iova` onwards to
        // exactly those pages, so to this container's devices they are
        // contiguous at `iova`.
        Ok(unsafe { DmaBuffer::from_raw_parts(cpu, len, iova, Box::new(backing)) })
    }
}

/// One buffer's mapping: process memory plus its IOVA range.
#[derive(Debug)]
struct VfioBacking {
    container: Arc<Container>,
    cpu: usize,
    map_len: usize,
    iova: u64,
}

impl DmaBacking for VfioBacking {
    fn provider(&self) -> &str {
        "vfio"
    }
    fn dma_space(&self) -> DmaSpace {
        self.container.space
    }
    // The IOMMU path is cache coherent on the platforms VFIO type1 serves
    // (x86; arm64 SMMU with coherent devices): ordering is all that is needed.
    fn sync_for_device(&self, _offset: usize, _len: usize) -> Result<(), DmaError> {
        barrier::release_to_device();
        Ok(())
    }
    fn sync_for_cpu(&self, _offset: usize, _len: usize) -> Result<(), DmaError> {
        barrier::acquire_from_device();
        Ok(())
    }
}

impl Drop for VfioBacking {
    fn drop(&mut self) {
        let mut unmap = sys::DmaUnmap {
            argsz: sys::argsz::<sys::DmaUnmap>(),
            flags: 0,
            iova: self.iova,
            size: self.map_len as u64,
        };
        // SAFETY: VFIO_IOMMU_UNMAP_DMA takes a `struct vfio_iommu_type1_dma_unmap`.
        let r = unsafe {
            sys::ioctl_ptr(
                self.container.file.as_fd(),
                sys::IOMMU_UNMAP_DMA,
                &mut unmap,
            )
        };
        match r {
            Ok(_) => {
                // SAFETY: our mapping, no longer reachable by the device.
                unsafe { libc::munmap(self.cpu as *mut libc::c_void, self.map_len) };
                self.container
                    .iova
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .release(self.iova);
            }
            // The device may still reach the pages: keep them (and the IOVA)
            // rather than hand them back to the allocator.
            Err(e) => log::error!(
                target: "regmap::vfio",
                "unmapping IOVA {:#x} ({:#x} bytes) failed ({e}): leaking the buffer",
                self.iova,
                self.map_len
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iovas_are_first_fit_aligned_and_reused() {
        let mut s = IovaSpace::default();
        let a = s.reserve(0x1000, 0x1000).unwrap();
        let b = s.reserve(0x3000, 0x1000).unwrap();
        let c = s.reserve(0x1000, 0x10000).unwrap();
        assert_eq!(a, DEFAULT_IOVA.start);
        assert_eq!(b, a + 0x1000);
        assert_eq!(c % 0x10000, 0);
        assert!(c >= b + 0x3000);
        s.release(a);
        assert_eq!(
            s.reserve(0x1000, 0x1000),
            Some(a),
            "the freed hole is reused"
        );
        assert_eq!(
            s.reserve(0x2000, 0x1000),
            Some(b + 0x3000),
            "too big for any hole"
        );
    }

    #[test]
    fn only_the_usable_ranges_are_handed_out() {
        let mut s = IovaSpace {
            range: 0..0x10_0000,
            usable: vec![(0x1000, 0x2fff), (0x8000, 0xffff)],
            ..Default::default()
        };
        assert_eq!(s.reserve(0x2000, 0x1000), Some(0x1000));
        assert_eq!(s.reserve(0x2000, 0x1000), Some(0x8000), "skips the hole");
        assert_eq!(s.reserve(0x8000, 0x1000), None, "fits in no usable range");
        assert_eq!(s.reserve(0x1000, 0x4000), Some(0xc000));
    }

    fn info(caps: &[(u16, u32, Vec<u8>)]) -> Vec<u8> {
        let mut b = vec![0u8; 24];
        b[4..8].copy_from_slice(&sys::IOMMU_INFO_CAPS.to_ne_bytes());
        let mut off = 24u32;
        b[16..20].copy_from_slice(&off.to_ne_bytes());
        for (k, (id, _, body)) in caps.iter().enumerate() {
            let next = if k + 1 == caps.len() {
                0
            } else {
                off + 8 + body.len() as u32
            };
            b.extend_from_slice(&id.to_ne_bytes());
            b.extend_from_slice(&1u16.to_ne_bytes());
            b.extend_from_slice(&next.to_ne_bytes());
            b.extend_from_slice(body);
            off = next;
        }
        b
    }

    #[test]
    fn iova_ranges_are_read_from_the_capability_chain() {
        let mut ranges = Vec::new();
        ranges.extend_from_slice(&2u32.to_ne_bytes());
        ranges.extend_from_slice(&0u32.to_ne_bytes());
        for v in [0u64, 0xfedf_ffff, 0xfef0_0000, 0xffff_ffff_ffff] {
            ranges.extend_from_slice(&v.to_ne_bytes());
        }
        let b = info(&[(7, 0, vec![0; 8]), (1, 0, ranges)]);
        assert_eq!(
            parse_iova_ranges(&b),
            Some(vec![(0, 0xfedf_ffff), (0xfef0_0000, 0xffff_ffff_ffff)])
        );
        // Truncated, without caps, or looping: no ranges, no panic.
        assert_eq!(parse_iova_ranges(&b[..b.len() - 4]), None);
        assert_eq!(parse_iova_ranges(&[0u8; 24]), None);
        let mut looping = info(&[(7, 0, vec![0; 8])]);
        looping[28..32].copy_from_slice(&24u32.to_ne_bytes());
        assert_eq!(parse_iova_ranges(&looping), None);
        assert_eq!(parse_iova_ranges(&[]), None);
    }

    #[test]
    fn the_range_end_is_never_crossed() {
        let mut s = IovaSpace {
            range: 0x1000..0x4000,
            ..Default::default()
        };
        assert_eq!(s.reserve(0x2000, 0x1000), Some(0x1000));
        assert_eq!(s.reserve(0x2000, 0x1000), None);
        assert_eq!(s.reserve(0x1000, 0x1000), Some(0x3000));
        assert_eq!(s.reserve(u64::MAX, 0x1000), None);
    }
}
