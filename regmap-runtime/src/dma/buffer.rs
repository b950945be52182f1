//! [`DmaBuffer`], [`DmaRange`] and the [`DmaBacking`] trait providers implement.

use super::error::DmaError;
use super::space::DmaSpace;
use bytemuck::Pod;
use core::fmt;
use core::ops::{Bound, Range, RangeBounds};
use core::ptr::NonNull;

/// What a provider keeps alive behind a [`DmaBuffer`]: the mapping, the
/// sub-allocation or the simulated block, and the cache maintenance for it.
///
/// Dropping the backing frees the memory. Offsets are relative to the start of
/// the buffer the backing was created for; ranges are already checked against
/// its length.
pub trait DmaBacking: Send + Sync + fmt::Debug {
    /// Short name of the provider, for messages (`"u-dma-buf"`, `"hugetlb"`, ...).
    fn provider(&self) -> &str;

    /// Makes CPU writes to `offset..offset + len` visible to the device
    /// (cache clean), handing the range to the device.
    fn sync_for_device(&self, offset: usize, len: usize) -> Result<(), DmaError>;

    /// Makes device writes to `offset..offset + len` visible to the CPU
    /// (cache invalidate), handing the range back to the CPU.
    fn sync_for_cpu(&self, offset: usize, len: usize) -> Result<(), DmaError>;

    /// The address space of the buffer's bus address: physical by default;
    /// an IOMMU's I/O addresses or a simulated memory's own otherwise.
    fn dma_space(&self) -> DmaSpace {
        DmaSpace::Physical
    }
}

/// A physically contiguous buffer that a DMA engine can reach by address.
///
/// - [`phys_addr`](Self::phys_addr) is the address to program into the device
///   (the bus address the provider reported). It needs only `&self`.
/// - The CPU sees the bytes through [`as_bytes`](Self::as_bytes) and typed views
///   of plain-old-data types ([`as_slice`](Self::as_slice)); mutable views need
///   `&mut self`, so the CPU side is never aliased mutably.
/// - [`sync_for_device`](Self::sync_for_device) before the device reads what the
///   CPU wrote, [`sync_for_cpu`](Self::sync_for_cpu) before the CPU reads what
///   the device wrote, each over exactly the byte range the transfer used.
///
/// While a device may write the bytes, hold no view of them (the compiler
/// assumes memory behind a `&[u8]` does not change): hand the buffer to the
/// transfer, and look again only after [`sync_for_cpu`](Self::sync_for_cpu)
/// once the device is done.
///
/// # Ownership and leaks
/// The memory is freed when the buffer is dropped, and only then. A driver that
/// runs a transfer takes the buffer (or a [`DmaRange`] of it) by value and gives
/// it back when the transfer is over, so nothing can free or touch it while the
/// engine uses it. If such a transfer handle is leaked (`mem::forget`), the
/// buffer is leaked with it: it is never freed, so its memory is never handed to
/// anyone else while the device may still write it.
pub struct DmaBuffer {
    cpu: NonNull<u8>,
    len: usize,
    phys: u64,
    backing: Box<dyn DmaBacking>,
}

// SAFETY: the buffer owns its CPU mapping exclusively (contract of
// `from_raw_parts`); the backing is Send + Sync; `&DmaBuffer` hands out only
// shared views, `&mut DmaBuffer` mutable ones, as for a `Box<[u8]>`.
unsafe impl Send for DmaBuffer {}
// SAFETY: as above.
unsafe impl Sync for DmaBuffer {}

impl DmaBuffer {
    /// Assembles a buffer from a provider's parts.
    ///
    /// # Safety
    /// - `cpu` is valid for reads and writes of `len` bytes for as long as
    ///   `backing` lives, and nothing else on the CPU side accesses those bytes
    ///   while the buffer exists;
    /// - the bytes are contiguous to a device of `backing.dma_space()`,
    ///   starting at its bus address `phys` (a physical address unless the
    ///   backing says otherwise), and `backing.dma_space()` returns the same
    ///   space for as long as the buffer lives.
    pub unsafe fn from_raw_parts(
        cpu: NonNull<u8>,
        len: usize,
        phys: u64,
        backing: Box<dyn DmaBacking>,
    ) -> Self {
        Self {
            cpu,
            len,
            phys,
            backing,
        }
    }

