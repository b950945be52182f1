//! Register windows one owner controls alone: what a driver of a DMA engine
//! needs before it can promise that the only transfers running are its own.
//!
//! A [`Bus`] can be shared freely (`&B`, a `Copy` [`WindowRef`](crate::WindowRef),
//! an `Arc`, a second map of the same device). That is fine for a timer, but
//! two drivers of one DMA channel would each believe they own it, and one
//! could restart the engine into a buffer the other already handed back.
//! [`ExclusiveBus`] marks the windows that cannot be shared that way.

use crate::bus::Bus;

/// A [`Bus`] whose registers nothing else can program while the value lives.
///
/// # Safety
/// While a value of the implementing type lives, every access that can start,
/// stop or retarget the device behind its registers goes through that value
/// (or borrows of it): no other value, in this process or another, maps or
/// writes those registers. Cloning or copying the value would break this, so
/// an implementing type is neither `Clone` nor `Copy`, and it hands out no
/// second owner of its registers.
#[diagnostic::on_unimplemented(
    message = "`{Self}` can be shared, so a driver over it would not own the registers alone",
    label = "not an exclusive register window",
    note = "use a window nothing else can reach: `Uio::into_exclusive_map`, the model's `port()`, or a `TraceBus` around one; `AxiDma::new_unchecked` (unsafe) takes any bus on the caller's word"
)]
pub unsafe trait ExclusiveBus: Bus {}

/// Any bus, vouched for as exclusive by whoever built it.
///
/// The safe ways to get one check what makes it exclusive, such as
/// [`Uio::into_exclusive_map`](crate::Uio::into_exclusive_map) (the device's
/// lock plus no other window of it alive);
/// [`new_unchecked`](Self::new_unchecked) takes the caller's word.
#[derive(Debug)]
pub struct Exclusive<B>(B);

impl<B: Bus> Exclusive<B> {
    /// Wraps `bus` as exclusive.
    ///
    /// # Safety
    /// The [`ExclusiveBus`] contract holds for `bus`: nothing but this value
    /// accesses its registers (no copy, clone or second map of them exists or
    /// will be made while it lives).
    pub unsafe fn new_unchecked(bus: B) -> Self {
        Self(bus)
    }

    /// Gives the bus back, and with it the exclusivity.
    pub fn into_inner(self) -> B {
        self.0
    }
}

// SAFETY: the contract of `new_unchecked`, the only constructor; the wrapper
// is not Clone and never lends out the inner bus.
unsafe impl<B: Bus> ExclusiveBus for Exclusive<B> {}

// SAFETY: every method forwards to the inner bus, whose own contract holds.
unsafe impl<B: Bus> Bus for Exclusive<B> {
    #[inline(always)]
    fn size(&self) -> usize {
        self.0.size()
    }
    #[inline(always)]
    fn base_alignment(&self) -> usize {
        self.0.base_alignment()
    }
    fn dma_space(&self) -> crate::dma::DmaSpace {
        self.0.dma_space()
    }
    #[inline(always)]
    unsafe fn read_u8_unchecked(&self, o: usize) -> u8 {
        // SAFETY: forwarded contract.
        unsafe { self.0.read_u8_unchecked(o) }
    }
    #[inline(always)]
    unsafe fn read_u16_unchecked(&self, o: usize) -> u16 {
        // SAFETY: forwarded contract.
        unsafe { self.0.read_u16_unchecked(o) }
    }
    #[inline(always)]
    unsafe fn read_u32_unchecked(&self, o: usize) -> u32 {
        // SAFETY: forwarded contract.
        unsafe { self.0.read_u32_unchecked(o) }
    }
    #[inline(always)]
    unsafe fn read_u64_unchecked(&self, o: usize) -> u64 {
        // SAFETY: forwarded contract.
        unsafe { self.0.read_u64_unchecked(o) }
    }
    #[inline(always)]
    unsafe fn write_u8_unchecked(&self, o: usize, v: u8) {
        // SAFETY: forwarded contract.
        unsafe { self.0.write_u8_unchecked(o, v) }
    }
    #[inline(always)]
    unsafe fn write_u16_unchecked(&self, o: usize, v: u16) {
        // SAFETY: forwarded contract.
        unsafe { self.0.write_u16_unchecked(o, v) }
    }
    #[inline(always)]
    unsafe fn write_u32_unchecked(&self, o: usize, v: u32) {
        // SAFETY: forwarded contract.
        unsafe { self.0.write_u32_unchecked(o, v) }
    }
    #[inline(always)]
    unsafe fn write_u64_unchecked(&self, o: usize, v: u64) {
        // SAFETY: forwarded contract.
        unsafe { self.0.write_u64_unchecked(o, v) }
    }
}

// SAFETY: a `TraceBus` owns its inner bus, is not Clone, and lends the inner
// bus out only through borrows of itself (`inner`), or gives it up whole
// (`into_inner`): exclusive if the inner bus is.
unsafe impl<B: ExclusiveBus> ExclusiveBus for crate::trace::TraceBus<B> {}
