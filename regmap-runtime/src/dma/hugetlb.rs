//! DMA buffers from huge pages, with physical addresses from pagemap.
//!
//! A huge page (2 MiB on x86-64 and arm64 with 4 KiB pages) is physically
//! contiguous by construction, never swapped, and needs no driver: only pages
//! reserved through `/proc/sys/vm/nr_hugepages` and `CAP_SYS_ADMIN` to read
//! frame numbers. It is not pinned against migration: memory hot-unplug, or
//! a contiguous (CMA) allocation anywhere in the system, may move an in-use
//! huge page, and the device would go on writing the old frame. Nothing this
//! allocator does pins it, so [`Hugetlb::new`] is `unsafe`: the caller
//! vouches that nothing on the system migrates huge pages while the buffers
//! live. A driver
//! for production should prefer u-dma-buf, whose memory the kernel itself
//! holds for the device.
//! A buffer larger than one huge page is contiguous only if the kernel happened
//! to hand out adjacent pages; that is checked, never assumed.
//!
//! The mapping (anonymous, or a hugetlbfs file) is marked `MADV_DONTFORK`:
//! after a `fork()` the child has no copy of it, so no copy-on-write fault can
//! ever move a page the device was programmed with.
//!
//! The memory is mapped cached and no kernel interface syncs it, so the syncs
//! maintain the CPU caches themselves: nothing on x86 (DMA is coherent), clean
//! and invalidate by address on arm64. On 32-bit arm userspace cannot reach the
//! point of coherency, and allocation fails with
//! [`DmaError::NoCacheMaintenance`]: use u-dma-buf there. Put many small
//! buffers in one huge page with a [`SubAllocator`](super::SubAllocator).

use super::buffer::{DmaBacking, DmaBuffer};
use super::cache::{self, Maintenance};
use super::error::DmaError;
use super::pagemap::{Pagemap, touch_pages};
use super::{DmaAllocator, check_request};
use crate::sysroot::SysRoot;
use memmap2::{MmapMut, MmapOptions, MmapRaw};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

/// The state of the kernel's pool of huge pages of one size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HugePagePool {
    /// Huge page size in bytes.
    pub page_size: usize,
    /// Pages reserved (`nr_hugepages`).
    pub total: u64,
    /// Pages free (`free_hugepages`).
    pub free: u64,
}

/// Allocates DMA buffers from huge pages.
#[derive(Debug, Clone)]
pub struct Hugetlb {
    page_size: usize,
    root: SysRoot,
    proc_root: PathBuf,
    hugetlbfs: Option<PathBuf>,
}

impl Hugetlb {
    /// 2 MiB huge pages, with the real `/sys` and `/proc`.
    ///
    /// # Safety
    /// While a buffer of this allocator lives, either no device is ever
    /// programmed with its addresses, or nothing on the system migrates huge
    /// pages: no memory hot-unplug or offlining, no soft-offlining of a page
    /// (memory-failure handling, RAS daemons), no `move_pages` or
    /// `migrate_pages` by a privileged process, and no contiguous allocation
    /// that may move in-use huge pages (`alloc_contig_range`: CMA and
    /// dma-heap allocations, runtime 1 GiB huge pages). Nothing this
    /// allocator does pins the pages, so a moved page keeps its old frame
    /// number in the buffer, and a device programmed with it writes memory
    /// that is no longer the buffer's.
    pub unsafe fn new() -> Self {
        Self {
            page_size: 2 << 20,
            root: SysRoot::default(),
            proc_root: PathBuf::from("/proc"),
            hugetlbfs: None,
        }
    }

    /// Maps files in the hugetlbfs mount `dir` instead of anonymous memory
    /// (`MAP_SHARED` huge pages; each file is unlinked as soon as it is open).
    /// The mount's page size must be this allocator's.
    pub fn with_hugetlbfs(mut self, dir: impl Into<PathBuf>) -> Self {
        self.hugetlbfs = Some(dir.into());
        self
    }