    /// The address space of [`phys_addr`](Self::phys_addr): only a device
    /// of this space may be programmed with it.
    pub fn dma_space(&self) -> DmaSpace {
        self.backing.dma_space()
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True for a zero-length buffer (no provider hands one out).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Physical (bus) address of the first byte: what the device is programmed with.
    pub fn phys_addr(&self) -> u64 {
        self.phys
    }

    /// Physical address of a byte range inside the buffer.
    pub fn phys_addr_of(&self, range: impl RangeBounds<usize>) -> Result<u64, DmaError> {
        let r = self.check_range(range)?;
        Ok(self.phys + r.start as u64)
    }

    /// Which provider the memory came from.
    pub fn provider(&self) -> &str {
        self.backing.provider()
    }

    /// The bytes, as the CPU sees them (after [`sync_for_cpu`](Self::sync_for_cpu)).
    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: `cpu` is valid for `len` bytes and exclusively ours (contract of
        // `from_raw_parts`); the shared borrow of self prevents mutable views.
        unsafe { core::slice::from_raw_parts(self.cpu.as_ptr(), self.len) }
    }

    /// The bytes, mutably.
    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `as_bytes`; the mutable borrow of self makes this view unique.
        unsafe { core::slice::from_raw_parts_mut(self.cpu.as_ptr(), self.len) }
    }

    /// The whole buffer as a slice of `T`; fails if the length is not a
    /// multiple of `size_of::<T>()` or the mapping is not aligned for `T`.
    pub fn as_slice<T: Pod>(&self) -> Result<&[T], DmaError> {
        view(self.as_bytes())
    }

    /// The whole buffer as a mutable slice of `T`.
    pub fn as_mut_slice<T: Pod>(&mut self) -> Result<&mut [T], DmaError> {
        view_mut(self.as_bytes_mut())
    }

    /// Reads a `T` at byte `offset` (any alignment), little-endian as stored.
    pub fn read<T: Pod>(&self, offset: usize) -> Result<T, DmaError> {
        let r = self.check_range(offset..offset.saturating_add(size_of::<T>()))?;
        Ok(bytemuck::pod_read_unaligned(&self.as_bytes()[r]))
    }

    /// Writes a `T` at byte `offset` (any alignment).
    pub fn write<T: Pod>(&mut self, offset: usize, value: T) -> Result<(), DmaError> {
        let r = self.check_range(offset..offset.saturating_add(size_of::<T>()))?;
        self.as_bytes_mut()[r].copy_from_slice(bytemuck::bytes_of(&value));
        Ok(())
    }

    /// Hands `range` to the device: CPU writes become visible to it.
    pub fn sync_for_device(&self, range: impl RangeBounds<usize>) -> Result<(), DmaError> {
        let r = self.check_range(range)?;
        if r.is_empty() {
            return Ok(());
        }
        self.backing.sync_for_device(r.start, r.len())?;
        // Also order the CPU's stores before whatever register write starts the device.
        crate::barrier::release_to_device();
        Ok(())
    }

    /// Takes `range` back from the device: its writes become visible to the CPU.
    pub fn sync_for_cpu(&mut self, range: impl RangeBounds<usize>) -> Result<(), DmaError> {
        let r = self.check_range(range)?;
        if r.is_empty() {
            return Ok(());
        }
        // Keep the CPU's reads after whatever register read said the device is done.
        crate::barrier::acquire_from_device();
        self.backing.sync_for_cpu(r.start, r.len())
    }

