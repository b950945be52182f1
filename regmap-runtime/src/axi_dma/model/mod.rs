//! A behavioural model of the AXI DMA IP (PG021), for running drivers with no
//! board.
//!
//! [`AxiDmaModel::port`] is its register window, a [`Bus`] with one owner at a
//! time: bind the generated register block (or the [`AxiDma`](super::AxiDma)
//! driver) to it as you would to a mapped window. It
//! moves bytes between [`PhysMemory`] (the simulated physical memory of
//! [`crate::dma`], or your own) and a [`StreamPeer`] ([`Loopback`] by
//! default), and raises one interrupt line per channel ([`ModelIrq`]) with the
//! wait-with-timeout shape of a UIO interrupt.
//!
//! What it models, after PG021:
//! - `DMACR.RS` 0→1 clears `DMASR.Halted`; 1→0 halts once nothing is in flight
//!   (an MM2S transfer whose stream holds TREADY low cannot halt); `DMACR.Reset`
//!   resets both channels and the stream, and clears itself.
//! - Direct Register Mode: a non-zero LENGTH write while running starts a
//!   transfer (a write while halted, or of 0, does nothing); only the low
//!   `length_width` bits of LENGTH exist. S2MM completes on TLAST and then reads
//!   back the bytes received in LENGTH; bytes beyond LENGTH before TLAST raise
//!   DMAIntErr.
//! - Scatter Gather: a TAILDESC write while running processes descriptors from
//!   CURDESC to TAILDESC, writing STATUS (transferred bytes, RXSOF/RXEOF, error
//!   bits, Cmplt); a descriptor fetched with Cmplt set raises SGIntErr, a zero
//!   buffer length DMAIntErr. Once idle at the tail, the next TAILDESC write
//!   resumes at the tail's NXTDESC. IOC_Irq is raised per EOF descriptor, coalesced by
//!   IRQThreshold. Cyclic mode ignores Cmplt and TAILDESC and follows NXTDESC.
//! - Memory answers map to errors: DECERR → DMADecErr / SGDecErr, SLVERR →
//!   DMASlvErr / SGSlvErr. Any error halts the channel (RS cleared, Halted set,
//!   Err_Irq raised) until a reset.
//! - Without DRE a misaligned buffer address is "undefined results" in PG021;
//!   the model drops the low address bits, so the data comes from (or lands
//!   at) the aligned-down address, which is what a test of a driver that
//!   forgets the check will notice.
//! - The `_MSB` registers exist only with an address width above 32.
//!
//! Not modelled: the delay timer (Dly_Irq), multichannel mode, the status and
//! control (APP) streams, micro DMA, timing. Keyhole is modelled on the data
//! path only.
//!
//! The model is synchronous: it advances on every register access and while a
//! [`ModelIrq`] is waited on, in the calling thread. Non-cyclic work runs until
//! it completes or stalls; cyclic channels process a bounded number of
//! descriptors per access.

mod irq;
mod memory;
mod stream;

pub use irq::ModelIrq;
pub use memory::{BusFault, FaultyMemory, PhysMemory, RamRegion};
pub use stream::{Loopback, StreamPeer, TestStream};

use super::config::{AxiDmaConfig, Channel, ConfigError};
use crate::axi_dma::AxiDmaError;
use crate::bus::Bus;
use crate::dma::DmaSpace;
use crate::exclusive::ExclusiveBus;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Register offsets and bits, written from PG021 independently of the YAML
/// map, so the driver's generated register block is checked against a second
/// reading of the datasheet rather than against itself.
pub(crate) mod pg021 {
    pub const DMACR: usize = 0x00;
    pub const DMASR: usize = 0x04;
    pub const CURDESC: usize = 0x08;
    pub const CURDESC_MSB: usize = 0x0C;
    pub const TAILDESC: usize = 0x10;
    pub const TAILDESC_MSB: usize = 0x14;
    pub const ADDR: usize = 0x18;
    pub const ADDR_MSB: usize = 0x1C;
    pub const LENGTH: usize = 0x28;
    pub const SG_CTL: usize = 0x2C;
    pub const CHANNEL_STRIDE: usize = 0x30;

