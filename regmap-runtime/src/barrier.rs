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
//! What they compile to:
//! - x86-64: nothing but a compiler barrier. The CPU keeps stores in order and
//!   uncached (UC) register accesses are serialising with respect to ordinary
//!   memory; DMA is cache-coherent.
//! - arm64: `dmb osh` (release: all earlier loads and stores, outer shareable
//!   domain, which is where devices live) and `dmb oshld` (acquire: earlier loads
//!   before later loads and stores), the barriers Linux uses around `writel`
//!   and for `dma_rmb`. A plain `fence(Release)` would emit `dmb ish`, which does
//!   not reach devices outside the inner shareable domain.
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
    #[cfg(target_arch = "x86_64")]
    core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
    #[cfg(not(any(target_arch = "aarch64", target_arch = "x86_64")))]
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
    #[cfg(target_arch = "x86_64")]
    core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
    #[cfg(not(any(target_arch = "aarch64", target_arch = "x86_64")))]
    core::sync::atomic::fence(core::sync::atomic::Ordering::SeqCst);
}
