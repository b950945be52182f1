//! [`AxiDma`]: reset, run/stop and direct-mode transfers.

use super::config::{AxiDmaConfig, Channel};
use super::error::{AxiDmaError, TimeoutReport};
use super::registers::{self, channel};
use super::status::DmaStatus;
use super::transfer::{Completed, Failed, NotBound, Refused, Transfer};
use crate::arbitrary_int::u26;
use crate::bus::Bus;
use crate::dma::{DmaSpace, DmaTarget};
use crate::exclusive::{Exclusive, ExclusiveBus};
use crate::irq::InterruptLine;
use crate::poll::poll;
use crate::trace::{TraceBus, TraceView};
use crate::uio::Uio;
use crate::window::MappedWindow;
use std::mem::ManuallyDrop;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The alignment [`AxiDma::new`] asks of buffers: the widest memory-mapped
/// data path (1024 bits), since it cannot know the IP's or whether it has DRE.
const UNKNOWN_IP_ALIGN: u64 = 128;

/// One channel's registers as read by [`AxiDma::channel_registers`]: raw
/// values, with DMASR decoded. CURDESC, TAILDESC and ADDRESS include their
/// `_MSB` words when the address width is above 32.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelRegisters {
    /// DMACR.
    pub dmacr: u32,
    /// DMASR, decoded.
    pub dmasr: DmaStatus,
    /// CURDESC (scatter gather).
    pub curdesc: u64,
    /// TAILDESC (scatter gather).
    pub taildesc: u64,
    /// ADDRESS: SA for MM2S, DA for S2MM (direct mode).
    pub address: u64,
    /// LENGTH (direct mode): S2MM reads back the bytes received.
    pub length: u32,
}

struct ChannelState {
    /// Set while the engine may own a buffer of this channel.
    busy: AtomicBool,
    irq: Option<Box<dyn InterruptLine>>,
}

/// Driver for one AXI DMA instance (PG021), over any [`Bus`].
///
/// Configure it as the IP was built ([`AxiDmaConfig`]); it refuses what that IP
/// cannot do (transfers longer than the length register, misaligned buffers
/// without DRE, addresses beyond the address width) instead of letting the
/// hardware do something undefined. Every wait has a deadline.
///
/// ```
/// use regmap_runtime::axi_dma::{AxiDma, AxiDmaConfig, Channel};
/// use regmap_runtime::axi_dma::model::AxiDmaModel;
/// use regmap_runtime::dma::{DmaAllocator, SimMemory};
/// use std::{sync::Arc, time::Duration};
///
/// let mem = SimMemory::new(0x4000_0000, 1 << 20);
/// let cfg = AxiDmaConfig { sg: false, ..AxiDmaConfig::default() };
/// let model = AxiDmaModel::new(cfg, Arc::new(mem.clone()))?;
/// let mut dma = AxiDma::new(model.port()?, cfg)?;
/// let t = Duration::from_millis(100);
/// dma.reset(t)?;
/// dma.start(Channel::Mm2s, t)?;
/// dma.start(Channel::S2mm, t)?;
///
/// let mut tx = mem.allocate(256)?;
/// tx.as_bytes_mut().fill(0x5a);
/// let rx = mem.allocate(256)?;
/// let rx = dma.receive(rx)?;
/// let tx = dma.send(tx)?;
/// tx.wait(t)?;
/// let done = rx.wait(t)?;
/// assert_eq!(done.bytes, 256);
/// assert!(done.buffer.as_bytes().iter().all(|&b| b == 0x5a));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct AxiDma<B: Bus> {
    regs: registers::AxiDma<B>,
    config: AxiDmaConfig,
    /// Whether `config` is known to be how the IP was built. If not, the
    /// driver relies on nothing in it that could send the engine outside a
    /// buffer: see [`AxiDma::new`].
    pub(super) known: bool,
    chans: [ChannelState; 2],
    abort_timeout: Duration,
}

