//! dma-heap: contiguous buffers from a CMA heap under `/dev/dma_heap/`.
//!
//! `DMA_HEAP_IOCTL_ALLOC` on the heap's node returns a dma-buf file; it is
//! mapped shared, its pages touched, and its physical address read from
//! pagemap (root only), checking that every page follows the previous one. The
//! `system` heap hands out scattered pages and is refused by [`DmaHeap::cma`].
//!
//! Cache maintenance: `DMA_BUF_IOCTL_SYNC` (`START` before the CPU reads, `END`
//! before the device does) syncs only the buffer's device attachments and
//! kernel mappings, and a buffer mapped here has neither, so on its own it
//! leaves a non-coherent device with stale data. The syncs therefore also
//! maintain the CPU caches over the exact range themselves (see the `cache`
//! module): by virtual address on arm64, nothing on x86 (coherent). On 32-bit
//! arm userspace cannot, and [`DmaHeap`] refuses to allocate there
//! ([`DmaError::NoCacheMaintenance`]): use u-dma-buf.

use super::buffer::{DmaBacking, DmaBuffer};
use super::cache::{self, Maintenance};
use super::error::DmaError;
use super::pagemap::{Pagemap, touch_pages};
use super::{DmaAllocator, check_request, list_dir};
use crate::sysroot::SysRoot;
use memmap2::{MmapOptions, MmapRaw};
use std::fs::File;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::ptr::NonNull;

/// Linux's generic `_IOC` encoding (x86, arm, arm64, riscv).
const fn ioc(dir: u32, ty: u8, nr: u8, size: usize) -> u32 {
    (dir << 30) | ((size as u32) << 16) | ((ty as u32) << 8) | nr as u32
}
const IOC_WRITE: u32 = 1;
const IOC_READ: u32 = 2;

/// `struct dma_heap_allocation_data` of `<linux/dma-heap.h>`.
#[repr(C)]
#[derive(Debug, Default)]
struct HeapAllocation {
    len: u64,
    fd: u32,
    fd_flags: u32,
    heap_flags: u64,
}

/// `DMA_HEAP_IOCTL_ALLOC = _IOWR('H', 0, struct dma_heap_allocation_data)`.
const DMA_HEAP_IOCTL_ALLOC: u32 = ioc(IOC_READ | IOC_WRITE, b'H', 0, size_of::<HeapAllocation>());
/// `DMA_BUF_IOCTL_SYNC = _IOW('b', 0, struct dma_buf_sync)`.
const DMA_BUF_IOCTL_SYNC: u32 = ioc(IOC_WRITE, b'b', 0, size_of::<u64>());
const DMA_BUF_SYNC_RW: u64 = 3;
const DMA_BUF_SYNC_START: u64 = 0;
const DMA_BUF_SYNC_END: u64 = 4;

/// Heap names that are physically contiguous (CMA), in order of preference.
const CMA_NAMES: [&str; 3] = ["linux,cma", "reserved", "default_cma_region"];

/// A dma-heap to allocate from.
#[derive(Debug, Clone)]
pub struct DmaHeap {
    name: String,
    path: PathBuf,
    proc_root: PathBuf,
}

impl DmaHeap {
    /// The heap `name` under `/dev/dma_heap/`.
    pub fn open(name: &str) -> Result<Self, DmaError> {
        super::one_component(name, "dma-heap")?;
        // SAFETY: the default roots are the machine's own /dev and /proc, and
        // the name stays inside /dev/dma_heap.
        unsafe { Self::open_in(&SysRoot::default(), Path::new("/proc"), name) }
    }

    /// The system's CMA heap (the first of `linux,cma`, `reserved`,
    /// `default_cma_region`, or any heap whose name contains `cma`).
    pub fn cma() -> Result<Self, DmaError> {
        // SAFETY: as in `open`.
        unsafe { Self::cma_in(&SysRoot::default(), Path::new("/proc")) }
    }

