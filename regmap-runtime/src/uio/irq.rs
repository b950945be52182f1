//! UIO interrupts: waiting with a timeout, counting, detecting missed ones, and
//! re-enabling them the way the device's driver allows.
//!
//! The kernel side is a file descriptor ([`IrqSource`]): `poll` says an
//! interrupt arrived, `read` of exactly 4 bytes returns the cumulative count,
//! `write` of a native-endian u32 1 or 0 unmasks or masks it when the driver has
//! `irqcontrol`. uio_pci_generic has none (the write fails with `ENOSYS`): its
//! interrupt is masked by the kernel with the INTx-disable bit of the PCI
//! command register on every interrupt, and re-enabled by clearing that bit.
//! [`IrqControl::Auto`] tries the write and falls back to the command register.

use crate::error::DeviceError;
use crate::pci;
use std::io;
use std::os::fd::{AsFd, AsRawFd};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One wake-up from [`Uio::wait_irq`](super::Uio::wait_irq).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IrqEvent {
    /// The kernel's cumulative interrupt count for the device.
    pub count: u32,
    /// Interrupts that arrived since the previous wait and were not seen
    /// separately (0 on the first wait, which has nothing to compare with).
    pub missed: u32,
}

/// Where interrupts come from: a UIO device file in real use, anything that
/// behaves like one in tests.
pub(crate) trait IrqSource: Send + Sync {
    /// Waits until an interrupt is pending or `timeout` passes; `Ok(false)` on timeout.
    fn wait_readable(&self, timeout: Duration) -> io::Result<bool>;
    /// Reads the 4-byte cumulative count.
    fn read_count(&self) -> io::Result<u32>;
    /// Writes `value` (1 to unmask, 0 to mask) to the driver's irqcontrol.
    fn write_control(&self, value: u32) -> io::Result<()>;
}

/// An [`IrqSource`] over a file descriptor (`/dev/uioN`, or a socket in tests).
#[derive(Debug)]
pub(crate) struct FdIrq<F>(pub F);

impl<F: AsFd + Send + Sync> IrqSource for FdIrq<F> {
    fn wait_readable(&self, timeout: Duration) -> io::Result<bool> {
        // A timeout too long for an `Instant` (`Duration::MAX`) means no deadline.
        let deadline = Instant::now().checked_add(timeout);
        loop {
            // Round up so a short timeout still waits, and cap at poll's range;
            // -1 is poll's "no timeout".
            let ms = match deadline {
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    left.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32
                }
                None => -1,
            };
            let mut pfd = libc::pollfd {
                fd: self.0.as_fd().as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd that lives across the call; the fd is
            // borrowed from `self.0`, open for the duration.
            let n = unsafe { libc::poll(&mut pfd, 1, ms) };
            if n < 0 {
                let err = io::Error::last_os_error();
                if err.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(err);
            }
            if n == 0 {
                return Ok(false);
            }
            if pfd.revents & libc::POLLIN != 0 {
                return Ok(true);
            }
            // POLLERR without POLLIN: uio says the device has no interrupt.
            return Err(io::Error::other(
                "the device file reports an error instead of an interrupt (the UIO driver has no IRQ)",
            ));
        }
    }

    fn read_count(&self) -> io::Result<u32> {
        let mut buf = [0u8; 4];
        // SAFETY: reads at most 4 bytes into a 4-byte buffer we own; fd borrowed from self.0.
        let n = unsafe { libc::read(self.0.as_fd().as_raw_fd(), buf.as_mut_ptr().cast(), 4) };
        match n {
            4 => Ok(u32::from_ne_bytes(buf)),
            n if n < 0 => Err(io::Error::last_os_error()),
            n => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("interrupt count read returned {n} bytes, not 4"),
            )),
        }
    }

    fn write_control(&self, value: u32) -> io::Result<()> {
        let buf = value.to_ne_bytes();
        // SAFETY: writes 4 bytes from a 4-byte buffer we own; fd borrowed from self.0.
        let n = unsafe { libc::write(self.0.as_fd().as_raw_fd(), buf.as_ptr().cast(), 4) };
        match n {
            4 => Ok(()),
            n if n < 0 => Err(io::Error::last_os_error()),
            n => Err(io::Error::new(
                io::ErrorKind::WriteZero,
                format!("irqcontrol write took {n} bytes, not 4"),
            )),
        }
    }
}

/// How a device's interrupt is masked and unmasked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IrqControl {
    /// Write 1 / 0 to the device file (platform drivers with `irqcontrol`).
    Write,
    /// Clear / set the INTx-disable bit in this PCI config file (uio_pci_generic).
    PciIntx(PathBuf),
    /// Try [`IrqControl::Write`]; on `ENOSYS` use [`IrqControl::PciIntx`] with
    /// the config file, if the device is PCI. Settles on the first use.
    Auto(Option<PathBuf>),
}

