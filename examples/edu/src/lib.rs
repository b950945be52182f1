//! A userspace driver for QEMU's `edu` PCI device, on a register block generated
//! from `edu.yaml` by `regmap-codegen` (in `build.rs`).
//!
//! [`Driver`] binds to any [`Bus`]: a UIO map of BAR0 on a real (emulated) device,
//! or the behavioural [`model::EduModel`] on a laptop. It checks the
//! identification register at bind, runs the liveness check, computes factorials
//! by polling or by interrupt, and moves bytes with the DMA engine between a
//! physically contiguous [`DmaBuffer`] and the device's internal buffer.
//!
//! ```no_run
//! use edu_driver::Driver;
//! use regmap_runtime::{PciDevice, Uio};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let uio = Uio::open_pci(0x1234, 0x11e8)?;
//! let edu = Driver::bind(uio.map(0)?)?;
//! edu.check_liveness()?;
//! assert_eq!(edu.factorial(5, std::time::Duration::from_secs(1))?, 120);
//! # Ok(()) }
//! ```
//!
//! Every DMA start first asks a [`DmaPermission`] (the device's PCI function, or
//! the model): with bus mastering off the device would report the transfer done
//! without moving a byte, and the driver returns [`Error::DmaNotAllowed`] instead.

pub mod model;

include!(concat!(env!("OUT_DIR"), "/edu.rs"));

use edu::{DmaCommand, Identification, Status};
use regmap_runtime::dma::{DmaBuffer, DmaError, DmaSpace};
use regmap_runtime::{BindError, Bus, DeviceError, DmaPermission};
use std::ops::Range;
use std::time::{Duration, Instant};

pub use edu::Direction;

/// The bus address at which the device sees its internal DMA buffer.
pub const DEVICE_BUFFER: u64 = 0x40000;
/// Size of the internal DMA buffer.
pub const DEVICE_BUFFER_LEN: usize = 4096;
/// The addresses the DMA engine can reach by default: 28 bits (256 MiB).
pub const DMA_MASK: u64 = (1 << 28) - 1;
/// Interrupt status bit raised after a factorial (when asked for).
pub const IRQ_FACTORIAL: u32 = 0x1;
/// Interrupt status bit raised after a DMA (when asked for).
pub const IRQ_DMA: u32 = 0x100;

/// What went wrong driving the device.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Binding failed (the window is too small, or it is not an edu device).
    #[error(transparent)]
    Bind(#[from] BindError),
    /// The liveness register did not read back the inverse of what was written.
    #[error("liveness check failed: wrote {wrote:#010x}, read {read:#010x} (expected {:#010x})", !.wrote)]
    Liveness {
        /// Value written.
        wrote: u32,
        /// Value read back.
        read: u32,
    },
    /// A factorial is already being computed.
    #[error("a factorial is already being computed; wait for it first")]
    FactorialBusy,
    /// The factorial did not finish in time.
    #[error("factorial of {n} not finished after {waited:?}")]
    FactorialTimeout {
        /// The argument.
        n: u32,
        /// How long was waited.
        waited: Duration,
    },
    /// An interrupt came, but not the one expected.
    #[error("interrupt status is {status:#x}, which lacks the expected bit {expected:#x}")]
    UnexpectedInterrupt {
        /// The interrupt status register.
        status: u32,
        /// The bit that should be set.
        expected: u32,
    },
    /// Waiting for the interrupt failed (a timeout, say).
    #[error("waiting for the interrupt: {0}")]
    Interrupt(#[source] DeviceError),
    /// The DMA engine is still running a transfer.
    #[error("the DMA engine is busy with an earlier transfer")]
    DmaBusy,
    /// The transfer does not fit the device's buffer (or is empty).
    #[error(
        "a DMA of {len} bytes at device buffer offset {offset:#x} does not fit the {DEVICE_BUFFER_LEN}-byte device buffer (or is empty)"
    )]
    OutsideDeviceBuffer {
        /// Offset in the device buffer.
        offset: usize,
        /// Length of the transfer.
        len: usize,
    },
    /// Memory the device cannot address: it would silently clamp the address.
    #[error(
        "bus address range {start:#x}..{end:#x} is beyond the device's DMA mask {DMA_MASK:#x}; allocate below 256 MiB"
    )]
    BeyondDmaMask {
        /// First byte.
        start: u64,
        /// One past the last byte.
        end: u64,
    },
    /// The device may not master the bus: a transfer would silently move nothing.
    #[error("DMA refused before it started: {0}")]
    DmaNotAllowed(#[source] DeviceError),
    /// The transfer did not finish in time.
    #[error(
        "DMA not finished after {waited:?}: source {source_addr:#x}, destination {destination:#x}, count {count}, command {command:#x}"
    )]
    DmaTimeout {
        /// How long was waited.
        waited: Duration,
        /// DMA_SOURCE.
        source_addr: u64,
        /// DMA_DESTINATION.
        destination: u64,
        /// DMA_COUNT.
        count: u64,
        /// DMA_COMMAND.
        command: u64,
    },
    /// The buffer range is invalid, or syncing it failed.
    #[error(transparent)]
    Buffer(#[from] DmaError),
    /// The buffer's address belongs to another address space than the one
    /// the device masters.
    #[error(
        "the buffer is in {buffer}, but the device masters {device}: allocate it where the device reaches"
    )]
    WrongSpace {
        /// The buffer's address space.
        buffer: DmaSpace,
        /// The device's.
        device: DmaSpace,
    },
}