    /// Mount points of hugetlbfs listed in `<proc_root>/mounts`.
    pub fn hugetlbfs_mounts_in(proc_root: &Path) -> Vec<PathBuf> {
        std::fs::read_to_string(proc_root.join("mounts"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| {
                let mut f = l.split_whitespace();
                let (_, dir, fstype) = (f.next()?, f.next()?, f.next()?);
                (fstype == "hugetlbfs").then(|| PathBuf::from(unescape_mount(dir)))
            })
            .collect()
    }

    /// Uses huge pages of `bytes` (a power of two the kernel supports, such as
    /// 1 GiB).
    pub fn with_page_size(mut self, bytes: usize) -> Result<Self, DmaError> {
        if !bytes.is_power_of_two() || bytes < crate::window::page_size() {
            return Err(DmaError::BadAlignment {
                align: bytes as u64,
            });
        }
        self.page_size = bytes;
        Ok(self)
    }

    /// Reads sysfs under `root.sys` and pagemap under `proc_root` (fake trees in tests).
    ///
    /// # Safety
    /// The trees describe this machine's real devices and this process: a
    /// buffer's physical address as read there is where its memory really is.
    /// A device is programmed with that address, so a tree that lies (a fake
    /// one in a test, whose buffers must then reach no device) aims the device
    /// at whatever memory the address names.
    pub unsafe fn with_roots(mut self, root: SysRoot, proc_root: impl Into<PathBuf>) -> Self {
        self.root = root;
        self.proc_root = proc_root.into();
        self
    }

    /// Huge page size in bytes.
    pub fn page_size(&self) -> usize {
        self.page_size
    }

    fn pool_dir(&self) -> PathBuf {
        self.root.sys.join(format!(
            "kernel/mm/hugepages/hugepages-{}kB",
            self.page_size / 1024
        ))
    }

    /// How many huge pages of this size are reserved and free.
    pub fn pool(&self) -> Result<HugePagePool, DmaError> {
        let dir = self.pool_dir();
        if !dir.is_dir() {
            let parent = self.root.sys.join("kernel/mm/hugepages");
            return Err(DmaError::NotFound {
                kind: "huge page size",
                name: format!("hugepages-{}kB", self.page_size / 1024),
                available: super::list_dir(&parent),
                looked_in: vec![parent],
                hint: "the kernel has no hugetlb support (CONFIG_HUGETLBFS)",
            });
        }
        Ok(HugePagePool {
            page_size: self.page_size,
            total: super::read_number(&dir.join("nr_hugepages"))?,
            free: super::read_number(&dir.join("free_hugepages"))?,
        })
    }

    /// Maps `len` bytes (rounded up to whole huge pages) and checks that they
    /// are physically contiguous. The buffer is `len` bytes long.
    pub fn allocate_region(&self, len: usize) -> Result<DmaBuffer, DmaError> {
        check_request(len, 1)?;
        Maintenance::current().require(HugeBacking::provider_name(self.page_size))?;
        let map_len = len
            .checked_next_multiple_of(self.page_size)
            .ok_or(DmaError::ZeroLength)?;
        if let Some(dir) = &self.hugetlbfs {
            check_hugetlbfs(dir)?;
        }
        let pagemap = Pagemap::open_in(&self.proc_root)?;
        let mut map = match &self.hugetlbfs {
            None => Mapping::Anon(
                MmapOptions::new()
                    .len(map_len)
                    .huge(Some(self.page_size.trailing_zeros() as u8))
                    .populate()
                    .map_anon()
                    .map_err(|e| self.map_error(map_len, e))?,
            ),
            Some(dir) => {
                let file = hugetlbfs_file(dir)?;
                file.set_len(map_len as u64)
                    .map_err(|e| DmaError::io("size a file in", dir, e))?;
                Mapping::File(
                    MmapOptions::new()
                        .len(map_len)
                        .populate()
                        .map_raw(&file)
                        .map_err(|e| self.map_error(map_len, e))?,
                )
            }
        };
        // A private anonymous mapping shared with a fork()ed child is
        // copy-on-write: the parent's next write would move the page under the
        // device. With MADV_DONTFORK the child gets no copy at all.
        map.dont_fork().map_err(|e| {
            DmaError::io(
                "madvise(MADV_DONTFORK) huge pages for",
                Path::new("hugetlb"),
                e,
            )
        })?;
        let ptr = NonNull::new(map.ptr()).expect("mmap never returns null");
        // One read per huge page faults the whole huge page in; stepping by
        // base pages would read 512 times per 2 MiB page for nothing.
        // SAFETY: the mapping is map_len bytes long and readable.
        unsafe { touch_pages(ptr.as_ptr(), map_len, self.page_size) };
        let phys = pagemap.phys_addr_contiguous(ptr.as_ptr() as usize, map_len)?;
        let backing = HugeBacking {
            cpu: ptr.as_ptr() as usize,
            _map: map,
            page_size: self.page_size,
        };
        // SAFETY: the mapping is private to this backing, valid for map_len >=
        // len bytes while the backing lives, and pagemap confirmed it is
        // physically contiguous from `phys`.
        Ok(unsafe { DmaBuffer::from_raw_parts(ptr, len, phys, Box::new(backing)) })
    }

    fn map_error(&self, map_len: usize, e: std::io::Error) -> DmaError {
        let requested_pages = (map_len / self.page_size) as u64;
        match (e.raw_os_error(), self.pool()) {
            (Some(libc::ENOMEM), Ok(pool)) => DmaError::NoHugePages {
                page_size: self.page_size,
                requested_pages,
                free_pages: pool.free,
                total_pages: pool.total,
            },
            _ => DmaError::io("mmap huge pages for", Path::new("hugetlb"), e),
        }
    }
}

impl DmaAllocator for Hugetlb {
    /// One or more whole huge pages per buffer; physically aligned to the huge
    /// page size, so any `align` up to it is met.
    fn allocate_aligned(&self, len: usize, align: usize) -> Result<DmaBuffer, DmaError> {
        check_request(len, align)?;
        if align > self.page_size {
            return Err(DmaError::BadAlignment {
                align: align as u64,
            });
        }
        self.allocate_region(len)
    }
}

/// An anonymous huge-page mapping, or a shared one of a hugetlbfs file.
#[derive(Debug)]
enum Mapping {
    Anon(MmapMut),
    File(MmapRaw),
}

impl Mapping {
    fn ptr(&mut self) -> *mut u8 {
        match self {
            Mapping::Anon(m) => m.as_mut_ptr(),
            Mapping::File(m) => m.as_mut_ptr(),
        }
    }