    pub const CR_RS: u32 = 1 << 0;
    pub const CR_RESERVED_ONE: u32 = 1 << 1;
    pub const CR_RESET: u32 = 1 << 2;
    pub const CR_KEYHOLE: u32 = 1 << 3;
    pub const CR_CYCLIC: u32 = 1 << 4;
    pub const CR_IOC_EN: u32 = 1 << 12;
    pub const CR_DLY_EN: u32 = 1 << 13;
    pub const CR_ERR_EN: u32 = 1 << 14;
    pub const CR_WRITABLE: u32 = 0xFFFF_701D & !CR_RESET;

    pub const SR_HALTED: u32 = 1 << 0;
    pub const SR_IDLE: u32 = 1 << 1;
    pub const SR_SGINCLD: u32 = 1 << 3;
    pub const SR_DMA_INT: u32 = 1 << 4;
    pub const SR_DMA_SLV: u32 = 1 << 5;
    pub const SR_DMA_DEC: u32 = 1 << 6;
    pub const SR_SG_INT: u32 = 1 << 8;
    pub const SR_SG_SLV: u32 = 1 << 9;
    pub const SR_SG_DEC: u32 = 1 << 10;
    pub const SR_ERRORS: u32 = 0x770;
    pub const SR_IOC: u32 = 1 << 12;
    pub const SR_DLY: u32 = 1 << 13;
    pub const SR_ERR: u32 = 1 << 14;

    pub const D_NXTDESC: usize = 0x00;
    pub const D_CONTROL: usize = 0x18;
    pub const D_STATUS: usize = 0x1C;
    pub const CTRL_TXEOF: u32 = 1 << 26;
    pub const ST_RXEOF: u32 = 1 << 26;
    pub const ST_RXSOF: u32 = 1 << 27;
    pub const ST_INT_ERR: u32 = 1 << 28;
    pub const ST_SLV_ERR: u32 = 1 << 29;
    pub const ST_DEC_ERR: u32 = 1 << 30;
    pub const ST_CMPLT: u32 = 1 << 31;
}
use pg021::*;

/// Largest piece of data moved in one go; bounds the model's temporary buffers.
const CHUNK: usize = 256 * 1024;
/// Descriptors a cyclic channel processes per model step.
const CYCLIC_BUDGET: usize = 64;

/// Misbehaviours to inject, for testing that a driver's deadlines hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ModelFaults {
    /// `DMACR.RS = 0` never sets `DMASR.Halted`.
    pub never_halt: bool,
    /// `DMACR.RS = 1` never clears `DMASR.Halted`.
    pub never_start: bool,
    /// `DMACR.Reset` never clears itself (and resets nothing).
    pub reset_stuck: bool,
}

/// What the model has moved since it was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ModelStats {
    /// Bytes moved per channel, indexed by [`Channel::index`].
    pub bytes: [u64; 2],
    /// Direct-mode transfers completed per channel.
    pub transfers: [u64; 2],
    /// Descriptors completed per channel.
    pub descriptors: [u64; 2],
    /// Soft resets performed.
    pub resets: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Job {
    None,
    Simple { addr: u64, len: u64, done: u64 },
    Sg { progress: u64 },
}

#[derive(Debug)]
struct Chan {
    present: bool,
    dmacr: u32,
    sr: u32,
    threshold_count: u32,
    curdesc: u64,
    taildesc: u64,
    addr: u64,
    length: u32,
    job: Job,
    halt_pending: bool,
    /// S2MM SG: the next descriptor starts a packet (RXSOF).
    rx_sof: bool,
    /// SG: the engine stopped at the tail; the next TAILDESC write resumes at
    /// the tail's NXTDESC (CURDESC keeps pointing at the tail meanwhile).
    resume_at: Option<u64>,
    budget: usize,
}

impl Chan {
    fn new(present: bool) -> Self {
        Self {
            present,
            dmacr: 0x0001_0000,
            sr: SR_HALTED,
            threshold_count: 1,
            curdesc: 0,
            taildesc: 0,
            addr: 0,
            length: 0,
            job: Job::None,
            halt_pending: false,
            rx_sof: true,
            resume_at: None,
            budget: usize::MAX,
        }
    }

    fn running(&self) -> bool {
        self.sr & SR_HALTED == 0 && self.dmacr & CR_RS != 0
    }
}

#[derive(Debug, Default)]
pub(crate) struct IrqState {
    /// Level of the channel's `introut`.
    level: bool,
    /// The UIO-style enable: cleared when the line fires, set by a re-arm.
    enabled: bool,
    /// Interrupts delivered and not yet taken by a wait.
    pending: u32,
    /// Interrupts delivered in total.
    total: u32,
}