/// The edu driver, over any bus.
#[derive(Debug)]
pub struct Driver<B> {
    regs: edu::Edu<B>,
}

impl<B: Bus> Driver<B> {
    /// Binds to BAR0 of an edu device: checks the window size and the
    /// identification register (major version 1, magic 0xed).
    pub fn bind(bus: B) -> Result<Self, Error> {
        Ok(Self {
            regs: edu::Edu::new(bus)?,
        })
    }

    /// The generated register block, for anything the driver does not wrap.
    ///
    /// # Safety
    /// Write nothing through it that starts a DMA (DMA_SOURCE, DMA_DESTINATION,
    /// DMA_COUNT, DMA_COMMAND) at memory the caller does not own and keep, as
    /// for [`start_dma`](Self::start_dma). Reads are fine.
    pub unsafe fn regs(&self) -> &edu::Edu<B> {
        &self.regs
    }

    /// (major, minor) version from the identification register.
    pub fn version(&self) -> (u8, u8) {
        let id = self.regs.identification().read();
        (id.get(Identification::MAJOR), id.get(Identification::MINOR))
    }

    /// Writes a few patterns to the liveness register and checks each reads
    /// back inverted.
    pub fn check_liveness(&self) -> Result<(), Error> {
        for wrote in [0, 0xa5a5_5a5a, 0x1234_5678, u32::MAX] {
            self.regs.liveness().write(|w| w.set_bits(wrote));
            let read = self.regs.liveness().read().bits();
            if read != !wrote {
                return Err(Error::Liveness { wrote, read });
            }
        }
        Ok(())
    }

    /// Starts computing `n!`; with `interrupt`, the device raises
    /// [`IRQ_FACTORIAL`] when done.
    pub fn start_factorial(&self, n: u32, interrupt: bool) -> Result<(), Error> {
        let mut status = self.regs.status().read();
        if status.get(Status::COMPUTING) {
            return Err(Error::FactorialBusy);
        }
        status.set(Status::IRQ_ON_FACTORIAL, interrupt);
        self.regs.status().write_value(status);
        self.regs.factorial().write(|w| w.set_bits(n));
        Ok(())
    }

    /// The result, once the computation is done.
    pub fn factorial_result(&self) -> Option<u32> {
        (!self.regs.status().read().get(Status::COMPUTING))
            .then(|| self.regs.factorial().read().bits())
    }

    /// `n!` (modulo 2^32, as the device computes it), by polling.
    pub fn factorial(&self, n: u32, timeout: Duration) -> Result<u32, Error> {
        self.start_factorial(n, false)?;
        let start = Instant::now();
        loop {
            if let Some(v) = self.factorial_result() {
                return Ok(v);
            }
            if start.elapsed() > timeout {
                return Err(Error::FactorialTimeout {
                    n,
                    waited: start.elapsed(),
                });
            }
            std::thread::yield_now();
        }
    }

    /// `n!` by interrupt: starts the computation, calls `wait` (which returns
    /// once the interrupt line fired, a UIO wait say), checks that the interrupt
    /// is the factorial's, acknowledges it and reads the result. The caller
    /// re-enables the interrupt afterwards, if its transport needs that.
    pub fn factorial_with_interrupt(
        &self,
        n: u32,
        wait: impl FnOnce() -> Result<(), DeviceError>,
    ) -> Result<u32, Error> {
        self.start_factorial(n, true)?;
        wait().map_err(Error::Interrupt)?;
        let status = self.interrupt_status();
        if status & IRQ_FACTORIAL == 0 {
            return Err(Error::UnexpectedInterrupt {
                status,
                expected: IRQ_FACTORIAL,
            });
        }
        self.acknowledge(IRQ_FACTORIAL);
        self.regs
            .status()
            .modify(|w| w.set(Status::IRQ_ON_FACTORIAL, false));
        match self.factorial_result() {
            Some(v) => Ok(v),
            // The interrupt is raised only after the result is stored.
            None => Err(Error::UnexpectedInterrupt {
                status,
                expected: IRQ_FACTORIAL,
            }),
        }
    }