    fn dont_fork(&self) -> std::io::Result<()> {
        match self {
            Mapping::Anon(m) => m.advise(memmap2::Advice::DontFork),
            Mapping::File(m) => m.advise(memmap2::Advice::DontFork),
        }
    }
}

/// Refuses a directory that is not on hugetlbfs: a "huge page" file on tmpfs
/// passes the contiguity check with one small page, yet its memory can be
/// swapped out or migrated while the device writes it.
fn check_hugetlbfs(dir: &Path) -> Result<(), DmaError> {
    use crate::window::{HUGETLBFS_MAGIC, fs_type};
    let magic = File::open(dir)
        .and_then(|d| fs_type(&d))
        .map_err(|e| DmaError::io("statfs", dir, e))?;
    if magic != HUGETLBFS_MAGIC {
        return Err(DmaError::NotHugetlbfs { dir: dir.into() });
    }
    Ok(())
}

/// Creates a new file in a hugetlbfs mount and unlinks it, so it vanishes with
/// the mapping.
fn hugetlbfs_file(dir: &Path) -> Result<File, DmaError> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = format!(
        "regmap-dma-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let path = dir.join(name);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| DmaError::io("create a file in", dir, e))?;
    std::fs::remove_file(&path).map_err(|e| DmaError::io("unlink", &path, e))?;
    Ok(file)
}

/// Undoes the octal escapes (`\040` for a space) of `/proc/mounts`.
fn unescape_mount(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let oct = b
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|c| (b'0'..=b'7').contains(c)));
        match (b[i], oct) {
            (b'\\', Some(d)) => {
                out.push((d[0] - b'0') * 64 + (d[1] - b'0') * 8 + (d[2] - b'0'));
                i += 4;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Debug)]
