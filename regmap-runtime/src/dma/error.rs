//! Errors of the DMA-buffer layer. Each says what was asked for, what was found,
//! and what to do about it.

use std::fmt::Write as _;
use std::io;
use std::path::PathBuf;

/// Anything that can go wrong allocating, mapping, viewing or syncing a DMA buffer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DmaError {
    /// No contiguous block large enough is free.
    #[error("{}", out_of_memory(provider, *requested, *align, *free, *largest_free))]
    OutOfMemory {
        /// Which provider ran out (`"u-dma-buf udmabuf0"`, `"simulated memory"`, ...).
        provider: String,
        /// Bytes asked for.
        requested: u64,
        /// Alignment asked for.
        align: u64,
        /// Bytes free in total, if the provider knows.
        free: Option<u64>,
        /// Largest free contiguous block, if the provider knows.
        largest_free: Option<u64>,
    },
    /// A zero-length buffer was asked for.
    #[error("a DMA buffer of 0 bytes was asked for; a transfer needs at least one byte")]
    ZeroLength,
    /// The alignment is not a power of two.
    #[error("alignment {align} is not a power of two")]
    BadAlignment {
        /// Alignment asked for.
        align: u64,
    },
    /// A sub-allocation granule smaller than a cache line: two buffers could
    /// share a line, and invalidating one would destroy CPU writes to the other.
    #[error(
        "sub-allocation granule {granule} is smaller than the {min}-byte DMA cache-line granule: two buffers would share a cache line, and a cache invalidate for one would destroy CPU writes to the other"
    )]
    GranuleTooSmall {
        /// Granule asked for.
        granule: usize,
        /// The smallest allowed ([`DMA_MIN_ALIGN`](super::DMA_MIN_ALIGN)).
        min: usize,
    },
    /// A byte range does not lie inside the buffer.
    #[error("byte range {start:#x}..{end:#x} is not inside the {len:#x}-byte buffer")]
    RangeOutOfBounds {
        /// Start of the range asked for.
        start: usize,
        /// End (exclusive) of the range asked for.
        end: usize,
        /// Length of the buffer.
        len: usize,
    },
    /// The bytes cannot be viewed as elements of the asked type.
    #[error(
        "cannot view {len} bytes at {addr:#x} as [{type_name}] (size {size}, align {type_align}): {reason}"
    )]
    BadView {
        /// Element type asked for.
        type_name: &'static str,
        /// Size of the element type.
        size: usize,
        /// Alignment of the element type.
        type_align: usize,
        /// Length of the byte range.
        len: usize,
        /// CPU (virtual) address of the byte range.
        addr: usize,
        /// What does not fit.
        reason: &'static str,
    },
    /// A page of the buffer is not in memory, so it has no physical address.
    #[error(
        "page {page_index} of the buffer (virtual address {vaddr:#x}) is not present in memory: it has no physical address yet; touch every page before asking (providers in this crate do)"
    )]
    PageNotPresent {
        /// Index of the page inside the buffer.
        page_index: usize,
        /// Virtual address of the page.
        vaddr: usize,
    },
    /// pagemap hid the physical frame numbers: the caller lacks `CAP_SYS_ADMIN`.
    #[error(
        "{} shows the buffer's pages as present but with frame number 0: the kernel hides physical addresses from processes without CAP_SYS_ADMIN. Run as root (or grant CAP_SYS_ADMIN), or allocate from u-dma-buf, which reports its physical address through sysfs without privilege",
        path.display()
    )]
    PagemapUnprivileged {
        /// The pagemap file read.
        path: PathBuf,
    },
    /// The buffer's pages are not physically contiguous.
    #[error(
        "buffer is not physically contiguous: page {page_index} is at frame {found_pfn:#x}, but page {} is at frame {previous_pfn:#x}, so a device would run into unrelated memory at byte offset {:#x}",
        page_index - 1,
        page_index * page_size
    )]
    NotContiguous {
        /// Index of the first page that does not follow its predecessor.
        page_index: usize,
        /// Frame number of the page before it.
        previous_pfn: u64,
        /// Frame number found.
        found_pfn: u64,
        /// Page size in bytes.
        page_size: usize,
    },
    /// A device, heap or region was not found.
    #[error("{}", not_found(kind, name, looked_in, available, hint))]
    NotFound {
        /// What was looked for (`"u-dma-buf device"`, `"dma-heap"`, ...).
        kind: &'static str,
        /// Name asked for (may be empty when any would do).
        name: String,
        /// Where it was looked for.
        looked_in: Vec<PathBuf>,
        /// What exists there instead.
        available: Vec<String>,
        /// What to do when nothing exists at all.
        hint: &'static str,
    },
    /// The directory given for hugetlbfs files is on another file system:
    /// a file there is ordinary memory the kernel may swap out or move.
    #[error(
        "{} is not a hugetlbfs mount: memory there can be swapped out or moved under the device. Mount one (`mount -t hugetlbfs none /dev/hugepages`) or leave `with_hugetlbfs` out",
        dir.display()
    )]
    NotHugetlbfs {
        /// The directory given.
        dir: PathBuf,
    },
    /// An attribute file did not hold what it should.
    #[error("{} holds {content:?}, expected {expected}", path.display())]
    BadAttribute {
        /// The file read.
        path: PathBuf,
        /// What it held (trimmed).
        content: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A provider returned memory that is not aligned as asked.
    #[error(
        "{provider} returned memory at {phys:#x}, which is not aligned to {align}; allocate a larger region and carve aligned buffers from it with a SubAllocator"
    )]
    UnalignedAllocation {
        /// The provider.
        provider: String,
        /// Physical address returned.
        phys: u64,
        /// Alignment asked for.
        align: u64,
    },
    /// Not enough huge pages are reserved.
    #[error(
        "cannot map {requested_pages} huge page(s) of {page_size} bytes: {free_pages} of {total_pages} reserved huge pages are free. Reserve more as root: `echo {} > /proc/sys/vm/nr_hugepages` (or boot with hugepages=N)",
        total_pages + requested_pages.saturating_sub(*free_pages)
    )]
    NoHugePages {
        /// Huge page size in bytes.
        page_size: usize,
        /// Pages needed.
        requested_pages: u64,
        /// Pages free.
        free_pages: u64,
        /// Pages reserved in total.
        total_pages: u64,
    },
    /// The physical range is not page-aligned (mapping needs page granularity).
    #[error(
        "physical range {phys:#x}+{len:#x} is not aligned to the {page_size}-byte page size; reserved regions start and end on page boundaries"
    )]
    UnalignedRegion {
        /// Physical start.
        phys: u64,
        /// Length.
        len: u64,
        /// Page size.
        page_size: usize,
    },
    /// Another open of the device (in this process or another) holds its lock:
    /// two owners of one region would hand out the same bus addresses.
    #[error(
        "{} is in use: another mapping or allocator of it is open (in this process or another) and holds its lock; drop that one first, or carve every buffer from one allocator",
        path.display()
    )]
    Busy {
        /// The device node.
        path: PathBuf,
    },
    /// Userspace cannot keep this kind of buffer coherent on this platform.
    #[error(
        "{provider}: cached DMA buffers cannot be kept coherent from userspace on {arch}: {reason}. Use u-dma-buf instead, mapped cached (its sync_for_device / sync_for_cpu attributes make the kernel do the cache maintenance) or uncached (map_uncached)"
    )]
    NoCacheMaintenance {
        /// The provider refused (`"dma-heap linux,cma"`, `"hugetlb"`, ...).
        provider: String,
        /// The target architecture.
        arch: &'static str,
        /// Why userspace cannot do the maintenance there.
        reason: &'static str,
    },
    /// The mapping would be device memory on ARM, where the plain loads,
    /// stores, copies and fills of a buffer's slices fault (unaligned
    /// accesses, `dc zva`).
    #[error(
        "u-dma-buf `{name}` with sync_mode {sync_mode} maps {how} as device memory on ARM, where copying into or filling a buffer's bytes faults (SIGBUS): set sync_mode to 2 (write-combine, `echo 2 > /sys/class/u-dma-buf/{name}/sync_mode`) or 3 (dma-coherent) for an uncached map, or use map() with its cache syncs"
    )]
    DeviceMemory {
        /// The u-dma-buf device.
        name: String,
        /// Its `sync_mode` (1 when unreadable: the driver's default).
        sync_mode: u64,
        /// `"an O_SYNC open"` or `"every open"`.
        how: &'static str,
    },
    /// A system call or file access failed.
    #[error("{op} {}: {source}{}", path.display(), io_hint(source))]
    Io {
        /// What was being done (`"open"`, `"mmap"`, `"ioctl DMA_HEAP_IOCTL_ALLOC on"`, ...).
        op: &'static str,
        /// The file involved.
        path: PathBuf,
        /// The error the kernel returned.
        #[source]
        source: io::Error,
    },
}