pub(crate) struct IrqState<S> {
    source: S,
    control: IrqControl,
    last: Option<u32>,
    device: String,
    /// The PCI config-space file, opened on first use: uio_pci_generic is
    /// unmasked through it after every interrupt.
    config_file: Option<(PathBuf, std::fs::File)>,
}

impl<S: IrqSource> IrqState<S> {
    pub(crate) fn new(source: S, control: IrqControl, device: String) -> Self {
        Self {
            source,
            control,
            last: None,
            device,
            config_file: None,
        }
    }

    /// Masks or unmasks INTx through `config`, opening it only the first time
    /// (`cache` is the state's `config_file`, borrowed apart from `control`).
    fn set_intx_disabled(
        cache: &mut Option<(PathBuf, std::fs::File)>,
        config: &Path,
        disabled: bool,
    ) -> Result<(), DeviceError> {
        let file = match cache {
            Some((path, file)) if path == config => file,
            _ => {
                let file = crate::window::open_rw(config, false)?;
                &cache.insert((config.to_path_buf(), file)).1
            }
        };
        pci::set_intx_disabled(file, config, disabled)
    }

    pub(crate) fn control(&self) -> &IrqControl {
        &self.control
    }

    #[cfg(test)]
    pub(crate) fn set_control_for_test(&mut self, control: IrqControl) {
        self.control = control;
    }

    /// Unmasks (`enable`) or masks the interrupt.
    pub(crate) fn set_enabled(&mut self, enable: bool) -> Result<(), DeviceError> {
        let action = if enable { "enable" } else { "disable" };
        let fail = |reason: String| DeviceError::IrqControl {
            device: self.device.clone(),
            action,
            reason,
        };
        match &self.control {
            IrqControl::Write => self
                .source
                .write_control(u32::from(enable))
                .map_err(|e| fail(format!("write to the device file failed: {e}"))),
            IrqControl::PciIntx(config) => {
                Self::set_intx_disabled(&mut self.config_file, config, !enable)
            }
            IrqControl::Auto(config) => match self.source.write_control(u32::from(enable)) {
                Ok(()) => {
                    self.control = IrqControl::Write;
                    Ok(())
                }
                Err(e) if e.raw_os_error() == Some(libc::ENOSYS) => match config.clone() {
                    Some(config) => {
                        log::debug!(target: "regmap::uio", "{}: no irqcontrol, using PCI INTx-disable", self.device);
                        Self::set_intx_disabled(&mut self.config_file, &config, !enable)?;
                        self.control = IrqControl::PciIntx(config);
                        Ok(())
                    }
                    None => Err(fail(
                        "the UIO driver has no irqcontrol (ENOSYS) and the device is not PCI; its interrupt cannot be masked from user space".into(),
                    )),
                },
                Err(e) => Err(fail(format!("write to the device file failed: {e}"))),
            },
        }
    }