    /// Heap names under `<root.dev>/dma_heap`, sorted.
    pub fn list_in(root: &SysRoot) -> Vec<String> {
        list_dir(&root.dev.join("dma_heap"))
    }

    /// As [`DmaHeap::open`], with device and proc roots (fake trees in tests).
    ///
    /// # Safety
    /// The trees describe this machine's real devices and this process: a
    /// buffer's physical address as read there is where its memory really is.
    /// A device is programmed with that address, so a tree that lies (a fake
    /// one in a test, whose buffers must then reach no device) aims the device
    /// at whatever memory the address names.
    pub unsafe fn open_in(root: &SysRoot, proc_root: &Path, name: &str) -> Result<Self, DmaError> {
        let dir = root.dev.join("dma_heap");
        let path = dir.join(name);
        if name.is_empty() || !path.exists() {
            return Err(DmaError::NotFound {
                kind: "dma-heap",
                name: name.to_string(),
                looked_in: vec![dir],
                available: Self::list_in(root),
                hint: HEAP_HINT,
            });
        }
        Ok(Self {
            name: name.to_string(),
            path,
            proc_root: proc_root.to_path_buf(),
        })
    }

    /// As [`DmaHeap::cma`], with device and proc roots.
    ///
    /// # Safety
    /// As for [`DmaHeap::open_in`].
    pub unsafe fn cma_in(root: &SysRoot, proc_root: &Path) -> Result<Self, DmaError> {
        let heaps = Self::list_in(root);
        let pick = CMA_NAMES
            .iter()
            .find(|n| heaps.iter().any(|h| h == *n))
            .map(|n| n.to_string())
            .or_else(|| heaps.iter().find(|h| h.contains("cma")).cloned());
        match pick {
            // SAFETY: this function's own contract, for the same roots.
            Some(name) => unsafe { Self::open_in(root, proc_root, &name) },
            None => Err(DmaError::NotFound {
                kind: "contiguous (CMA) dma-heap",
                name: String::new(),
                looked_in: vec![root.dev.join("dma_heap")],
                available: heaps,
                hint: HEAP_HINT,
            }),
        }
    }

    /// The heap's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn alloc_fd(&self, len: usize) -> Result<OwnedFd, DmaError> {
        let heap = File::open(&self.path).map_err(|e| DmaError::io("open", &self.path, e))?;
        let mut data = HeapAllocation {
            len: len as u64,
            fd_flags: (libc::O_RDWR | libc::O_CLOEXEC) as u32,
            ..Default::default()
        };
        // SAFETY: the request number matches the argument type (a pointer to a
        // live `struct dma_heap_allocation_data`); on a file that is not a heap
        // the kernel refuses the request without touching the argument.
        let rc = unsafe {
            libc::ioctl(
                heap.as_raw_fd(),
                DMA_HEAP_IOCTL_ALLOC as _,
                &mut data as *mut HeapAllocation,
            )
        };
        if rc < 0 {
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::ENOMEM) {
                let (free, _) = cma_meminfo(&self.proc_root);
                return Err(DmaError::OutOfMemory {
                    provider: format!("dma-heap {}", self.name),
                    requested: len as u64,
                    align: crate::window::page_size() as u64,
                    free,
                    largest_free: None,
                });
            }
            return Err(DmaError::io("ioctl DMA_HEAP_IOCTL_ALLOC on", &self.path, e));
        }
        // SAFETY: on success the kernel returned a new dma-buf file descriptor
        // that nothing else owns.
        Ok(unsafe { OwnedFd::from_raw_fd(data.fd as i32) })
    }
}

const HEAP_HINT: &str = "the kernel needs CONFIG_DMABUF_HEAPS_CMA and a CMA area (cma=64M on the command line, or a reserved-memory node); or use u-dma-buf";