    /// The pending interrupt bits.
    pub fn interrupt_status(&self) -> u32 {
        self.regs.interrupt_status().read().bits()
    }

    /// Raises an interrupt with `bits` ORed into the status.
    pub fn raise_interrupt(&self, bits: u32) {
        self.regs.interrupt_raise().write(|w| w.set_bits(bits));
    }

    /// Clears `bits` from the interrupt status; the line drops when none is left.
    pub fn acknowledge(&self, bits: u32) {
        self.regs.interrupt_ack().write(|w| w.set_bits(bits));
    }

    /// Whether a DMA transfer is running.
    pub fn dma_busy(&self) -> bool {
        self.regs.dma_command().read().get(DmaCommand::START)
    }

    /// Starts a transfer of `len` bytes between bus address `bus_addr` and
    /// `offset` in the device buffer; with `interrupt`, the device raises
    /// [`IRQ_DMA`] when done. Asks `permission` first.
    /// [`copy_to_device`](Self::copy_to_device) and
    /// [`copy_from_device`](Self::copy_from_device) are the safe way.
    ///
    /// # Safety
    /// `bus_addr..bus_addr + len`, as an address of the space the device
    /// masters (the bus's [`dma_space`](regmap_runtime::Bus::dma_space)), is
    /// DMA-able memory the caller owns, synced for the device, and keeps (not freed, reused or viewed by the CPU for a
    /// transfer to RAM) until [`wait_dma`](Self::wait_dma) has returned `Ok`;
    /// if it never does, the memory must be leaked: edu cannot abort a DMA.
    pub unsafe fn start_dma(
        &self,
        permission: &impl DmaPermission,
        direction: Direction,
        bus_addr: u64,
        offset: usize,
        len: usize,
        interrupt: bool,
    ) -> Result<(), Error> {
        if len == 0
            || offset
                .checked_add(len)
                .is_none_or(|end| end > DEVICE_BUFFER_LEN)
        {
            return Err(Error::OutsideDeviceBuffer { offset, len });
        }
        let end = bus_addr.checked_add(len as u64);
        if end.is_none_or(|end| end - 1 > DMA_MASK) {
            return Err(Error::BeyondDmaMask {
                start: bus_addr,
                end: end.unwrap_or(u64::MAX),
            });
        }
        permission
            .check_dma_allowed()
            .map_err(Error::DmaNotAllowed)?;
        if self.dma_busy() {
            return Err(Error::DmaBusy);
        }
        let device_addr = DEVICE_BUFFER + offset as u64;
        let (src, dst) = match direction {
            Direction::ToDevice => (bus_addr, device_addr),
            Direction::ToRam => (device_addr, bus_addr),
        };
        self.regs.dma_source().write(|w| w.set_bits(src));
        self.regs.dma_destination().write(|w| w.set_bits(dst));
        self.regs.dma_count().write(|w| w.set_bits(len as u64));
        self.regs.dma_command().write(|w| {
            w.set(DmaCommand::START, true)
                .set(DmaCommand::DIRECTION, direction)
                .set(DmaCommand::IRQ, interrupt)
        });
        Ok(())
    }

    /// Polls until the running transfer is done, at most `timeout`.
    pub fn wait_dma(&self, timeout: Duration) -> Result<(), Error> {
        let start = Instant::now();
        while self.dma_busy() {
            if start.elapsed() > timeout {
                return Err(Error::DmaTimeout {
                    waited: start.elapsed(),
                    source_addr: self.regs.dma_source().read().bits(),
                    destination: self.regs.dma_destination().read().bits(),
                    count: self.regs.dma_count().read().bits(),
                    command: self.regs.dma_command().read().bits(),
                });
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        Ok(())
    }

    /// Copies `range` of `buf` into the device buffer at `offset`, and waits.
    ///
    /// The buffer is the device's until the copy is over: it comes back on
    /// success and when the copy was refused before the device started; after
    /// a timeout it is leaked, as the device may still read it.
    #[allow(
        clippy::result_large_err,
        reason = "the error hands the buffer back by value, as the runtime's transfers do"
    )]
    pub fn copy_to_device(
        &self,
        permission: &impl DmaPermission,
        buf: DmaBuffer,
        range: Range<usize>,
        offset: usize,
        timeout: Duration,
    ) -> Result<DmaBuffer, DmaFailed> {
        self.copy(permission, buf, range, offset, timeout, Direction::ToDevice)
    }

