//! [`MappedWindow`]: registers reached through a memory mapping, and the
//! backends that make one (a plain file, `/dev/mem`; UIO and PCI BARs live in
//! their own modules and return the same type).

mod devmem;
mod file;
pub mod page;

pub use devmem::DevMem;
pub use file::FileWindow;
pub(crate) use file::{HUGETLBFS_MAGIC, fs_type};

pub use page::{PageSpan, page_size};

use crate::bus::Bus;
use crate::dma::DmaSpace;
use crate::error::DeviceError;
use memmap2::{MmapOptions, MmapRaw};
use std::fmt;
use std::fs::File;
use std::marker::PhantomData;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::Arc;

/// A window of registers reached through a shared memory mapping.
///
/// Every access is one volatile load or store of the exact width through a raw
/// pointer; no reference to the mapped memory is ever created. The mapping is
/// released when the window is dropped.
///
/// Bounds and alignment are checked once, when a register block binds to the
/// window ([`Bus::check_block`]); [`Bus::base_alignment`] reports the real
/// alignment of the window's first byte, so a block whose base is not aligned
/// for its widest register is refused there.
pub struct MappedWindow {
    // Keeps the mapping alive; never dereferenced through a reference.
    map: MmapRaw,
    base: NonNull<u8>,
    len: usize,
    phys: Option<u64>,
    // The space the device behind the window masters (see `Bus::dma_space`).
    space: DmaSpace,
    origin: String,
    // Files that must stay open, with their locks, as long as the window
    // lives (a UIO device's, a BAR's resourceN).
    _keep: Vec<Arc<File>>,
}

// SAFETY: the window owns its mapping (MmapRaw is Send + Sync) and only
// performs volatile accesses through a raw pointer into it. Device registers
// are shared state by nature; concurrent accesses are ordered by the device,
// as for any MMIO, and the window hands out no references.
unsafe impl Send for MappedWindow {}
// SAFETY: as above: `&MappedWindow` allows only volatile raw-pointer accesses.
unsafe impl Sync for MappedWindow {}

impl fmt::Debug for MappedWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MappedWindow")
            .field("origin", &self.origin)
            .field("len", &format_args!("{:#x}", self.len))
            .field("phys", &self.phys.map(|p| format!("{p:#x}")))
            .finish()
    }
}

impl MappedWindow {
    /// Maps `span` of `file` (opened read-write) and returns the window over
    /// the span's range. `origin` names the window in messages.
    pub(crate) fn map(
        file: &File,
        path: &Path,
        span: PageSpan,
        phys: Option<u64>,
        origin: String,
    ) -> Result<Self, DeviceError> {
        let map = MmapOptions::new()
            .offset(span.map_offset)
            .len(span.map_len)
            .map_raw(file)
            .map_err(|e| DeviceError::io("mmap", path, e))?;
        // `start < map_len` by construction of PageSpan, so the pointer stays
        // inside the mapping.
        let base = NonNull::new(map.as_mut_ptr().wrapping_add(span.start)).ok_or_else(|| {
            DeviceError::io("mmap", path, std::io::Error::other("mapping at address 0"))
        })?;
        log::debug!(
            target: "regmap::window",
            "mapped {origin}: {:#x} bytes ({:#x} at file offset {:#x}, start +{:#x})",
            span.len, span.map_len, span.map_offset, span.start
        );
        Ok(Self {
            map,
            base,
            len: span.len,
            phys,
            space: DmaSpace::Physical,
            origin,
            _keep: Vec::new(),
        })
    }

    /// Keeps `file` open (and its lock held) as long as the window lives.
    pub(crate) fn keeping(mut self, file: Arc<File>) -> Self {
        self._keep.push(file);
        self
    }

    /// Marks the device behind the window as mastering `space` (a VFIO
    /// device: its container's I/O addresses).
    pub(crate) fn mastering(mut self, space: DmaSpace) -> Self {
        self.space = space;
        self
    }

    /// Physical address of the window's first byte, when known (`/dev/mem`,
    /// UIO maps, PCI BARs).
    pub fn phys_addr(&self) -> Option<u64> {
        self.phys
    }

    /// Where the window comes from (`/dev/uio0 map 0`), for messages.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Raw pointer to the window's first byte, for code that must hand the
    /// address on. Access it only with volatile operations.
    pub fn as_ptr(&self) -> *mut u8 {
        self.base.as_ptr()
    }

    /// Length of the underlying page-granular mapping (at least [`Bus::size`]).
    pub fn mapping_len(&self) -> usize {
        self.map.len()
    }

