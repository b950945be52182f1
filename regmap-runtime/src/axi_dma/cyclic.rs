//! Cyclic mode: the engine loops over a ring of one-period descriptors until
//! stopped.

use super::config::Channel;
use super::driver::AxiDma;
use super::error::AxiDmaError;
use super::registers::channel;
use super::ring::{Descriptor, DescriptorRing, volatile_copy};
use super::sg::{Layout, SgParts};
use super::status::DmaStatus;
use super::transfer::{Failed, Refused};
use crate::bus::Bus;
use crate::dma::{DmaBuffer, DmaTarget};
use core::fmt;
use std::time::Duration;

impl<B: Bus, T: DmaTarget> fmt::Debug for CyclicTransfer<'_, B, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CyclicTransfer")
            .field("channel", &self.channel)
            .field("period", &self.period)
            .finish_non_exhaustive()
    }
}

/// A cyclic SG transfer: the engine loops over the ring until stopped.
#[must_use = "a cyclic transfer runs until stopped; stop() gives the buffers back"]
pub struct CyclicTransfer<'d, B: Bus, T: DmaTarget> {
    dma: &'d AxiDma<B>,
    channel: Channel,
    parts: Option<SgParts<T>>,
    period: u64,
    /// Descriptors (periods) in the loop.
    periods: usize,
    /// The period [`CyclicTransfer::next_period`] reports next.
    next: usize,
}

impl<B: Bus> AxiDma<B> {
    /// Runs `channel` in cyclic mode over `data` split into periods of `period`
    /// bytes, one descriptor each (MM2S sends each period as a packet). The
    /// engine loops until [`CyclicTransfer::stop`].
    pub fn start_cyclic<T: DmaTarget>(
        &self,
        channel: Channel,
        ring: DescriptorRing,
        data: T,
        period: usize,
    ) -> Result<CyclicTransfer<'_, B, T>, Refused<(DescriptorRing, T)>> {
        let len = data.len();
        if period == 0 || !len.is_multiple_of(period) {
            return Err(Refused {
                error: AxiDmaError::Ring(format!(
                    "cyclic mode needs the buffer ({len} bytes) to be a whole number of periods; a period of {period} bytes does not divide it"
                )),
                buffer: (ring, data),
            });
        }
        let mut parts = SgParts { ring, data };
        let prepared = self.sg_prepare(channel, &mut parts, Layout::Cyclic(period));
        match prepared {
            Ok(used) => Ok(CyclicTransfer {
                dma: self,
                channel,
                parts: Some(parts),
                period: period as u64,
                periods: used,
                next: 0,
            }),
            Err(error) => Err(Refused {
                error,
                buffer: (parts.ring, parts.data),
            }),
        }
    }
}

impl<B: Bus, T: DmaTarget> CyclicTransfer<'_, B, T> {
    /// The channel.
    pub fn channel(&self) -> Channel {
        self.channel
    }

    /// Bytes per period.
    pub fn period(&self) -> u64 {
        self.period
    }

    /// Waits up to `timeout` for at least one more period to complete (IOC),
    /// and acknowledges it.
    pub fn wait_period(&mut self, timeout: Duration) -> Result<(), AxiDmaError> {
        self.dma.sg_wait(
            self.channel,
            timeout,
            |status| Ok(status.bits() & 1 << 12 != 0),
            self.period,
        )
    }

    /// Waits up to `timeout` until the engine has moved past the next period
    /// in ring order, and returns that period's index (0, 1, ... wrapping).
    ///
    /// Progress is read from CURDESC, so no descriptor is rewritten while the
    /// engine runs. Call it at least once per period: an engine that laps the
    /// whole ring between two calls looks like one that has not moved.
    pub fn next_period(&mut self, timeout: Duration) -> Result<usize, AxiDmaError> {
        // The test borrows the transfer; it is gone before `next` moves on.
        let next = {
            let (channel, next, moved) = self.progress()?;
            self.dma
                .sg_wait(channel, timeout, |_| Ok(moved()), self.period)?;
            next
        };
        self.next = (next + 1) % self.periods;
        Ok(next)
    }

    /// The channel, the period reported next, and a test of whether the
    /// engine has moved past it (CURDESC no longer points at it).
    fn progress(&self) -> Result<(Channel, usize, impl Fn() -> bool + use<'_, B, T>), AxiDmaError> {
        let channel = self.channel;
        let Some(parts) = self.parts.as_ref() else {
            return Err(AxiDmaError::HaltedEarly {
                channel,
                status: self.dma.status(channel)?,
            });
        };
        let first = parts.ring.phys_of(0);
        let has_msb = self.dma.config().has_msb();
        let next = self.next;
        let dma = self.dma;
        let moved = move || {
            let c = dma.chan(channel);
            let lo = u64::from(c.curdesc().read().bits() & !0x3f);
            let hi = if has_msb {
                u64::from(c.curdesc_msb().read().bits())
            } else {
                0
            };
            let current = (hi << 32 | lo).wrapping_sub(first) / Descriptor::ALIGN as u64;
            current != next as u64
        };
        Ok((channel, next, moved))
    }

    /// Stops the engine (RS = 0 with the cyclic bit cleared, a soft reset if
    /// that is not enough) and gives back the ring and the data.
    pub fn stop(mut self) -> Result<(DescriptorRing, T), Failed<(DescriptorRing, T)>> {
        let c = self.dma.chan(self.channel);
        // The buffers stay in the handle while the registers are touched: if
        // that unwinds, `drop` leaks them.
        c.dmacr().modify(|w| {
            w.set(channel::Dmacr::CYCLIC_BD_ENABLE, false)
                .set(channel::Dmacr::RS, false)
        });
        let parts = self
            .parts
            .take()
            .expect("a cyclic transfer holds its buffers until stop or drop");
        let Some((mut ring, mut data)) = self.dma.reclaim(self.channel, (parts.ring, parts.data))
        else {
            return Err(Failed {
                error: AxiDmaError::BufferLeaked {
                    channel: self.channel,
                    cause: Box::new(AxiDmaError::RunStopTimeout {
                        channel: self.channel,
                        starting: false,
                        waited: self.dma.abort_timeout(),
                        status: DmaStatus::from_bits(c.dmasr().read().bits()),
                    }),
                },
                buffer: None,
            });
        };
        let synced = ring.sync_for_cpu().and_then(|()| Ok(data.sync_for_cpu()?));
        match synced {
            Ok(()) => Ok((ring, data)),
            Err(error) => Err(Failed {
                error,
                buffer: Some((ring, data)),
            }),
        }
    }
}

