//! [`DmaSpace`]: which address space a bus address belongs to.
//!
//! A buffer's address means something only to the devices that master the
//! same space: a physical address to a device behind UIO, `/dev/mem` or a PCI
//! BAR; an I/O virtual address to a device in the one VFIO container that
//! mapped it; a simulated address to the model that masters that simulated
//! memory. Given to a device of another space, the same number is some other
//! memory, so drivers refuse a buffer whose space is not their device's.

use std::sync::atomic::{AtomicU64, Ordering};

/// The address space of a DMA buffer's bus address, or of the memory a
/// device masters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DmaSpace {
    /// The machine's physical addresses (u-dma-buf, dma-heap, hugetlb,
    /// `/dev/mem` regions; devices reached through UIO, `/dev/mem` or a PCI
    /// BAR's `resourceN`).
    Physical,
    /// The I/O virtual addresses of one VFIO container (its number in this
    /// process).
    Iommu(u64),
    /// The addresses of one simulated memory (a `SimMemory` or another
    /// memory a device model masters), by its number in this process.
    Simulated(u64),
    /// A space no buffer of this process belongs to: a PCI function behind a
    /// translating IOMMU domain the kernel or another VFIO user manages, or
    /// a device model that masters no memory. Drivers over it refuse every
    /// buffer.
    Unreachable,
}

impl DmaSpace {
    /// A space no other value in this process has: for a new VFIO container
    /// or simulated memory.
    pub(crate) fn unique(make: fn(u64) -> DmaSpace) -> DmaSpace {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        make(NEXT.fetch_add(1, Ordering::Relaxed))
    }

    /// A fresh simulated space, for a memory of your own that a device model
    /// masters ([`PhysMemory`](crate::axi_dma::model::PhysMemory)).
    pub fn new_simulated() -> DmaSpace {
        DmaSpace::unique(DmaSpace::Simulated)
    }
}

impl core::fmt::Display for DmaSpace {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            DmaSpace::Physical => f.write_str("physical memory"),
            DmaSpace::Iommu(n) => write!(f, "the I/O addresses of VFIO container #{n}"),
            DmaSpace::Simulated(n) => write!(f, "simulated memory #{n}"),
            DmaSpace::Unreachable => f.write_str("an address space no buffer here belongs to"),
        }
    }
}