impl<B: Bus> core::fmt::Debug for AxiDma<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AxiDma")
            .field("config", &self.config)
            .field("mm2s_busy", &self.chans[0].busy.load(Ordering::Relaxed))
            .field("s2mm_busy", &self.chans[1].busy.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl AxiDma<Exclusive<MappedWindow>> {
    /// Binds the driver to the AXI DMA behind UIO device `uio`, whose map 0
    /// it maps alone ([`Uio::into_exclusive_map`]), with the whole
    /// configuration the device tree gives the device
    /// ([`AxiDmaConfig::from_device_tree`]); scatter gather as DMASR.SGIncld
    /// reads. The tree is read from this machine's own sysfs for a device
    /// node (never a caller's tree), and it is the description Linux's own
    /// DMA driver would trust: with it, buffers need only the alignment and
    /// reach of the IP as built.
    ///
    /// A device without a device-tree node (a PCI function, say) is refused:
    /// use [`new`](Self::new) or [`new_unchecked`](Self::new_unchecked).
    pub fn from_uio(uio: Uio) -> Result<Self, AxiDmaError> {
        let Some(node) = uio.of_node() else {
            return Err(AxiDmaError::DeviceTree {
                path: uio.info().sys_dir.clone(),
                reason: "the device has no device-tree node (`device/of_node`), so nothing says how the IP was built: bind with AxiDma::new (128-byte aligned buffers below 4 GiB) or unsafe AxiDma::new_unchecked".into(),
            });
        };
        let mut config = AxiDmaConfig::from_device_tree(&node)?;
        let window = uio.into_exclusive_map(0)?;
        let present = Channel::BOTH
            .into_iter()
            .find(|c| config.has(*c))
            .unwrap_or(Channel::Mm2s);
        config.sg = registers::AxiDma::new(&window)?
            .channel(present.index())
            .expect("the register block has exactly the two channels of `Channel`")
            .dmasr()
            .read()
            .get(channel::Dmasr::SG_INCLD);
        // SAFETY: the window is this device's only one (`into_exclusive_map`
        // consumed the `Uio` and holds its lock), and the configuration is
        // the device tree's description of this device, read from this
        // machine's sysfs.
        unsafe { Self::new_unchecked(window, config) }.map_err(|e| e.error)
    }
}

impl<B: Bus> AxiDma<B> {
    /// Binds the driver to the IP's register window, which it then owns alone:
    /// an [`ExclusiveBus`] such as a [`ModelPort`](super::model::ModelPort) or
    /// [`Uio::into_exclusive_map`](crate::Uio::into_exclusive_map) (a shared
    /// `&B`, `WindowRef` or `Arc` would let a second driver run a second
    /// transfer on the same channel). Checks the configuration, the window
    /// size, and that DMASR.SGIncld agrees with `config.sg`, then soft-resets
    /// the IP (waiting up to the [abort timeout](Self::set_abort_timeout),
    /// 100 ms): both channels come up halted, with every address register,
    /// `_MSB` words included, at 0.
    ///
    /// The registers cannot say whether the IP has a Data Realignment
    /// Engine, how wide its memory-mapped data path is, or how many address
    /// bits it drives, and a wrong `config` there would let the engine write
    /// below an unaligned buffer or at an address with its upper bits cut
    /// off. So this safe constructor uses `config` for those only where it
    /// asks for less: every buffer and descriptor ring must start on a
    /// 128-byte boundary (the widest data path, 1024 bits; what
    /// [`DmaAllocator`](crate::dma::DmaAllocator)s give anyway) and lie below
    /// 4 GiB. Scatter gather is checked against DMASR.SGIncld; the length
    /// width and the channels are used as given, since neither can send the
    /// engine outside a buffer (a narrower LENGTH on the IP cuts a transfer
    /// short, and an MM2S byte count then states what was asked). Nor can
    /// the registers say which IP they belong to: `bus` is taken to be an
    /// AXI DMA's window. For the whole configuration, bind with
    /// [`from_uio`](AxiDma::from_uio), which reads it from the device tree,
    /// [`AxiDmaModel::driver`](super::model::AxiDmaModel::driver) for a model,
    /// or [`new_unchecked`](Self::new_unchecked).
    ///
    /// A refusal gives the bus back ([`NotBound`]), so a corrected
    /// configuration can be tried on the same window.
    pub fn new(bus: B, config: AxiDmaConfig) -> Result<Self, NotBound<B>>
    where
        B: ExclusiveBus,
    {
        Self::build(bus, config, false)
    }

    /// [`new`](Self::new) over any bus, trusting all of `config`.
    ///
    /// # Safety
    /// - While the driver lives, nothing but the driver writes the IP's
    ///   registers: no other driver, no other window or copy of this one, in
    ///   this process or another. Otherwise a second writer can start the
    ///   engine into memory the driver already handed back.
    /// - `config` is how the IP behind `bus` was built: DRE only if the IP has
    ///   it, a data width no narrower and an address width no wider than the
    ///   IP's. Otherwise the engine writes outside the buffers it is given.
    pub unsafe fn new_unchecked(bus: B, config: AxiDmaConfig) -> Result<Self, NotBound<B>> {
        Self::build(bus, config, true)
    }

    /// What every constructor does; `known` says whether `config` may be
    /// relied on where the hardware cannot be asked.
    fn build(bus: B, config: AxiDmaConfig, known: bool) -> Result<Self, NotBound<B>> {
        let checked = config.validate().map_err(AxiDmaError::from).and_then(|()| {
            bus.check_block("axi_dma", registers::AxiDma::<B>::SIZE, 4)
                .map_err(AxiDmaError::from)
        });
        if let Err(error) = checked {
            return Err(NotBound { error, bus });
        }
        let regs = registers::AxiDma::new(bus)
            .expect("the window passed the block's only check (size and alignment) just above");
        let mut dma = Self {
            regs,
            config,
            known,
            chans: [
                ChannelState {
                    busy: AtomicBool::new(false),
                    irq: None,
                },
                ChannelState {
                    busy: AtomicBool::new(false),
                    irq: None,
                },
            ],
            abort_timeout: Duration::from_millis(100),
        };
        for ch in Channel::BOTH.into_iter().filter(|c| config.has(*c)) {
            let hardware = dma.chan(ch).dmasr().read().get(channel::Dmasr::SG_INCLD);
            if hardware != config.sg {
                let error = AxiDmaError::SgMismatch {
                    channel: ch,
                    configured: config.sg,
                    hardware,
                };
                return Err(NotBound {
                    error,
                    bus: dma.regs.into_inner(),
                });
            }
        }
        // The window may come from a driver that was dropped with its
        // transfer handle leaked, or from a process that died mid-transfer:
        // the engine can still be running. Its buffer is not ours to protect,
        // but a transfer this driver starts must not race it, and a 32-bit
        // configuration must not inherit a stale upper address half.
        if let Err(error) = dma.reset(dma.abort_timeout) {
            return Err(NotBound {
                error,
                bus: dma.regs.into_inner(),
            });
        }
        Ok(dma)
    }

    /// Waits on `line` for `channel`'s transfers instead of polling DMASR.
    /// IOC and Err interrupts are enabled in DMACR at the next
    /// [`start`](Self::start) and after every [`reset`](Self::reset).
    pub fn with_interrupt(
        mut self,
        channel: Channel,
        line: impl InterruptLine + 'static,
    ) -> Result<Self, AxiDmaError> {
        self.present(channel)?;
        line.enable()
            .map_err(|source| AxiDmaError::irq(channel, source))?;
        self.chans[channel.index()].irq = Some(Box::new(line));
        Ok(self)
    }

    /// How long a failed or abandoned transfer may take to stop (RS = 0, then a
    /// soft reset) before its buffer is leaked instead. Default 100 ms.
    pub fn set_abort_timeout(&mut self, timeout: Duration) {
        self.abort_timeout = timeout;
    }

    /// The configuration the driver was built with.
    pub fn config(&self) -> &AxiDmaConfig {
        &self.config
    }

    /// The generated register block, for anything the driver does not cover.
    /// For status, [`channel_registers`](Self::channel_registers) and
    /// [`status`](Self::status) need no `unsafe`.
    ///
    /// # Safety
    /// The driver owns the channels: write nothing through the block that can
    /// start, restart or retarget a channel (DMACR, ADDRESS, LENGTH, CURDESC,
    /// TAILDESC and their `_MSB` words) or acknowledge its DMASR bits, while a
    /// transfer handle of this driver is alive or after one has given its
    /// buffer back. A LENGTH write, say, restarts the engine into a buffer
    /// that is no longer the driver's.
    pub unsafe fn registers(&self) -> &registers::AxiDma<B> {
        &self.regs
    }

    /// Every register of `channel`, read once each (none of these reads has a
    /// side effect). Read-only: the driver owns the registers.
    pub fn channel_registers(&self, channel: Channel) -> Result<ChannelRegisters, AxiDmaError> {
        self.present(channel)?;
        let c = self.chan(channel);
        let wide = |lo: u32, hi: Option<u32>| u64::from(hi.unwrap_or(0)) << 32 | u64::from(lo);
        let msb = self.config.has_msb();
        Ok(ChannelRegisters {
            dmacr: c.dmacr().read().bits(),
            dmasr: DmaStatus::from_bits(c.dmasr().read().bits()),
            curdesc: wide(
                c.curdesc().read().bits(),
                msb.then(|| c.curdesc_msb().read().bits()),
            ),
            taildesc: wide(
                c.taildesc().read().bits(),
                msb.then(|| c.taildesc_msb().read().bits()),
            ),
            address: wide(
                c.address().read().bits(),
                msb.then(|| c.address_msb().read().bits()),
            ),
            length: c.length().read().bits(),
        })
    }

    /// Unbinds the driver, giving the bus back. Refused (the driver comes
    /// back) while a transfer may still own a buffer.
    pub fn into_inner(self) -> Result<B, Self> {
        if self.chans.iter().any(|c| c.busy.load(Ordering::Acquire)) {
            return Err(self);
        }
        Ok(self.regs.into_inner())
    }

    /// DMASR of `channel`, decoded.
    pub fn status(&self, channel: Channel) -> Result<DmaStatus, AxiDmaError> {
        self.present(channel)?;
        Ok(DmaStatus::from_bits(
            self.chan(channel).dmasr().read().bits(),
        ))
    }

    pub(super) fn chan(&self, channel: Channel) -> channel::Channel<'_, B> {
        self.regs
            .channel(channel.index())
            .expect("the register block has exactly the two channels of `Channel`")
    }

    pub(super) fn present(&self, channel: Channel) -> Result<(), AxiDmaError> {
        if self.config.has(channel) {
            Ok(())
        } else {
            Err(AxiDmaError::ChannelAbsent(channel))
        }
    }

    fn first_present(&self) -> Channel {
        if self.config.mm2s {
            Channel::Mm2s
        } else {
            Channel::S2mm
        }
    }

    /// Soft-resets the IP (both channels: PG021's DMACR.Reset acts on the whole
    /// core) and waits up to `timeout` for DMACR.Reset to clear. Afterwards
    /// both channels are halted, interrupt enables are re-applied, and any
    /// channel left busy by a leaked transfer handle is free again (the reset
    /// stopped the engine; the leaked buffer stays leaked).
    pub fn reset(&mut self, timeout: Duration) -> Result<(), AxiDmaError> {
        if self.soft_reset(timeout)? {
            for c in &self.chans {
                c.busy.store(false, Ordering::Release);
            }
            Ok(())
        } else {
            Err(self.reset_timeout(timeout))
        }
    }

    fn reset_timeout(&self, waited: Duration) -> AxiDmaError {
        let dmacr = |ch: Channel| {
            if self.config.has(ch) {
                self.chan(ch).dmacr().read().bits()
            } else {
                0
            }
        };
        AxiDmaError::ResetTimeout {
            waited,
            mm2s_dmacr: dmacr(Channel::Mm2s),
            s2mm_dmacr: dmacr(Channel::S2mm),
        }
    }

    /// Writes DMACR.Reset and polls it; `Ok(false)` if it did not clear in time.
    fn soft_reset(&self, timeout: Duration) -> Result<bool, AxiDmaError> {
        let ch = self.first_present();
        let c = self.chan(ch);
        c.dmacr().write(|w| w.set(channel::Dmacr::RESET, true));
        let done = poll(timeout, || {
            (!c.dmacr().read().get(channel::Dmacr::RESET)).then_some(())
        });
        if done.is_none() {
            return Ok(false);
        }
        self.apply_irq_enables();
        Ok(true)
    }

    /// Sets IOC_IrqEn and Err_IrqEn on every channel with an interrupt line.
    fn apply_irq_enables(&self) {
        for ch in Channel::BOTH {
            if self.config.has(ch) && self.chans[ch.index()].irq.is_some() {
                self.chan(ch).dmacr().modify(|w| {
                    w.set(channel::Dmacr::IOC_IRQ_EN, true)
                        .set(channel::Dmacr::ERR_IRQ_EN, true)
                });
            }
        }
    }

    /// Sets DMACR.RS (with the interrupt enables, if an interrupt is attached)
    /// and waits up to `timeout` for DMASR.Halted to clear.
    pub fn start(&self, channel: Channel, timeout: Duration) -> Result<(), AxiDmaError> {
        self.present(channel)?;
        let c = self.chan(channel);
        let status = DmaStatus::from_bits(c.dmasr().read().bits());
        if status.has_errors() {
            return Err(AxiDmaError::Engine { channel, status });
        }
        let irq = self.chans[channel.index()].irq.is_some();
        c.dmacr().modify(|w| {
            w.set(channel::Dmacr::RS, true);
            if irq {
                w.set(channel::Dmacr::IOC_IRQ_EN, true)
                    .set(channel::Dmacr::ERR_IRQ_EN, true);
            }
            w
        });
        poll(timeout, || {
            (!c.dmasr().read().get(channel::Dmasr::HALTED)).then_some(())
        })
        .ok_or_else(|| AxiDmaError::RunStopTimeout {
            channel,
            starting: true,
            waited: timeout,
            status: DmaStatus::from_bits(c.dmasr().read().bits()),
        })
    }

    /// Clears DMACR.RS and waits up to `timeout` for DMASR.Halted.
    pub fn stop(&self, channel: Channel, timeout: Duration) -> Result<(), AxiDmaError> {
        self.present(channel)?;
        let c = self.chan(channel);
        c.dmacr().modify(|w| w.set(channel::Dmacr::RS, false));
        poll(timeout, || {
            c.dmasr().read().get(channel::Dmasr::HALTED).then_some(())
        })
        .ok_or_else(|| AxiDmaError::RunStopTimeout {
            channel,
            starting: false,
            waited: timeout,
            status: DmaStatus::from_bits(c.dmasr().read().bits()),
        })
    }

    /// Starts an MM2S transfer of all of `buffer`: one packet on the stream,
    /// TLAST on its last byte. The buffer is the engine's until
    /// [`Transfer::wait`] gives it back.
    pub fn send<T: DmaTarget>(&self, buffer: T) -> Result<Transfer<'_, B, T>, Refused<T>> {
        self.start_simple(Channel::Mm2s, buffer)
    }

    /// Starts an S2MM transfer into `buffer`: it completes when the stream
    /// asserts TLAST, after at most `buffer.len()` bytes (a longer packet is a
    /// DMAIntErr).
    pub fn receive<T: DmaTarget>(&self, buffer: T) -> Result<Transfer<'_, B, T>, Refused<T>> {
        self.start_simple(Channel::S2mm, buffer)
    }

    fn start_simple<T: DmaTarget>(
        &self,
        channel: Channel,
        buffer: T,
    ) -> Result<Transfer<'_, B, T>, Refused<T>> {
        let len = buffer.len() as u64;
        let phys = buffer.phys_addr();
        let checked = self
            .check_simple(channel, (phys, buffer.dma_space()), len, true)
            .and_then(|()| self.claim(channel));
        if let Err(error) = checked {
            return Err(Refused { error, buffer });
        }
        if let Err(e) = buffer.sync_for_device() {
            self.release(channel);
            return Err(Refused {
                error: e.into(),
                buffer,
            });
        }
        if let Err(error) = self.program_simple(channel, phys, len) {
            self.release(channel);
            return Err(Refused { error, buffer });
        }
        Ok(Transfer {
            dma: self,
            channel,
            buffer: Some(buffer),
            requested: len,
        })
    }

    /// Sends all of `buffer` on MM2S in pieces the length register can hold,
    /// one after the other, waiting up to `timeout` for each. Each piece is its
    /// own packet on the stream (Direct Register Mode asserts TLAST at the end
    /// of every LENGTH); use scatter gather for one packet that long.
    pub fn send_split<T: DmaTarget>(
        &self,
        buffer: T,
        timeout: Duration,
    ) -> Result<Completed<T>, Failed<T>> {
        let channel = Channel::Mm2s;
        let len = buffer.len() as u64;
        let phys = buffer.phys_addr();
        let checked = self
            .check_simple(channel, (phys, buffer.dma_space()), len, false)
            .and_then(|()| self.claim(channel));
        if let Err(error) = checked {
            return Err(Failed {
                error,
                buffer: Some(buffer),
            });
        }
        if let Err(e) = buffer.sync_for_device() {
            self.release(channel);
            return Err(Failed {
                error: e.into(),
                buffer: Some(buffer),
            });
        }
        // From here the engine may own the buffer. Held without a destructor:
        // if anything below unwinds, the buffer leaks (and the channel stays
        // busy) instead of being freed while a piece is in flight.
        let buffer = ManuallyDrop::new(buffer);
        // Keep every piece's start aligned for an IP without DRE.
        let piece = self.config.max_transfer() & !(self.alignment() - 1);
        let mut offset = 0;
        while offset < len {
            let n = piece.min(len - offset);
            let step = self
                .program_simple(channel, phys + offset, n)
                .and_then(|()| self.wait_simple(channel, n, timeout));
            if let Err(error) = step {
                return Err(self.recover(channel, error, ManuallyDrop::into_inner(buffer)));
            }
            offset += n;
        }
        self.release(channel);
        Ok(Completed {
            buffer: ManuallyDrop::into_inner(buffer),
            bytes: len,
        })
    }

    /// Everything that can be said about a direct-mode transfer before the
    /// hardware is touched.
    fn check_simple(
        &self,
        channel: Channel,
        (phys, space): (u64, DmaSpace),
        len: u64,
        whole: bool,
    ) -> Result<(), AxiDmaError> {
        self.present(channel)?;
        if self.config.sg {
            return Err(AxiDmaError::WrongMode {
                channel,
                operation: "a direct-mode transfer",
                needs_sg: false,
            });
        }
        if len == 0 {
            return Err(AxiDmaError::Empty(channel));
        }
        let max = self.config.max_transfer();
        if whole && len > max {
            return Err(AxiDmaError::TooLong {
                channel,
                len,
                max,
                width: self.config.length_width,
            });
        }
        self.check_reach(channel, (phys, space), len)
    }

    /// A data buffer: within reach, and starting where the engine can.
    pub(super) fn check_reach(
        &self,
        channel: Channel,
        (phys, space): (u64, DmaSpace),
        len: u64,
    ) -> Result<(), AxiDmaError> {
        self.check_span(channel, (phys, space), len)?;
        let align = self.alignment();
        if !phys.is_multiple_of(align) {
            return Err(AxiDmaError::Misaligned {
                channel,
                addr: phys,
                align,
                assumed: !self.known,
            });
        }
        Ok(())
    }

    /// Memory the engine reaches: below what its address width can name.
    /// Descriptor rings need only this (their 64-byte alignment is the
    /// ring's own), since descriptors are fetched over the 32-bit SG port
    /// whatever the data path's width.
    pub(super) fn check_span(
        &self,
        channel: Channel,
        (phys, space): (u64, DmaSpace),
        len: u64,
    ) -> Result<(), AxiDmaError> {
        // The same number is other memory in another space: a simulated
        // buffer's address given to a real engine, an IOVA to a device
        // outside its VFIO container.
        let device = self.regs.bus().dma_space();
        if space != device {
            return Err(AxiDmaError::WrongSpace {
                channel,
                addr: phys,
                buffer: space,
                device,
            });
        }
        let end = phys.checked_add(len);
        let addr_width = self.addr_width();
        let limit = if addr_width >= 64 {
            u64::MAX
        } else {
            (1u64 << addr_width) - 1
        };
        match end {
            Some(end) if end - 1 <= limit => {}
            _ => {
                return Err(AxiDmaError::AddressOutOfReach {
                    channel,
                    addr: phys,
                    end: end.unwrap_or(u64::MAX),
                    addr_width,
                    assumed: !self.known,
                });
            }
        }
        Ok(())
    }

    /// Alignment every buffer start (and descriptor ring) needs: the
    /// configuration's if it is known to be the IP's, else that of the
    /// widest data path without DRE.
    pub(super) fn alignment(&self) -> u64 {
        if self.known {
            self.config.alignment()
        } else {
            UNKNOWN_IP_ALIGN
        }
    }

    /// Address bits every buffer must fit in: the configuration's if it is
    /// known to be the IP's, else the 32 every AXI DMA drives.
    fn addr_width(&self) -> u32 {
        if self.known {
            self.config.addr_width
        } else {
            self.config.addr_width.min(32)
        }
    }

    pub(super) fn claim(&self, channel: Channel) -> Result<(), AxiDmaError> {
        self.chans[channel.index()]
            .busy
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .map(|_| ())
            .map_err(|_| AxiDmaError::ChannelBusy(channel))
    }

    pub(super) fn release(&self, channel: Channel) {
        self.chans[channel.index()]
            .busy
            .store(false, Ordering::Release);
    }

    /// PG021's direct-mode sequence: channel running, stale IOC/Err
    /// acknowledged, address (upper word only when the address width needs
    /// it), LENGTH last.
    fn program_simple(&self, channel: Channel, phys: u64, len: u64) -> Result<(), AxiDmaError> {
        let c = self.chan(channel);
        let sr = c.dmasr().read();
        let status = DmaStatus::from_bits(sr.bits());
        if sr.get(channel::Dmasr::HALTED) || status.has_errors() {
            return Err(AxiDmaError::NotRunning { channel, status });
        }
        if sr.get(channel::Dmasr::IOC_IRQ) || sr.get(channel::Dmasr::ERR_IRQ) {
            self.ack(channel);
        }
        c.address().write(|w| w.set_bits(phys as u32));
        if self.config.has_msb() {
            c.address_msb().write(|w| w.set_bits((phys >> 32) as u32));
        }
        let length = u32::try_from(len)
            .ok()
            .and_then(|l| u26::try_new(l).ok())
            .ok_or(AxiDmaError::TooLong {
                channel,
                len,
                max: self.config.max_transfer(),
                width: self.config.length_width,
            })?;
        c.length().write(|w| w.set(channel::Length::LENGTH, length));
        Ok(())
    }

    /// Acknowledges IOC_Irq and Err_Irq (w1c), writing nothing else.
    pub(super) fn ack(&self, channel: Channel) {
        let mut ack = crate::Value::<channel::Dmasr>::from_bits(0);
        ack.clear(channel::Dmasr::IOC_IRQ)
            .clear(channel::Dmasr::ERR_IRQ);
        self.chan(channel).dmasr().write_value(ack);
    }

    /// Reads DMASR once: `Some` when the transfer is over (done or failed).
    fn settled(&self, channel: Channel) -> Option<Result<(), AxiDmaError>> {
        let status = DmaStatus::from_bits(self.chan(channel).dmasr().read().bits());
        if status.has_errors() {
            Some(Err(AxiDmaError::Engine { channel, status }))
        } else if status.halted() {
            Some(Err(AxiDmaError::HaltedEarly { channel, status }))
        } else if status.idle() {
            Some(Ok(()))
        } else {
            None
        }
    }

    /// Waits for the direct-mode transfer on `channel`; returns the bytes moved.
    pub(super) fn wait_simple(
        &self,
        channel: Channel,
        requested: u64,
        timeout: Duration,
    ) -> Result<u64, AxiDmaError> {
        let start = Instant::now();
        let c = self.chan(channel);
        let outcome = match &self.chans[channel.index()].irq {
            Some(line) => loop {
                let remaining = timeout.saturating_sub(start.elapsed());
                if remaining.is_zero() {
                    break match self.settled(channel) {
                        Some(Ok(())) => Err(AxiDmaError::InterruptMissing {
                            channel,
                            waited: timeout,
                            status: DmaStatus::from_bits(c.dmasr().read().bits()),
                        }),
                        Some(Err(e)) => Err(e),
                        None => Err(self.timeout(channel, "transfer", requested, timeout)),
                    };
                }
                let fired = line
                    .wait(remaining)
                    .map_err(|source| AxiDmaError::irq(channel, source))?;
                if fired {
                    let settled = self.settled(channel);
                    self.ack(channel);
                    line.enable()
                        .map_err(|source| AxiDmaError::irq(channel, source))?;
                    if let Some(r) = settled {
                        break r;
                    }
                }
            },
            None => match poll(timeout, || self.settled(channel)) {
                Some(r) => {
                    self.ack(channel);
                    r
                }
                None => Err(self.timeout(channel, "transfer", requested, timeout)),
            },
        };
        outcome?;
        self.moved(channel, requested)
    }

    /// [`wait_simple`](Self::wait_simple) as a future: the same checks, on
    /// the interrupt's descriptor (tokio's reactor) or a short timer. DMASR's
    /// error bits are read on every wake, not only when the interrupt fires.
    #[cfg(feature = "async")]
    pub(super) async fn wait_simple_async(
        &self,
        channel: Channel,
        requested: u64,
        timeout: Duration,
    ) -> Result<u64, AxiDmaError> {
        let line = self.chans[channel.index()].irq.as_deref();
        let label = || format!("AXI DMA {channel:?} interrupt");
        let got = crate::irq::ready_loop(line.and_then(|l| l.fd()), timeout, &label, || {
            let Some(line) = line else {
                let settled = self.settled(channel);
                if settled.is_some() {
                    self.ack(channel);
                }
                return Ok(settled);
            };
            let fired = line.wait(Duration::ZERO)?;
            let settled = self.settled(channel);
            if fired {
                self.ack(channel);
                line.enable()?;
                return Ok(settled);
            }
            // An error ends the wait at once, interrupt or not.
            Ok(settled.filter(|r| r.is_err()))
        })
        .await
        .map_err(|source| AxiDmaError::irq(channel, source))?;
        match got {
            Some(r) => r?,
            None => {
                let c = self.chan(channel);
                return Err(match (line, self.settled(channel)) {
                    (Some(_), Some(Ok(()))) => AxiDmaError::InterruptMissing {
                        channel,
                        waited: timeout,
                        status: DmaStatus::from_bits(c.dmasr().read().bits()),
                    },
                    (_, Some(Err(e))) => e,
                    _ => self.timeout(channel, "transfer", requested, timeout),
                });
            }
        }
        self.moved(channel, requested)
    }

    /// The bytes a finished direct-mode transfer moved.
    fn moved(&self, channel: Channel, requested: u64) -> Result<u64, AxiDmaError> {
        let c = self.chan(channel);
        match channel {
            Channel::Mm2s => Ok(requested),
            // S2MM LENGTH reads back the bytes written up to TLAST. It comes
            // from the device, so it is checked before anyone slices by it.
            Channel::S2mm => {
                let reported = u64::from(c.length().read().get(channel::Length::LENGTH).value());
                if reported > requested {
                    return Err(AxiDmaError::DeviceLength {
                        channel,
                        reported,
                        capacity: requested,
                    });
                }
                Ok(reported)
            }
        }
    }

    pub(super) fn timeout(
        &self,
        channel: Channel,
        operation: &'static str,
        requested: u64,
        waited: Duration,
    ) -> AxiDmaError {
        let c = self.chan(channel);
        let dmacr = c.dmacr().read().bits();
        let dmasr = c.dmasr().read().bits();
        let length = if self.config.sg {
            0
        } else {
            c.length().read().bits()
        };
        let status = DmaStatus::from_bits(dmasr);
        let mut causes = Vec::new();
        if status.halted() {
            causes
                .push("the channel is halted (DMACR.RS = 0): it was never started or was stopped");
        }
        match channel {
            Channel::S2mm => {
                causes.push(
                    "the stream never asserted TLAST: S2MM completes only at the end of a packet, so a source that sends a continuous stream, or one packet longer than the buffer without TLAST, never finishes",
                );
                causes.push(
                    "the stream delivered fewer bytes than asked and then stopped without TLAST: check the length the source sends per packet and that it keeps TVALID up until its last beat",
                );
            }
            Channel::Mm2s => {
                causes.push(
                    "the downstream never accepted the data (TREADY held low): the stream sink is not running, is held in reset, or its FIFO is full because nobody drains it (start the S2MM side of a loopback first)",
                );
            }
        }
        AxiDmaError::Timeout(Box::new(TimeoutReport {
            channel,
            operation,
            waited,
            dmacr,
            dmasr,
            length,
            requested,
            causes,
        }))
    }

    /// Brings `channel` to a stop so its buffer can be handed back: RS = 0 and
    /// wait for Halted, then a soft reset if that is not enough (which stops
    /// the other channel too). Returns whether the engine is known stopped.
    pub(super) fn halt_engine(&self, channel: Channel) -> bool {
        let c = self.chan(channel);
        if c.dmasr().read().get(channel::Dmasr::HALTED) {
            return true;
        }
        c.dmacr().modify(|w| w.set(channel::Dmacr::RS, false));
        if poll(self.abort_timeout, || {
            c.dmasr().read().get(channel::Dmasr::HALTED).then_some(())
        })
        .is_some()
        {
            return true;
        }
        log::warn!("{channel} did not halt after RS = 0; soft-resetting the AXI DMA");
        matches!(self.soft_reset(self.abort_timeout), Ok(true))
    }

    /// Stops the engine and frees the channel, handing `buffer` back; or, if
    /// the engine cannot be stopped, leaks the buffer (never freed, so the
    /// device cannot write freed memory) and leaves the channel busy.
    pub(super) fn reclaim<T>(&self, channel: Channel, buffer: T) -> Option<T> {
        // Held without a destructor while the engine is being stopped: if
        // stopping unwinds (a panicking bus), the buffer leaks instead of
        // being freed under a running engine.
        let buffer = ManuallyDrop::new(buffer);
        if self.halt_engine(channel) {
            self.release(channel);
            Some(ManuallyDrop::into_inner(buffer))
        } else {
            None
        }
    }

    /// After a failed or abandoned transfer: [`reclaim`](Self::reclaim) the
    /// buffer and say what happened.
    pub(super) fn recover<T>(&self, channel: Channel, error: AxiDmaError, buffer: T) -> Failed<T> {
        match self.reclaim(channel, buffer) {
            Some(buffer) => Failed {
                error,
                buffer: Some(buffer),
            },
            None => Failed {
                error: AxiDmaError::BufferLeaked {
                    channel,
                    cause: Box::new(error),
                },
                buffer: None,
            },
        }
    }

    /// [`recover`](Self::recover) for a transfer's own buffer: an S2MM buffer
    /// the engine may have written is synced for the CPU before it comes back.
    pub(super) fn recover_target<T: DmaTarget>(
        &self,
        channel: Channel,
        error: AxiDmaError,
        buffer: T,
    ) -> Failed<T> {
        let mut failed = self.recover(channel, error, buffer);
        if channel == Channel::S2mm
            && let Some(buffer) = failed.buffer.as_mut()
            && let Err(e) = buffer.sync_for_cpu()
        {
            log::warn!("{channel}: syncing the buffer back after a failure failed: {e}");
        }
        failed
    }

    pub(super) fn abort_timeout(&self) -> Duration {
        self.abort_timeout
    }

    pub(super) fn has_irq(&self, channel: Channel) -> bool {
        self.chans[channel.index()].irq.is_some()
    }

    pub(super) fn irq_line(&self, channel: Channel) -> Option<&dyn InterruptLine> {
        self.chans[channel.index()].irq.as_deref()
    }

    /// A completed transfer's buffer goes back to the CPU.
    pub(super) fn finish<T: DmaTarget>(
        &self,
        channel: Channel,
        mut buffer: T,
        bytes: u64,
    ) -> Result<Completed<T>, Failed<T>> {
        if channel == Channel::S2mm
            && let Err(e) = buffer.sync_for_cpu()
        {
            return Err(Failed {
                error: e.into(),
                buffer: Some(buffer),
            });
        }
        Ok(Completed { buffer, bytes })
    }
}

impl<I: Bus> AxiDma<TraceBus<I>> {
    /// What the driver's [`TraceBus`] recorded, read-only (the bus itself
    /// stays with the driver, which owns the registers).
    pub fn trace(&self) -> TraceView<'_, I> {
        self.regs.bus().view()
    }
}
