//! Windows over plain files: the backend that runs anywhere.

use super::{MappedWindow, PageSpan, open_rw, page_size};
use crate::error::DeviceError;
use std::fs::File;
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

/// Opens windows over plain files (a register dump, a simulation's shared
/// memory, a test fixture). The file is mapped shared, so another process
/// mapping it sees every write.
///
/// Only regular files on ordinary file systems are accepted
/// ([`DeviceError::NotAPlainFile`] otherwise): a device node (`/dev/mem`,
/// `/dev/udmabuf0`, `/dev/uio0`), a hugetlbfs file or a dma-buf (reachable
/// through `/proc/self/fd`) may be memory that a [`DmaBuffer`] hands out as a
/// slice, and a safe window over it would change that memory behind the
/// slice. Registers in physical memory go through [`DevMem`](super::DevMem)
/// (`unsafe`: the caller vouches for the range) or [`Uio`](crate::Uio).
///
/// [`DmaBuffer`]: crate::DmaBuffer
#[derive(Debug, Clone, Copy)]
pub struct FileWindow;

impl FileWindow {
    /// Maps the first `len` bytes of an existing file of at least `len` bytes.
    pub fn open(path: impl AsRef<Path>, len: usize) -> Result<MappedWindow, DeviceError> {
        Self::open_at(path, 0, len)
    }

    /// Maps `len` bytes at byte `offset` of an existing file (any offset: the
    /// enclosing pages are mapped).
    pub fn open_at(
        path: impl AsRef<Path>,
        offset: u64,
        len: usize,
    ) -> Result<MappedWindow, DeviceError> {
        let path = path.as_ref();
        let file = open_rw(path, false)?;
        let size = check_plain(&file, path)?;
        let end = offset.saturating_add(len as u64);
        if end > size {
            return Err(DeviceError::TooLarge {
                what: format!("file {}", path.display()),
                requested: end,
                available: size,
            });
        }
        let span = PageSpan::enclosing(offset, len, page_size())?;
        MappedWindow::map(&file, path, span, None, path.display().to_string())
    }

    /// Creates the file if needed, grows it to at least `len` bytes (new bytes
    /// read as zero), and maps its first `len` bytes.
    pub fn create(path: impl AsRef<Path>, len: usize) -> Result<MappedWindow, DeviceError> {
        let path = path.as_ref();
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| DeviceError::io("create", path, e))?;
        let size = check_plain(&file, path)?;
        if size < len as u64 {
            file.set_len(len as u64)
                .map_err(|e| DeviceError::io("resize", path, e))?;
        }
        let span = PageSpan::enclosing(0, len, page_size())?;
        MappedWindow::map(&file, path, span, None, path.display().to_string())
    }
}

/// `HUGETLBFS_MAGIC` of `<linux/magic.h>`.
pub(crate) const HUGETLBFS_MAGIC: i64 = 0x9584_58f6;
/// `DMA_BUF_MAGIC` of `<linux/magic.h>`.
const DMA_BUF_MAGIC: i64 = 0x444d_4142;
/// `SYSFS_MAGIC` of `<linux/magic.h>`.
const SYSFS_MAGIC: i64 = 0x6265_6572;

/// Refuses anything but a regular file on an ordinary file system; returns its size.
fn check_plain(file: &File, path: &Path) -> Result<u64, DeviceError> {
    check_regular(file, path, false).map(|(len, _)| len)
}

