//! [`VfioIrq`]: a device interrupt delivered on an eventfd.

use super::sys;
use crate::error::DeviceError;
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The kinds of interrupt vfio-pci offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VfioIrqKind {
    /// The legacy level-triggered line. vfio-pci masks it on every interrupt;
    /// [`VfioIrq::unmask`] re-enables it once the device is acknowledged.
    Intx,
    /// Message-signalled: edge-like, nothing to unmask.
    Msi,
    /// MSI-X: as MSI, with a table of vectors.
    Msix,
}

impl VfioIrqKind {
    fn index(self) -> u32 {
        match self {
            Self::Intx => 0,
            Self::Msi => 1,
            Self::Msix => 2,
        }
    }
}

impl std::fmt::Display for VfioIrqKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Intx => "INTx",
            Self::Msi => "MSI",
            Self::Msix => "MSI-X",
        })
    }
}

pub(super) fn info(
    device: &File,
    path: &std::path::Path,
    kind: VfioIrqKind,
) -> Result<sys::IrqInfo, DeviceError> {
    let mut info = sys::IrqInfo {
        argsz: sys::argsz::<sys::IrqInfo>(),
        index: kind.index(),
        ..Default::default()
    };
    // SAFETY: VFIO_DEVICE_GET_IRQ_INFO takes a `struct vfio_irq_info`.
    unsafe { sys::ioctl_ptr(device.as_fd(), sys::DEVICE_GET_IRQ_INFO, &mut info) }
        .map_err(|e| DeviceError::io("VFIO_DEVICE_GET_IRQ_INFO", path, e))?;
    Ok(info)
}

/// Vector 0 of one interrupt kind of a VFIO device, routed to an eventfd
/// ([`Vfio::irq`](super::Vfio::irq)). Dropping it turns the interrupt off.
#[derive(Debug)]
pub struct VfioIrq {
    device: Arc<File>,
    path: PathBuf,
    label: String,
    kind: VfioIrqKind,
    event: OwnedFd,
}

