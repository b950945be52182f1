//! u-dma-buf: a kernel driver that reserves one contiguous DMA region per
//! device (`/dev/udmabufN`) and reports it through sysfs.
//!
//! `<sys>/class/u-dma-buf/<name>/` holds `phys_addr`, `size`, `sync_mode`,
//! `dma_coherent` and the manual cache controls. The region is mapped cached
//! (opened without `O_SYNC`) and synced by writing `sync_for_cpu` /
//! `sync_for_device`, each with the exact range packed into the value written:
//! `0x<offset:8 hex digits><size | direction << 2 | 1:8 hex digits>`, size a
//! multiple of 16. Ranges the packed form cannot carry (offset or size at or
//! above 4 GiB) fall back to the `sync_offset` / `sync_size` /
//! `sync_direction` attributes followed by a `1`. On a `dma_coherent` device,
//! or a mapping opened uncached, syncs are barriers only. The older `udmabuf`
//! driver (`<sys>/class/udmabuf/`) takes only the attribute form.
//!
//! A device gives one region; carve buffers from it with
//! [`UdmaBuf::allocator`]. Mapping takes an exclusive `flock` on the device
//! node, held as long as the region (or any buffer carved from it) lives: a
//! second [`UdmaBuf::map`] or [`UdmaBuf::allocator`] of the same device, in this
//! process or another, fails with [`DmaError::Busy`] instead of handing out the
//! same bus addresses twice.

use super::buffer::{DmaBacking, DmaBuffer};
use super::error::DmaError;
use super::suballoc::SubAllocator;
use super::{list_dir, read_attr, read_number};
use crate::sysroot::SysRoot;
use memmap2::{MmapOptions, MmapRaw};
use std::fs::{File, OpenOptions};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::Mutex;

/// Class directories the two generations of the driver register, newest first.
const CLASSES: [&str; 2] = ["u-dma-buf", "udmabuf"];

/// The cache line every sync range is widened to (the largest among targets).
const SYNC_GRANULE: usize = super::DMA_MIN_ALIGN;

/// `DMA_BIDIRECTIONAL`: clean on the way to the device, invalidate on the way back.
const DIRECTION_BIDIRECTIONAL: u64 = 0;

/// One u-dma-buf device, found and described, not yet mapped.
#[derive(Debug, Clone)]
pub struct UdmaBuf {
    name: String,
    dev_path: PathBuf,
    class_dir: PathBuf,
    packed_sync: bool,
    phys: u64,
    size: usize,
    dma_coherent: bool,
    sync_mode: Option<u64>,
}

impl UdmaBuf {
    /// Finds the device `name` (`"udmabuf0"`) under `/sys` and `/dev`.
    pub fn open(name: &str) -> Result<Self, DmaError> {
        super::one_component(name, "u-dma-buf device")?;
        // SAFETY: the default root is the machine's own /sys and /dev, and
        // the name stays inside them.
        unsafe { Self::open_in(&SysRoot::default(), name) }
    }

