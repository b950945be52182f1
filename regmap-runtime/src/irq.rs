//! [`InterruptLine`]: one interrupt, whatever delivers it: a UIO device
//! ([`Uio`]), a VFIO eventfd ([`VfioIrq`](crate::vfio::VfioIrq)), a model's
//! output in tests (the AXI DMA model's `ModelIrq`, a
//! [`ModelBus`](crate::ModelBus)'s [`ModelLine`](crate::model::ModelLine)). Drivers of any block take `impl InterruptLine` and run unchanged
//! on a board, a PCIe card and a model.

use crate::error::DeviceError;
use crate::uio::Uio;
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::Arc;
use std::time::Duration;

/// One interrupt output, delivered UIO-style: it fires, stays masked until
/// re-enabled, and can be waited on with a timeout.
pub trait InterruptLine: Send + Sync {
    /// Unmasks the interrupt (UIO: writes 1). Called before each wait, after
    /// the device has been acknowledged.
    fn enable(&self) -> Result<(), DeviceError>;
    /// Waits up to `timeout`: `Ok(true)` if the interrupt fired, `Ok(false)` on timeout.
    fn wait(&self, timeout: Duration) -> Result<bool, DeviceError>;
    /// A descriptor that becomes readable when the interrupt fires, for
    /// event loops and async waits; `None` (the default) for lines that must
    /// be polled, such as models, which advance when waited on.
    fn fd(&self) -> Option<BorrowedFd<'_>> {
        None
    }
}

/// How often an async wait on a line without a descriptor looks again.
#[cfg(feature = "async")]
const ASYNC_TICK: Duration = Duration::from_millis(1);

/// Calls `attempt` until it yields a value or `timeout` passes (`Ok(None)`),
/// sleeping between attempts on `fd`'s readiness (tokio's reactor) or, without
/// one, on a short timer. `attempt` runs at least once and once more at the
/// deadline, so an interrupt that arrived just in time is not lost.
#[cfg(feature = "async")]
pub(crate) async fn ready_loop<R>(
    fd: Option<BorrowedFd<'_>>,
    timeout: Duration,
    label: &dyn Fn() -> String,
    mut attempt: impl FnMut() -> Result<Option<R>, DeviceError>,
) -> Result<Option<R>, DeviceError> {
    use std::os::fd::{AsRawFd, RawFd};
    use tokio::io::{Interest, unix::AsyncFd};
    use tokio::time::Instant;

    /// The borrowed descriptor, registered with the reactor for the wait only.
    struct Raw<'a>(BorrowedFd<'a>);
    impl AsRawFd for Raw<'_> {
        fn as_raw_fd(&self) -> RawFd {
            self.0.as_raw_fd()
        }
    }
    let io_error = |e: std::io::Error| DeviceError::Io {
        op: "wait asynchronously for",
        path: label().into(),
        source: e,
    };
    // A descriptor the reactor refuses (already registered by a concurrent
    // wait on the same line) falls back to the timer.
    let reg = match fd {
        // SAFETY: `fd` is borrowed for this whole function, and the
        // registration is dropped (or forgotten with the future) before the
        // function returns, so the descriptor stays open and the same file
        // while registered; `Raw` always returns that descriptor.
        Some(fd) => unsafe { AsyncFd::register_with_interest(Raw(fd), Interest::READABLE) }.ok(),
        None => None,
    };
    let deadline = Instant::now().checked_add(timeout);
    loop {
        if let Some(r) = attempt()? {
            return Ok(Some(r));
        }
        let left = match deadline {
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Ok(None);
                }
                Some(left)
            }
            None => None,
        };
        match &reg {
            Some(reg) => {
                let ready = async {
                    let mut guard = reg.readable().await.map_err(io_error)?;
                    // Cleared before the next attempt looks: an interrupt
                    // arriving after this sets readiness again.
                    guard.clear_ready();
                    Ok::<(), DeviceError>(())
                };
                match left {
                    Some(left) => {
                        if let Ok(r) = tokio::time::timeout(left, ready).await {
                            r?;
                        }
                    }
                    None => ready.await?,
                }
            }
            None => tokio::time::sleep(left.map_or(ASYNC_TICK, |l| l.min(ASYNC_TICK))).await,
        }
    }
}

