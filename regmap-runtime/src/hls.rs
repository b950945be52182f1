//! [`ApCtrl`]: the block-level control protocol of HLS cores (`ap_ctrl_hs`
//! and `ap_ctrl_chain` on an AXI4-Lite slave), over any block with the
//! standard control registers.
//!
//! Vivado and Vitis HLS place the same four registers at the start of every
//! core's control interface:
//!
//! | offset | register | bits |
//! |--------|----------|------|
//! | `0x00` | control  | 0 `AP_START`, 1 `AP_DONE` (clear on read), 2 `AP_IDLE`, 3 `AP_READY`, 7 `AUTO_RESTART` |
//! | `0x04` | global interrupt enable (GIE) | 0 enable |
//! | `0x08` | interrupt enable (IER) | 0 `ap_done`, 1 `ap_ready` |
//! | `0x0c` | interrupt status (ISR) | 0 `ap_done`, 1 `ap_ready`, **toggle on write** |
//!
//! [`ApCtrl::new`] checks a block's static description for that layout, so a
//! block imported from a `.hwh` or `component.xml` (or written in YAML) is
//! accepted only when its registers really are those. The core's argument
//! registers stay with the generated block; `ApCtrl` borrows its bus:
//!
//! ```
//! use regmap_runtime::desc::{Access, BlockDesc, FieldDesc, RegisterDesc};
//! use regmap_runtime::{hls::ApCtrl, model::ModelBus};
//! use std::time::Duration;
//! # const fn f(name: &'static str, lsb: u32, access: Access) -> FieldDesc {
//! #     FieldDesc { name, lsb, width: 1, access, values: &[], description: "" }
//! # }
//! # const fn r(name: &'static str, offset: usize, fields: &'static [FieldDesc]) -> RegisterDesc {
//! #     RegisterDesc { name, offset, width: 4, reset: 0, description: "", fields }
//! # }
//! # static CORE: BlockDesc = BlockDesc { name: "core", size: 0x10, description: "", registers: &[
//! #   r("CTRL", 0, &[f("AP_START", 0, Access::ReadWrite), f("AP_DONE", 1, Access::ReadToClear),
//! #       f("AP_IDLE", 2, Access::ReadOnly), f("AP_READY", 3, Access::ReadOnly),
//! #       f("AUTO_RESTART", 7, Access::ReadWrite)]),
//! #   r("GIER", 4, &[f("Enable", 0, Access::ReadWrite)]),
//! #   r("IP_IER", 8, &[f("CHAN0_INT_EN", 0, Access::ReadWrite), f("CHAN1_INT_EN", 1, Access::ReadWrite)]),
//! #   r("IP_ISR", 12, &[f("CHAN0_INT_ST", 0, Access::OneToToggle), f("CHAN1_INT_ST", 1, Access::OneToToggle)]),
//! # ] };
//! // `CORE` is the core's description (a generated block's `DESC`); the
//! // model finishes a run as soon as it starts.
//! let core = ModelBus::new(&CORE);
//! core.on_write("CTRL", |m, _, new| {
//!     if new & 1 != 0 {
//!         m.hw_set("CTRL", 0b1110).unwrap(); // done, idle, ready
//!     }
//! })?;
//! let ap = ApCtrl::new(&CORE, &core)?;
//! ap.start()?;
//! ap.wait_done(Duration::from_millis(10))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::bus::Bus;
use crate::desc::BlockDesc;
use crate::error::{AccessError, BindError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const CTRL: usize = 0x00;
const GIE: usize = 0x04;
const IER: usize = 0x08;
const ISR: usize = 0x0c;

const AP_START: u32 = 1 << 0;
const AP_DONE: u32 = 1 << 1;
const AP_IDLE: u32 = 1 << 2;
const AP_READY: u32 = 1 << 3;
const AUTO_RESTART: u32 = 1 << 7;

/// The control register's bits at one read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ApStatus {
    /// `AP_START`: a start is pending or running.
    pub start: bool,
    /// `AP_DONE`: a run finished (cleared by this read on real cores).
    pub done: bool,
    /// `AP_IDLE`: the core is not running.
    pub idle: bool,
    /// `AP_READY`: the core can take new inputs.
    pub ready: bool,
    /// `AUTO_RESTART`: the core starts again after each run.
    pub auto_restart: bool,
}

impl ApStatus {
    fn from_bits(bits: u32) -> Self {
        Self {
            start: bits & AP_START != 0,
            done: bits & AP_DONE != 0,
            idle: bits & AP_IDLE != 0,
            ready: bits & AP_READY != 0,
            auto_restart: bits & AUTO_RESTART != 0,
        }
    }
}