    /// Names of the u-dma-buf devices under `root`, sorted.
    pub fn list_in(root: &SysRoot) -> Vec<String> {
        let mut all: Vec<String> = CLASSES
            .iter()
            .flat_map(|c| list_dir(&root.sys.join("class").join(c)))
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// As [`UdmaBuf::open`], under `root` (a fake tree in tests).
    ///
    /// # Safety
    /// `root` describes this machine's real devices: a
    /// buffer's physical address as read there is where its memory really is.
    /// A device is programmed with that address, so a tree that lies (a fake
    /// one in a test, whose buffers must then reach no device) aims the device
    /// at whatever memory the address names.
    pub unsafe fn open_in(root: &SysRoot, name: &str) -> Result<Self, DmaError> {
        let found = CLASSES
            .iter()
            .map(|c| (*c, root.sys.join("class").join(c).join(name)))
            .find(|(_, dir)| !name.is_empty() && dir.join("phys_addr").is_file());
        let Some((class, class_dir)) = found else {
            return Err(DmaError::NotFound {
                kind: "u-dma-buf device",
                name: name.to_string(),
                looked_in: CLASSES
                    .iter()
                    .map(|c| root.sys.join("class").join(c))
                    .collect(),
                available: Self::list_in(root),
                hint: "load the driver with a buffer size, e.g. `modprobe u-dma-buf udmabuf0=0x1000000`, or declare it in the device tree",
            });
        };
        let phys = read_number(&class_dir.join("phys_addr"))?;
        let size_path = class_dir.join("size");
        let size = read_number(&size_path)?;
        let size = usize::try_from(size)
            .ok()
            .filter(|&s| s > 0)
            .ok_or_else(|| DmaError::BadAttribute {
                path: size_path,
                content: size.to_string(),
                expected: "a non-zero size that fits this machine's address space",
            })?;
        // Absent on old versions: assume the hardware is not coherent.
        let dma_coherent = match read_attr(&class_dir.join("dma_coherent")) {
            Ok(v) => v.trim() == "1",
            Err(_) => false,
        };
        let sync_mode = read_number(&class_dir.join("sync_mode")).ok();
        Ok(Self {
            name: name.to_string(),
            dev_path: root.dev.join(name),
            class_dir,
            packed_sync: class == "u-dma-buf",
            phys,
            size,
            dma_coherent,
            sync_mode,
        })
    }

    /// The device name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Physical address of the region.
    pub fn phys_addr(&self) -> u64 {
        self.phys
    }

    /// Size of the region in bytes.
    pub fn size(&self) -> usize {
        self.size
    }

    /// The hardware keeps caches coherent for this region (no sync needed).
    pub fn dma_coherent(&self) -> bool {
        self.dma_coherent
    }

    /// The `sync_mode` attribute: what an uncached (`O_SYNC`) open gives.
    pub fn sync_mode(&self) -> Option<u64> {
        self.sync_mode
    }

    /// Maps the whole region cached; syncs write the sysfs cache controls
    /// (unless the device is `dma_coherent`).
    ///
    /// The region has one owner at a time: while the returned buffer (or
    /// anything carved from it) lives, another `map`, `map_uncached` or
    /// `allocator` of this device fails with [`DmaError::Busy`].
    pub fn map(&self) -> Result<DmaBuffer, DmaError> {
        self.map_with(false)
    }

    /// Maps the whole region opened with `O_SYNC`, which the driver's
    /// `sync_mode` turns into uncached or write-combined memory (slow for the
    /// CPU); syncs are barriers only.
    pub fn map_uncached(&self) -> Result<DmaBuffer, DmaError> {
        self.map_with(true)
    }

    /// A sub-allocator over the whole (cached) region: the one way to have
    /// several buffers in it, all disjoint. Holds the device's lock as
    /// [`UdmaBuf::map`] does.
    pub fn allocator(&self) -> Result<SubAllocator, DmaError> {
        Ok(SubAllocator::new(self.map()?))
    }

    fn map_with(&self, uncached: bool) -> Result<DmaBuffer, DmaError> {
        if cfg!(any(target_arch = "arm", target_arch = "aarch64")) {
            let sync_mode = self.sync_mode.unwrap_or(1);
            if let Some(how) = device_memory(uncached, sync_mode) {
                return Err(DmaError::DeviceMemory {
                    name: self.name.clone(),
                    sync_mode,
                    how,
                });
            }
        }
        let mut opts = OpenOptions::new();
        opts.read(true).write(true);
        if uncached {
            opts.custom_flags(libc::O_SYNC);
        }
        let file = opts
            .open(&self.dev_path)
            .map_err(|e| DmaError::io("open", &self.dev_path, e))?;
        lock_exclusive(&file, &self.dev_path)?;
        let map = MmapOptions::new()
            .len(self.size)
            .map_raw(&file)
            .map_err(|e| DmaError::io("mmap", &self.dev_path, e))?;
        let sync = if uncached || self.dma_coherent {
            None
        } else {
            Some(SysfsSync::open(&self.class_dir, self.packed_sync)?)
        };
        let ptr = NonNull::new(map.as_mut_ptr()).expect("mmap never returns null");
        let backing = UdmaBacking {
            _map: map,
            _lock: file,
            provider: format!("u-dma-buf {}", self.name),
            size: self.size,
            sync,
        };
        // SAFETY: the shared mapping covers the whole region (size bytes) and
        // lives as long as the backing; the backing holds the node's exclusive
        // lock, so no other mapping made by this crate (in any process) reaches
        // the region while the buffer lives; the driver reserved the region
        // physically contiguous at `phys`.
        Ok(unsafe { DmaBuffer::from_raw_parts(ptr, self.size, self.phys, Box::new(backing)) })
    }
}

/// Takes the exclusive lock on an open device node, without waiting.
fn lock_exclusive(file: &File, path: &Path) -> Result<(), DmaError> {
    crate::window::try_flock(file, libc::LOCK_EX).map_err(|err| {
        if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
            DmaError::Busy {
                path: path.to_path_buf(),
            }
        } else {
            DmaError::io("lock", path, err)
        }
    })
}

