//! DMA buffers: physically contiguous memory with a bus address, typed CPU
//! views, cache maintenance over exact ranges, and ownership a transfer can take.
//!
//! Start with [`DmaBuffer`] and the [`DmaAllocator`] trait. Providers:
//!
//! | provider | where the memory comes from |
//! | --- | --- |
//! | [`SimMemory`] | simulated physical memory shared with device models (tests, no hardware) |
//! | [`UdmaBuf`] | the u-dma-buf driver: one reserved region per device, sysfs cache controls |
//! | [`DmaHeap`] | a CMA dma-heap, physical address from [`Pagemap`] (root) |
//! | [`Hugetlb`] | huge pages, physical address from [`Pagemap`] (root; coherent platforms) |
//! | [`DevMemRegion`] | a `memmap=`-reserved physical range through `/dev/mem` (root) |
//! | [`SubAllocator`] | many buffers carved from one region any provider gave |
//!
//! [`check_copy`] tests anything that copies by physical address (a DMA
//! engine, a device model) and reports exactly where the result went wrong.
//!
//! A transfer takes a buffer by value (or a [`DmaRange`] of one) and gives it
//! back when it is over; see [`DmaBuffer`] for why that stays sound even when a
//! transfer handle is leaked.
//!
//! ```
//! use regmap_runtime::dma::{DmaAllocator, DmaRange, SimMemory};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Simulated memory stands in for RAM; a device model reads it by address.
//! let mem = SimMemory::new(0x8000_0000, 1 << 20);
//! let mut buf = mem.allocate(4096)?;
//! buf.as_mut_slice::<u32>()?.fill(0xcafe_f00d);
//!
//! // A transfer over the first 256 bytes: the range is owned, so nothing can
//! // touch or free the buffer until it is given back.
//! let range = buf.into_range(..256)?;
//! range.sync_for_device()?;
//! let (addr, len) = (range.phys_addr(), range.len()); // program the engine with these
//! assert_eq!(mem.read_u32(addr + len as u64 - 4)?, 0xcafe_f00d);
//! mem.write_u32(addr, 0x1234_5678)?; // the device writes back
//!
//! // When the engine is done: take the range back for the CPU, then the buffer.
//! let mut range: DmaRange = range;
//! range.sync_for_cpu()?;
//! let buf = range.into_buffer();
//! assert_eq!(buf.as_slice::<u32>()?[0], 0x1234_5678);
//! # Ok(())
//! # }
//! ```

mod attr;
mod buffer;
mod cache;
mod devmem;
mod dma_heap;
mod error;
mod hugetlb;
pub mod pagemap;
pub mod selftest;
mod sim;
mod space;
mod suballoc;
mod target;
mod udmabuf;

pub(crate) use attr::{list_dir, read_attr, read_number};
pub use buffer::{DmaBacking, DmaBuffer, DmaRange, DmaRangeError};
pub use devmem::DevMemRegion;
pub use dma_heap::DmaHeap;
pub use error::{DmaError, SimAccessError};
pub use hugetlb::{HugePagePool, Hugetlb};
pub use pagemap::Pagemap;
pub use selftest::{CopyCheck, CopyCheckError, CopyReport, check_copy};
pub use sim::SimMemory;
pub use space::DmaSpace;
pub use suballoc::{AllocStats, SubAllocator};
pub use target::DmaTarget;
pub use udmabuf::UdmaBuf;

/// The smallest alignment and size granule allocators in this module use: the
/// largest cache-line size among the supported targets (arm64's
/// `ARCH_DMA_MINALIGN`), so two buffers never share a cache line.
pub const DMA_MIN_ALIGN: usize = 128;

/// Refuses a device name that is not one file name (`..`, a `/`): joined to
/// the real `/dev` or `/sys`, it would leave them for any file the caller
/// names, whose answers the safe constructors then believe.
pub(crate) fn one_component(name: &str, kind: &'static str) -> Result<(), DmaError> {
    let mut parts = std::path::Path::new(name).components();
    match (parts.next(), parts.next()) {
        (Some(std::path::Component::Normal(_)), None) if !name.contains('/') => Ok(()),
        _ => Err(DmaError::NotFound {
            kind,
            name: name.to_string(),
            looked_in: Vec::new(),
            available: Vec::new(),
            hint: "a device name is one file name, such as `udmabuf0` or `linux,cma`, never a path",
        }),
    }
}

/// Something that hands out [`DmaBuffer`]s.
pub trait DmaAllocator {
    /// A buffer of `len` bytes whose physical address is a multiple of `align`
    /// (a power of two; at least [`DMA_MIN_ALIGN`] is always given).
    fn allocate_aligned(&self, len: usize, align: usize) -> Result<DmaBuffer, DmaError>;

    /// A buffer of `len` bytes aligned to [`DMA_MIN_ALIGN`].
    fn allocate(&self, len: usize) -> Result<DmaBuffer, DmaError> {
        self.allocate_aligned(len, DMA_MIN_ALIGN)
    }

    /// Usage statistics, where the provider can know them.
    fn stats(&self) -> Option<AllocStats> {
        None
    }
}

macro_rules! forward_allocator {
    ($($ptr:ty),*) => {$(
        impl<A: DmaAllocator + ?Sized> DmaAllocator for $ptr {
            fn allocate_aligned(&self, len: usize, align: usize) -> Result<DmaBuffer, DmaError> {
                (**self).allocate_aligned(len, align)
            }
            fn stats(&self) -> Option<AllocStats> {
                (**self).stats()
            }
        }
    )*};
}

forward_allocator!(&A, Box<A>, std::sync::Arc<A>);

/// Refuses zero-length requests and alignments that are not powers of two.
pub(crate) fn check_request(len: usize, align: usize) -> Result<(), DmaError> {
    if len == 0 {
        return Err(DmaError::ZeroLength);
    }
    if !align.is_power_of_two() {
        return Err(DmaError::BadAlignment {
            align: align as u64,
        });
    }
    Ok(())
}

#[cfg(test)]
mod name_tests {
    #[test]
    fn device_names_are_one_file_name() {
        for good in ["udmabuf0", "linux,cma", "reserved"] {
            assert!(super::one_component(good, "x").is_ok(), "{good}");
        }
        for bad in ["", ".", "..", "../../tmp/x", "a/b", "/dev/mem", "udmabuf0/"] {
            let err = super::one_component(bad, "dma-heap")
                .unwrap_err()
                .to_string();
            assert!(err.contains("one file name"), "{bad}: {err}");
        }
    }
}