impl DmaError {
    /// Wraps an I/O error with the operation and path it came from.
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        DmaError::Io {
            op,
            path: path.into(),
            source,
        }
    }
}

fn out_of_memory(
    provider: &str,
    requested: u64,
    align: u64,
    free: Option<u64>,
    largest: Option<u64>,
) -> String {
    let mut s = format!(
        "out of contiguous DMA memory in {provider}: asked for {requested} bytes aligned to {align}"
    );
    match free {
        Some(free) => {
            let _ = write!(s, ", {free} bytes free");
        }
        None => s.push_str(", free amount unknown"),
    }
    if let Some(largest) = largest {
        let _ = write!(s, ", largest free block {largest} bytes");
        if free.is_some_and(|f| f >= requested) && largest < requested {
            s.push_str(
                " (enough memory is free but it is fragmented: free long-lived buffers, or allocate large buffers first)",
            );
        }
    }
    s
}

fn not_found(
    kind: &str,
    name: &str,
    looked_in: &[PathBuf],
    available: &[String],
    hint: &str,
) -> String {
    let mut s = if name.is_empty() {
        format!("no {kind} found")
    } else {
        format!("no {kind} named `{name}`")
    };
    if !looked_in.is_empty() {
        s.push_str(" (looked in ");
        for (i, p) in looked_in.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(&p.display().to_string());
        }
        s.push(')');
    }
    if available.is_empty() {
        let _ = write!(s, "; none exists. {hint}");
    } else {
        let _ = write!(s, "; available: {}", available.join(", "));
    }
    s
}