    /// A `Copy` handle on this window for blocks that borrow it rather than
    /// own it: `Block::new(window.by_ref())`. Prefer it to `&MappedWindow`: a
    /// block holding `&MappedWindow` reloads the base pointer on every access
    /// in a loop (the compiler cannot prove a volatile store leaves the window
    /// struct alone), a block holding this handle keeps it in a register.
    pub fn by_ref(&self) -> WindowRef<'_> {
        WindowRef {
            base: self.base,
            len: self.len,
            space: self.space,
            window: PhantomData,
        }
    }

    #[inline(always)]
    fn at<T>(&self, offset: usize) -> *mut T {
        debug_assert!(
            offset.is_multiple_of(size_of::<T>()) && offset + size_of::<T>() <= self.len,
            "{}-byte access at {offset:#x} outside the {:#x}-byte window {}",
            size_of::<T>(),
            self.len,
            self.origin
        );
        // `add` keeps provenance; the caller's contract keeps it in bounds.
        self.base.as_ptr().wrapping_add(offset).cast()
    }
}

macro_rules! volatile_access {
    ($($read:ident, $write:ident, $t:ty;)*) => {$(
        #[inline(always)]
        unsafe fn $read(&self, offset: usize) -> $t {
            // SAFETY: the Bus contract puts `offset..offset+width` inside the
            // window, aligned to the width; the mapping outlives self (a
            // MappedWindow owns it, a WindowRef borrows its owner).
            unsafe { self.at::<$t>(offset).read_volatile() }
        }
        #[inline(always)]
        unsafe fn $write(&self, offset: usize, value: $t) {
            // SAFETY: as for the read: in bounds, aligned, mapping alive.
            unsafe { self.at::<$t>(offset).write_volatile(value) }
        }
    )*};
}

// SAFETY: `len` and `base` are fixed when the window is made and the window
// owns its mapping, which covers `base..base + len`; the alignment reported is
// computed from `base` itself. The space is fixed too, set by the one who
// made the window and knows the device: physical for UIO maps of platform
// devices and `/dev/mem`, read from sysfs for PCI functions, the container's
// for VFIO.
unsafe impl Bus for MappedWindow {
    #[inline(always)]
    fn size(&self) -> usize {
        self.len
    }

    fn base_alignment(&self) -> usize {
        page::alignment_of(self.base.as_ptr() as usize as u64)
    }

    fn dma_space(&self) -> DmaSpace {
        self.space
    }

    volatile_access! {
        read_u8_unchecked, write_u8_unchecked, u8;
        read_u16_unchecked, write_u16_unchecked, u16;
        read_u32_unchecked, write_u32_unchecked, u32;
        read_u64_unchecked, write_u64_unchecked, u64;
    }
}

/// A borrowed [`MappedWindow`]: the same accesses, as a `Copy` value that
/// holds the base pointer itself (see [`MappedWindow::by_ref`]).
#[derive(Debug, Clone, Copy)]
pub struct WindowRef<'a> {
    base: NonNull<u8>,
    len: usize,
    space: DmaSpace,
    window: PhantomData<&'a MappedWindow>,
}

// SAFETY: a shared borrow of a `Sync` window; it performs only volatile
// raw-pointer accesses, as the window does.
unsafe impl Send for WindowRef<'_> {}
// SAFETY: as above.
unsafe impl Sync for WindowRef<'_> {}

impl WindowRef<'_> {
    #[inline(always)]
    fn at<T>(&self, offset: usize) -> *mut T {
        debug_assert!(
            offset.is_multiple_of(size_of::<T>()) && offset + size_of::<T>() <= self.len,
            "{}-byte access at {offset:#x} outside the {:#x}-byte window",
            size_of::<T>(),
            self.len
        );
        self.base.as_ptr().wrapping_add(offset).cast()
    }
}

// SAFETY: a copy of a live window's fixed `base` and `len`; the borrow keeps
// the mapping alive.
unsafe impl Bus for WindowRef<'_> {
    #[inline(always)]
    fn size(&self) -> usize {
        self.len
    }

    fn base_alignment(&self) -> usize {
        page::alignment_of(self.base.as_ptr() as usize as u64)
    }

    fn dma_space(&self) -> DmaSpace {
        self.space
    }

    volatile_access! {
        read_u8_unchecked, write_u8_unchecked, u8;
        read_u16_unchecked, write_u16_unchecked, u16;
        read_u32_unchecked, write_u32_unchecked, u32;
        read_u64_unchecked, write_u64_unchecked, u64;
    }
}