/// As [`check_plain`], letting sysfs files through when `sysfs` is set (a PCI
/// BAR's `resourceN`, which only `PciDevice` maps, under its own checks);
/// also says whether the file is on sysfs.
pub(super) fn check_regular(
    file: &File,
    path: &Path,
    sysfs: bool,
) -> Result<(u64, bool), DeviceError> {
    let meta = file
        .metadata()
        .map_err(|e| DeviceError::io("stat", path, e))?;
    let ty = meta.file_type();
    let refuse = |kind, hint| DeviceError::NotAPlainFile {
        path: path.to_path_buf(),
        kind,
        hint,
    };
    if ty.is_char_device() || ty.is_block_device() {
        return Err(refuse(
            "a device node",
            "Map registers with Uio or (unsafe) DevMem, DMA memory with UdmaBuf",
        ));
    }
    if !ty.is_file() {
        return Err(refuse(
            "not a regular file",
            "Map registers with Uio or (unsafe) DevMem",
        ));
    }
    let magic = fs_type(file).map_err(|e| DeviceError::io("statfs", path, e))?;
    match magic {
        HUGETLBFS_MAGIC => Err(refuse(
            "a hugetlbfs file",
            "Hugetlb DMA buffers live there; use the buffer itself",
        )),
        DMA_BUF_MAGIC => Err(refuse("a dma-buf", "Use the DmaBuffer the heap gave")),
        // A BAR's resource file maps device registers: that is PciDevice's
        // job, where it can be checked against the device's other owners.
        SYSFS_MAGIC if !sysfs => Err(refuse(
            "a sysfs file",
            "Map a PCI BAR with PciDevice::map_bar (`--pci` on the command line)",
        )),
        SYSFS_MAGIC => Ok((meta.len(), true)),
        _ => Ok((meta.len(), false)),
    }
}