pub(crate) struct State {
    cfg: AxiDmaConfig,
    chans: [Chan; 2],
    sg_ctl: u32,
    reset_stuck: bool,
    faults: ModelFaults,
    stream: Box<dyn StreamPeer>,
    memory: Arc<dyn PhysMemory>,
    irq: [IrqState; 2],
    stats: ModelStats,
}

pub(crate) struct Shared {
    state: Mutex<State>,
    irq_cv: Condvar,
    /// The address space of the memory the model masters.
    space: DmaSpace,
    /// Set while a [`ModelPort`] exists: the register window has one owner.
    port_taken: AtomicBool,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The AXI DMA model: a PG021 state machine whose register window
/// ([`ModelPort`], a [`Bus`]) has one owner at a time. Cloning gives another
/// handle on the same device, for the test's side: stream, faults, statistics,
/// interrupt lines.
///
/// ```
/// use regmap_runtime::Bus;
/// use regmap_runtime::axi_dma::AxiDmaConfig;
/// use regmap_runtime::axi_dma::model::{AxiDmaModel, RamRegion};
/// use std::sync::Arc;
///
/// let ram = Arc::new(RamRegion::new(0x1000_0000, 4096));
/// let cfg = AxiDmaConfig { sg: false, ..AxiDmaConfig::default() };
/// let model = AxiDmaModel::new(cfg, ram)?;
/// let regs = model.port()?;
/// assert_eq!(regs.read_u32(0x04)? & 1, 1); // MM2S_DMASR.Halted after reset
/// regs.write_u32(0x00, 1)?;                // MM2S_DMACR.RS = 1
/// assert_eq!(regs.read_u32(0x04)? & 1, 0);
/// assert!(model.port().is_err(), "one owner at a time");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct AxiDmaModel {
    shared: Arc<Shared>,
}

impl core::fmt::Debug for AxiDmaModel {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let st = self.shared.lock();
        f.debug_struct("AxiDmaModel")
            .field("config", &st.cfg)
            .field("mm2s_dmasr", &format_args!("{:#010x}", st.read_reg(DMASR)))
            .field(
                "s2mm_dmasr",
                &format_args!("{:#010x}", st.read_reg(CHANNEL_STRIDE + DMASR)),
            )
            .field("stats", &st.stats)
            .finish()
    }
}

impl AxiDmaModel {
    /// Size of the register window the model presents (the IP's 64 KiB range).
    pub const WINDOW: usize = 0x1_0000;

    /// A model of an IP configured as `config`, mastering `memory`, with MM2S
    /// looped back into S2MM through a [`Loopback`].
    pub fn new(config: AxiDmaConfig, memory: Arc<dyn PhysMemory>) -> Result<Self, ConfigError> {
        config.validate()?;
        let state = State {
            cfg: config,
            chans: [Chan::new(config.mm2s), Chan::new(config.s2mm)],
            sg_ctl: 0x3,
            reset_stuck: false,
            faults: ModelFaults::default(),
            stream: Box::new(Loopback::default()),
            memory,
            irq: [
                IrqState {
                    enabled: true,
                    ..IrqState::default()
                },
                IrqState {
                    enabled: true,
                    ..IrqState::default()
                },
            ],
            stats: ModelStats::default(),
        };
        Ok(Self {
            shared: Arc::new(Shared {
                space: state.memory.dma_space(),
                state: Mutex::new(state),
                irq_cv: Condvar::new(),
                port_taken: AtomicBool::new(false),
            }),
        })
    }

    /// The configuration the model was built with.
    pub fn config(&self) -> AxiDmaConfig {
        self.shared.lock().cfg
    }

    /// A driver over this model's port that knows the model's whole
    /// configuration (DRE, data and address widths), which
    /// [`AxiDma::new`](super::AxiDma::new) cannot. For a driver over a
    /// wrapped port (a [`TraceBus`](crate::trace::TraceBus), say), use
    /// `AxiDma::new_unchecked(bus, model.config())`.
    pub fn driver(&self) -> Result<super::AxiDma<ModelPort>, AxiDmaError> {
        let port = self.port()?;
        // SAFETY: a model has one port at a time (`port`), so the driver is
        // the only writer of these registers, and the configuration is the
        // one the model runs.
        unsafe { super::AxiDma::new_unchecked(port, self.config()) }.map_err(|e| e.error)
    }

