//! A DMA region over physical memory the kernel does not use, through `/dev/mem`.
//!
//! Boot with `memmap=64M$0x10000000` (x86; `$` escaped for the boot loader) or a
//! device-tree `reserved-memory` node with `no-map`, and the range is invisible
//! to the kernel's allocator: nothing else will ever be put there, so it is
//! safe to hand to a device. `/dev/mem` maps it (root only; `STRICT_DEVMEM`
//! refuses ordinary RAM but allows reserved ranges). Wrap the region in a
//! [`SubAllocator`](super::SubAllocator) to carve buffers.
//!
//! The mapping is cached and no kernel interface syncs it, so the syncs
//! maintain the CPU caches themselves: nothing on x86 (coherent), clean and
//! invalidate by address on arm64 (where the kernel maps such ranges as device
//! memory anyway, and unaligned CPU accesses fault: prefer u-dma-buf there).
//! On 32-bit arm userspace cannot reach the point of coherency, and mapping
//! fails with [`DmaError::NoCacheMaintenance`]: use u-dma-buf.

use super::buffer::{DmaBacking, DmaBuffer};
use super::cache::{self, Maintenance};
use super::error::DmaError;
use crate::sysroot::SysRoot;
use memmap2::{MmapOptions, MmapRaw};
use std::fs::OpenOptions;
use std::ptr::NonNull;

/// Maps reserved physical memory through `/dev/mem` as one DMA region.
#[derive(Debug, Clone, Copy)]
pub struct DevMemRegion;

impl DevMemRegion {
    /// Maps `len` bytes at physical address `phys` (both page-aligned).
    ///
    /// # Safety
    /// `phys..phys + len` must be memory that nothing else uses: a range
    /// reserved at boot (`memmap=`, a `no-map` reserved-memory node), not RAM
    /// the kernel manages, not device registers, not a range another mapping
    /// of this process or another driver also uses. The returned buffer hands
    /// out ordinary Rust slices over it, which is sound only for such memory;
    /// `/dev/mem` itself cannot tell (with `STRICT_DEVMEM` off it maps
    /// anything).
    pub unsafe fn map(phys: u64, len: usize) -> Result<DmaBuffer, DmaError> {
        // SAFETY: forwarded contract.
        unsafe { Self::map_in(&SysRoot::default(), phys, len) }
    }

    /// As [`DevMemRegion::map`], with `<root.dev>/mem` as the memory device.
    ///
    /// # Safety
    /// As for [`DevMemRegion::map`], for the memory `<root.dev>/mem` exposes.
    pub unsafe fn map_in(root: &SysRoot, phys: u64, len: usize) -> Result<DmaBuffer, DmaError> {
        super::check_request(len, 1)?;
        Maintenance::current().require("/dev/mem region")?;
        let page = crate::window::page_size();
        if !phys.is_multiple_of(page as u64) || !len.is_multiple_of(page) {
            return Err(DmaError::UnalignedRegion {
                phys,
                len: len as u64,
                page_size: page,
            });
        }
        let path = root.dev.join("mem");
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| DmaError::io("open", &path, e))?;
        let map = MmapOptions::new()
            .offset(phys)
            .len(len)
            .map_raw(&file)
            .map_err(|e| DmaError::io("mmap", &path, e))?;
        let ptr = NonNull::new(map.as_mut_ptr()).expect("mmap never returns null");
        let backing = DevMemBacking {
            cpu: ptr.as_ptr() as usize,
            _map: map,
        };
        // SAFETY: the shared mapping is len bytes long, lives as long as the
        // backing, and is accessed by this process only through the buffer; the
        // caller promised (this function's contract) a reserved range at `phys`
        // that nothing else uses, and /dev/mem maps physical addresses one to one.
        Ok(unsafe { DmaBuffer::from_raw_parts(ptr, len, phys, Box::new(backing)) })
    }
}

#[derive(Debug)]
struct DevMemBacking {
    /// Address of the mapping's first byte (page-aligned), for cache maintenance.
    cpu: usize,
    _map: MmapRaw,
}