    /// Turns the buffer into an owned [`DmaRange`] over part of it (for a
    /// transfer that uses only that part). On a bad range the buffer comes back
    /// inside the error.
    pub fn into_range(
        self,
        range: impl RangeBounds<usize>,
    ) -> Result<DmaRange, DmaRangeError<DmaBuffer>> {
        match bounds(range, self.len) {
            Ok(r) => Ok(DmaRange {
                start: r.start,
                len: r.len(),
                buf: self,
            }),
            Err((start, end)) => Err(DmaRangeError {
                start,
                end,
                len: self.len,
                returned: self,
            }),
        }
    }

    /// Resolves `range` against the buffer length, or says why it does not fit.
    pub fn check_range(&self, range: impl RangeBounds<usize>) -> Result<Range<usize>, DmaError> {
        resolve(range, self.len)
    }

    /// The backing, for providers that wrap another provider's buffer.
    pub(crate) fn backing(&self) -> &dyn DmaBacking {
        &*self.backing
    }

    /// Raw CPU pointer to the first byte, for providers that carve sub-buffers.
    pub(crate) fn cpu_ptr(&self) -> NonNull<u8> {
        self.cpu
    }
}

impl fmt::Debug for DmaBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DmaBuffer")
            .field("provider", &self.provider())
            .field("phys", &format_args!("{:#x}", self.phys))
            .field("len", &format_args!("{:#x}", self.len))
            .finish()
    }
}

/// An owned part of a [`DmaBuffer`]: what a transfer takes when it uses only
/// some of a buffer. It has its own physical address and syncs exactly its
/// bytes; [`into_buffer`](Self::into_buffer) gives the whole buffer back.
#[derive(Debug)]
pub struct DmaRange {
    buf: DmaBuffer,
    start: usize,
    len: usize,
}

impl From<DmaBuffer> for DmaRange {
    fn from(buf: DmaBuffer) -> Self {
        DmaRange {
            start: 0,
            len: buf.len(),
            buf,
        }
    }
}

impl DmaRange {
    /// The address space of the buffer the range is part of.
    pub fn dma_space(&self) -> DmaSpace {
        self.buf.dma_space()
    }

    /// Physical (bus) address of the range's first byte.
    pub fn phys_addr(&self) -> u64 {
        self.buf.phys_addr() + self.start as u64
    }

    /// Length of the range in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True for an empty range.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Byte offset of the range inside its buffer.
    pub fn offset(&self) -> usize {
        self.start
    }

    /// The range inside its buffer.
    pub fn byte_range(&self) -> Range<usize> {
        self.start..self.start + self.len
    }

    /// The whole buffer this range is part of.
    pub fn buffer(&self) -> &DmaBuffer {
        &self.buf
    }

    /// The range's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf.as_bytes()[self.byte_range()]
    }

    /// The range's bytes, mutably.
    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        let r = self.byte_range();
        &mut self.buf.as_bytes_mut()[r]
    }

    /// The range as a slice of `T`.
    pub fn as_slice<T: Pod>(&self) -> Result<&[T], DmaError> {
        view(self.as_bytes())
    }

    /// The range as a mutable slice of `T`.
    pub fn as_mut_slice<T: Pod>(&mut self) -> Result<&mut [T], DmaError> {
        view_mut(self.as_bytes_mut())
    }

    /// Hands exactly this range to the device.
    pub fn sync_for_device(&self) -> Result<(), DmaError> {
        self.buf.sync_for_device(self.byte_range())
    }

    /// Takes exactly this range back from the device.
    pub fn sync_for_cpu(&mut self) -> Result<(), DmaError> {
        let r = self.byte_range();
        self.buf.sync_for_cpu(r)
    }

    /// A narrower range: `range` is relative to this range. On a bad range the
    /// original range comes back inside the error.
    pub fn narrow(
        self,
        range: impl RangeBounds<usize>,
    ) -> Result<DmaRange, DmaRangeError<DmaRange>> {
        match bounds(range, self.len) {
            Ok(r) => Ok(DmaRange {
                start: self.start + r.start,
                len: r.len(),
                buf: self.buf,
            }),
            Err((start, end)) => Err(DmaRangeError {
                start,
                end,
                len: self.len,
                returned: self,
            }),
        }
    }

    /// Gives the whole buffer back.
    pub fn into_buffer(self) -> DmaBuffer {
        self.buf
    }
}