    /// The register window, for a driver (or a test poking registers). One
    /// port exists at a time, as one driver owns a real IP's registers: a
    /// second `port()` while the first lives is an error.
    pub fn port(&self) -> Result<ModelPort, AxiDmaError> {
        self.shared
            .port_taken
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .map_err(|_| {
                AxiDmaError::RegistersTaken(
                    "the AXI DMA model's register port is already owned (a driver holds it); drop that first".into(),
                )
            })?;
        Ok(ModelPort {
            model: self.clone(),
        })
    }

    /// Replaces what is attached to the stream ports.
    pub fn set_stream(&self, peer: impl StreamPeer + 'static) {
        self.shared.lock().stream = Box::new(peer);
    }

    /// Injects misbehaviours (or clears them with `ModelFaults::default()`).
    pub fn set_faults(&self, faults: ModelFaults) {
        let mut st = self.shared.lock();
        st.faults = faults;
        if !faults.reset_stuck {
            st.reset_stuck = false;
        }
    }

    /// What the model has moved so far.
    pub fn stats(&self) -> ModelStats {
        self.shared.lock().stats
    }

    /// The interrupt output of `channel` (`mm2s_introut` / `s2mm_introut`).
    pub fn irq(&self, channel: Channel) -> ModelIrq {
        ModelIrq::new(self.shared.clone(), channel)
    }

    /// Advances the engines as far as they can go now (register accesses and
    /// interrupt waits do this already; call it after feeding a stream from
    /// another thread if nothing else touches the model).
    pub fn step(&self) {
        let mut st = self.shared.lock();
        st.step();
        drop(st);
        self.shared.irq_cv.notify_all();
    }

    fn read(&self, offset: usize) -> u32 {
        let mut st = self.shared.lock();
        let reg = offset % CHANNEL_STRIDE;
        if reg == DMASR || reg == LENGTH {
            st.step();
        }
        st.read_reg(offset)
    }

    fn write(&self, offset: usize, value: u32) {
        let mut st = self.shared.lock();
        st.write_reg(offset, value);
        st.step();
        drop(st);
        self.shared.irq_cv.notify_all();
    }
}

impl State {
    fn chan_at(offset: usize) -> Option<(usize, usize)> {
        if offset == SG_CTL || offset >= 2 * CHANNEL_STRIDE {
            return None;
        }
        Some((offset / CHANNEL_STRIDE, offset % CHANNEL_STRIDE))
    }

    fn read_reg(&self, offset: usize) -> u32 {
        if offset == SG_CTL {
            return if self.cfg.sg { self.sg_ctl } else { 0 };
        }
        let Some((ch, reg)) = Self::chan_at(offset) else {
            return 0;
        };
        let c = &self.chans[ch];
        if !c.present {
            return 0;
        }
        let msb = |v: u64| {
            if self.cfg.has_msb() {
                (v >> 32) as u32
            } else {
                0
            }
        };
        match reg {
            DMACR => c.dmacr | CR_RESERVED_ONE | if self.reset_stuck { CR_RESET } else { 0 },
            DMASR => {
                let sg = if self.cfg.sg { SR_SGINCLD } else { 0 };
                c.sr | sg | (c.threshold_count & 0xff) << 16
            }
            CURDESC if self.cfg.sg => c.curdesc as u32,
            CURDESC_MSB if self.cfg.sg => msb(c.curdesc),
            TAILDESC if self.cfg.sg => c.taildesc as u32,
            TAILDESC_MSB if self.cfg.sg => msb(c.taildesc),
            ADDR if !self.cfg.sg => c.addr as u32,
            ADDR_MSB if !self.cfg.sg => msb(c.addr),
            LENGTH if !self.cfg.sg => c.length,
            _ => 0,
        }
    }