struct HugeBacking {
    /// Address of the mapping's first byte (huge-page aligned), for cache maintenance.
    cpu: usize,
    _map: Mapping,
    page_size: usize,
}

impl HugeBacking {
    fn provider_name(page_size: usize) -> &'static str {
        if page_size >= 1 << 30 {
            "hugetlb (1 GiB pages)"
        } else {
            "hugetlb"
        }
    }
}

impl DmaBacking for HugeBacking {
    fn provider(&self) -> &str {
        Self::provider_name(self.page_size)
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
    use crate::dma::SubAllocator;

    fn fake_pool(total: u64, free: u64) -> (tempfile::TempDir, Hugetlb) {
        let dir = tempfile::tempdir().unwrap();
        let root = SysRoot::under(dir.path());
        let pool = root.sys.join("kernel/mm/hugepages/hugepages-2048kB");
        std::fs::create_dir_all(&pool).unwrap();
        std::fs::create_dir_all(root.sys.join("kernel/mm/hugepages/hugepages-1048576kB")).unwrap();
        std::fs::write(pool.join("nr_hugepages"), format!("{total}\n")).unwrap();
        std::fs::write(pool.join("free_hugepages"), format!("{free}\n")).unwrap();
        // SAFETY: the tree is fake, and no buffer of these tests reaches a device.
        let h = unsafe { Hugetlb::new().with_roots(root, "/proc") };
        (dir, h)
    }

    #[test]
    #[cfg_attr(miri, ignore)] // a fake sysfs tree on disk, huge-page mmap, pagemap, fork
    fn pool_is_read_from_sysfs() {
        let (_dir, h) = fake_pool(8, 3);
        assert_eq!(
            h.pool().unwrap(),
            HugePagePool {
                page_size: 2 << 20,
                total: 8,
                free: 3
            }
        );
    }

    #[test]
    #[cfg_attr(miri, ignore)] // a fake sysfs tree on disk, huge-page mmap, pagemap, fork
    fn unknown_page_size_lists_the_sizes_there_are() {
        let (_dir, h) = fake_pool(0, 0);
        let h = h.with_page_size(16 << 20).unwrap();
        let err = h.pool().unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("hugepages-16384kB"), "{msg}");
        assert!(
            msg.contains("available: hugepages-1048576kB, hugepages-2048kB"),
            "{msg}"
        );
    }

    #[test]
    #[cfg_attr(miri, ignore)] // a fake sysfs tree on disk, huge-page mmap, pagemap, fork
    fn an_empty_pool_says_how_to_reserve_pages() {
        let (_dir, h) = fake_pool(2, 1);
        let err = h.map_error(
            3 * (2 << 20),
            std::io::Error::from_raw_os_error(libc::ENOMEM),
        );
        assert!(matches!(
            err,
            DmaError::NoHugePages {
                requested_pages: 3,
                free_pages: 1,
                total_pages: 2,
                ..
            }
        ));
        assert_eq!(
            err.to_string(),
            "cannot map 3 huge page(s) of 2097152 bytes: 1 of 2 reserved huge pages are free. Reserve more as root: `echo 4 > /proc/sys/vm/nr_hugepages` (or boot with hugepages=N)"
        );
    }