/// The magic number of the file system `file` is on (`<linux/magic.h>`).
pub(crate) fn fs_type(file: &File) -> std::io::Result<i64> {
    // SAFETY: an all-zero statfs is a valid value of this plain C struct.
    let mut fs: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: fstatfs writes one statfs into the live, writable `fs`.
    if unsafe { libc::fstatfs(file.as_raw_fd(), &mut fs) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    #[allow(clippy::unnecessary_cast)] // f_type is i32 on 32-bit targets
    Ok(fs.f_type as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AccessError;
    use crate::{Bus, SubBus};

    #[test]
    #[cfg_attr(miri, ignore)] // mmap of a file
    fn writes_reach_the_file_with_exact_widths_little_endian() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("regs");
        let w = FileWindow::create(&path, 0x40).unwrap();
        assert_eq!(w.size(), 0x40);
        w.write_u32(0x10, 0xdead_beef).unwrap();
        w.write_u16(0x16, 0x1234).unwrap();
        w.write_u64(0x18, 0x0102_0304_0506_0708).unwrap();
        w.write_u8(0x3f, 0xaa).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes.len(), 0x40);
        assert_eq!(&bytes[0x10..0x14], &0xdead_beef_u32.to_ne_bytes());
        assert_eq!(&bytes[0x16..0x18], &0x1234_u16.to_ne_bytes());
        assert_eq!(&bytes[0x18..0x20], &0x0102_0304_0506_0708_u64.to_ne_bytes());
        assert_eq!(bytes[0x3f], 0xaa);
        assert_eq!(w.read_u32(0x10).unwrap(), 0xdead_beef);
        assert!(w.read_u32(0x40).is_err());
    }

    #[test]
    #[cfg_attr(miri, ignore)] // mmap of a file
    fn open_refuses_a_file_smaller_than_the_window() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("small");
        std::fs::write(&path, [0u8; 16]).unwrap();
        let err = FileWindow::open(&path, 32).unwrap_err();
        assert!(
            matches!(
                err,
                DeviceError::TooLarge {
                    requested: 32,
                    available: 16,
                    ..
                }
            ),
            "{err}"
        );
        assert!(FileWindow::open(&path, 16).is_ok());
    }

    /// A sysfs file (a BAR's `resource0`, say) is device memory only
    /// `PciDevice` maps; a file window refuses it, the PCI check lets it by.
    #[test]
    #[cfg_attr(miri, ignore)] // statfs
    fn sysfs_files_are_for_pci_bar_resource_files_only() {
        let path = Path::new("/sys/devices/system/cpu/online");
        let Ok(file) = File::open(path) else {
            eprintln!("skipped: no sysfs here");
            return;
        };
        match check_plain(&file, path) {
            Err(DeviceError::NotAPlainFile { kind, .. }) => assert_eq!(kind, "a sysfs file"),
            other => panic!("{other:?}"),
        }
        // Nor any sysfs file but a BAR's own `resourceN`, whatever a tree
        // names it.
        match super::super::check_node(&file, path, super::super::Node::PciResource) {
            Err(DeviceError::NotTheDevice { found, .. }) => {
                assert_eq!(found, "a sysfs file other than a BAR's resourceN");
            }
            other => panic!("{other:?}"),
        }
        assert!(super::super::check_node(&file, path, super::super::Node::Uio).is_err());
        assert_eq!(super::super::real_sys_dir(&file), None, "not a device node");
    }

    #[test]
    #[cfg_attr(miri, ignore)] // mmap of a file
    fn open_at_an_unaligned_offset_reports_its_alignment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let mut content = vec![0u8; 0x3000];
        content[0x1104..0x1108].copy_from_slice(&0x5566_7788_u32.to_ne_bytes());
        std::fs::write(&path, &content).unwrap();
        let w = FileWindow::open_at(&path, 0x1100, 0x100).unwrap();
        assert_eq!(w.base_alignment(), 256);
        assert_eq!(w.read_u32(4).unwrap(), 0x5566_7788);
        let odd = FileWindow::open_at(&path, 0x1102, 0x10).unwrap();
        assert_eq!(odd.base_alignment(), 2);
        // A block with 32-bit registers cannot bind to a 2-aligned base.
        assert!(odd.check_block("b", 0x10, 4).is_err());
        assert!(odd.check_block("b", 0x10, 2).is_ok());
        // Nor can a checked access or a copy make a misaligned access there:
        // offset 2 is a multiple of 2, but base + 2 is not one of 4.
        let refused = AccessError::MisalignedBase {
            alignment: 2,
            width: 4,
        };
        assert_eq!(odd.read_u32(0), Err(refused.clone()));
        assert_eq!(odd.write_u32(4, 1), Err(refused.clone()));
        let mut buf = [0u8; 8];
        assert_eq!(
            crate::copy_from_device::<u32, _>(&odd, 0, &mut buf),
            Err(refused)
        );
        assert_eq!(odd.read_u16(2), Ok(u16::from_ne_bytes([0x88, 0x77])));
    }

    #[test]
    #[cfg_attr(miri, ignore)] // mmap of a file
    fn a_sub_window_at_an_odd_base_refuses_wide_accesses() {
        let dir = tempfile::tempdir().unwrap();
        let w = FileWindow::create(dir.path().join("f"), 64).unwrap();
        let sub = SubBus::new(w.by_ref(), 1, 16).unwrap();
        assert_eq!(sub.base_alignment(), 1);
        assert_eq!(
            sub.write_u32(0, 0),
            Err(AccessError::MisalignedBase {
                alignment: 1,
                width: 4
            })
        );
        sub.write_u8(0, 0xa5).unwrap();
        assert_eq!(w.read_u8(1), Ok(0xa5));
    }

    #[test]
    #[cfg_attr(miri, ignore)] // mmap of a file
    fn a_borrowed_handle_reaches_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let w = FileWindow::create(dir.path().join("f"), 0x20).unwrap();
        let r = w.by_ref();
        r.write_u16(6, 0xbeef).unwrap();
        assert_eq!(w.read_u16(6).unwrap(), 0xbeef);
        assert_eq!((r.size(), r.base_alignment()), (0x20, 4096));
        assert!(r.read_u32(0x20).is_err());
    }

    #[test]
    #[cfg_attr(miri, ignore)] // mmap of a file
    fn device_nodes_and_other_non_files_are_refused() {
        // /dev/zero stands in for /dev/mem or /dev/udmabuf0: a character device.
        let err = FileWindow::open("/dev/zero", 0x1000).unwrap_err();
        assert!(
            matches!(
                err,
                DeviceError::NotAPlainFile {
                    kind: "a device node",
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("UdmaBuf"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let err = FileWindow::open(dir.path(), 0x10).unwrap_err();
        // A directory fails at open (EISDIR) or at the type check; either way no window.
        assert!(
            matches!(
                err,
                DeviceError::NotAPlainFile { .. } | DeviceError::Io { .. }
            ),
            "{err}"
        );
    }

    #[test]
    #[cfg_attr(miri, ignore)] // mmap of a file
    fn missing_file_is_an_io_error_naming_it() {
        let err = FileWindow::open("/nonexistent/regmap-test", 4).unwrap_err();
        assert!(
            err.to_string().contains("/nonexistent/regmap-test"),
            "{err}"
        );
    }
}