    fn write_reg(&mut self, offset: usize, value: u32) {
        if offset == SG_CTL {
            self.sg_ctl = value & 0xF0F;
            return;
        }
        let Some((ch, reg)) = Self::chan_at(offset) else {
            return;
        };
        if !self.chans[ch].present {
            return;
        }
        let has_msb = self.cfg.has_msb();
        let sg = self.cfg.sg;
        let set_lo = |v: &mut u64, lo: u32| *v = (*v & !0xffff_ffff) | u64::from(lo);
        let set_hi = |v: &mut u64, hi: u32| {
            if has_msb {
                *v = (*v & 0xffff_ffff) | u64::from(hi) << 32;
            }
        };
        match reg {
            DMACR => self.write_dmacr(ch, value),
            DMASR => {
                self.chans[ch].sr &= !(value & (SR_IOC | SR_DLY | SR_ERR));
                self.update_irq(ch);
            }
            CURDESC if sg => {
                let c = &mut self.chans[ch];
                // PG021: CURDESC may only be written while halted.
                if c.sr & SR_HALTED != 0 {
                    set_lo(&mut c.curdesc, value & !0x3f);
                    c.resume_at = None;
                }
            }
            CURDESC_MSB if sg => {
                let c = &mut self.chans[ch];
                if c.sr & SR_HALTED != 0 {
                    set_hi(&mut c.curdesc, value);
                    c.resume_at = None;
                }
            }
            TAILDESC if sg => {
                let c = &mut self.chans[ch];
                set_lo(&mut c.taildesc, value & !0x3f);
                if c.running() && c.job == Job::None {
                    if let Some(next) = c.resume_at.take() {
                        c.curdesc = next;
                    }
                    c.job = Job::Sg { progress: 0 };
                    c.sr &= !SR_IDLE;
                }
            }
            TAILDESC_MSB if sg => set_hi(&mut self.chans[ch].taildesc, value),
            ADDR if !sg => set_lo(&mut self.chans[ch].addr, value),
            ADDR_MSB if !sg => set_hi(&mut self.chans[ch].addr, value),
            LENGTH if !sg => {
                let len = value & self.cfg.max_transfer() as u32;
                let c = &mut self.chans[ch];
                c.length = len;
                if len != 0 && c.running() && c.job == Job::None {
                    c.job = Job::Simple {
                        addr: c.addr & self.cfg.address_mask(),
                        len: u64::from(len),
                        done: 0,
                    };
                    c.sr &= !SR_IDLE;
                }
            }
            _ => {}
        }
    }

    fn write_dmacr(&mut self, ch: usize, value: u32) {
        if value & CR_RESET != 0 {
            if self.faults.reset_stuck {
                self.reset_stuck = true;
            } else {
                self.soft_reset();
            }
            return;
        }
        let faults = self.faults;
        let c = &mut self.chans[ch];
        let was_rs = c.dmacr & CR_RS != 0;
        c.dmacr = value & CR_WRITABLE;
        c.threshold_count = ((value >> 16) & 0xff).max(1);
        let rs = value & CR_RS != 0;
        if rs && !was_rs && c.sr & SR_ERRORS == 0 && !faults.never_start {
            c.sr &= !(SR_HALTED | SR_IDLE);
        }
        if !rs && was_rs {
            let busy = c.job != Job::None;
            let stalled_mm2s = ch == 0 && busy && self.stream.ready() == 0;
            let c = &mut self.chans[ch];
            if faults.never_halt {
                // RS reads 0, but the engine never reports Halted.
            } else if stalled_mm2s {
                // Data already fetched must leave on the stream before the
                // channel can halt; a stream holding TREADY low blocks that.
                c.halt_pending = true;
            } else {
                c.job = Job::None;
                c.sr = (c.sr | SR_HALTED) & !SR_IDLE;
            }
        }
        self.update_irq(ch);
    }

    fn soft_reset(&mut self) {
        for ch in 0..2 {
            let present = self.chans[ch].present;
            self.chans[ch] = Chan::new(present);
            self.update_irq(ch);
        }
        self.sg_ctl = 0x3;
        self.stream.reset();
        self.stats.resets += 1;
    }

    fn update_irq(&mut self, ch: usize) {
        let c = &self.chans[ch];
        let level = (c.sr & SR_IOC != 0 && c.dmacr & CR_IOC_EN != 0)
            || (c.sr & SR_DLY != 0 && c.dmacr & CR_DLY_EN != 0)
            || (c.sr & SR_ERR != 0 && c.dmacr & CR_ERR_EN != 0);
        let irq = &mut self.irq[ch];
        irq.level = level;
        if level && irq.enabled {
            irq.enabled = false;
            irq.pending += 1;
            irq.total += 1;
        }
    }

    pub(crate) fn rearm(&mut self, ch: usize) {
        self.irq[ch].enabled = true;
        self.update_irq(ch);
    }

    pub(crate) fn take_irq(&mut self, ch: usize) -> Option<u32> {
        let irq = &mut self.irq[ch];
        if irq.pending == 0 {
            return None;
        }
        irq.pending = 0;
        Some(irq.total)
    }

