//! Ordering between ordinary memory and device accesses, for devices that read
//! memory the CPU wrote (DMA descriptors, buffers) or write memory the CPU reads.
//!
//! Volatile register accesses are never reordered with each other by the
//! compiler, but ordinary loads and stores of a DMA buffer may be, and a weakly
//! ordered CPU may make them visible to the device late. Two fences fix that:
//!
//! - [`release_to_device`] **before** the register write that tells the device
//!   to go (a doorbell, a tail pointer, a start bit): every store to the buffer
//!   or descriptors before it is visible to the device first.
//! - [`acquire_from_device`] **after** the register read that says the device is
//!   done (a status or completion bit): no read of the buffer after it returns
//!   data older than that status.
//!
//! ```text
//! fill(buffer); release_to_device(); regs.doorbell().write(..);
//! while !regs.status().read().done() {} acquire_from_device(); use(buffer);
//! ```
//!
//! What they compile to, next to what Linux uses around `writel` / `readl`:
//! - x86 / x86-64: nothing but a compiler barrier. The CPU keeps stores in
//!   order and uncached (UC) register accesses are serialising with respect to
//!   ordinary memory; DMA is cache-coherent.
//! - arm64: release `dmb osh` (all earlier loads and stores, outer shareable
//!   domain, which is where devices live), acquire `dmb oshld` (earlier loads
//!   before later loads and stores). Linux's `writel` uses `dmb oshst`
//!   (`__iowmb`); the release here also orders earlier *loads*, so a buffer the
//!   CPU has just read is read before a doorbell lets the device overwrite it.
//!   Linux's `readl` uses `dmb oshld` (`__iormb`), as here. A plain
//!   `fence(Release)` would emit `dmb ish`, which does not reach devices
//!   outside the inner shareable domain.
//! - 32-bit arm (ARMv7: Zynq-7000): release `dsb st`, Linux's `wmb()` that its
//!   `writel` issues: stores to normal memory (even uncached, bufferable
//!   memory) complete before the doorbell store is issued. Acquire `dmb osh`,
//!   Linux's `dma_rmb()`: the status read is ordered before every later access
//!   in the outer shareable domain. Linux's `wmb()` also calls `outer_sync()`
//!   to drain the PL310 outer cache's write buffer; that is a register of the
//!   L2 controller, which userspace cannot reach. On a Zynq-7000 either map
//!   DMA memory uncached (u-dma-buf `map_uncached`, whose `O_SYNC` mapping is
//!   strongly ordered or device memory), or cached through u-dma-buf, whose
//!   sync attributes make the kernel do the maintenance, outer cache included.
//!   Cached buffers userspace would have to maintain itself (dma-heap,
//!   hugetlb, a `/dev/mem` region) are refused there.
//! - elsewhere: a sequentially consistent fence.
//!
//! Neither replaces cache maintenance on non-coherent DMA: that is the DMA
//! buffer's `sync_for_device` / `sync_for_cpu`.

/// Makes every earlier memory access visible to devices before any later
/// device access. Call it just before the doorbell write.
#[inline(always)]
pub fn release_to_device() {
    #[cfg(target_arch = "aarch64")]
    // SAFETY: a barrier instruction; it reads and writes no memory of ours.
    // Without `nomem`, the asm block is also a compiler barrier.
    unsafe {
        core::arch::asm!("dmb osh", options(nostack, preserves_flags))
    };
    #[cfg(target_arch = "arm")]
    // SAFETY: as above.
    unsafe {
        core::arch::asm!("dsb st", options(nostack, preserves_flags))
    };
    #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
    core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
    #[cfg(not(any(
        target_arch = "aarch64",
        target_arch = "arm",
        target_arch = "x86_64",
        target_arch = "x86"
    )))]
    core::sync::atomic::fence(core::sync::atomic::Ordering::SeqCst);
}

/// Keeps every later memory access after the earlier device read. Call it just
/// after reading the status that says the device finished writing memory.
#[inline(always)]
pub fn acquire_from_device() {
    #[cfg(target_arch = "aarch64")]
    // SAFETY: a barrier instruction; it reads and writes no memory of ours.
    unsafe {
        core::arch::asm!("dmb oshld", options(nostack, preserves_flags))
    };
    #[cfg(target_arch = "arm")]
    // SAFETY: as above.
    unsafe {
        core::arch::asm!("dmb osh", options(nostack, preserves_flags))
    };
    #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
    core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
    #[cfg(not(any(
        target_arch = "aarch64",
        target_arch = "arm",
        target_arch = "x86_64",
        target_arch = "x86"
    )))]
    core::sync::atomic::fence(core::sync::atomic::Ordering::SeqCst);
}