/// What a register node must be before it is mapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Node {
    /// `/dev/uioN`: a character device of the `uio` class.
    Uio,
    /// A PCI function's `resourceN` in sysfs: a regular file.
    PciResource,
}

/// Refuses a node that is not the kind of device its path names. The path
/// comes from a tree the caller may choose, and a tree that points
/// `/dev/uio0` at `/dev/mem` or a BAR's `resource0` at a DMA buffer's node
/// would make a safe map alias memory the program owns. A plain file passes
/// (fake trees in tests): a mapping of one aliases nothing a buffer hands out;
/// so does a pipe as a UIO node (interrupt tests), which cannot be mapped.
pub(crate) fn check_node(file: &File, path: &Path, node: Node) -> Result<(), DeviceError> {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let meta = file
        .metadata()
        .map_err(|e| DeviceError::io("stat", path, e))?;
    let ty = meta.file_type();
    let found = if ty.is_file() {
        let (_, on_sysfs) = file::check_regular(file, path, node == Node::PciResource)?;
        if node == Node::PciResource && on_sysfs && !is_bar_resource(file) {
            "a sysfs file other than a BAR's resourceN"
        } else {
            return Ok(());
        }
    } else if ty.is_fifo() && node == Node::Uio {
        // Interrupts only: a pipe cannot be mapped at all.
        return Ok(());
    } else if ty.is_char_device() {
        if node == Node::Uio && char_class(meta.rdev()).as_deref() == Some("uio") {
            return Ok(());
        }
        "a device node of another driver"
    } else {
        "neither a device node nor a regular file"
    };
    Err(DeviceError::NotTheDevice {
        path: path.to_path_buf(),
        expected: match node {
            Node::Uio => "a UIO device node",
            Node::PciResource => "a PCI BAR's sysfs resource file",
        },
        found,
    })
}

/// `flock`s `file` with `how` (`LOCK_SH` or `LOCK_EX`) without waiting; an
/// `EWOULDBLOCK` error means a conflicting lock is held.
pub(crate) fn try_flock(file: &File, how: libc::c_int) -> std::io::Result<()> {
    // SAFETY: flock on a descriptor we own; no memory is passed.
    if unsafe { libc::flock(file.as_raw_fd(), how | libc::LOCK_NB) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// [`try_flock`] for device files: `Busy` if a conflicting lock is held.
pub(crate) fn lock(file: &File, path: &Path, how: libc::c_int) -> Result<(), DeviceError> {
    try_flock(file, how).map_err(|err| {
        if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
            DeviceError::Busy {
                path: path.to_owned(),
            }
        } else {
            DeviceError::io("lock", path, err)
        }
    })
}

/// Where the character device `file` is opened on lives in this machine's
/// own sysfs (`/sys/devices/.../uio/uio0`); `None` for anything else, such
/// as the plain files of a test tree. Never the caller's tree: what that
/// says about the node is what the node is being checked against.
pub(crate) fn real_sys_dir(file: &File) -> Option<PathBuf> {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let meta = file.metadata().ok()?;
    if !meta.file_type().is_char_device() {
        return None;
    }
    let dev = meta.rdev() as libc::dev_t;
    let (major, minor) = (libc::major(dev), libc::minor(dev));
    std::fs::canonicalize(format!("/sys/dev/char/{major}:{minor}")).ok()
}

/// Whether `file`, a sysfs file, is a BAR's `resourceN` itself, by the name
/// the kernel gives the open file: a caller's tree may name a link
/// `resource0` that leads to `resource0_wc`, which maps the same registers
/// under another lock.
fn is_bar_resource(file: &File) -> bool {
    let Ok(real) = std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())) else {
        return false;
    };
    real.file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix("resource"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The class of the character device `rdev` (`uio`), as this machine's own
/// sysfs says: never a caller's tree, which is what is being checked.
fn char_class(rdev: u64) -> Option<String> {
    let dev = rdev as libc::dev_t;
    let (major, minor) = (libc::major(dev), libc::minor(dev));
    let link = std::fs::read_link(format!("/sys/dev/char/{major}:{minor}/subsystem")).ok()?;
    Some(link.file_name()?.to_string_lossy().into_owned())
}

/// Opens `path` read-write, optionally with `O_SYNC` (uncached on `/dev/mem`).
pub(crate) fn open_rw(path: &Path, sync: bool) -> Result<File, DeviceError> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true).write(true);
    if sync {
        opts.custom_flags(libc::O_SYNC);
    }
    opts.open(path)
        .map_err(|e| DeviceError::io("open", path, e))
}