    pub(crate) fn irq_total(&self, ch: usize) -> u32 {
        self.irq[ch].total
    }

    /// Stops `ch` with error bits `bits` (PG021: RS cleared, Halted set).
    fn fail(&mut self, ch: usize, bits: u32) {
        let c = &mut self.chans[ch];
        c.sr = (c.sr | bits | SR_ERR | SR_HALTED) & !SR_IDLE;
        c.dmacr &= !CR_RS;
        c.job = Job::None;
        c.halt_pending = false;
        self.update_irq(ch);
    }

    fn finish_job(&mut self, ch: usize) {
        let c = &mut self.chans[ch];
        c.job = Job::None;
        c.sr |= SR_IDLE;
        if c.halt_pending {
            c.halt_pending = false;
            c.sr = (c.sr | SR_HALTED) & !SR_IDLE;
        }
    }

    fn raise_ioc(&mut self, ch: usize) {
        self.chans[ch].sr |= SR_IOC;
        self.update_irq(ch);
    }

    /// Runs both engines until neither can make progress.
    fn step(&mut self) {
        for c in &mut self.chans {
            c.budget = if c.dmacr & CR_CYCLIC != 0 {
                CYCLIC_BUDGET
            } else {
                usize::MAX
            };
        }
        loop {
            let a = self.advance(0);
            let b = self.advance(1);
            if !a && !b {
                break;
            }
        }
    }

    fn advance(&mut self, ch: usize) -> bool {
        if !self.chans[ch].present {
            return false;
        }
        match self.chans[ch].job {
            Job::None => false,
            Job::Simple { addr, len, done } => self.advance_simple(ch, addr, len, done),
            Job::Sg { progress } => self.advance_sg(ch, progress),
        }
    }

    /// The address the data path uses: the aligned-down address without DRE
    /// (PG021 leaves misaligned addresses undefined; this is one such result).
    fn data_addr(&self, addr: u64) -> u64 {
        let a = addr & self.cfg.address_mask();
        if self.cfg.dre {
            a
        } else {
            a & !(u64::from(self.cfg.data_width) - 1)
        }
    }

    fn keyhole(&self, ch: usize) -> bool {
        self.chans[ch].dmacr & CR_KEYHOLE != 0
    }

    /// Moves up to `len - done` bytes of one buffer between memory and the
    /// stream. Returns the new `done`, whether TLAST was seen (S2MM), and the
    /// bus fault that stopped it, if any.
    fn move_data(&mut self, ch: usize, base: u64, len: u64, mut done: u64, eof: bool) -> Moved {
        let keyhole = self.keyhole(ch);
        let width = u64::from(self.cfg.data_width);
        // An address that wraps past the top decodes to nothing.
        let at = |done: u64| {
            if keyhole {
                base
            } else {
                base.saturating_add(done)
            }
        };
        if ch == 0 {
            while done < len {
                let ready = self.stream.ready();
                if ready == 0 {
                    break;
                }
                let n = (len - done).min(ready as u64).min(CHUNK as u64) as usize;
                // A recycled buffer is overwritten whole below; resizing it
                // zeroes only bytes it never had.
                let mut buf = self.stream.recycle().unwrap_or_default();
                buf.resize(n, 0);
                let res = if keyhole {
                    buf.chunks_mut(width as usize)
                        .try_for_each(|piece| self.memory.read(base, piece))
                } else {
                    self.memory.read(at(done), &mut buf)
                };
                if let Err(fault) = res {
                    return Moved {
                        done,
                        last: false,
                        fault: Some(fault),
                    };
                }
                done += n as u64;
                self.stats.bytes[0] += n as u64;
                self.stream.send(buf, eof && done == len);
            }
            Moved {
                done,
                last: false,
                fault: None,
            }
        } else {
            let State { stream, memory, .. } = self;
            while let Some((run, last)) = stream.peek() {
                let room = (len - done) as usize;
                if room == 0 {
                    if run.is_empty() && last {
                        stream.consume(0);
                        return Moved {
                            done,
                            last: true,
                            fault: None,
                        };
                    }
                    // More bytes and no TLAST yet: the buffer is full.
                    break;
                }
                let n = run.len().min(room);
                let ended = last && n == run.len();
                let res = if keyhole {
                    run[..n]
                        .chunks(width as usize)
                        .try_for_each(|piece| memory.write(base, piece))
                } else {
                    memory.write(at(done), &run[..n])
                };
                if let Err(fault) = res {
                    return Moved {
                        done,
                        last: false,
                        fault: Some(fault),
                    };
                }
                stream.consume(n);
                done += n as u64;
                self.stats.bytes[1] += n as u64;
                if ended {
                    return Moved {
                        done,
                        last: true,
                        fault: None,
                    };
                }
            }
            Moved {
                done,
                last: false,
                fault: None,
            }
        }
    }