/// [`DmaBuffer::into_range`] or [`DmaRange::narrow`] was given a range that does
/// not fit; what was given is handed back unchanged in `returned`.
#[derive(Debug, thiserror::Error)]
#[error("byte range {start:#x}..{end:#x} is not inside the {len:#x}-byte buffer")]
pub struct DmaRangeError<T: fmt::Debug> {
    /// Start of the range asked for.
    pub start: usize,
    /// End (exclusive) of the range asked for.
    pub end: usize,
    /// Length of what the range had to fit in.
    pub len: usize,
    /// The buffer or range, unchanged.
    pub returned: T,
}

impl<T: fmt::Debug> From<DmaRangeError<T>> for DmaError {
    fn from(e: DmaRangeError<T>) -> Self {
        DmaError::RangeOutOfBounds {
            start: e.start,
            end: e.end,
            len: e.len,
        }
    }
}

pub(crate) fn resolve(
    range: impl RangeBounds<usize>,
    len: usize,
) -> Result<Range<usize>, DmaError> {
    bounds(range, len).map_err(|(start, end)| DmaError::RangeOutOfBounds { start, end, len })
}

/// The range as `start..end`, or the (saturated) bounds that do not fit.
fn bounds(range: impl RangeBounds<usize>, len: usize) -> Result<Range<usize>, (usize, usize)> {
    let start = match range.start_bound() {
        Bound::Included(&s) => Some(s),
        Bound::Excluded(&s) => s.checked_add(1),
        Bound::Unbounded => Some(0),
    };
    let end = match range.end_bound() {
        Bound::Included(&e) => e.checked_add(1),
        Bound::Excluded(&e) => Some(e),
        Bound::Unbounded => Some(len),
    };
    match (start, end) {
        (Some(start), Some(end)) if start <= end && end <= len => Ok(start..end),
        (start, end) => Err((start.unwrap_or(usize::MAX), end.unwrap_or(usize::MAX))),
    }
}

fn view_error<T>(len: usize, addr: usize, reason: &'static str) -> DmaError {
    DmaError::BadView {
        type_name: core::any::type_name::<T>(),
        size: size_of::<T>(),
        type_align: align_of::<T>(),
        len,
        addr,
        reason,
    }
}

fn cast_reason(e: bytemuck::PodCastError) -> &'static str {
    match e {
        bytemuck::PodCastError::TargetAlignmentGreaterAndInputNotAligned => {
            "the bytes are not aligned for the element type"
        }
        bytemuck::PodCastError::OutputSliceWouldHaveSlop | bytemuck::PodCastError::SizeMismatch => {
            "the length is not a multiple of the element size"
        }
        bytemuck::PodCastError::AlignmentMismatch => "alignment mismatch",
    }
}

const ZST: &str = "zero-sized element types have no bytes to view";

fn view<T: Pod>(bytes: &[u8]) -> Result<&[T], DmaError> {
    let (len, addr) = (bytes.len(), bytes.as_ptr() as usize);
    if size_of::<T>() == 0 {
        return Err(view_error::<T>(len, addr, ZST));
    }
    bytemuck::try_cast_slice(bytes).map_err(|e| view_error::<T>(len, addr, cast_reason(e)))
}

