//! The model's interrupt outputs, with the wait-with-timeout shape of a UIO
//! interrupt: fire, wait, re-arm.

use super::Shared;
use crate::axi_dma::config::Channel;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One channel's interrupt output (`mm2s_introut` / `s2mm_introut`) as a UIO
/// device would deliver it: when the line is high and the interrupt enabled,
/// it fires once and disables itself until [`ModelIrq::rearm`]; a line still
/// high at re-arm fires again at once (a level-triggered interrupt).
///
/// Waiting advances the model, so a driver that only waits still sees its
/// transfers complete.
#[derive(Clone)]
pub struct ModelIrq {
    shared: Arc<Shared>,
    channel: Channel,
}

impl core::fmt::Debug for ModelIrq {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ModelIrq")
            .field("channel", &self.channel)
            .field("count", &self.count())
            .finish()
    }
}

impl ModelIrq {
    pub(super) fn new(shared: Arc<Shared>, channel: Channel) -> Self {
        Self { shared, channel }
    }

    /// Which channel's output this is.
    pub fn channel(&self) -> Channel {
        self.channel
    }

    /// Waits up to `timeout` for the interrupt to fire. Returns the total
    /// number of interrupts delivered so far (like the count a UIO `read`
    /// returns), or `None` on timeout.
    pub fn wait(&self, timeout: Duration) -> Option<u32> {
        let ch = self.channel.index();
        // A timeout too long for an `Instant` (`Duration::MAX`) means no deadline.
        let deadline = Instant::now().checked_add(timeout);
        let mut st = self.shared.lock();
        loop {
            if let Some(total) = st.take_irq(ch) {
                return Some(total);
            }
            st.step();
            if let Some(total) = st.take_irq(ch) {
                return Some(total);
            }
            let now = Instant::now();
            if deadline.is_some_and(|d| now >= d) {
                return None;
            }
            // Wake at least every millisecond: a stream fed from another
            // thread does not notify the model.
            let slice = deadline
                .map_or(Duration::MAX, |d| d - now)
                .min(Duration::from_millis(1));
            st = match self.shared.irq_cv.wait_timeout(st, slice) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    /// Re-enables the interrupt after it fired (UIO: writing 1 to the device).
    pub fn rearm(&self) {
        self.shared.lock().rearm(self.channel.index());
        self.shared.irq_cv.notify_all();
    }

    /// Interrupts delivered since the model was created.
    pub fn count(&self) -> u32 {
        self.shared.lock().irq_total(self.channel.index())
    }
}

impl crate::irq::InterruptLine for ModelIrq {
    fn enable(&self) -> Result<(), crate::error::DeviceError> {
        self.rearm();
        Ok(())
    }
    fn wait(&self, timeout: Duration) -> Result<bool, crate::error::DeviceError> {
        Ok(ModelIrq::wait(self, timeout).is_some())
    }
}
