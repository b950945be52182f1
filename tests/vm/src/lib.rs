//! Tests that run inside a QEMU guest, against QEMU's `edu` PCI device bound to
//! `uio_pci_generic` in a real Linux kernel. `cargo xtask vm-test` builds them,
//! boots the guest and runs them there with `--include-ignored`, one test thread
//! at a time (a UIO device's interrupt count is shared by every opener).
//!
//! On the host every such test is `#[ignore]`d with the reason "needs the QEMU
//! edu device: run `cargo xtask vm-test`", so a plain `cargo test` lists them as
//! ignored instead of pretending they passed. This library holds what the tests
//! share: the device's identity and register offsets, and opening it.

use regmap_runtime::{Bus, DeviceError, PciDevice, Uio};
use std::time::{Duration, Instant};

/// QEMU's PCI vendor ID.
pub const EDU_VENDOR: u16 = 0x1234;
/// The edu device's PCI device ID.
pub const EDU_DEVICE: u16 = 0x11e8;
/// Red Hat's (virtio) PCI vendor ID, which QEMU's ivshmem uses.
pub const IVSHMEM_VENDOR: u16 = 0x1af4;
/// The ivshmem device's PCI device ID. The guest has one `ivshmem-plain` with 1 MiB
/// of shared memory behind a 64-bit prefetchable BAR2, which `uio_pci_generic`
/// does not map.
pub const IVSHMEM_DEVICE: u16 = 0x1110;
/// Number of UIO devices in the guest: edu and ivshmem.
pub const UIO_DEVICES: usize = 2;
/// The name `uio_pci_generic` gives every device it binds.
pub const UIO_NAME: &str = "uio_pci_generic";
/// Size of edu's BAR0.
pub const EDU_BAR_SIZE: usize = 1 << 20;

/// Register offsets in BAR0 (QEMU's docs/specs/edu.rst); the typed map is in
/// the edu example crate, these are for tests of the raw bus.
pub mod reg {
    /// Identification, `0x010000ed` on QEMU.
    pub const ID: usize = 0x00;
    /// Reads back the inverse of what was written.
    pub const LIVENESS: usize = 0x04;
    /// Interrupt status.
    pub const IRQ_STATUS: usize = 0x24;
    /// Interrupt raise (ORed into the status).
    pub const IRQ_RAISE: usize = 0x60;
    /// Interrupt acknowledge (cleared from the status).
    pub const IRQ_ACK: usize = 0x64;
    /// DMA source address (64-bit).
    pub const DMA_SOURCE: usize = 0x80;
}

/// Opens the edu device's UIO node by PCI ID, with a message that says what is
/// wrong when it is not there (outside the guest, or the bind failed).
pub fn open_edu() -> Uio {
    match Uio::open_pci(EDU_VENDOR, EDU_DEVICE) {
        Ok(u) => u,
        Err(e) => {
            panic!("cannot open the edu device ({e}); these tests run inside `cargo xtask vm-test`")
        }
    }
}

/// The edu PCI function behind the UIO device (the guest has a second edu,
/// bound to vfio-pci).
pub fn edu_pci() -> PciDevice {
    open_edu().pci().expect("the UIO edu is a PCI function")
}

/// Where the guest's kernel command line reserves RAM for `/dev/mem` DMA buffers
/// (`memmap=4M$0x8000000`): invisible to the kernel's allocator, below edu's
/// 28-bit DMA mask.
pub const MEMMAP_BASE: u64 = 0x0800_0000;
/// Size of the reserved region.
pub const MEMMAP_SIZE: usize = 4 << 20;

/// Clears every pending interrupt at the device and unmasks INTx, so a test
/// starts from a quiet line whatever the previous one left.
pub fn quiesce(uio: &Uio, regs: &impl Bus) -> Result<(), DeviceError> {
    regs.write_u32(reg::IRQ_ACK, u32::MAX)
        .expect("in the window");
    uio.enable_irq()
}

/// Polls `done` until it holds or `timeout` passes; true if it held.
pub fn eventually(timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + timeout;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Opens the edu device bound to `vfio-pci` (the guest's second edu, behind the
/// emulated Intel IOMMU).
pub fn open_edu_vfio() -> regmap_runtime::Vfio {
    match regmap_runtime::Vfio::open_pci(EDU_VENDOR, EDU_DEVICE) {
        Ok(v) => v,
        Err(e) => panic!(
            "cannot open the edu device through VFIO ({e}); these tests run inside `cargo xtask vm-test`"
        ),
    }
}

/// The huge-page allocator, on the test VM: it has no memory hot-plug and
/// makes no contiguous (CMA) allocations, so no huge page moves under a
/// buffer.
pub fn hugetlb() -> regmap_runtime::dma::Hugetlb {
    // SAFETY: the guest runs these tests alone, with no memory hot-plug and
    // no contiguous allocation that could migrate a huge page.
    unsafe { regmap_runtime::dma::Hugetlb::new() }
}
