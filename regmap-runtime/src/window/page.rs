//! Page arithmetic for mapping byte ranges that need not start on a page
//! boundary. Every backend goes through [`PageSpan`]; nowhere else rounds.

use crate::error::DeviceError;

/// The system page size in bytes.
pub fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions; it only reads a system constant.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(size)
        .ok()
        .filter(|s| s.is_power_of_two())
        .unwrap_or(4096)
}

/// Largest power of two dividing `addr`, capped at 4096 (the convention of
/// [`Bus::base_alignment`](crate::Bus::base_alignment)).
pub fn alignment_of(addr: u64) -> usize {
    if addr == 0 {
        4096
    } else {
        1usize << addr.trailing_zeros().min(12)
    }
}

/// Where a byte range lands when mapped with page granularity.
///
/// Mapping `len` bytes at address `addr` maps the whole pages that enclose
/// them, starting at `map_offset` (a page multiple) for `map_len` bytes (a page
/// multiple); the range then starts `start` bytes into that mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSpan {
    /// Page-aligned offset to pass to `mmap`.
    pub map_offset: u64,
    /// Page-multiple length to pass to `mmap`.
    pub map_len: usize,
    /// Offset of the range's first byte inside the mapping.
    pub start: usize,
    /// Length of the range.
    pub len: usize,
}

impl PageSpan {
    /// The pages enclosing `len` bytes at `addr`, for pages of `page` bytes (a power of two).
    pub fn enclosing(addr: u64, len: usize, page: usize) -> Result<Self, DeviceError> {
        debug_assert!(page.is_power_of_two());
        let overflow = || DeviceError::TooLarge {
            what: format!("the address space above {addr:#x}"),
            requested: len as u64,
            available: u64::MAX - addr,
        };
        if len == 0 {
            return Err(DeviceError::TooLarge {
                what: "an empty range".into(),
                requested: 0,
                available: 0,
            });
        }
        let page64 = page as u64;
        let start = (addr % page64) as usize;
        let map_offset = addr - start as u64;
        let end = start.checked_add(len).ok_or_else(overflow)?;
        let map_len = end.checked_next_multiple_of(page).ok_or_else(overflow)?;
        map_offset
            .checked_add(map_len as u64)
            .ok_or_else(overflow)?;
        Ok(Self {
            map_offset,
            map_len,
            start,
            len,
        })
    }