impl DmaBacking for DevMemBacking {
    fn provider(&self) -> &str {
        "/dev/mem region"
    }
    fn sync_for_device(&self, offset: usize, len: usize) -> Result<(), DmaError> {
        // SAFETY: offset..offset + len is inside the buffer (checked by the
        // caller), so inside the page-aligned mapping, which lives as long as self.
        unsafe { cache::clean_for_device(self.cpu + offset, len) };
        Ok(())
    }
    fn sync_for_cpu(&self, offset: usize, len: usize) -> Result<(), DmaError> {
        // SAFETY: as in sync_for_device.
        unsafe { cache::clean_invalidate_for_cpu(self.cpu + offset, len) };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dma::{DmaAllocator, SubAllocator};
    use std::os::unix::fs::FileExt;

    const PHYS: u64 = 0x1000_0000;

    fn fake_devmem(len: u64) -> (tempfile::TempDir, SysRoot) {
        let dir = tempfile::tempdir().unwrap();
        let root = SysRoot::under(dir.path());
        std::fs::create_dir_all(&root.dev).unwrap();
        // A sparse file stands in for physical memory up to PHYS + len.
        let f = std::fs::File::create(root.dev.join("mem")).unwrap();
        f.set_len(PHYS + len).unwrap();
        (dir, root)
    }

    #[test]
    #[cfg_attr(miri, ignore)] // mmap of a file standing in for /dev/mem
    #[cfg_attr(target_arch = "arm", ignore)] // refused there (dma::cache tests)
    fn region_maps_the_physical_offset_and_carves_buffers() {
        let (_dir, root) = fake_devmem(0x10000);
        // SAFETY: the "memory device" is this test's own sparse file.
        let region = unsafe { DevMemRegion::map_in(&root, PHYS, 0x10000) }.unwrap();
        assert_eq!(region.phys_addr(), PHYS);
        assert_eq!(region.provider(), "/dev/mem region");
        let sub = SubAllocator::new(region);
        let mut a = sub.allocate(100).unwrap();
        let mut b = sub.allocate_aligned(0x1000, 0x1000).unwrap();
        assert_eq!(a.phys_addr(), PHYS);
        assert_eq!(b.phys_addr(), PHYS + 0x1000);
        a.as_bytes_mut()[..4].copy_from_slice(b"abcd");
        b.write(8, 0x1122_3344u32).unwrap();
        a.sync_for_device(..4).unwrap();
        // The bytes land at their physical offsets in the memory device.
        let f = std::fs::File::open(root.dev.join("mem")).unwrap();
        let mut back = [0u8; 4];
        f.read_exact_at(&mut back, PHYS).unwrap();
        assert_eq!(&back, b"abcd");
        f.read_exact_at(&mut back, PHYS + 0x1008).unwrap();
        assert_eq!(u32::from_le_bytes(back), 0x1122_3344);
    }

    #[test]
    #[cfg_attr(miri, ignore)] // mmap of a file standing in for /dev/mem
    #[cfg_attr(target_arch = "arm", ignore)] // refused there before these checks (dma::cache tests)
    fn unaligned_or_missing_regions_are_refused_clearly() {
        let (_dir, root) = fake_devmem(0x2000);
        // SAFETY: the "memory device" is this test's own sparse file.
        let err = unsafe { DevMemRegion::map_in(&root, PHYS + 0x10, 0x1000) }.unwrap_err();
        assert!(matches!(err, DmaError::UnalignedRegion { phys, .. } if phys == PHYS + 0x10));
        let empty = SysRoot::under("/nonexistent-root");
        // SAFETY: nothing is mapped: the memory device does not exist.
        let err = unsafe { DevMemRegion::map_in(&empty, PHYS, 0x1000) }.unwrap_err();
        assert!(
            err.to_string()
                .starts_with("open /nonexistent-root/dev/mem:"),
            "{err}"
        );
    }
}
