//! Physical addresses of our own memory through `/proc/self/pagemap`.
//!
//! The file holds one little-endian 64-bit entry per virtual page: bit 63 says
//! the page is present in RAM, bits 0–54 hold its page frame number (PFN).
//! Since Linux 4.2 the PFN reads as 0 unless the reader has `CAP_SYS_ADMIN`.
//! A buffer is usable for DMA only if every page is present and each PFN is
//! one more than the previous one; [`pfns_contiguous`] checks exactly that and
//! says where it breaks.

use super::error::DmaError;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Bit 63 of an entry: the page is present in RAM.
pub const PAGEMAP_PRESENT: u64 = 1 << 63;
/// Bits 0–54 of an entry: the page frame number, when present.
pub const PAGEMAP_PFN_MASK: u64 = (1 << 55) - 1;

/// One pagemap entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PagemapEntry(pub u64);

impl PagemapEntry {
    /// The page is present in RAM.
    pub fn present(self) -> bool {
        self.0 & PAGEMAP_PRESENT != 0
    }

    /// Its page frame number (0 when hidden from an unprivileged reader).
    pub fn pfn(self) -> u64 {
        self.0 & PAGEMAP_PFN_MASK
    }
}

/// Checks that `entries` (one per page, in order, the first page starting at
/// virtual address `vaddr`) describe present, visible, physically contiguous
/// pages; returns the first page's frame number.
///
/// `path` only names the file in the error for hidden frame numbers.
pub fn pfns_contiguous(
    entries: &[u64],
    vaddr: usize,
    page_size: usize,
    path: &Path,
) -> Result<u64, DmaError> {
    let mut previous: Option<u64> = None;
    for (i, &raw) in entries.iter().enumerate() {
        let e = PagemapEntry(raw);
        if !e.present() {
            return Err(DmaError::PageNotPresent {
                page_index: i,
                vaddr: vaddr + i * page_size,
            });
        }
        if e.pfn() == 0 {
            return Err(DmaError::PagemapUnprivileged {
                path: path.to_path_buf(),
            });
        }
        if let Some(prev) = previous
            && e.pfn() != prev + 1
        {
            return Err(DmaError::NotContiguous {
                page_index: i,
                previous_pfn: prev,
                found_pfn: e.pfn(),
                page_size,
            });
        }
        previous = Some(e.pfn());
    }
    entries
        .first()
        .map(|&e| PagemapEntry(e).pfn())
        .ok_or(DmaError::ZeroLength)
}

/// This process's pagemap.
#[derive(Debug)]
pub struct Pagemap {
    file: File,
    path: PathBuf,
    page_size: usize,
}

impl Pagemap {
    /// Opens `/proc/self/pagemap`.
    pub fn open() -> Result<Self, DmaError> {
        Self::open_in(Path::new("/proc"))
    }

    /// Opens `<proc_root>/self/pagemap` (a crafted file in tests).
    pub fn open_in(proc_root: &Path) -> Result<Self, DmaError> {
        let path = proc_root.join("self/pagemap");
        let file = File::open(&path).map_err(|e| DmaError::io("open", &path, e))?;
        Ok(Self {
            file,
            path,
            page_size: crate::window::page_size(),
        })
    }

    /// The page size entries are counted in.
    pub fn page_size(&self) -> usize {
        self.page_size
    }

    /// Raw entries of the `pages` pages starting at the page holding `vaddr`.
    pub fn entries(&self, vaddr: usize, pages: usize) -> Result<Vec<u64>, DmaError> {
        let mut raw = vec![0u8; pages * 8];
        let offset = (vaddr / self.page_size) as u64 * 8;
        self.file
            .read_exact_at(&mut raw, offset)
            .map_err(|e| DmaError::io("read", &self.path, e))?;
        Ok(raw
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8-byte chunk")))
            .collect())
    }

    /// Physical address of `len` bytes at `vaddr`, checked to be present,
    /// visible and physically contiguous. The pages must have been touched.
    pub fn phys_addr_contiguous(&self, vaddr: usize, len: usize) -> Result<u64, DmaError> {
        if len == 0 {
            return Err(DmaError::ZeroLength);
        }
        let first = vaddr / self.page_size;
        let last = (vaddr + len - 1) / self.page_size;
        let entries = self.entries(vaddr, last - first + 1)?;
        let pfn = pfns_contiguous(&entries, first * self.page_size, self.page_size, &self.path)?;
        Ok(pfn * self.page_size as u64 + (vaddr % self.page_size) as u64)
    }
}