/// [`InterruptLine::wait`] as a future, for any line: on the line's
/// descriptor through tokio's reactor where it has one, else polling it on a
/// short timer (a model advances each time). `Ok(false)` on timeout. Dropping
/// the future loses nothing: an interrupt not yet taken stays pending.
#[cfg(feature = "async")]
pub async fn wait_async<I: InterruptLine + ?Sized>(
    line: &I,
    timeout: Duration,
) -> Result<bool, DeviceError> {
    let label = || "an interrupt line".to_string();
    let got = ready_loop(line.fd(), timeout, &label, || {
        Ok(line.wait(Duration::ZERO)?.then_some(()))
    })
    .await?;
    Ok(got.is_some())
}

impl InterruptLine for Uio {
    fn enable(&self) -> Result<(), DeviceError> {
        self.enable_irq()
    }
    fn fd(&self) -> Option<BorrowedFd<'_>> {
        Some(self.as_fd())
    }
    fn wait(&self, timeout: Duration) -> Result<bool, DeviceError> {
        match self.wait_irq(timeout) {
            Ok(_) => Ok(true),
            Err(DeviceError::IrqTimeout { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// VFIO: `enable` unmasks INTx (nothing to do for MSI/MSI-X).
impl InterruptLine for crate::vfio::VfioIrq {
    fn enable(&self) -> Result<(), DeviceError> {
        self.unmask()
    }
    fn fd(&self) -> Option<BorrowedFd<'_>> {
        Some(self.as_fd())
    }
    fn wait(&self, timeout: Duration) -> Result<bool, DeviceError> {
        match crate::vfio::VfioIrq::wait(self, timeout) {
            Ok(_) => Ok(true),
            Err(DeviceError::IrqTimeout { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

impl<I: InterruptLine + ?Sized> InterruptLine for &I {
    fn enable(&self) -> Result<(), DeviceError> {
        (**self).enable()
    }
    fn wait(&self, timeout: Duration) -> Result<bool, DeviceError> {
        (**self).wait(timeout)
    }
    fn fd(&self) -> Option<BorrowedFd<'_>> {
        (**self).fd()
    }
}

impl<I: InterruptLine + ?Sized> InterruptLine for Arc<I> {
    fn enable(&self) -> Result<(), DeviceError> {
        (**self).enable()
    }
    fn wait(&self, timeout: Duration) -> Result<bool, DeviceError> {
        (**self).wait(timeout)
    }
    fn fd(&self) -> Option<BorrowedFd<'_>> {
        (**self).fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sysroot::SysRoot;
    use std::io::Write;

    #[test]
    fn a_uio_device_is_an_interrupt_line_that_times_out_with_false() {
        let dir = tempfile::tempdir().unwrap();
        let root = SysRoot::under(dir.path());
        let class = root.sys.join("class/uio/uio2");
        std::fs::create_dir_all(&class).unwrap();
        std::fs::create_dir_all(&root.dev).unwrap();
        std::fs::write(class.join("name"), "axi_dma_s2mm\n").unwrap();
        std::fs::write(class.join("version"), "0.01.0\n").unwrap();
        let dev_path = root.dev.join("uio2");
        let c = std::ffi::CString::new(dev_path.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let uio = Uio::open_by_name_in(&root, "axi_dma_s2mm").unwrap();
        let line: &dyn InterruptLine = &uio;
        assert!(!line.wait(Duration::from_millis(10)).unwrap());
        // The kernel side: the count an interrupt leaves in the device file.
        let mut kernel = std::fs::OpenOptions::new()
            .write(true)
            .open(&dev_path)
            .unwrap();
        kernel.write_all(&1u32.to_ne_bytes()).unwrap();
        assert!(line.wait(Duration::from_secs(5)).unwrap());
    }
}