fn io_hint(e: &io::Error) -> &'static str {
    match e.raw_os_error() {
        Some(libc::EACCES) | Some(libc::EPERM) => {
            " (permission denied: run as root, or give your user access to the device node with a udev rule)"
        }
        Some(libc::ENOTTY) => " (the file does not support this ioctl: is it the right device?)",
        _ => "",
    }
}

/// A device-side access to simulated physical memory that hit no memory.
///
/// A device model turns this into the bus error its hardware would report (an
/// AXI DMA raises `DMADecErr` for an address that decodes to nothing).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SimAccessError {
    /// The access lies (partly) outside the simulated physical address range.
    #[error(
        "device access of {len} bytes at physical {addr:#x} is outside simulated memory {base:#x}..{:#x}",
        *base as u128 + *size as u128
    )]
    OutOfRange {
        /// First physical address of the access.
        addr: u64,
        /// Length of the access.
        len: usize,
        /// First physical address of the simulated memory.
        base: u64,
        /// Size of the simulated memory.
        size: u64,
    },
    /// The access lies inside simulated memory but touches bytes no live buffer owns
    /// (never allocated, or already freed): a driver programmed a stale address.
    #[error(
        "device access of {len} bytes at physical {addr:#x} touches {unowned:#x}, which no live DMA buffer owns (freed, or never allocated)"
    )]
    Unallocated {
        /// First physical address of the access.
        addr: u64,
        /// Length of the access.
        len: usize,
        /// First physical address no buffer owns.
        unowned: u64,
    },
}