/// Interrupt sources of an HLS core (IER and ISR bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ApInterrupts {
    /// Bit 0: a run finished (`ap_done`).
    pub done: bool,
    /// Bit 1: the core can take new inputs (`ap_ready`).
    pub ready: bool,
}

impl ApInterrupts {
    fn bits(self) -> u32 {
        u32::from(self.done) | (u32::from(self.ready) << 1)
    }

    fn from_bits(bits: u32) -> Self {
        Self {
            done: bits & 1 != 0,
            ready: bits & 2 != 0,
        }
    }
}

/// What went wrong driving an HLS core.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HlsError {
    /// The block's description lacks a register or bit of the standard
    /// control interface.
    #[error("block `{block}` is not an HLS core with the standard control registers: {missing}")]
    NotApCtrl {
        /// Block name.
        block: &'static str,
        /// What is missing, e.g. "bit 7 AUTO_RESTART of the control register at 0x0".
        missing: String,
    },
    /// The window does not hold the control registers.
    #[error(transparent)]
    Bind(#[from] BindError),
    /// A register access failed.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// A wait ran out of time.
    #[error(
        "block `{block}`: {waiting_for} not seen within {timeout:?}; control register last read {status:?}"
    )]
    Timeout {
        /// Block name.
        block: &'static str,
        /// The bit waited for (`AP_DONE`, `AP_READY`).
        waiting_for: &'static str,
        /// How long it waited.
        timeout: Duration,
        /// The control register at the last look.
        status: ApStatus,
    },
}

/// The control protocol of an HLS core, over the bus of its block.
///
/// Every method is one or a few 32-bit accesses to the registers of the
/// table in the module docs. `AP_DONE` is clear-on-read on real cores: every
/// read of the control register ([`status`](Self::status), the waits) takes
/// it, so one driver should own a core's control register.
#[derive(Debug)]
pub struct ApCtrl<B> {
    bus: B,
    block: &'static str,
    // `AUTO_RESTART` as last written: a write of `AP_START` must repeat it,
    // and reading it back would consume `AP_DONE`.
    auto_restart: AtomicBool,
}

impl<B: Bus> ApCtrl<B> {
    /// Drives the core whose registers `bus` reaches (`block.bus()` of a
    /// generated block, or its window), after checking that `desc` (the
    /// block's `DESC`) has the standard control interface: the control
    /// register at 0x0 with `AP_START`, `AP_DONE`, `AP_IDLE`, `AP_READY` and
    /// `AUTO_RESTART` at bits 0, 1, 2, 3 and 7, and registers at 0x4 (GIE),
    /// 0x8 (IER) and 0xc (ISR).
    ///
    /// # Errors
    /// [`HlsError::NotApCtrl`] naming what is missing, or
    /// [`HlsError::Bind`] when the window is too small or misaligned.
    pub fn new(desc: &'static BlockDesc, bus: B) -> Result<Self, HlsError> {
        check_desc(desc)?;
        bus.check_block(desc.name, ISR + 4, 4)?;
        Ok(Self {
            bus,
            block: desc.name,
            auto_restart: AtomicBool::new(false),
        })
    }

    /// The bus the core is reached through.
    pub fn bus(&self) -> &B {
        &self.bus
    }

    /// Reads the control register (taking `AP_DONE` on real cores).
    ///
    /// # Errors
    /// [`HlsError::Access`] when the bus refuses the access.
    pub fn status(&self) -> Result<ApStatus, HlsError> {
        Ok(ApStatus::from_bits(self.bus.read_u32(CTRL)?))
    }

    /// Starts one run: writes `AP_START`, with `AUTO_RESTART` as last set by
    /// [`set_auto_restart`](Self::set_auto_restart) (off for a new `ApCtrl`).
    /// Write the core's arguments first: it takes them when it starts.
    ///
    /// # Errors
    /// [`HlsError::Access`] when the bus refuses the access.
    pub fn start(&self) -> Result<(), HlsError> {
        Ok(self
            .bus
            .write_u32(CTRL, AP_START | self.auto_restart_bit())?)
    }

    /// Sets or clears `AUTO_RESTART` (the core starts a new run as soon as
    /// one finishes) without starting the core. Clearing it lets the current
    /// run finish and stops there.
    ///
    /// # Errors
    /// [`HlsError::Access`] when the bus refuses the access.
    pub fn set_auto_restart(&self, on: bool) -> Result<(), HlsError> {
        self.auto_restart.store(on, Ordering::Relaxed);
        Ok(self.bus.write_u32(CTRL, self.auto_restart_bit())?)
    }

    /// Sets `AUTO_RESTART` and starts: the core runs back to back until
    /// [`set_auto_restart(false)`](Self::set_auto_restart).
    ///
    /// # Errors
    /// [`HlsError::Access`] when the bus refuses the access.
    pub fn start_auto_restart(&self) -> Result<(), HlsError> {
        self.auto_restart.store(true, Ordering::Relaxed);
        self.start()
    }