    fn stream_has_data(&mut self) -> bool {
        self.stream.peek().is_some_and(|(run, _)| !run.is_empty())
    }

    fn advance_simple(&mut self, ch: usize, addr: u64, len: u64, done: u64) -> bool {
        let base = self.data_addr(addr);
        let moved = self.move_data(ch, base, len, done, true);
        let progressed = moved.done != done;
        if let Some(fault) = moved.fault {
            let bit = match fault {
                BusFault::Decode => SR_DMA_DEC,
                BusFault::Slave => SR_DMA_SLV,
            };
            self.fail(ch, bit);
            return true;
        }
        let complete = if ch == 0 {
            moved.done == len
        } else {
            moved.last
        };
        if complete {
            if ch == 1 {
                self.chans[ch].length = moved.done as u32;
            }
            self.stats.transfers[ch] += 1;
            self.finish_job(ch);
            self.raise_ioc(ch);
            return true;
        }
        if ch == 1 && moved.done == len && self.stream_has_data() {
            // PG021: the incoming packet is bigger than LENGTH.
            self.fail(ch, SR_DMA_INT);
            return true;
        }
        self.chans[ch].job = Job::Simple {
            addr,
            len,
            done: moved.done,
        };
        progressed
    }

    fn sg_fault(&mut self, ch: usize, fault: BusFault) -> bool {
        let bit = match fault {
            BusFault::Decode => SR_SG_DEC,
            BusFault::Slave => SR_SG_SLV,
        };
        self.fail(ch, bit);
        true
    }

    fn advance_sg(&mut self, ch: usize, mut progress: u64) -> bool {
        let mut progressed = false;
        loop {
            if self.chans[ch].budget == 0 {
                self.chans[ch].job = Job::Sg { progress };
                return progressed;
            }
            let cyclic = self.chans[ch].dmacr & CR_CYCLIC != 0;
            let desc = self.chans[ch].curdesc & self.cfg.address_mask();
            let mut raw = [0u8; 0x20];
            if let Err(f) = self.memory.read(desc, &mut raw) {
                return self.sg_fault(ch, f);
            }
            let word = |o: usize| u32::from_le_bytes([raw[o], raw[o + 1], raw[o + 2], raw[o + 3]]);
            let next = (u64::from(word(D_NXTDESC + 4)) << 32 | u64::from(word(D_NXTDESC)))
                & !0x3f
                & self.cfg.address_mask();
            let next = if self.cfg.has_msb() {
                next
            } else {
                next & 0xffff_ffff
            };
            let buffer = u64::from(word(0x0C)) << 32 | u64::from(word(0x08));
            let buffer = if self.cfg.has_msb() {
                buffer
            } else {
                buffer & 0xffff_ffff
            };
            let control = word(D_CONTROL);
            let status = word(D_STATUS);
            if progress == 0 && !cyclic && status & ST_CMPLT != 0 {
                self.fail(ch, SR_SG_INT);
                return true;
            }
            let len = u64::from(control) & self.cfg.max_transfer();
            let status_addr = desc.wrapping_add(D_STATUS as u64);
            if len == 0 {
                if let Err(f) = self.memory.write(status_addr, &ST_INT_ERR.to_le_bytes()) {
                    return self.sg_fault(ch, f);
                }
                self.fail(ch, SR_DMA_INT);
                return true;
            }
            let base = self.data_addr(buffer);
            let eof_flag = control & CTRL_TXEOF != 0;
            let moved = self.move_data(ch, base, len, progress, eof_flag);
            progressed |= moved.done != progress;
            progress = moved.done;
            if let Some(fault) = moved.fault {
                let (dbit, sbit) = match fault {
                    BusFault::Decode => (ST_DEC_ERR, SR_DMA_DEC),
                    BusFault::Slave => (ST_SLV_ERR, SR_DMA_SLV),
                };
                let st = dbit | (progress as u32 & self.cfg.max_transfer() as u32);
                if let Err(f) = self.memory.write(status_addr, &st.to_le_bytes()) {
                    return self.sg_fault(ch, f);
                }
                self.fail(ch, sbit);
                return true;
            }
            let (complete, eof) = if ch == 0 {
                (progress == len, eof_flag)
            } else {
                (moved.last || progress == len, moved.last)
            };
            if !complete {
                self.chans[ch].job = Job::Sg { progress };
                return progressed;
            }
            let mut st = ST_CMPLT | progress as u32;
            if ch == 1 {
                if self.chans[ch].rx_sof {
                    st |= ST_RXSOF;
                }
                if eof {
                    st |= ST_RXEOF;
                }
                self.chans[ch].rx_sof = eof;
            }
            if let Err(f) = self.memory.write(status_addr, &st.to_le_bytes()) {
                return self.sg_fault(ch, f);
            }
            progressed = true;
            progress = 0;
            self.stats.descriptors[ch] += 1;
            let c = &mut self.chans[ch];
            c.budget -= 1;
            if eof {
                c.threshold_count -= 1;
                if c.threshold_count == 0 {
                    c.threshold_count = ((c.dmacr >> 16) & 0xff).max(1);
                    self.raise_ioc(ch);
                }
            }
            let c = &mut self.chans[ch];
            if c.halt_pending || (!cyclic && desc == c.taildesc & self.cfg.address_mask()) {
                c.curdesc = desc;
                c.resume_at = Some(next);
                self.finish_job(ch);
                return true;
            }
            c.curdesc = next;
        }
    }
}