impl<B: Bus> CyclicTransfer<'_, B, DmaBuffer> {
    /// Copies period `index` as the device wrote it, synced for the CPU, into
    /// the start of `out`, and returns the bytes copied (one period). For an
    /// S2MM loop, copy a period after [`next_period`](Self::next_period)
    /// returned it and before the engine comes round to it again.
    ///
    /// A copy, not a view: the engine keeps writing the loop's memory, so no
    /// `&[u8]` may point into it while the transfer runs.
    pub fn copy_period(&mut self, index: usize, out: &mut [u8]) -> Result<usize, AxiDmaError> {
        let period = self.period as usize;
        let periods = self.periods;
        let Some(parts) = self.parts.as_mut() else {
            return Err(AxiDmaError::Ring("the cyclic transfer has ended".into()));
        };
        if index >= periods {
            return Err(AxiDmaError::Ring(format!(
                "period {index} does not exist: the loop has {periods}"
            )));
        }
        let Some(out) = out.get_mut(..period) else {
            return Err(AxiDmaError::Ring(format!(
                "a period is {period} bytes; the destination holds {}",
                out.len()
            )));
        };
        let start = index * period;
        parts.data.sync_for_cpu(start..start + period)?;
        volatile_copy(&parts.data, start, out);
        Ok(period)
    }

    /// [`copy_period`](Self::copy_period) into a new `Vec`.
    pub fn period_to_vec(&mut self, index: usize) -> Result<Vec<u8>, AxiDmaError> {
        let mut out = vec![0; self.period as usize];
        self.copy_period(index, &mut out)?;
        Ok(out)
    }
}

#[cfg(feature = "async")]
impl<B: Bus, T: DmaTarget> CyclicTransfer<'_, B, T> {
    /// [`wait_period`](Self::wait_period) as a future, for tokio: the
    /// interrupt descriptor on the reactor (or a short timer), DMASR's error
    /// bits checked on every wake, `timeout` kept. Dropping the future
    /// changes nothing: the engine keeps looping over buffers the transfer
    /// still owns, and a completion not yet seen is seen by the next wait.
    pub async fn wait_period_async(&mut self, timeout: Duration) -> Result<(), AxiDmaError> {
        self.dma
            .sg_wait_async(
                self.channel,
                timeout,
                |status| Ok(status.bits() & 1 << 12 != 0),
                self.period,
            )
            .await
    }

    /// [`next_period`](Self::next_period) as a future, with the waits of
    /// [`wait_period_async`](Self::wait_period_async). Dropped before it
    /// finishes, it reports nothing and the same period is reported next.
    pub async fn next_period_async(&mut self, timeout: Duration) -> Result<usize, AxiDmaError> {
        let next = {
            let (channel, next, moved) = self.progress()?;
            self.dma
                .sg_wait_async(channel, timeout, |_| Ok(moved()), self.period)
                .await?;
            next
        };
        self.next = (next + 1) % self.periods;
        Ok(next)
    }
}

impl<B: Bus, T: DmaTarget> Drop for CyclicTransfer<'_, B, T> {
    fn drop(&mut self) {
        if let Some(parts) = self.parts.take() {
            if std::thread::panicking() {
                // Unwinding: the engine still loops over these buffers. Leak
                // them; the channel stays busy until `reset()`.
                std::mem::forget(parts);
                return;
            }
            self.dma.chan(self.channel).dmacr().modify(|w| {
                w.set(channel::Dmacr::CYCLIC_BD_ENABLE, false)
                    .set(channel::Dmacr::RS, false)
            });
            drop(self.dma.reclaim(self.channel, (parts.ring, parts.data)));
        }
    }
}