impl VfioIrq {
    pub(super) fn enable(
        device: Arc<File>,
        path: PathBuf,
        label: String,
        kind: VfioIrqKind,
    ) -> Result<Self, DeviceError> {
        let i = info(&device, &path, kind)?;
        if i.count == 0 || i.flags & sys::IRQ_INFO_EVENTFD == 0 {
            return Err(DeviceError::IrqControl {
                device: label,
                action: "enable",
                reason: format!("the function has no {kind} interrupt with eventfd signalling"),
            });
        }
        // SAFETY: eventfd allocates a new descriptor; no memory is passed.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if fd < 0 {
            return Err(DeviceError::io(
                "eventfd for",
                &path,
                io::Error::last_os_error(),
            ));
        }
        // SAFETY: a fresh descriptor nothing else owns.
        let event = unsafe { OwnedFd::from_raw_fd(fd) };
        let mut set = sys::IrqSetOne {
            argsz: sys::argsz::<sys::IrqSetOne>(),
            flags: sys::IRQ_SET_DATA_EVENTFD | sys::IRQ_SET_ACTION_TRIGGER,
            index: kind.index(),
            start: 0,
            count: 1,
            fd,
        };
        // SAFETY: VFIO_DEVICE_SET_IRQS takes a `struct vfio_irq_set` followed
        // by `count` (1) eventfds, which is `IrqSetOne`'s layout.
        unsafe { sys::ioctl_ptr(device.as_fd(), sys::DEVICE_SET_IRQS, &mut set) }
            .map_err(|e| DeviceError::io("VFIO_DEVICE_SET_IRQS", &path, e))?;
        log::debug!(target: "regmap::vfio", "{label}: {kind} vector 0 on eventfd {fd}");
        Ok(Self {
            device,
            path,
            label,
            kind,
            event,
        })
    }

    /// Which kind of interrupt this is.
    pub fn kind(&self) -> VfioIrqKind {
        self.kind
    }

    /// Re-enables INTx after an interrupt (vfio-pci masks it on each one);
    /// nothing to do for MSI and MSI-X. Acknowledge at the device first: the
    /// line is level-triggered and fires again while it is asserted.
    pub fn unmask(&self) -> Result<(), DeviceError> {
        if self.kind != VfioIrqKind::Intx {
            return Ok(());
        }
        let mut set = sys::IrqSetNone {
            argsz: sys::argsz::<sys::IrqSetNone>(),
            flags: sys::IRQ_SET_DATA_NONE | sys::IRQ_SET_ACTION_UNMASK,
            index: self.kind.index(),
            start: 0,
            count: 1,
        };
        // SAFETY: VFIO_DEVICE_SET_IRQS with DATA_NONE takes a bare `struct vfio_irq_set`.
        unsafe { sys::ioctl_ptr(self.device.as_fd(), sys::DEVICE_SET_IRQS, &mut set) }
            .map(drop)
            .map_err(|e| DeviceError::IrqControl {
                device: self.label.clone(),
                action: "enable",
                reason: e.to_string(),
            })
    }

    /// Takes the interrupts that arrived since the last call, without
    /// waiting: how many (0 if none).
    pub fn take(&self) -> Result<u64, DeviceError> {
        let mut buf = [0u8; 8];
        // SAFETY: reads at most 8 bytes into our 8-byte buffer from our own fd.
        let n = unsafe { libc::read(self.event.as_raw_fd(), buf.as_mut_ptr().cast(), 8) };
        if n == 8 {
            return Ok(u64::from_ne_bytes(buf));
        }
        let e = io::Error::last_os_error();
        if n < 0 && e.kind() == io::ErrorKind::WouldBlock {
            return Ok(0);
        }
        Err(DeviceError::io("read eventfd of", &self.path, e))
    }

    /// Waits up to `timeout` (`Duration::MAX`: no deadline) for an interrupt
    /// and returns how many arrived since the last wait (at least 1).
    /// [`DeviceError::IrqTimeout`] if none did.
    pub fn wait(&self, timeout: Duration) -> Result<u64, DeviceError> {
        let deadline = Instant::now().checked_add(timeout);
        loop {
            let n = self.take()?;
            if n > 0 {
                return Ok(n);
            }
            let ms = match deadline {
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(DeviceError::IrqTimeout {
                            device: self.label.clone(),
                            timeout,
                        });
                    }
                    left.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32
                }
                None => -1,
            };
            let mut pfd = libc::pollfd {
                fd: self.event.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd on our own open descriptor.
            let r = unsafe { libc::poll(&mut pfd, 1, ms) };
            if r < 0 {
                let e = io::Error::last_os_error();
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(DeviceError::io("poll eventfd of", &self.path, e));
                }
            }
        }
    }
}

#[cfg(feature = "async")]
impl VfioIrq {
    /// [`wait`](Self::wait) as a future over the eventfd, on tokio's reactor:
    /// many interrupts can be waited for on one thread. Dropping the future
    /// loses nothing (the count stays in the eventfd). Needs a tokio runtime
    /// with I/O and time enabled.
    pub async fn wait_async(&self, timeout: Duration) -> Result<u64, DeviceError> {
        let label = || self.label.clone();
        let got = crate::irq::ready_loop(Some(self.as_fd()), timeout, &label, || {
            self.take().map(|n| (n > 0).then_some(n))
        })
        .await?;
        got.ok_or_else(|| DeviceError::IrqTimeout {
            device: self.label.clone(),
            timeout,
        })
    }
}

/// The eventfd, for an event loop (readable when an interrupt is pending;
/// read 8 bytes to take it, or call [`VfioIrq::take`]).
impl AsFd for VfioIrq {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.event.as_fd()
    }
}

impl Drop for VfioIrq {
    fn drop(&mut self) {
        let mut set = sys::IrqSetNone {
            argsz: sys::argsz::<sys::IrqSetNone>(),
            flags: sys::IRQ_SET_DATA_NONE | sys::IRQ_SET_ACTION_TRIGGER,
            index: self.kind.index(),
            start: 0,
            count: 0,
        };
        // SAFETY: DATA_NONE | ACTION_TRIGGER with count 0 turns the interrupt
        // off; the argument is a bare `struct vfio_irq_set`.
        let off = unsafe { sys::ioctl_ptr(self.device.as_fd(), sys::DEVICE_SET_IRQS, &mut set) };
        if let Err(e) = off {
            log::warn!(target: "regmap::vfio", "{}: turning {} off failed: {e}", self.label, self.kind);
        }
    }
}