fn view_mut<T: Pod>(bytes: &mut [u8]) -> Result<&mut [T], DmaError> {
    let (len, addr) = (bytes.len(), bytes.as_ptr() as usize);
    if size_of::<T>() == 0 {
        return Err(view_error::<T>(len, addr, ZST));
    }
    bytemuck::try_cast_slice_mut(bytes).map_err(|e| view_error::<T>(len, addr, cast_reason(e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dma::{DmaAllocator, SimMemory};

    fn sim() -> SimMemory {
        SimMemory::new(0x4000_0000, 1 << 16)
    }

    #[test]
    fn typed_views_check_length_and_share_bytes() {
        let mem = sim();
        let mut buf = mem.allocate(12).unwrap();
        buf.as_mut_slice::<u32>().unwrap()[1] = 0xdead_beef;
        assert_eq!(&buf.as_bytes()[4..8], &0xdead_beefu32.to_le_bytes());
        assert_eq!(buf.as_slice::<u16>().unwrap().len(), 6);
        let err = buf.as_slice::<u64>().unwrap_err();
        assert!(
            matches!(
                err,
                DmaError::BadView {
                    size: 8,
                    len: 12,
                    ..
                }
            ),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("not a multiple of the element size")
        );
    }

    #[test]
    fn unaligned_read_write_and_bounds() {
        let mem = sim();
        let mut buf = mem.allocate(16).unwrap();
        buf.write(3, 0x0102_0304u32).unwrap();
        assert_eq!(buf.read::<u32>(3).unwrap(), 0x0102_0304);
        assert_eq!(buf.as_bytes()[3], 4);
        assert!(matches!(
            buf.write(13, 0u32),
            Err(DmaError::RangeOutOfBounds {
                start: 13,
                end: 17,
                len: 16
            })
        ));
        assert!(matches!(
            buf.read::<u8>(usize::MAX),
            Err(DmaError::RangeOutOfBounds { .. })
        ));
    }

    #[test]
    fn ranges_have_their_own_physical_address_and_sync_only_their_bytes() {
        let mem = sim();
        let mut buf = mem.allocate(256).unwrap();
        let base = buf.phys_addr();
        buf.as_bytes_mut().fill(0x11);
        let range = buf.into_range(64..128).unwrap();
        assert_eq!(range.phys_addr(), base + 64);
        assert_eq!(range.len(), 64);
        range.sync_for_device().unwrap();
        // Only bytes 64..128 reached the device side.
        assert!(matches!(mem.read_u32(base + 60), Ok(0)));
        assert_eq!(mem.read_u32(base + 64).unwrap(), 0x1111_1111);
        assert_eq!(mem.read_u32(base + 124).unwrap(), 0x1111_1111);
        assert!(matches!(mem.read_u32(base + 128), Ok(0)));

        let narrowed = range.narrow(16..32).unwrap();
        assert_eq!(narrowed.phys_addr(), base + 80);
        assert_eq!(narrowed.byte_range(), 80..96);
        let err = narrowed.narrow(8..17).unwrap_err();
        assert_eq!((err.start, err.end, err.len), (8, 17, 16));
        let buf = err.returned.into_buffer();
        assert_eq!(buf.len(), 256);
    }

    #[test]
    fn a_refused_range_hands_the_buffer_back() {
        let mem = sim();
        let buf = mem.allocate(32).unwrap();
        let phys = buf.phys_addr();
        let err = buf.into_range(16..40).unwrap_err();
        assert_eq!(
            err.to_string(),
            "byte range 0x10..0x28 is not inside the 0x20-byte buffer"
        );
        assert_eq!(err.returned.phys_addr(), phys);
        assert_eq!(mem.stats().allocations, 1);
    }

    #[test]
    fn sync_range_is_checked() {
        let mem = sim();
        let mut buf = mem.allocate(32).unwrap();
        assert!(matches!(
            buf.sync_for_cpu(30..=32),
            Err(DmaError::RangeOutOfBounds {
                start: 30,
                end: 33,
                len: 32
            })
        ));
        assert!(buf.sync_for_device(32..32).is_ok());
    }

    #[test]
    fn buffers_are_send_and_sync_so_transfers_can_own_them() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<DmaBuffer>();
        assert_send_sync::<DmaRange>();
    }
}
