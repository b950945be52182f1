//! CPU data-cache maintenance for DMA buffers this process maps cached, done
//! from userspace. Every cache instruction the crate issues is in this module.
//!
//! A provider whose buffers are mapped cached and that has no kernel interface
//! doing the maintenance for it (a CMA dma-heap buffer nothing attached, huge
//! pages, a `/dev/mem` region) calls [`Maintenance::require`] before handing a
//! buffer out and [`clean_for_device`] / [`clean_invalidate_for_cpu`] in its
//! syncs. What that means per target:
//!
//! - **x86 / x86-64**: DMA snoops the caches; nothing to do beyond the
//!   ordering barriers in [`crate::barrier`].
//! - **arm64**: Linux lets EL0 clean and invalidate by virtual address
//!   (`SCTLR_EL1.UCI`): `dc cvac` (clean to the point of coherency) before the
//!   device reads, `dc civac` (clean and invalidate) before the CPU reads what
//!   the device wrote, one instruction per line of the smallest data-cache line
//!   size (`CTR_EL0.DminLine`), then `dsb sy` so the maintenance has completed
//!   before the doorbell write or the CPU's first read. Clean+invalidate rather
//!   than a plain invalidate on the way back: a line the range shares with a
//!   neighbour keeps the neighbour's dirty bytes, and EL0 may not `dc ivac`.
//! - **32-bit arm**: userspace can clean only to the point of unification, not
//!   to the point of coherency, and cannot reach an outer cache (the PL310 of a
//!   Zynq-7000); such buffers are refused with [`DmaError::NoCacheMaintenance`],
//!   which steers to u-dma-buf (its sysfs sync attributes make the kernel do
//!   the maintenance, or it maps uncached).
//! - **anything else**: no userspace maintenance is implemented; refused the
//!   same way rather than silently stale.

use super::error::DmaError;

/// What this target can do to keep a cached CPU mapping coherent with DMA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Maintenance {
    /// DMA snoops the caches: syncs are ordering barriers only.
    Coherent,
    /// Clean and invalidate by virtual address to the point of coherency.
    ByAddress,
    /// Userspace cannot do it: cached buffers must be refused.
    Unavailable {
        /// Why, for the error message.
        reason: &'static str,
    },
}

impl Maintenance {
    /// The maintenance an architecture (`std::env::consts::ARCH` spelling) allows.
    pub(crate) fn for_arch(arch: &str) -> Self {
        match arch {
            "x86" | "x86_64" => Maintenance::Coherent,
            "aarch64" => Maintenance::ByAddress,
            "arm" => Maintenance::Unavailable {
                reason: "ARMv7 userspace can clean caches only to the point of unification, not to the point of coherency a device sees, and cannot sync an outer cache such as the PL310 of a Zynq-7000",
            },
            _ => Maintenance::Unavailable {
                reason: "no userspace cache maintenance is implemented for this architecture, and its DMA is not known to be coherent",
            },
        }
    }

    /// The maintenance of the target this crate was built for.
    pub(crate) fn current() -> Self {
        Self::for_arch(std::env::consts::ARCH)
    }

    /// Fails with [`DmaError::NoCacheMaintenance`] where cached buffers of
    /// `provider` cannot be kept coherent.
    pub(crate) fn require(self, provider: &str) -> Result<(), DmaError> {
        match self {
            Maintenance::Coherent | Maintenance::ByAddress => Ok(()),
            Maintenance::Unavailable { reason } => Err(DmaError::NoCacheMaintenance {
                provider: provider.to_string(),
                arch: std::env::consts::ARCH,
                reason,
            }),
        }
    }
}

/// The smallest data-cache line in bytes, from a `CTR_EL0` value: `DminLine`
/// (bits 19:16) is log2 of the line size in 4-byte words.
#[cfg_attr(not(any(target_arch = "aarch64", test)), allow(dead_code))]
pub(crate) fn dminline_bytes(ctr_el0: u64) -> usize {
    4 << ((ctr_el0 >> 16) & 0xf)
}

/// The line-aligned addresses covering `addr..addr + len`, for lines of `line`
/// bytes (a power of two).
#[cfg_attr(not(any(target_arch = "aarch64", test)), allow(dead_code))]
pub(crate) fn lines(addr: usize, len: usize, line: usize) -> impl Iterator<Item = usize> {
    debug_assert!(line.is_power_of_two());
    let first = addr & !(line - 1);
    let end = addr.saturating_add(len);
    (first..end).step_by(line)
}

/// Makes CPU writes to `addr..addr + len` visible to a device (cache clean to
/// the point of coherency, then a full barrier). A no-op where DMA is coherent.
///
/// # Safety
/// `addr..addr + len` lies inside one live mapping of this process whose start
/// and end are page-aligned (the widened cache lines then stay inside it; a
/// maintenance instruction on an unmapped address faults).
#[inline]
pub(crate) unsafe fn clean_for_device(addr: usize, len: usize) {
    #[cfg(target_arch = "aarch64")]
    // SAFETY: forwarded contract.
    unsafe {
        arm64::maintain::<false>(addr, len)
    };
    #[cfg(not(target_arch = "aarch64"))]
    let _ = (addr, len);
}

/// Makes device writes to `addr..addr + len` visible to the CPU (clean and
/// invalidate to the point of coherency, then a full barrier). A no-op where
/// DMA is coherent.
///
/// # Safety
/// As for [`clean_for_device`].
#[inline]
pub(crate) unsafe fn clean_invalidate_for_cpu(addr: usize, len: usize) {
    #[cfg(target_arch = "aarch64")]
    // SAFETY: forwarded contract.
    unsafe {
        arm64::maintain::<true>(addr, len)
    };
    #[cfg(not(target_arch = "aarch64"))]
    let _ = (addr, len);
}