    /// A UIO map (`maps/mapN`: `addr`, `size`, `offset`). The kernel selects
    /// map `index` by the mmap offset `index * page` and maps from the page
    /// holding `addr`; it refuses (`EINVAL`) a mapping longer than
    /// `PAGE_ALIGN((addr % page) + size)`, so that is exactly what is mapped.
    /// The registers start `offset` bytes into the mapping and run to the end
    /// of `size` or of the mapping, whichever comes first: drivers such as
    /// uio_pdrv_genirq report the page base as `addr`, the sub-page start as
    /// `offset` and a `size` counted from the page base; others report an
    /// unaligned `addr` and the register `size`.
    pub fn uio(
        index: usize,
        addr: u64,
        offset: u64,
        size: usize,
        page: usize,
    ) -> Result<Self, DeviceError> {
        debug_assert!(page.is_power_of_two());
        let in_page = (addr % page as u64) as usize;
        let map_len = in_page
            .checked_add(size)
            .and_then(|end| end.checked_next_multiple_of(page))
            .ok_or_else(|| DeviceError::TooLarge {
                what: "the address space".into(),
                requested: size as u64,
                available: usize::MAX as u64,
            })?;
        let start = usize::try_from(offset)
            .ok()
            .filter(|&o| o < page && o < map_len)
            .ok_or(DeviceError::Misaligned {
                what: "UIO map offset (must lie inside the first page of the map)",
                value: offset,
                alignment: page as u64,
            })?;
        let map_offset = (index as u64)
            .checked_mul(page as u64)
            .ok_or(DeviceError::TooLarge {
                what: "the UIO map index space".into(),
                requested: index as u64,
                available: u64::MAX / page as u64,
            })?;
        Ok(Self {
            map_offset,
            map_len,
            start,
            len: size.min(map_len - start),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_range_maps_exactly_its_pages() {
        let s = PageSpan::enclosing(0x4000_0000, 0x2000, 4096).unwrap();
        assert_eq!(
            s,
            PageSpan {
                map_offset: 0x4000_0000,
                map_len: 0x2000,
                start: 0,
                len: 0x2000
            }
        );
    }

    #[test]
    fn unaligned_range_maps_enclosing_pages_and_offsets_into_them() {
        // 0x100 bytes at 0x4000_1f80 straddle two pages.
        let s = PageSpan::enclosing(0x4000_1f80, 0x100, 4096).unwrap();
        assert_eq!(s.map_offset, 0x4000_1000);
        assert_eq!(s.start, 0xf80);
        assert_eq!(s.map_len, 0x2000);
        assert_eq!(s.len, 0x100);
        let inside = PageSpan::enclosing(0x1010, 0x20, 4096).unwrap();
        assert_eq!(
            (inside.map_offset, inside.start, inside.map_len),
            (0x1000, 0x10, 0x1000)
        );
    }

    #[test]
    fn larger_pages_are_honoured() {
        let s = PageSpan::enclosing(0x12345, 0x10, 0x10000).unwrap();
        assert_eq!(
            (s.map_offset, s.start, s.map_len),
            (0x10000, 0x2345, 0x10000)
        );
    }

    #[test]
    fn empty_and_overflowing_ranges_are_errors() {
        assert!(PageSpan::enclosing(0x1000, 0, 4096).is_err());
        assert!(PageSpan::enclosing(u64::MAX - 10, 0x100, 4096).is_err());
        assert!(PageSpan::enclosing(0, usize::MAX, 4096).is_err());
    }

    #[test]
    fn uio_maps_are_selected_by_index_times_page() {
        // An unaligned addr with its in-page offset: the register size follows.
        let s = PageSpan::uio(2, 0x4041_1100, 0x100, 0x100, 4096).unwrap();
        assert_eq!(
            (s.map_offset, s.start, s.map_len, s.len),
            (0x2000, 0x100, 0x1000, 0x100)
        );
        assert!(PageSpan::uio(0, 0x4000_0000, 0x1000, 4, 4096).is_err());
    }

    #[test]
    fn uio_maps_never_exceed_what_the_kernel_allows() {
        // uio_pdrv_genirq for registers at 0x4042_0800: addr is the page base,
        // offset the sub-page start, size PAGE_ALIGN(offset + 0x100). The
        // kernel allows one page; the registers are the page's last 0x800 bytes.
        let s = PageSpan::uio(1, 0x4042_0000, 0x800, 0x1000, 4096).unwrap();
        assert_eq!(
            (s.map_offset, s.start, s.map_len, s.len),
            (0x1000, 0x800, 0x1000, 0x800)
        );
        // A size that crosses a page from an unaligned addr takes both pages.
        let s = PageSpan::uio(0, 0x4043_0f00, 0xf00, 0x200, 4096).unwrap();
        assert_eq!((s.start, s.map_len, s.len), (0xf00, 0x2000, 0x200));
        // 64 KiB pages: the limit is the kernel's page, not 4 KiB.
        let s = PageSpan::uio(0, 0x4044_0000, 0x100, 0x1_0000, 0x1_0000).unwrap();
        assert_eq!((s.map_len, s.len), (0x1_0000, 0xff00));
    }

    #[test]
    fn alignment_is_the_lowest_set_bit_capped_at_a_page() {
        assert_eq!(alignment_of(0), 4096);
        assert_eq!(alignment_of(0x4000_0000), 4096);
        assert_eq!(alignment_of(0x1100), 256);
        assert_eq!(alignment_of(0x1004), 4);
        assert_eq!(alignment_of(0x1001), 1);
    }
}