/// The sysfs cache controls of one device, opened once.
#[derive(Debug)]
struct SysfsSync {
    dir: PathBuf,
    packed: bool,
    for_cpu: File,
    for_device: File,
    /// The attribute fallback writes three files and then a trigger: one at a
    /// time. The three (`sync_offset`, `sync_size`, `sync_direction`) are
    /// opened on first use, since a driver with the packed form may lack them.
    legacy: Mutex<Option<[File; 3]>>,
}

/// The attributes of the fallback sync, in the order they are written.
const LEGACY_ATTRS: [&str; 3] = ["sync_offset", "sync_size", "sync_direction"];

impl SysfsSync {
    fn open(dir: &Path, packed: bool) -> Result<Self, DmaError> {
        let open = |name: &str| {
            let path = dir.join(name);
            OpenOptions::new()
                .write(true)
                .open(&path)
                .map_err(|e| DmaError::io("open", &path, e))
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            packed,
            for_cpu: open("sync_for_cpu")?,
            for_device: open("sync_for_device")?,
            legacy: Mutex::new(None),
        })
    }

    fn sync(
        &self,
        to_device: bool,
        offset: usize,
        len: usize,
        size: usize,
    ) -> Result<(), DmaError> {
        let (offset, len) = widen(offset, len, size);
        let (file, name) = if to_device {
            (&self.for_device, "sync_for_device")
        } else {
            (&self.for_cpu, "sync_for_cpu")
        };
        match packed_value(offset as u64, len as u64) {
            Some(value) if self.packed => write_attr(file, &self.dir.join(name), &value),
            _ => {
                let mut legacy = self.legacy.lock().unwrap_or_else(|e| e.into_inner());
                let files = match &mut *legacy {
                    Some(files) => files,
                    empty => {
                        let open = |attr: &str| {
                            let path = self.dir.join(attr);
                            OpenOptions::new()
                                .write(true)
                                .open(&path)
                                .map_err(|e| DmaError::io("open", &path, e))
                        };
                        empty.insert([
                            open(LEGACY_ATTRS[0])?,
                            open(LEGACY_ATTRS[1])?,
                            open(LEGACY_ATTRS[2])?,
                        ])
                    }
                };
                let values = [
                    offset.to_string(),
                    len.to_string(),
                    DIRECTION_BIDIRECTIONAL.to_string(),
                ];
                for ((f, attr), value) in files.iter().zip(LEGACY_ATTRS).zip(values) {
                    write_attr(f, &self.dir.join(attr), &value)?;
                }
                write_attr(file, &self.dir.join(name), "1")
            }
        }
    }
}

fn write_attr(file: &File, path: &Path, value: &str) -> Result<(), DmaError> {
    // sysfs takes a value in one write and ignores the offset; writing at 0 also
    // keeps a stand-in regular file in tests holding the last value written.
    file.write_all_at(value.as_bytes(), 0)
        .map_err(|e| DmaError::io("write", path, e))
}

/// Widens `offset..offset + len` to whole cache lines, clipped to the region.
fn widen(offset: usize, len: usize, size: usize) -> (usize, usize) {
    let start = offset / SYNC_GRANULE * SYNC_GRANULE;
    let end = (offset + len)
        .div_ceil(SYNC_GRANULE)
        .saturating_mul(SYNC_GRANULE)
        .min(size);
    (start, end - start)
}