    /// Waits for the next interrupt.
    pub(crate) fn wait(&mut self, timeout: Duration) -> Result<IrqEvent, DeviceError> {
        let io_err = |e: io::Error| DeviceError::Io {
            op: "wait for an interrupt on",
            path: PathBuf::from(&self.device),
            source: e,
        };
        if !self.source.wait_readable(timeout).map_err(io_err)? {
            return Err(DeviceError::IrqTimeout {
                device: self.device.clone(),
                timeout,
            });
        }
        let count = self.source.read_count().map_err(io_err)?;
        let missed = self
            .last
            .map_or(0, |last| count.wrapping_sub(last).saturating_sub(1));
        if missed > 0 {
            log::warn!(target: "regmap::uio", "{}: {missed} interrupt(s) missed (count {count})", self.device);
        }
        self.last = Some(count);
        Ok(IrqEvent { count, missed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::os::unix::net::UnixStream;
    use std::sync::Mutex;

    fn pair() -> (IrqState<FdIrq<UnixStream>>, UnixStream) {
        let (ours, kernel) = UnixStream::pair().unwrap();
        (
            IrqState::new(FdIrq(ours), IrqControl::Write, "test".into()),
            kernel,
        )
    }

    fn raise(kernel: &mut UnixStream, count: u32) {
        kernel.write_all(&count.to_ne_bytes()).unwrap();
    }

    #[test]
    fn wait_returns_the_count_and_flags_missed_interrupts() {
        let (mut irq, mut kernel) = pair();
        raise(&mut kernel, 7);
        assert_eq!(
            irq.wait(Duration::from_secs(5)).unwrap(),
            IrqEvent {
                count: 7,
                missed: 0
            }
        );
        raise(&mut kernel, 8);
        assert_eq!(
            irq.wait(Duration::from_secs(5)).unwrap(),
            IrqEvent {
                count: 8,
                missed: 0
            }
        );
        raise(&mut kernel, 11);
        assert_eq!(
            irq.wait(Duration::from_secs(5)).unwrap(),
            IrqEvent {
                count: 11,
                missed: 2
            }
        );
        // The kernel's counter is a u32 and wraps.
        let (mut irq, mut kernel) = pair();
        raise(&mut kernel, u32::MAX);
        irq.wait(Duration::from_secs(5)).unwrap();
        raise(&mut kernel, 1);
        assert_eq!(irq.wait(Duration::from_secs(5)).unwrap().missed, 1);
    }

    #[test]
    fn a_wait_of_duration_max_means_no_deadline() {
        let (mut irq, mut kernel) = pair();
        // Raised from another thread after the wait has begun.
        let raiser = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            raise(&mut kernel, 3);
            kernel
        });
        assert_eq!(irq.wait(Duration::MAX).unwrap().count, 3);
        drop(raiser.join().unwrap());
    }

    #[test]
    fn wait_times_out_when_nothing_is_raised() {
        let (mut irq, _kernel) = pair();
        let t0 = Instant::now();
        let err = irq.wait(Duration::from_millis(30)).unwrap_err();
        assert!(t0.elapsed() >= Duration::from_millis(30));
        assert!(
            matches!(err, DeviceError::IrqTimeout { timeout, .. } if timeout == Duration::from_millis(30)),
            "{err}"
        );
    }

    #[test]
    fn a_short_count_read_is_an_error_not_a_bogus_count() {
        let (mut irq, mut kernel) = pair();
        kernel.write_all(&[1, 0]).unwrap();
        drop(kernel);
        assert!(matches!(
            irq.wait(Duration::from_secs(5)),
            Err(DeviceError::Io { .. })
        ));
    }

    #[test]
    fn write_control_sends_a_native_endian_one_or_zero() {
        let (mut irq, mut kernel) = pair();
        irq.set_enabled(true).unwrap();
        irq.set_enabled(false).unwrap();
        let mut buf = [0u8; 8];
        kernel.read_exact(&mut buf).unwrap();
        assert_eq!(buf[..4], 1u32.to_ne_bytes());
        assert_eq!(buf[4..], 0u32.to_ne_bytes());
    }

    /// A source whose writes fail like uio_pci_generic's, recording attempts.
    struct NoIrqControl(Mutex<u32>);
    impl IrqSource for NoIrqControl {
        fn wait_readable(&self, _: Duration) -> io::Result<bool> {
            Ok(false)
        }
        fn read_count(&self) -> io::Result<u32> {
            Ok(0)
        }
        fn write_control(&self, _: u32) -> io::Result<()> {
            *self.0.lock().unwrap() += 1;
            Err(io::Error::from_raw_os_error(libc::ENOSYS))
        }
    }

    #[test]
    fn auto_falls_back_to_pci_intx_on_enosys_and_sticks_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let mut space = [0u8; 64];
        space[4] = 0x06; // memory + bus master
        space[5] = 0x04; // INTx disabled, as the kernel leaves it after an interrupt
        std::fs::write(&config, space).unwrap();
        let mut irq = IrqState::new(
            NoIrqControl(Mutex::new(0)),
            IrqControl::Auto(Some(config.clone())),
            "uio0".into(),
        );
        irq.set_enabled(true).unwrap();
        assert_eq!(irq.control(), &IrqControl::PciIntx(config.clone()));
        let cfg = std::fs::read(&config).unwrap();
        assert_eq!((cfg[4], cfg[5]), (0x06, 0x00), "only bit 10 cleared");
        irq.set_enabled(false).unwrap();
        let cfg = std::fs::read(&config).unwrap();
        assert_eq!((cfg[4], cfg[5]), (0x06, 0x04));
        irq.set_enabled(true).unwrap();
        assert_eq!(
            *irq.source.0.lock().unwrap(),
            1,
            "write tried once, then not again"
        );
    }

    #[test]
    fn auto_without_pci_reports_that_the_irq_cannot_be_controlled() {
        let mut irq = IrqState::new(
            NoIrqControl(Mutex::new(0)),
            IrqControl::Auto(None),
            "uio3".into(),
        );
        let err = irq.set_enabled(true).unwrap_err();
        assert!(
            matches!(
                err,
                DeviceError::IrqControl {
                    action: "enable",
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("no irqcontrol"), "{err}");
    }

    #[test]
    fn auto_settles_on_write_when_the_driver_accepts_it() {
        let (ours, mut kernel) = UnixStream::pair().unwrap();
        let mut irq = IrqState::new(FdIrq(ours), IrqControl::Auto(None), "uio0".into());
        irq.set_enabled(true).unwrap();
        assert_eq!(irq.control(), &IrqControl::Write);
        let mut buf = [0u8; 4];
        kernel.read_exact(&mut buf).unwrap();
        assert_eq!(u32::from_ne_bytes(buf), 1);
    }
}