impl DmaAllocator for DmaHeap {
    fn allocate_aligned(&self, len: usize, align: usize) -> Result<DmaBuffer, DmaError> {
        check_request(len, align)?;
        Maintenance::current().require(&format!("dma-heap {}", self.name))?;
        let page = crate::window::page_size();
        let map_len = len
            .checked_next_multiple_of(page)
            .ok_or(DmaError::ZeroLength)?;
        let fd = self.alloc_fd(map_len)?;
        let pagemap = Pagemap::open_in(&self.proc_root)?;
        let file = File::from(fd);
        let map = MmapOptions::new()
            .len(map_len)
            .map_raw(&file)
            .map_err(|e| DmaError::io("mmap dma-buf from", &self.path, e))?;
        let buf = wrap_dmabuf(file, map, len, &pagemap, format!("dma-heap {}", self.name))?;
        if !buf.phys_addr().is_multiple_of(align as u64) {
            return Err(DmaError::UnalignedAllocation {
                provider: buf.provider().to_string(),
                phys: buf.phys_addr(),
                align: align as u64,
            });
        }
        Ok(buf)
    }
}

/// Finds and checks the physical address of a mapped dma-buf, and wraps it as
/// a buffer of `len` bytes (at most the mapping's length).
pub(crate) fn wrap_dmabuf(
    file: File,
    map: MmapRaw,
    len: usize,
    pagemap: &Pagemap,
    provider: String,
) -> Result<DmaBuffer, DmaError> {
    let map_len = map.len();
    assert!(len <= map_len, "buffer longer than its mapping");
    let ptr = NonNull::new(map.as_mut_ptr()).expect("mmap never returns null");
    // SAFETY: the mapping is map_len bytes long and readable.
    unsafe { touch_pages(ptr.as_ptr(), map_len, pagemap.page_size()) };
    let phys = pagemap.phys_addr_contiguous(ptr.as_ptr() as usize, map_len)?;
    let backing = DmaBufBacking {
        cpu: ptr.as_ptr() as usize,
        _map: map,
        file,
        provider,
    };
    // SAFETY: the shared mapping covers map_len >= len bytes and lives as long
    // as the backing; this process reaches it only through the buffer; pagemap
    // confirmed it is physically contiguous from `phys`.
    Ok(unsafe { DmaBuffer::from_raw_parts(ptr, len, phys, Box::new(backing)) })
}

/// CmaFree and CmaTotal from `<proc>/meminfo`, in bytes, where present.
fn cma_meminfo(proc_root: &Path) -> (Option<u64>, Option<u64>) {
    let text = std::fs::read_to_string(proc_root.join("meminfo")).unwrap_or_default();
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .map(|kb| kb * 1024)
    };
    (field("CmaFree:"), field("CmaTotal:"))
}

#[derive(Debug)]
struct DmaBufBacking {
    /// Address of the mapping's first byte (page-aligned), for cache maintenance.
    cpu: usize,
    _map: MmapRaw,
    file: File,
    provider: String,
}

impl DmaBufBacking {
    fn sync(&self, flags: u64) -> Result<(), DmaError> {
        let arg = flags | DMA_BUF_SYNC_RW;
        // SAFETY: the request number matches the argument (a pointer to a live
        // `struct dma_buf_sync`, one u64); the kernel only reads it.
        let rc = unsafe {
            libc::ioctl(
                self.file.as_raw_fd(),
                DMA_BUF_IOCTL_SYNC as _,
                &arg as *const u64,
            )
        };
        if rc < 0 {
            return Err(DmaError::io(
                "ioctl DMA_BUF_IOCTL_SYNC on",
                PathBuf::from(format!("{} buffer", self.provider)),
                std::io::Error::last_os_error(),
            ));
        }
        Ok(())
    }
}