    /// Copies from the device buffer at `offset` into `range` of `buf`, and
    /// waits; the buffer comes back synced for the CPU. Ownership as for
    /// [`copy_to_device`](Self::copy_to_device): after a timeout the buffer is
    /// leaked, as the device may still write it.
    #[allow(
        clippy::result_large_err,
        reason = "the error hands the buffer back by value, as the runtime's transfers do"
    )]
    pub fn copy_from_device(
        &self,
        permission: &impl DmaPermission,
        buf: DmaBuffer,
        range: Range<usize>,
        offset: usize,
        timeout: Duration,
    ) -> Result<DmaBuffer, DmaFailed> {
        self.copy(permission, buf, range, offset, timeout, Direction::ToRam)
    }

    #[allow(
        clippy::result_large_err,
        reason = "the error hands the buffer back by value, as the runtime's transfers do"
    )]
    fn copy(
        &self,
        permission: &impl DmaPermission,
        buf: DmaBuffer,
        range: Range<usize>,
        offset: usize,
        timeout: Duration,
        direction: Direction,
    ) -> Result<DmaBuffer, DmaFailed> {
        // The buffer's address must mean this memory to the device: a
        // simulated buffer's number is other memory to a real device, an
        // IOVA to a device outside its VFIO container.
        let device = self.regs.bus().dma_space();
        if buf.dma_space() != device {
            let error = Error::WrongSpace {
                buffer: buf.dma_space(),
                device,
            };
            return Err(DmaFailed::refused(error, buf));
        }
        let prepared = buf.phys_addr_of(range.clone()).and_then(|addr| {
            // Hands the bytes to the device: what the CPU wrote (to the
            // device), or no dirty line left to be written back over what the
            // device writes (to RAM).
            buf.sync_for_device(range.clone())?;
            Ok(addr)
        });
        let bus_addr = match prepared {
            Ok(addr) => addr,
            Err(e) => return Err(DmaFailed::refused(e.into(), buf)),
        };
        // SAFETY: the range lies inside `buf` (checked by `phys_addr_of`) and
        // was synced for the device; `buf` is owned here and is only given
        // back once the device is done, or leaked below if it may not be.
        let started =
            unsafe { self.start_dma(permission, direction, bus_addr, offset, range.len(), false) };
        if let Err(error) = started {
            return Err(DmaFailed::refused(error, buf));
        }
        // Held without a destructor while the device owns it: a timeout or a
        // panic leaks it rather than freeing memory the device may still use.
        let buf = std::mem::ManuallyDrop::new(buf);
        if let Err(error) = self.wait_dma(timeout) {
            return Err(DmaFailed {
                error,
                buffer: None,
            });
        }
        let mut buf = std::mem::ManuallyDrop::into_inner(buf);
        if direction == Direction::ToRam
            && let Err(e) = buf.sync_for_cpu(range)
        {
            return Err(DmaFailed::refused(e.into(), buf));
        }
        Ok(buf)
    }
}

/// A copy failed. The buffer comes back if the device never started or has
/// finished with it; after a timeout it was leaked, never freed, because the
/// device may still use it.
pub struct DmaFailed {
    /// What went wrong.
    pub error: Error,
    /// The buffer, or `None` if it was leaked.
    pub buffer: Option<DmaBuffer>,
}

impl DmaFailed {
    fn refused(error: Error, buffer: DmaBuffer) -> Self {
        Self {
            error,
            buffer: Some(buffer),
        }
    }
}

impl std::fmt::Debug for DmaFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DmaFailed")
            .field("error", &self.error)
            .field("buffer_back", &self.buffer.is_some())
            .finish()
    }
}

impl std::fmt::Display for DmaFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.error, f)?;
        if self.buffer.is_none() {
            f.write_str(" (the buffer was leaked: the device may still use it)")?;
        }
        Ok(())
    }
}

impl std::error::Error for DmaFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl From<DmaFailed> for Error {
    fn from(e: DmaFailed) -> Self {
        e.error
    }
}