    #[test]
    #[cfg_attr(miri, ignore)] // a fake sysfs tree on disk, huge-page mmap, pagemap, fork
    fn hugetlbfs_mounts_are_found_and_unescaped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("mounts"),
            "proc /proc proc rw 0 0\nhugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\nnone /mnt/huge\\040pages hugetlbfs rw,pagesize=1024M 0 0\n",
        )
        .unwrap();
        assert_eq!(
            Hugetlb::hugetlbfs_mounts_in(dir.path()),
            vec![
                PathBuf::from("/dev/hugepages"),
                PathBuf::from("/mnt/huge pages")
            ]
        );
        assert!(Hugetlb::hugetlbfs_mounts_in(Path::new("/nonexistent")).is_empty());
    }

    /// Runs on the real kernel when huge pages are reserved and frame numbers
    /// are visible; otherwise says why it could not.
    #[test]
    #[cfg_attr(miri, ignore)] // a fake sysfs tree on disk, huge-page mmap, pagemap, fork
    fn real_huge_page_is_contiguous_and_sub_allocatable() {
        // SAFETY: no device is programmed with these buffers.
        let h = unsafe { Hugetlb::new() };
        match h.pool() {
            Ok(pool) if pool.free >= 1 => {}
            Ok(pool) => {
                eprintln!(
                    "skipped: no free 2 MiB huge pages ({} reserved, {} free); reserve some with `echo 4 > /proc/sys/vm/nr_hugepages`",
                    pool.total, pool.free
                );
                return;
            }
            Err(e) => {
                eprintln!("skipped: {e}");
                return;
            }
        }
        let region = match h.allocate_region(4096) {
            Ok(r) => r,
            // NoHugePages: another test took the free pages meanwhile.
            Err(
                e @ (DmaError::PagemapUnprivileged { .. }
                | DmaError::NoHugePages { .. }
                | DmaError::NoCacheMaintenance { .. }),
            ) => {
                eprintln!("skipped: {e}");
                return;
            }
            Err(e) => panic!("{e}"),
        };
        assert_eq!(region.len(), 4096);
        assert_eq!(
            region.phys_addr() % (2 << 20),
            0,
            "huge pages are size-aligned"
        );
        assert_eq!(region.provider(), "hugetlb");
        let sub = SubAllocator::new(region);
        let mut a = sub.allocate(1000).unwrap();
        let b = sub.allocate_aligned(64, 1024).unwrap();
        assert_eq!(b.phys_addr() % 1024, 0);
        a.as_bytes_mut().fill(0x5a);
        a.sync_for_device(..).unwrap();
        // The frame number of the sub-buffer agrees with pagemap.
        let pm = Pagemap::open().unwrap();
        let phys = pm
            .phys_addr_contiguous(a.as_bytes().as_ptr() as usize, a.len())
            .unwrap();
        assert_eq!(phys, a.phys_addr());
    }

    /// The `VmFlags` line of `/proc/self/smaps` for the mapping holding `addr`.
    fn vm_flags(addr: usize) -> Vec<String> {
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let mut inside = false;
        for line in smaps.lines() {
            let head = line.split_whitespace().next().unwrap_or("");
            if let Some((lo, hi)) = head.split_once('-')
                && let (Ok(lo), Ok(hi)) =
                    (usize::from_str_radix(lo, 16), usize::from_str_radix(hi, 16))
            {
                inside = (lo..hi).contains(&addr);
            } else if inside && let Some(flags) = line.strip_prefix("VmFlags:") {
                return flags.split_whitespace().map(str::to_string).collect();
            }
        }
        panic!("no mapping holds {addr:#x}");
    }

    /// After fork() a copy-on-write write would move the page under the
    /// device: the mapping must not be inherited (`dc`, VM_DONTCOPY) and must
    /// stay a huge-page mapping (`ht`).
    #[test]
    #[cfg_attr(miri, ignore)] // a fake sysfs tree on disk, huge-page mmap, pagemap, fork
    fn real_huge_pages_are_not_inherited_by_a_forked_child() {
        // SAFETY: no device is programmed with these buffers.
        let h = unsafe { Hugetlb::new() };
        if !matches!(h.pool(), Ok(pool) if pool.free >= 1) {
            eprintln!("skipped: no free 2 MiB huge pages ({:?})", h.pool());
            return;
        }
        let mut buf = match h.allocate_region(4096) {
            Ok(b) => b,
            Err(
                e @ (DmaError::PagemapUnprivileged { .. }
                | DmaError::NoHugePages { .. }
                | DmaError::NoCacheMaintenance { .. }),
            ) => {
                eprintln!("skipped: {e}");
                return;
            }
            Err(e) => panic!("{e}"),
        };
        let addr = buf.as_bytes().as_ptr() as usize;
        let flags = vm_flags(addr);
        assert!(flags.iter().any(|f| f == "dc"), "{flags:?}");
        assert!(flags.iter().any(|f| f == "ht"), "{flags:?}");
        // And the physical address survives a parent write while a forked
        // child is alive (the child waits on a pipe until the write is done).
        let before = buf.phys_addr();
        let mut fds = [0; 2];
        // SAFETY: pipe writes two descriptors into the live array.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        // SAFETY: the child only calls read, close and _exit, all async-signal-safe.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            let mut byte = 0u8;
            // SAFETY: reads into a live byte; returns 0 once the parent closes.
            unsafe {
                libc::close(fds[1]);
                libc::read(fds[0], (&raw mut byte).cast(), 1);
                libc::_exit(0)
            };
        }
        assert!(pid > 0, "fork failed");
        // SAFETY: closes our own read end.
        unsafe { libc::close(fds[0]) };
        buf.as_bytes_mut()[0] = 1;
        let pm = Pagemap::open().unwrap();
        let after = pm.phys_addr_contiguous(addr, 4096).unwrap();
        let mut status = 0;
        // SAFETY: closing our write end releases the child; we then reap it.
        unsafe {
            libc::close(fds[1]);
            assert_eq!(libc::waitpid(pid, &mut status, 0), pid);
        }
        assert_eq!(after, before, "the parent's write moved the page");
    }

    /// As above through a hugetlbfs file, when a mount exists.
    #[test]
    #[cfg_attr(miri, ignore)] // a fake sysfs tree on disk, huge-page mmap, pagemap, fork
    fn real_hugetlbfs_file_is_contiguous() {
        let Some(mount) = Hugetlb::hugetlbfs_mounts_in(Path::new("/proc"))
            .into_iter()
            .next()
        else {
            eprintln!("skipped: no hugetlbfs mounted (mount -t hugetlbfs none /dev/hugepages)");
            return;
        };
        // SAFETY: no device is programmed with these buffers.
        let h = unsafe { Hugetlb::new() }.with_hugetlbfs(&mount);
        match h.pool() {
            Ok(pool) if pool.free >= 1 => {}
            other => {
                eprintln!("skipped: no free 2 MiB huge pages ({other:?})");
                return;
            }
        }
        match h.allocate_region(3 << 20) {
            Ok(buf) => {
                assert_eq!(buf.len(), 3 << 20);
                assert_eq!(buf.phys_addr() % (2 << 20), 0);
            }
            // Two huge pages need not be adjacent; the check must say so, precisely.
            Err(DmaError::NotContiguous { page_index, .. }) => assert_eq!(page_index, 512),
            Err(
                e @ (DmaError::PagemapUnprivileged { .. }
                | DmaError::NoHugePages { .. }
                | DmaError::NoCacheMaintenance { .. }),
            ) => {
                eprintln!("skipped: {e}")
            }
            Err(e) => panic!("{e}"),
        }
        // The file was unlinked: nothing is left in the mount.
        let leftovers: Vec<_> = std::fs::read_dir(&mount)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with("regmap-dma-"))
            .collect();
        assert!(leftovers.is_empty());
    }

    /// A directory on another file system (tmpfs, here a temporary one) is
    /// refused before anything is mapped: a one-small-page "huge page" would
    /// pass the contiguity check, yet could be swapped out under the device.
    #[test]
    #[cfg_attr(miri, ignore)] // statfs
    fn files_outside_hugetlbfs_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        // SAFETY: no device is programmed with these buffers.
        let h = unsafe { Hugetlb::new() }
            .with_page_size(crate::window::page_size())
            .unwrap()
            .with_hugetlbfs(dir.path());
        match h.allocate_region(4096) {
            Err(DmaError::NotHugetlbfs { dir: d }) => assert_eq!(d, dir.path()),
            // Refused earlier, for the same reason, where no cache
            // maintenance exists (32-bit arm).
            Err(DmaError::NoCacheMaintenance { .. }) => {}
            other => panic!("{other:?}"),
        }
    }
}