impl DmaBacking for DmaBufBacking {
    fn provider(&self) -> &str {
        &self.provider
    }
    fn sync_for_device(&self, offset: usize, len: usize) -> Result<(), DmaError> {
        // SAFETY: offset..offset + len is inside the buffer (checked by the
        // caller), so inside the mapping, which starts and ends on pages and
        // lives as long as self.
        unsafe { cache::clean_for_device(self.cpu + offset, len) };
        self.sync(DMA_BUF_SYNC_END)
    }
    fn sync_for_cpu(&self, offset: usize, len: usize) -> Result<(), DmaError> {
        self.sync(DMA_BUF_SYNC_START)?;
        // SAFETY: as in sync_for_device.
        unsafe { cache::clean_invalidate_for_cpu(self.cpu + offset, len) };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Opens a heap of a fake tree.
    fn open_fake(root: &SysRoot, proc_root: &Path, name: &str) -> Result<DmaHeap, DmaError> {
        // SAFETY: the tree is fake, and no buffer of these tests reaches a device.
        unsafe { DmaHeap::open_in(root, proc_root, name) }
    }

    /// Picks the CMA heap of a fake tree.
    fn cma_fake(root: &SysRoot, proc_root: &Path) -> Result<DmaHeap, DmaError> {
        // SAFETY: as in `open_fake`.
        unsafe { DmaHeap::cma_in(root, proc_root) }
    }
    use crate::dma::pagemap::PAGEMAP_PRESENT;
    use std::fs::OpenOptions;
    use std::os::unix::fs::FileExt;

    fn fake_heaps(names: &[&str]) -> (tempfile::TempDir, SysRoot) {
        let dir = tempfile::tempdir().unwrap();
        let root = SysRoot::under(dir.path());
        std::fs::create_dir_all(root.dev.join("dma_heap")).unwrap();
        for n in names {
            std::fs::write(root.dev.join("dma_heap").join(n), "").unwrap();
        }
        (dir, root)
    }

    #[test]
    fn ioctl_numbers_match_the_kernel_headers() {
        assert_eq!(size_of::<HeapAllocation>(), 24);
        assert_eq!(DMA_HEAP_IOCTL_ALLOC, 0xc018_4800);
        assert_eq!(DMA_BUF_IOCTL_SYNC, 0x4008_6200);
    }

    #[test]
    #[cfg_attr(miri, ignore)] // a fake /dev tree on disk, mmap of a file, ioctl
    fn cma_heap_is_preferred_and_system_is_refused() {
        let (_d, root) = fake_heaps(&["system", "reserved", "linux,cma"]);
        assert_eq!(
            cma_fake(&root, Path::new("/proc")).unwrap().name(),
            "linux,cma"
        );
        let (_d, root) = fake_heaps(&["system", "vendor-cma@0"]);
        assert_eq!(
            cma_fake(&root, Path::new("/proc")).unwrap().name(),
            "vendor-cma@0"
        );
        let (_d, root) = fake_heaps(&["system"]);
        let msg = cma_fake(&root, Path::new("/proc")).unwrap_err().to_string();
        assert!(
            msg.starts_with("no contiguous (CMA) dma-heap found"),
            "{msg}"
        );
        assert!(msg.ends_with("; available: system"), "{msg}");
    }

    #[test]
    #[cfg_attr(miri, ignore)] // a fake /dev tree on disk, mmap of a file, ioctl
    fn a_missing_heap_lists_what_exists_or_what_to_enable() {
        let (_d, root) = fake_heaps(&["system"]);
        let msg = open_fake(&root, Path::new("/proc"), "linux,cma")
            .unwrap_err()
            .to_string();
        assert!(msg.starts_with("no dma-heap named `linux,cma`"), "{msg}");
        let (_d, root) = fake_heaps(&[]);
        let msg = cma_fake(&root, Path::new("/proc")).unwrap_err().to_string();
        assert!(
            msg.contains("none exists. the kernel needs CONFIG_DMABUF_HEAPS_CMA"),
            "{msg}"
        );
    }

    #[test]
    #[cfg_attr(miri, ignore)] // a fake /dev tree on disk, mmap of a file, ioctl
    #[cfg_attr(target_arch = "arm", ignore)] // refused before the ioctl there (dma::cache tests)
    fn alloc_on_a_file_that_is_not_a_heap_says_so() {
        let (_d, root) = fake_heaps(&["linux,cma"]);
        let heap = open_fake(&root, Path::new("/proc"), "linux,cma").unwrap();
        let err = heap.allocate(4096).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("ioctl DMA_HEAP_IOCTL_ALLOC on ")
                && msg.contains("is it the right device?"),
            "{msg}"
        );
    }