/// The packed `sync_for_*` value, if offset and size fit its 32-bit fields.
fn packed_value(offset: u64, len: u64) -> Option<String> {
    let size = len.checked_next_multiple_of(16)?;
    if offset > u32::MAX as u64 || size > 0xffff_fff0 {
        return None;
    }
    let low = size | (DIRECTION_BIDIRECTIONAL << 2) | 1;
    Some(format!("0x{offset:08X}{low:08X}"))
}

#[derive(Debug)]
struct UdmaBacking {
    _map: MmapRaw,
    /// The locked device node: the lock lasts as long as the mapping.
    _lock: File,
    provider: String,
    size: usize,
    sync: Option<SysfsSync>,
}

impl DmaBacking for UdmaBacking {
    fn provider(&self) -> &str {
        &self.provider
    }
    fn sync_for_device(&self, offset: usize, len: usize) -> Result<(), DmaError> {
        match &self.sync {
            Some(s) => s.sync(true, offset, len, self.size),
            None => Ok(()),
        }
    }
    fn sync_for_cpu(&self, offset: usize, len: usize) -> Result<(), DmaError> {
        match &self.sync {
            Some(s) => s.sync(false, offset, len, self.size),
            None => Ok(()),
        }
    }
}

/// Whether u-dma-buf maps the region noncached (`pgprot_noncached`: device
/// memory on ARM) for an open with or without `O_SYNC` under `sync_mode`:
/// mode 1 (the default) for `O_SYNC` opens, mode 5 for every open. Says
/// which opens, if so.
fn device_memory(uncached: bool, sync_mode: u64) -> Option<&'static str> {
    match (uncached, sync_mode) {
        (true, 1) => Some("an O_SYNC open"),
        (_, 5) => Some("every open"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn noncached_modes_are_named_for_the_arm_refusal() {
        assert_eq!(super::device_memory(true, 1), Some("an O_SYNC open"));
        assert_eq!(super::device_memory(false, 1), None);
        assert_eq!(super::device_memory(true, 2), None, "write-combine");
        assert_eq!(super::device_memory(true, 3), None, "dma-coherent");
        assert_eq!(super::device_memory(false, 5), Some("every open"));
        assert_eq!(super::device_memory(true, 6), None);
    }

    use super::*;

    /// Opens a device of a fake tree.
    fn open_fake(root: &SysRoot, name: &str) -> Result<UdmaBuf, DmaError> {
        // SAFETY: the tree is fake, and no buffer of these tests reaches a device.
        unsafe { UdmaBuf::open_in(root, name) }
    }
    use crate::dma::DmaAllocator;

    struct Fake {
        _dir: tempfile::TempDir,
        root: SysRoot,
    }

    impl Fake {
        fn new() -> Self {
            let dir = tempfile::tempdir().unwrap();
            let root = SysRoot::under(dir.path());
            std::fs::create_dir_all(&root.dev).unwrap();
            Self { _dir: dir, root }
        }

        /// A device whose node is a plain file of `size` bytes.
        fn device(
            &self,
            class: &str,
            name: &str,
            phys: u64,
            size: usize,
            coherent: bool,
        ) -> PathBuf {
            let d = self.root.sys.join("class").join(class).join(name);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("phys_addr"), format!("0x{phys:016x}\n")).unwrap();
            std::fs::write(d.join("size"), format!("{size}\n")).unwrap();
            std::fs::write(d.join("sync_mode"), "1\n").unwrap();
            std::fs::write(d.join("dma_coherent"), if coherent { "1\n" } else { "0\n" }).unwrap();
            for a in [
                "sync_for_cpu",
                "sync_for_device",
                "sync_offset",
                "sync_size",
                "sync_direction",
            ] {
                std::fs::write(d.join(a), "").unwrap();
            }
            let node = File::create(self.root.dev.join(name)).unwrap();
            node.set_len(size as u64).unwrap();
            d
        }
    }

    fn attr(dir: &Path, name: &str) -> String {
        std::fs::read_to_string(dir.join(name)).unwrap()
    }

    #[test]
    #[cfg_attr(miri, ignore)] // a fake sysfs/dev tree on disk, mmap of a file, flock
    fn attributes_are_read_and_the_region_mapped() {
        let fake = Fake::new();
        fake.device("u-dma-buf", "udmabuf0", 0x3c00_0000, 0x10_0000, false);
        let dev = open_fake(&fake.root, "udmabuf0").unwrap();
        assert_eq!(dev.phys_addr(), 0x3c00_0000);
        assert_eq!(dev.size(), 0x10_0000);
        assert!(!dev.dma_coherent());
        assert_eq!(dev.sync_mode(), Some(1));
        let mut region = dev.map().unwrap();
        assert_eq!(region.phys_addr(), 0x3c00_0000);
        assert_eq!(region.len(), 0x10_0000);
        assert_eq!(region.provider(), "u-dma-buf udmabuf0");
        region.as_bytes_mut()[0x20..0x24].copy_from_slice(b"dma!");
        drop(region);
        let back = std::fs::read(fake.root.dev.join("udmabuf0")).unwrap();
        assert_eq!(&back[0x20..0x24], b"dma!");
    }

    #[test]
    #[cfg_attr(miri, ignore)] // a fake sysfs/dev tree on disk, mmap of a file, flock
    fn syncs_write_the_exact_widened_range_in_packed_form() {
        let fake = Fake::new();
        let d = fake.device("u-dma-buf", "udmabuf0", 0x3c00_0000, 0x10_0000, false);
        let mut region = open_fake(&fake.root, "udmabuf0").unwrap().map().unwrap();
        region.sync_for_device(0x1000..0x1100).unwrap();
        assert_eq!(attr(&d, "sync_for_device"), "0x0000100000000101");
        // 0x1010..0x1011 widens to the cache line 0x1000..0x1080.
        region.sync_for_cpu(0x1010..0x1011).unwrap();
        assert_eq!(attr(&d, "sync_for_cpu"), "0x0000100000000081");
        // The tail is clipped to the region.
        region.sync_for_cpu(0xfffff..).unwrap();
        assert_eq!(attr(&d, "sync_for_cpu"), "0x000FFF8000000081");
        // The packed form leaves the persistent attributes alone.
        assert_eq!(attr(&d, "sync_offset"), "");
    }

    #[test]
    #[cfg_attr(miri, ignore)] // a fake sysfs/dev tree on disk, mmap of a file, flock
    fn sub_allocated_buffers_sync_at_their_offset_in_the_region() {
        let fake = Fake::new();
        let d = fake.device("u-dma-buf", "udmabuf1", 0x7000_0000, 0x4000, false);
        let alloc = open_fake(&fake.root, "udmabuf1")
            .unwrap()
            .allocator()
            .unwrap();
        let _a = alloc.allocate(0x200).unwrap();
        let b = alloc.allocate(0x100).unwrap();
        assert_eq!(b.phys_addr(), 0x7000_0200);
        b.sync_for_device(..).unwrap();
        assert_eq!(attr(&d, "sync_for_device"), "0x0000020000000101");
    }

    #[test]
    #[cfg_attr(miri, ignore)] // a fake sysfs/dev tree on disk, mmap of a file, flock
    fn a_second_map_or_allocator_of_one_device_is_busy_until_the_first_drops() {
        let fake = Fake::new();
        fake.device("u-dma-buf", "udmabuf0", 0x3c00_0000, 0x4000, false);
        let dev = open_fake(&fake.root, "udmabuf0").unwrap();
        let node = fake.root.dev.join("udmabuf0");
        let first = dev.allocator().unwrap();
        let a = first.allocate(0x100).unwrap();
        // A second allocator would hand out 0x3c00_0000 again.
        let busy =
            |r: Result<_, DmaError>| matches!(r, Err(DmaError::Busy { ref path }) if *path == node);
        assert!(busy(dev.allocator().map(|_| ())));
        assert!(busy(dev.map().map(|_| ())));
        assert!(busy(dev.map_uncached().map(|_| ())));
        // Another open of the device, as another process would make, also fails.
        let again = open_fake(&fake.root, "udmabuf0").unwrap();
        let msg = again.map().unwrap_err().to_string();
        assert!(msg.contains("is in use"), "{msg}");
        // The lock lives as long as any buffer carved from the region.
        drop(first);
        assert!(busy(dev.map().map(|_| ())));
        drop(a);
        let whole = dev.map().unwrap();
        assert_eq!(whole.phys_addr(), 0x3c00_0000);
        // Other devices are not affected.
        fake.device("u-dma-buf", "udmabuf1", 0x3d00_0000, 0x1000, false);
        open_fake(&fake.root, "udmabuf1").unwrap().map().unwrap();
    }

    #[test]
    #[cfg_attr(miri, ignore)] // a fake sysfs/dev tree on disk, mmap of a file, flock
    fn legacy_driver_uses_the_attribute_form() {
        let fake = Fake::new();
        let d = fake.device("udmabuf", "udmabuf0", 0x1e90_0000, 0x10_0000, false);
        let region = open_fake(&fake.root, "udmabuf0").unwrap().map().unwrap();
        region.sync_for_device(0x80..0x100).unwrap();
        assert_eq!(attr(&d, "sync_offset"), "128");
        assert_eq!(attr(&d, "sync_size"), "128");
        assert_eq!(attr(&d, "sync_direction"), "0");
        assert_eq!(attr(&d, "sync_for_device"), "1");
    }

    #[test]
    #[cfg_attr(miri, ignore)] // a fake sysfs/dev tree on disk, mmap of a file, flock
    fn coherent_or_uncached_regions_skip_sysfs() {
        let fake = Fake::new();
        let d = fake.device("u-dma-buf", "udmabuf0", 0x1000_0000, 0x1000, true);
        let dev = open_fake(&fake.root, "udmabuf0").unwrap();
        dev.map().unwrap().sync_for_device(..).unwrap();
        assert_eq!(attr(&d, "sync_for_device"), "");
        let fake = Fake::new();
        let d = fake.device("u-dma-buf", "udmabuf0", 0x1000_0000, 0x1000, false);
        let dev = open_fake(&fake.root, "udmabuf0").unwrap();
        dev.map_uncached().unwrap().sync_for_device(..).unwrap();
        assert_eq!(attr(&d, "sync_for_device"), "");
    }

    #[test]
    #[cfg_attr(miri, ignore)] // a fake sysfs/dev tree on disk, mmap of a file, flock
    fn a_missing_device_lists_the_ones_there_are() {
        let fake = Fake::new();
        fake.device("u-dma-buf", "udmabuf0", 0x1000_0000, 0x1000, false);
        fake.device("u-dma-buf", "udmabuf2", 0x2000_0000, 0x1000, false);
        let err = open_fake(&fake.root, "udmabuf1").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("no u-dma-buf device named `udmabuf1` (looked in "),
            "{msg}"
        );
        assert!(msg.ends_with("; available: udmabuf0, udmabuf2"), "{msg}");
        let empty = Fake::new();
        let msg = open_fake(&empty.root, "udmabuf0").unwrap_err().to_string();
        assert!(msg.contains("none exists. load the driver"), "{msg}");
    }

    #[test]
    #[cfg_attr(miri, ignore)] // a fake sysfs/dev tree on disk, mmap of a file, flock
    fn a_garbled_attribute_names_the_file() {
        let fake = Fake::new();
        let d = fake.device("u-dma-buf", "udmabuf0", 0x1000_0000, 0x1000, false);
        std::fs::write(d.join("size"), "0\n").unwrap();
        let msg = open_fake(&fake.root, "udmabuf0").unwrap_err().to_string();
        assert!(
            msg.contains("size holds \"0\", expected a non-zero size"),
            "{msg}"
        );
    }

    #[test]
    fn packed_values_and_their_limits() {
        assert_eq!(
            packed_value(0, 0x10000).as_deref(),
            Some("0x0000000000010001")
        );
        assert_eq!(
            packed_value(0x1234_5678, 0x30).as_deref(),
            Some("0x1234567800000031")
        );
        // Sizes are rounded to the 16-byte unit the format carries.
        assert_eq!(packed_value(0, 0x18).as_deref(), Some("0x0000000000000021"));
        assert_eq!(packed_value(1 << 32, 0x80), None);
        assert_eq!(packed_value(0, 1 << 32), None);
    }
}
