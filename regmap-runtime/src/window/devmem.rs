//! Windows over physical memory through `/dev/mem`.

use super::{MappedWindow, PageSpan, open_rw, page_size};
use crate::error::DeviceError;
use crate::sysroot::SysRoot;

/// Maps physical address ranges through `/dev/mem`, opened with `O_SYNC` so
/// the mapping is uncached. Any base address works: the enclosing pages are
/// mapped and the window starts at the exact address.
///
/// Needs root, and on kernels with `STRICT_DEVMEM` only ranges the kernel does
/// not use as RAM (device registers, `memmap=` reserved regions). Prefer UIO
/// where a driver exists: it needs no root and brings interrupts.
#[derive(Debug, Clone, Copy)]
pub struct DevMem;

impl DevMem {
    /// Maps `len` bytes at physical address `phys` through `/dev/mem`.
    ///
    /// # Safety
    /// `phys..phys + len` must be device registers, or memory that nothing
    /// hands out as Rust references while the window lives: not the memory of
    /// a live [`DmaBuffer`](crate::DmaBuffer) (a u-dma-buf region, a
    /// [`DevMemRegion`](crate::dma::DevMemRegion), a CMA or huge-page buffer),
    /// not RAM the kernel manages. A write through the window would otherwise
    /// change bytes behind a `&[u8]`. `/dev/mem` cannot tell: with
    /// `STRICT_DEVMEM` it refuses only ordinary RAM, and without it nothing.
    /// Nor may the registers be ones an [`ExclusiveBus`](crate::ExclusiveBus)
    /// window owns while it lives (an exclusive UIO map or VFIO BAR handed to
    /// a DMA driver): writes beside that driver could start the engine into
    /// memory it has given back.
    pub unsafe fn map(phys: u64, len: usize) -> Result<MappedWindow, DeviceError> {
        // SAFETY: forwarded contract.
        unsafe { Self::map_in(&SysRoot::default(), phys, len) }
    }

    /// As [`DevMem::map`], with `<root.dev>/mem` as the memory device.
    ///
    /// # Safety
    /// As for [`DevMem::map`], for the memory `<root.dev>/mem` exposes.
    pub unsafe fn map_in(
        root: &SysRoot,
        phys: u64,
        len: usize,
    ) -> Result<MappedWindow, DeviceError> {
        let path = root.dev.join("mem");
        let file = open_rw(&path, true)?;
        let span = PageSpan::enclosing(phys, len, page_size())?;
        MappedWindow::map(
            &file,
            &path,
            span,
            Some(phys),
            format!("{} at {phys:#x}", path.display()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Bus;

    #[test]
    #[cfg_attr(miri, ignore)] // mmap of a file standing in for /dev/mem
    fn unaligned_physical_base_lands_on_the_exact_byte() {
        let dir = tempfile::tempdir().unwrap();
        let root = SysRoot::under(dir.path());
        std::fs::create_dir_all(&root.dev).unwrap();
        let mut mem = vec![0u8; 0x4000];
        mem[0x2010..0x2014].copy_from_slice(&0xcafe_f00d_u32.to_ne_bytes());
        std::fs::write(root.dev.join("mem"), &mem).unwrap();

        // SAFETY: the "memory device" is this test's own file.
        let w = unsafe { DevMem::map_in(&root, 0x2010, 0x20) }.unwrap();
        assert_eq!(w.phys_addr(), Some(0x2010));
        assert_eq!(w.size(), 0x20);
        assert_eq!(w.base_alignment(), 16);
        assert_eq!(w.read_u32(0).unwrap(), 0xcafe_f00d);
        w.write_u32(0x1c, 0x1234_5678).unwrap();
        drop(w);
        let back = std::fs::read(root.dev.join("mem")).unwrap();
        assert_eq!(&back[0x202c..0x2030], &0x1234_5678_u32.to_ne_bytes());
    }

    #[test]
    #[cfg_attr(miri, ignore)] // mmap of a file standing in for /dev/mem
    fn missing_dev_mem_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        // SAFETY: nothing is mapped: the memory device does not exist.
        let err = unsafe { DevMem::map_in(&SysRoot::under(dir.path()), 0, 4) }.unwrap_err();
        assert!(err.to_string().contains("mem"), "{err}");
    }
}