/// Reads one byte of every page so each is faulted in and has a frame.
///
/// # Safety
/// `ptr` is valid for reads of `len` bytes.
pub(crate) unsafe fn touch_pages(ptr: *const u8, len: usize, page_size: usize) {
    let mut off = 0;
    while off < len {
        // SAFETY: off < len, inside the caller's valid range; volatile so the
        // read is not optimised away.
        unsafe { core::ptr::read_volatile(ptr.add(off)) };
        off += page_size;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: u64 = PAGEMAP_PRESENT;

    #[test]
    fn entry_bits() {
        let e = PagemapEntry(P | (1 << 55) | 0x12345);
        assert!(e.present());
        assert_eq!(e.pfn(), 0x12345);
        assert!(!PagemapEntry(0x12345).present());
    }

    #[test]
    fn contiguous_frames_give_the_first() {
        let entries = [P | 0x100, P | 0x101, P | 0x102];
        assert_eq!(
            pfns_contiguous(&entries, 0x7000_0000, 4096, Path::new("pm")).unwrap(),
            0x100
        );
    }

    #[test]
    fn a_break_names_the_page_and_both_frames() {
        let entries = [P | 0x100, P | 0x101, P | 0x300, P | 0x301];
        let err = pfns_contiguous(&entries, 0, 4096, Path::new("pm")).unwrap_err();
        assert!(matches!(
            err,
            DmaError::NotContiguous {
                page_index: 2,
                previous_pfn: 0x101,
                found_pfn: 0x300,
                page_size: 4096
            }
        ));
        assert_eq!(
            err.to_string(),
            "buffer is not physically contiguous: page 2 is at frame 0x300, but page 1 is at frame 0x101, so a device would run into unrelated memory at byte offset 0x2000"
        );
    }

    #[test]
    fn absent_pages_and_hidden_frames_are_told_apart() {
        let err = pfns_contiguous(&[P | 5, 6], 0x1000, 4096, Path::new("pm")).unwrap_err();
        assert!(matches!(
            err,
            DmaError::PageNotPresent {
                page_index: 1,
                vaddr: 0x2000
            }
        ));
        // Unprivileged readers see the present bit with frame 0.
        let err = pfns_contiguous(&[P, P], 0, 4096, Path::new("/proc/self/pagemap")).unwrap_err();
        assert!(matches!(err, DmaError::PagemapUnprivileged { .. }));
        let msg = err.to_string();
        assert!(
            msg.contains("CAP_SYS_ADMIN") && msg.contains("u-dma-buf"),
            "{msg}"
        );
    }

    #[test]
    #[cfg_attr(miri, ignore)] // reads a pagemap file
    fn crafted_pagemap_file_is_read_at_the_virtual_page_offset() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("self")).unwrap();
        let page = crate::window::page_size();
        let vaddr = 5 * page + 0x10;
        let mut bytes = vec![0u8; 8 * 8];
        for (i, pfn) in [(5, 0x800u64), (6, 0x801), (7, 0x900)] {
            bytes[i * 8..i * 8 + 8].copy_from_slice(&(P | pfn).to_le_bytes());
        }
        std::fs::write(dir.path().join("self/pagemap"), &bytes).unwrap();
        let pm = Pagemap::open_in(dir.path()).unwrap();
        assert_eq!(
            pm.phys_addr_contiguous(vaddr, page).unwrap(),
            0x800 * page as u64 + 0x10
        );
        assert!(matches!(
            pm.phys_addr_contiguous(vaddr, 3 * page - 0x10),
            Err(DmaError::NotContiguous { page_index: 2, .. })
        ));
        // Past the end of the file: a read error that names the file.
        let err = pm.phys_addr_contiguous(100 * page, 1).unwrap_err();
        assert!(err.to_string().contains("self/pagemap"), "{err}");
    }

    #[test]
    #[cfg_attr(miri, ignore)] // reads a pagemap file
    fn real_pagemap_of_a_touched_page() {
        let Ok(pm) = Pagemap::open() else {
            eprintln!("skipped: /proc/self/pagemap cannot be opened here");
            return;
        };
        let page = pm.page_size();
        let mut mem = vec![1u8; 2 * page];
        let p = mem.as_mut_ptr() as usize;
        // One byte never spans two pages, so it is always contiguous.
        match pm.phys_addr_contiguous(p, 1) {
            Ok(phys) => assert_eq!(phys % page as u64, (p % page) as u64),
            Err(DmaError::PagemapUnprivileged { .. }) => {
                eprintln!("skipped the frame check: no CAP_SYS_ADMIN, frames read as 0")
            }
            Err(e) => panic!("{e}"),
        }
        let entries = pm.entries(p, 1).unwrap();
        assert!(PagemapEntry(entries[0]).present());
        mem[0] = 2;
    }
}