struct Moved {
    done: u64,
    last: bool,
    fault: Option<BusFault>,
}

/// The model's register window, owned by one driver at a time (see
/// [`AxiDmaModel::port`]); dropping it frees the port.
pub struct ModelPort {
    model: AxiDmaModel,
}

impl core::fmt::Debug for ModelPort {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("ModelPort").field(&self.model).finish()
    }
}

impl Drop for ModelPort {
    fn drop(&mut self) {
        self.model.shared.port_taken.store(false, Ordering::Release);
    }
}

// SAFETY: `AxiDmaModel::port` hands out one port at a time (the flag is
// cleared only when it drops), the port is not Clone, and the model's other
// handles have no register access: only the port programs the engine.
unsafe impl ExclusiveBus for ModelPort {}

// SAFETY: a fixed-size window; accesses are decoded into model state, never raw memory.
unsafe impl Bus for ModelPort {
    fn size(&self) -> usize {
        AxiDmaModel::WINDOW
    }
    fn dma_space(&self) -> DmaSpace {
        self.model.shared.space
    }
    unsafe fn read_u8_unchecked(&self, offset: usize) -> u8 {
        (self.model.read(offset & !3) >> ((offset % 4) * 8)) as u8
    }
    unsafe fn read_u16_unchecked(&self, offset: usize) -> u16 {
        (self.model.read(offset & !3) >> ((offset % 4) * 8)) as u16
    }
    unsafe fn read_u32_unchecked(&self, offset: usize) -> u32 {
        self.model.read(offset)
    }
    unsafe fn read_u64_unchecked(&self, offset: usize) -> u64 {
        // A 64-bit access reaches the 32-bit AXI4-Lite slave as two.
        u64::from(self.model.read(offset)) | u64::from(self.model.read(offset + 4)) << 32
    }
    unsafe fn write_u8_unchecked(&self, offset: usize, value: u8) {
        self.model.write_narrow(offset, u32::from(value), 0xff);
    }
    unsafe fn write_u16_unchecked(&self, offset: usize, value: u16) {
        self.model.write_narrow(offset, u32::from(value), 0xffff);
    }
    unsafe fn write_u32_unchecked(&self, offset: usize, value: u32) {
        self.model.write(offset, value);
    }
    unsafe fn write_u64_unchecked(&self, offset: usize, value: u64) {
        self.model.write(offset, value as u32);
        self.model.write(offset + 4, (value >> 32) as u32);
    }
}

impl AxiDmaModel {
    /// A narrow write: the other bytes of the word keep their stored value
    /// (write strobes), and the write acts as a full-word write would.
    fn write_narrow(&self, offset: usize, value: u32, mask: u32) {
        let shift = (offset % 4) * 8;
        let word = offset & !3;
        let old = self.shared.lock().read_reg(word);
        self.write(word, (old & !(mask << shift)) | (value & mask) << shift);
    }
}

#[cfg(test)]
mod tests;
