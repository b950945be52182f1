//! Transfers that own their buffer until the engine is done with it.

use super::config::Channel;
use super::driver::AxiDma;
use super::error::AxiDmaError;
use super::status::DmaStatus;
use crate::bus::Bus;
use crate::dma::DmaTarget;
use core::fmt;
use std::time::Duration;

/// A transfer was refused before the engine was touched; the buffer comes back.
pub struct Refused<T> {
    /// Why.
    pub error: AxiDmaError,
    /// The buffer, untouched by the device.
    pub buffer: T,
}

/// A transfer failed; the buffer comes back if the engine could be stopped.
pub struct Failed<T> {
    /// Why.
    pub error: AxiDmaError,
    /// The buffer, or `None` if the engine could not be stopped and the buffer
    /// was leaked so the device can never write freed memory.
    pub buffer: Option<T>,
}

/// A transfer completed; the buffer comes back with what moved.
#[derive(Debug)]
pub struct Completed<T> {
    /// The buffer, synced for the CPU.
    pub buffer: T,
    /// Bytes moved: the length asked for (MM2S), the bytes received up to
    /// TLAST (S2MM), which may be fewer than the buffer holds.
    pub bytes: u64,
}

macro_rules! error_wrapper {
    ($name:ident) => {
        impl<T> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("error", &self.error)
                    .finish_non_exhaustive()
            }
        }
        impl<T> fmt::Display for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.error, f)
            }
        }
        impl<T> std::error::Error for $name<T> {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                std::error::Error::source(&self.error)
            }
        }
        impl<T> From<$name<T>> for AxiDmaError {
            fn from(e: $name<T>) -> Self {
                e.error
            }
        }
    };
}
/// A driver refused its register window; the window comes back.
pub struct NotBound<B> {
    /// Why.
    pub error: AxiDmaError,
    /// The bus the driver was given.
    pub bus: B,
}

error_wrapper!(Refused);
error_wrapper!(NotBound);
error_wrapper!(Failed);

/// A direct-mode transfer in flight. It owns the buffer; [`Transfer::wait`]
/// gives it back.
///
/// Dropping the handle without waiting stops the engine (RS = 0, then a soft
/// reset if that is not enough) before the buffer is freed; if the engine
/// cannot be stopped the buffer is leaked instead. A panic while the handle
/// holds the buffer (in [`wait`](Self::wait) or anywhere else) leaks the
/// buffer and leaves the channel busy. Leaking the handle
/// (`mem::forget`) leaks the buffer and leaves the channel busy, so the next
/// transfer on it is refused instead of racing the engine; `reset()` frees the
/// channel again.
#[must_use = "a transfer must be waited for to get its buffer back"]
pub struct Transfer<'d, B: Bus, T: DmaTarget> {
    pub(super) dma: &'d AxiDma<B>,
    pub(super) channel: Channel,
    pub(super) buffer: Option<T>,
    pub(super) requested: u64,
}

impl<B: Bus, T: DmaTarget> fmt::Debug for Transfer<'_, B, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transfer")
            .field("channel", &self.channel)
            .field("requested", &self.requested)
            .finish_non_exhaustive()
    }
}

impl<B: Bus, T: DmaTarget> Transfer<'_, B, T> {
    /// The channel the transfer runs on.
    pub fn channel(&self) -> Channel {
        self.channel
    }

    /// Bytes asked for.
    pub fn requested(&self) -> u64 {
        self.requested
    }

    /// Whether the engine is done (completed or failed), without waiting.
    pub fn is_done(&self) -> Result<bool, AxiDmaError> {
        let s = self.dma.status(self.channel)?;
        Ok(s.has_errors() || s.idle() || s.halted())
    }

    /// Waits up to `timeout` for the transfer: on the channel's interrupt if
    /// one was attached ([`AxiDma::with_interrupt`]), else by polling DMASR.
    ///
    /// On an error or a timeout the channel is stopped before the buffer comes
    /// back in [`Failed`]; a timeout error carries DMACR, DMASR, LENGTH and the
    /// likely causes.
    pub fn wait(mut self, timeout: Duration) -> Result<Completed<T>, Failed<T>> {
        // The buffer stays in the handle while the engine may write it: if the
        // wait unwinds, `drop` finds it there and leaks it.
        let waited = self.dma.wait_simple(self.channel, self.requested, timeout);
        let buffer = self
            .buffer
            .take()
            .expect("a transfer holds its buffer until wait or drop");
        match waited {
            Ok(bytes) => {
                self.dma.release(self.channel);
                self.dma.finish(self.channel, buffer, bytes)
            }
            Err(error) => Err(self.dma.recover_target(self.channel, error, buffer)),
        }
    }
}

#[cfg(feature = "async")]
impl<B: Bus, T: DmaTarget> Transfer<'_, B, T> {
    /// [`wait`](Self::wait) as a future, for tokio: the channel's interrupt
    /// descriptor is awaited on the reactor (else DMASR is polled on a short
    /// timer; a model's line advances the model), DMASR's error bits are
    /// checked on every wake, and `timeout` is kept as in the blocking wait.
    ///
    /// Cancellation: the future owns the transfer. Dropped before it
    /// finishes, it drops the transfer, which stops the engine before the
    /// buffer is freed, or leaks the buffer if the engine cannot be stopped,
    /// exactly as dropping an unwaited [`Transfer`] does.
    pub async fn wait_async(mut self, timeout: Duration) -> Result<Completed<T>, Failed<T>> {
        let waited = self
            .dma
            .wait_simple_async(self.channel, self.requested, timeout)
            .await;
        let buffer = self
            .buffer
            .take()
            .expect("a transfer holds its buffer until wait or drop");
        match waited {
            Ok(bytes) => {
                self.dma.release(self.channel);
                self.dma.finish(self.channel, buffer, bytes)
            }
            Err(error) => Err(self.dma.recover_target(self.channel, error, buffer)),
        }
    }
}

impl<B: Bus, T: DmaTarget> Drop for Transfer<'_, B, T> {
    fn drop(&mut self) {
        if let Some(buffer) = self.buffer.take() {
            if std::thread::panicking() {
                // Unwinding, maybe out of the bus itself: touching the engine
                // again could panic twice, and it may still write the buffer.
                // Leak it; the channel stays busy until `reset()`.
                std::mem::forget(buffer);
                return;
            }
            // Dropped without waiting: stop the engine before the buffer can be freed.
            let error = AxiDmaError::HaltedEarly {
                channel: self.channel,
                status: self
                    .dma
                    .status(self.channel)
                    .unwrap_or(DmaStatus::from_bits(0)),
            };
            drop(self.dma.recover(self.channel, error, buffer));
        }
    }
}