#[cfg(target_arch = "aarch64")]
mod arm64 {
    use core::arch::asm;

    fn dminline() -> usize {
        let ctr: u64;
        // SAFETY: reading CTR_EL0 is allowed at EL0 on Linux (SCTLR_EL1.UCT,
        // or trapped and emulated); it touches no memory.
        unsafe { asm!("mrs {}, ctr_el0", out(reg) ctr, options(nomem, nostack, preserves_flags)) };
        super::dminline_bytes(ctr)
    }

    /// # Safety
    /// As for `clean_for_device`: the lines covering the range are mapped.
    pub(super) unsafe fn maintain<const INVALIDATE: bool>(addr: usize, len: usize) {
        for line in super::lines(addr, len, dminline()) {
            if INVALIDATE {
                // SAFETY: the line is mapped (contract); clean+invalidate loses
                // no data: dirty bytes are written back first. Not `nomem`:
                // the compiler must not move memory accesses across it.
                unsafe { asm!("dc civac, {}", in(reg) line, options(nostack, preserves_flags)) };
            } else {
                // SAFETY: the line is mapped (contract); a clean only writes back.
                unsafe { asm!("dc cvac, {}", in(reg) line, options(nostack, preserves_flags)) };
            }
        }
        // SAFETY: a barrier; it waits for the maintenance above to complete.
        unsafe { asm!("dsb sy", options(nostack, preserves_flags)) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_architecture_gets_what_its_userspace_can_do() {
        assert_eq!(Maintenance::for_arch("x86_64"), Maintenance::Coherent);
        assert_eq!(Maintenance::for_arch("aarch64"), Maintenance::ByAddress);
        assert!(Maintenance::for_arch("aarch64").require("dma-heap").is_ok());
        let arm = Maintenance::for_arch("arm");
        let err = arm.require("dma-heap linux,cma").unwrap_err();
        let msg = err.to_string();
        assert!(
            matches!(err, DmaError::NoCacheMaintenance { ref provider, .. } if provider == "dma-heap linux,cma"),
            "{msg}"
        );
        assert!(msg.contains("point of coherency"), "{msg}");
        assert!(msg.contains("PL310"), "{msg}");
        assert!(msg.contains("Use u-dma-buf"), "{msg}");
        assert!(matches!(
            Maintenance::for_arch("riscv64"),
            Maintenance::Unavailable { .. }
        ));
    }

    #[test]
    fn line_size_comes_from_ctr_el0_dminline() {
        // Cortex-A53 / A72: CTR_EL0 = 0x8444_c004, DminLine = 4 -> 64 bytes.
        assert_eq!(dminline_bytes(0x8444_c004), 64);
        // DminLine = 5 -> 128 bytes.
        assert_eq!(dminline_bytes(0x0005_0000), 128);
    }

    #[test]
    fn lines_cover_the_range_from_its_first_line() {
        let l: Vec<usize> = lines(0x1010, 0x80, 64).collect();
        assert_eq!(l, [0x1000, 0x1040, 0x1080]);
        let l: Vec<usize> = lines(0x1000, 0x40, 64).collect();
        assert_eq!(l, [0x1000]);
        assert_eq!(lines(0x1000, 0, 64).count(), 0);
    }

    /// Runs only in a 32-bit ARM build (CI checks it; run it under qemu-arm).
    #[test]
    #[cfg(target_arch = "arm")]
    fn cached_providers_are_refused_on_32_bit_arm() {
        use crate::dma::{DevMemRegion, DmaAllocator, DmaHeap, Hugetlb};
        use crate::sysroot::SysRoot;
        use std::path::Path;
        let refused = |r: Result<crate::DmaBuffer, DmaError>| {
            matches!(r, Err(DmaError::NoCacheMaintenance { arch: "arm", .. }))
        };
        let dir = tempfile::tempdir().unwrap();
        let root = SysRoot::under(dir.path());
        std::fs::create_dir_all(root.dev.join("dma_heap")).unwrap();
        std::fs::write(root.dev.join("dma_heap/linux,cma"), "").unwrap();
        std::fs::write(root.dev.join("mem"), vec![0u8; 8192]).unwrap();
        // SAFETY: the tree is fake, and the heap is refused before it allocates.
        let heap = unsafe { DmaHeap::open_in(&root, Path::new("/proc"), "linux,cma") }.unwrap();
        // Refused before any ioctl: the node here is no heap at all.
        assert!(refused(heap.allocate(4096)));
        // SAFETY: the allocation is refused; no buffer exists.
        assert!(refused(unsafe { Hugetlb::new() }.allocate_region(4096)));
        // SAFETY: this test's own file stands in for /dev/mem.
        assert!(refused(unsafe { DevMemRegion::map_in(&root, 0, 4096) }));
    }

    #[test]
    fn maintenance_runs_over_a_live_mapping() {
        // On arm64 this executes the dc instructions; elsewhere it must be a no-op.
        let mut page = vec![0u8; 8192];
        page[100] = 7;
        let addr = page.as_ptr() as usize;
        let start = addr.next_multiple_of(4096);
        // SAFETY: one page inside this vector's allocation, page-aligned.
        unsafe {
            clean_for_device(start + 10, 200);
            clean_invalidate_for_cpu(start + 10, 200);
        }
        assert_eq!(page[100], 7);
    }
}