    /// Waits until a run is done (`AP_DONE`), polling the control register
    /// (spinning briefly, then yielding, then sleeping in short steps) for at
    /// most `timeout`.
    ///
    /// # Errors
    /// [`HlsError::Timeout`] with the last status read when `AP_DONE` is not
    /// seen in time; [`HlsError::Access`] when the bus refuses the access.
    pub fn wait_done(&self, timeout: Duration) -> Result<ApStatus, HlsError> {
        self.wait_for(AP_DONE, "AP_DONE", timeout)
    }

    /// Waits until the core can take new inputs (`AP_READY`), as
    /// [`wait_done`](Self::wait_done) does for `AP_DONE`.
    ///
    /// # Errors
    /// As [`wait_done`](Self::wait_done).
    pub fn wait_ready(&self, timeout: Duration) -> Result<ApStatus, HlsError> {
        self.wait_for(AP_READY, "AP_READY", timeout)
    }

    fn wait_for(
        &self,
        bit: u32,
        waiting_for: &'static str,
        timeout: Duration,
    ) -> Result<ApStatus, HlsError> {
        let mut last = 0;
        let seen = crate::poll::poll(timeout, || match self.bus.read_u32(CTRL) {
            Ok(bits) if bits & bit != 0 => Some(Ok(ApStatus::from_bits(bits))),
            Ok(bits) => {
                last = bits;
                None
            }
            Err(e) => Some(Err(e)),
        });
        match seen {
            Some(status) => Ok(status?),
            None => Err(HlsError::Timeout {
                block: self.block,
                waiting_for,
                timeout,
                status: ApStatus::from_bits(last),
            }),
        }
    }

    /// Enables the interrupt sources in `sources` (IER) and the core's
    /// interrupt output (GIE); with no source, disables the output too.
    ///
    /// # Errors
    /// [`HlsError::Access`] when the bus refuses the access.
    pub fn enable_interrupts(&self, sources: ApInterrupts) -> Result<(), HlsError> {
        let bits = sources.bits();
        self.bus.write_u32(IER, bits)?;
        Ok(self.bus.write_u32(GIE, u32::from(bits != 0))?)
    }

    /// The pending interrupt sources (ISR), left pending.
    ///
    /// # Errors
    /// [`HlsError::Access`] when the bus refuses the access.
    pub fn pending(&self) -> Result<ApInterrupts, HlsError> {
        Ok(ApInterrupts::from_bits(self.bus.read_u32(ISR)?))
    }

    /// Acknowledges the pending interrupt sources and returns them. The ISR
    /// toggles each bit written as 1, so this writes back exactly the bits
    /// it read set: a bit that rises between the read and the write is left
    /// pending, never toggled on by mistake.
    ///
    /// # Errors
    /// [`HlsError::Access`] when the bus refuses the access.
    pub fn acknowledge(&self) -> Result<ApInterrupts, HlsError> {
        let pending = self.bus.read_u32(ISR)? & 0b11;
        if pending != 0 {
            self.bus.write_u32(ISR, pending)?;
        }
        Ok(ApInterrupts::from_bits(pending))
    }

    fn auto_restart_bit(&self) -> u32 {
        if self.auto_restart.load(Ordering::Relaxed) {
            AUTO_RESTART
        } else {
            0
        }
    }
}

/// Checks `desc` for the standard control interface.
fn check_desc(desc: &'static BlockDesc) -> Result<(), HlsError> {
    let missing = |what: String| HlsError::NotApCtrl {
        block: desc.name,
        missing: what,
    };
    let at = |offset: usize| {
        desc.registers
            .iter()
            .find(|r| r.offset == offset && r.width == 4)
    };
    let ctrl = at(CTRL).ok_or_else(|| missing("no 32-bit control register at 0x0".into()))?;
    for (lsb, name) in [
        (0, "AP_START"),
        (1, "AP_DONE"),
        (2, "AP_IDLE"),
        (3, "AP_READY"),
        (7, "AUTO_RESTART"),
    ] {
        let found = ctrl
            .fields
            .iter()
            .any(|f| f.lsb == lsb && f.width == 1 && f.name.eq_ignore_ascii_case(name));
        if !found {
            return Err(missing(format!(
                "bit {lsb} {name} of the control register `{}` at 0x0",
                ctrl.name
            )));
        }
    }
    for (offset, what) in [
        (GIE, "global interrupt enable"),
        (IER, "interrupt enable"),
        (ISR, "interrupt status"),
    ] {
        if at(offset).is_none() {
            return Err(missing(format!("no 32-bit {what} register at {offset:#x}")));
        }
    }
    Ok(())
}