    #[test]
    #[cfg_attr(miri, ignore)] // a fake /dev tree on disk, mmap of a file, ioctl
    fn cma_meminfo_is_read_in_bytes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("meminfo"),
            "MemTotal:  1000 kB\nCmaTotal:   65536 kB\nCmaFree:    1024 kB\n",
        )
        .unwrap();
        assert_eq!(
            cma_meminfo(dir.path()),
            (Some(1024 * 1024), Some(65536 * 1024))
        );
        assert_eq!(cma_meminfo(Path::new("/nonexistent")), (None, None));
    }

    /// The path after the ioctl: a plain file stands in for the dma-buf, and a
    /// sparse crafted pagemap holds entries at the mapping's virtual pages.
    #[test]
    #[cfg_attr(miri, ignore)] // a fake /dev tree on disk, mmap of a file, ioctl
    fn mapped_dmabuf_gets_its_address_from_pagemap_and_contiguity_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        let page = crate::window::page_size();
        std::fs::create_dir_all(dir.path().join("self")).unwrap();
        let pm_file = File::create(dir.path().join("self/pagemap")).unwrap();
        let pagemap = Pagemap::open_in(dir.path()).unwrap();
        let dmabuf = |pfns: [u64; 3]| {
            let path = dir.path().join("dmabuf");
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .unwrap();
            file.set_len(3 * page as u64).unwrap();
            let map = MmapOptions::new().len(3 * page).map_raw(&file).unwrap();
            let vpage = map.as_ptr() as usize / page;
            for (i, pfn) in pfns.into_iter().enumerate() {
                let entry = (PAGEMAP_PRESENT | pfn).to_le_bytes();
                pm_file
                    .write_all_at(&entry, ((vpage + i) * 8) as u64)
                    .unwrap();
            }
            (file, map)
        };

        let (file, map) = dmabuf([0x4_0000, 0x4_0001, 0x4_0002]);
        let buf = wrap_dmabuf(file, map, 2 * page + 1, &pagemap, "dma-heap test".into()).unwrap();
        assert_eq!(buf.phys_addr(), 0x4_0000 * page as u64);
        assert_eq!(buf.len(), 2 * page + 1);
        assert_eq!(buf.provider(), "dma-heap test");
        drop(buf);

        let (file, map) = dmabuf([0x4_0000, 0x4_0001, 0x9_0000]);
        let err = wrap_dmabuf(file, map, 3 * page, &pagemap, "dma-heap test".into()).unwrap_err();
        assert!(
            matches!(
                err,
                DmaError::NotContiguous {
                    page_index: 2,
                    previous_pfn: 0x4_0001,
                    found_pfn: 0x9_0000,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    #[cfg_attr(miri, ignore)] // a fake /dev tree on disk, mmap of a file, ioctl
    fn sync_on_a_file_that_is_not_a_dmabuf_reports_the_ioctl() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("not-a-dmabuf");
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        file.set_len(4096).unwrap();
        let map = MmapOptions::new().len(4096).map_raw(&file).unwrap();
        let backing = DmaBufBacking {
            cpu: map.as_ptr() as usize,
            _map: map,
            file,
            provider: "dma-heap test".into(),
        };
        let msg = backing.sync_for_cpu(0, 16).unwrap_err().to_string();
        assert!(
            msg.starts_with("ioctl DMA_BUF_IOCTL_SYNC on dma-heap test buffer:"),
            "{msg}"
        );
    }
}
