//! Scatter gather: one packet (or descriptors the caller prepared) over many
//! descriptors of a [`DescriptorRing`].

use super::config::Channel;
use super::driver::AxiDma;
use super::error::AxiDmaError;
use super::registers::channel;
use super::ring::{Descriptor, DescriptorRing, DescriptorStatus};
use super::status::DmaStatus;
use super::transfer::{Failed, Refused};
use crate::arbitrary_int::u26;
use crate::bus::Bus;
use crate::dma::DmaTarget;
use crate::poll::poll;
use core::fmt;
use std::time::{Duration, Instant};

/// How a transfer's data is laid over descriptors.
#[derive(Clone, Copy)]
pub(super) enum Layout {
    /// One packet, descriptors of at most this many bytes.
    Split(usize),
    /// One descriptor (and packet) per period, looping.
    Cyclic(usize),
    /// Descriptors `0..n` as the caller wrote them.
    Prepared(usize),
}

fn write_descriptors<T: DmaTarget>(
    channel: Channel,
    parts: &mut SgParts<T>,
    piece: u64,
    used: usize,
    cyclic: bool,
) {
    let len = parts.data.len() as u64;
    let data_phys = parts.data.phys_addr();
    for i in 0..used {
        let offset = i as u64 * piece;
        let n = piece.min(len - offset) as u32;
        let mut control = n;
        if channel == Channel::Mm2s && (cyclic || i == 0) {
            control |= Descriptor::TXSOF;
        }
        if channel == Channel::Mm2s && (cyclic || i == used - 1) {
            control |= Descriptor::TXEOF;
        }
        let next = parts.ring.phys_of((i + 1) % used);
        parts.ring.set(
            i,
            &Descriptor {
                next,
                buffer: data_phys + offset,
                control,
                ..Descriptor::default()
            },
        );
    }
}

/// What an SG transfer gives back.
#[derive(Debug)]
pub struct SgCompleted<T> {
    /// The channel that ran the transfer.
    pub channel: Channel,
    /// The ring, with the engine's STATUS words synced for the CPU.
    pub ring: DescriptorRing,
    /// The data buffer, synced for the CPU.
    pub buffer: T,
    /// Bytes moved (sum of Transferred Bytes of the descriptors used).
    pub bytes: u64,
    /// STATUS of each descriptor the transfer used, in order.
    pub descriptors: Vec<DescriptorStatus>,
}

impl<T> SgCompleted<T> {
    /// For S2MM: whether the packet ended inside the buffer (the last
    /// descriptor used has RXEOF). False means the packet was longer than the
    /// ring's buffers and its rest is still in the stream; nothing of what
    /// arrived was dropped. Always true for MM2S.
    pub fn packet_complete(&self) -> bool {
        self.channel == Channel::Mm2s || self.descriptors.last().is_some_and(|s| s.rx_eof())
    }
}

/// A ring and its data, owned by the engine until the transfer ends.
pub(super) struct SgParts<T> {
    pub(super) ring: DescriptorRing,
    pub(super) data: T,
}

/// An SG transfer in flight: it owns the ring and the data buffer.
/// Dropping or leaking it behaves as for [`Transfer`](super::Transfer).
#[must_use = "an SG transfer must be waited for to get its buffers back"]
pub struct SgTransfer<'d, B: Bus, T: DmaTarget> {
    dma: &'d AxiDma<B>,
    channel: Channel,
    parts: Option<SgParts<T>>,
    used: usize,
    requested: u64,
}

impl<B: Bus, T: DmaTarget> fmt::Debug for SgTransfer<'_, B, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SgTransfer")
            .field("channel", &self.channel)
            .field("descriptors", &self.used)
            .field("requested", &self.requested)
            .finish_non_exhaustive()
    }
}

impl<B: Bus> AxiDma<B> {
    /// Sends all of `data` on MM2S as one packet, split over descriptors of at
    /// most `chunk` bytes (and at most what the length register holds): TXSOF
    /// on the first, TXEOF on the last. The ring must hold enough descriptors.
    pub fn sg_send<T: DmaTarget>(
        &self,
        ring: DescriptorRing,
        data: T,
        chunk: usize,
    ) -> Result<SgTransfer<'_, B, T>, Refused<(DescriptorRing, T)>> {
        self.sg_start(Channel::Mm2s, ring, data, chunk)
    }

    /// Receives one packet on S2MM into `data`, spread over descriptors of at
    /// most `chunk` bytes. Completes at the descriptor with RXEOF (or when all
    /// are full); descriptors left unused are taken back by halting the channel.
    pub fn sg_receive<T: DmaTarget>(
        &self,
        ring: DescriptorRing,
        data: T,
        chunk: usize,
    ) -> Result<SgTransfer<'_, B, T>, Refused<(DescriptorRing, T)>> {
        self.sg_start(Channel::S2mm, ring, data, chunk)
    }

    /// Starts `channel` on descriptors `0..used` of `ring` exactly as the
    /// caller wrote them (APP fields, custom splits, several packets): CURDESC
    /// is descriptor 0, TAILDESC descriptor `used - 1`. The driver does not
    /// touch the descriptors; `data` is the memory they point into, synced and
    /// owned by the transfer like any other.
    ///
    /// # Safety
    /// Every BUFFER_ADDRESS range in descriptors `0..used` must lie inside
    /// `data`, and the NXTDESC chain from descriptor 0 must reach descriptor
    /// `used - 1` through descriptors of this ring only: the engine writes
    /// wherever they point, which the driver cannot check (it checks that
    /// `data` and the ring are of the engine's address space). Each
    /// BUFFER_ADDRESS must also be aligned as the IP needs (its data width,
    /// unless it has DRE), since without DRE the engine drops the low
    /// address bits; and the lengths are read at the IP's real length width,
    /// which may be narrower than [`AxiDmaConfig::length_width`](super::AxiDmaConfig::length_width) when the
    /// driver was made by [`AxiDma::new`].
    pub unsafe fn sg_start_prepared<T: DmaTarget>(
        &self,
        channel: Channel,
        ring: DescriptorRing,
        data: T,
        used: usize,
    ) -> Result<SgTransfer<'_, B, T>, Refused<(DescriptorRing, T)>> {
        let requested = (0..used.min(ring.len()))
            .map(|i| u64::from(ring.get(i).control) & self.config().max_transfer())
            .sum();
        self.sg_launch(channel, ring, data, Layout::Prepared(used), requested)
    }

    fn sg_start<T: DmaTarget>(
        &self,
        channel: Channel,
        ring: DescriptorRing,
        data: T,
        chunk: usize,
    ) -> Result<SgTransfer<'_, B, T>, Refused<(DescriptorRing, T)>> {
        let requested = data.len() as u64;
        self.sg_launch(channel, ring, data, Layout::Split(chunk), requested)
    }

    /// Prepares and starts the transfer, handing `ring` and `data` back with
    /// the error if the driver refuses it.
    fn sg_launch<T: DmaTarget>(
        &self,
        channel: Channel,
        ring: DescriptorRing,
        data: T,
        layout: Layout,
        requested: u64,
    ) -> Result<SgTransfer<'_, B, T>, Refused<(DescriptorRing, T)>> {
        let mut parts = SgParts { ring, data };
        match self.sg_prepare(channel, &mut parts, layout) {
            Ok(used) => Ok(SgTransfer {
                dma: self,
                channel,
                parts: Some(parts),
                used,
                requested,
            }),
            Err(error) => Err(Refused {
                error,
                buffer: (parts.ring, parts.data),
            }),
        }
    }

    /// Checks, writes the descriptors, claims the channel and starts the
    /// engine; returns the number of descriptors used.
    pub(super) fn sg_prepare<T: DmaTarget>(
        &self,
        channel: Channel,
        parts: &mut SgParts<T>,
        layout: Layout,
    ) -> Result<usize, AxiDmaError> {
        self.present(channel)?;
        if !self.config().sg {
            return Err(AxiDmaError::WrongMode {
                channel,
                operation: "a scatter gather transfer",
                needs_sg: true,
            });
        }
        let len = parts.data.len() as u64;
        if len == 0 {
            return Err(AxiDmaError::Empty(channel));
        }
        let cfg = *self.config();
        let (piece, cyclic) = match layout {
            Layout::Split(chunk) => (chunk as u64, false),
            Layout::Cyclic(period) => {
                // Rounding a period down would give descriptors that are not
                // the caller's periods, and every later period index would
                // be off.
                if !(period as u64).is_multiple_of(self.alignment()) {
                    return Err(AxiDmaError::Ring(format!(
                        "a cyclic period of {period} bytes is not a multiple of the {}-byte alignment every period's start needs{}",
                        self.alignment(),
                        if self.known {
                            ""
                        } else {
                            " (AxiDma::new cannot know the IP's data width or DRE)"
                        }
                    )));
                }
                if period as u64 > cfg.max_transfer() {
                    return Err(AxiDmaError::TooLong {
                        channel,
                        len: period as u64,
                        max: cfg.max_transfer(),
                        width: cfg.length_width,
                    });
                }
                (period as u64, true)
            }
            Layout::Prepared(_) => (len, false),
        };
        let align = self.alignment();
        let piece = piece.min(cfg.max_transfer()) & !(align - 1);
        if piece == 0 {
            return Err(AxiDmaError::Ring(format!(
                "descriptor length rounds to 0 bytes at the {align}-byte alignment the driver needs"
            )));
        }
        let used = match layout {
            Layout::Prepared(used) => used,
            _ => len.div_ceil(piece) as usize,
        };
        if used == 0 || used > parts.ring.len() {
            return Err(AxiDmaError::Ring(format!(
                "the transfer needs {used} descriptors; the ring has {}",
                parts.ring.len()
            )));
        }
        let data_phys = parts.data.phys_addr();
        self.check_reach(channel, (data_phys, parts.data.dma_space()), len)?;
        let ring_phys = parts.ring.phys_of(0);
        let ring_len = DescriptorRing::bytes_for(parts.ring.len()) as u64;
        self.check_span(channel, (ring_phys, parts.ring.dma_space()), ring_len)
            .map_err(|e| match e {
                wrong @ AxiDmaError::WrongSpace { .. } => wrong,
                e => AxiDmaError::Ring(format!("descriptor ring: {e}")),
            })?;
        self.claim(channel)?;
        if !matches!(layout, Layout::Prepared(_)) {
            write_descriptors(channel, parts, piece, used, cyclic);
        }
        let started = self.sg_program(channel, parts, used, cyclic);
        if started.is_err() {
            // Every failure in `sg_program` comes before its TAILDESC write, and
            // PG021's SG engine fetches nothing before that write: the engine
            // never saw these descriptors, so the buffers can go back. The
            // channel may be running though (RS set): stop it, and if it will
            // not stop keep it busy until a reset.
            if self.halt_engine(channel) {
                self.release(channel);
            }
        }
        started.map(|()| used)
    }

    fn sg_program<T: DmaTarget>(
        &self,
        channel: Channel,
        parts: &mut SgParts<T>,
        used: usize,
        cyclic: bool,
    ) -> Result<(), AxiDmaError> {
        parts.data.sync_for_device()?;
        parts.ring.sync_for_device()?;

        // PG021 SG start: CURDESC while halted, then RS, then TAILDESC.
        let c = self.chan(channel);
        let status = DmaStatus::from_bits(c.dmasr().read().bits());
        if status.has_errors() {
            return Err(AxiDmaError::NotRunning { channel, status });
        }
        if !status.halted() {
            self.stop(channel, self.abort_timeout())?;
        }
        let head = parts.ring.phys_of(0);
        let tail = parts.ring.phys_of(used - 1);
        let has_msb = self.config().has_msb();
        if has_msb {
            c.curdesc_msb().write(|w| w.set_bits((head >> 32) as u32));
        }
        c.curdesc().write(|w| {
            w.set(
                channel::Curdesc::CURRENT_DESCRIPTOR_POINTER,
                u26::new((head as u32) >> 6),
            )
        });
        if c.dmasr().read().get(channel::Dmasr::IOC_IRQ)
            || c.dmasr().read().get(channel::Dmasr::ERR_IRQ)
        {
            self.ack(channel);
        }
        let irq = self.has_irq(channel);
        c.dmacr().modify(|w| {
            w.set(channel::Dmacr::CYCLIC_BD_ENABLE, cyclic)
                .set(channel::Dmacr::RS, true);
            if irq {
                w.set(channel::Dmacr::IOC_IRQ_EN, true)
                    .set(channel::Dmacr::ERR_IRQ_EN, true);
            }
            w
        });
        poll(self.abort_timeout(), || {
            (!c.dmasr().read().get(channel::Dmasr::HALTED)).then_some(())
        })
        .ok_or_else(|| AxiDmaError::RunStopTimeout {
            channel,
            starting: true,
            waited: self.abort_timeout(),
            status: DmaStatus::from_bits(c.dmasr().read().bits()),
        })?;
        if has_msb {
            c.taildesc_msb().write(|w| w.set_bits((tail >> 32) as u32));
        }
        c.taildesc().write(|w| {
            w.set(
                channel::Taildesc::TAIL_DESCRIPTOR_POINTER,
                u26::new((tail as u32) >> 6),
            )
        });
        Ok(())
    }

    /// What one look at DMASR says of SG work: `Some` once it is over (done,
    /// failed or halted early). Shared by the blocking and the async wait so
    /// both end on exactly the same conditions.
    fn sg_judge(
        channel: Channel,
        status: DmaStatus,
        done: &mut impl FnMut(DmaStatus) -> Result<bool, AxiDmaError>,
    ) -> Option<Result<(), AxiDmaError>> {
        if status.has_errors() {
            return Some(Err(AxiDmaError::Engine { channel, status }));
        }
        match done(status) {
            Ok(true) => Some(Ok(())),
            Ok(false) if status.halted() => Some(Err(AxiDmaError::HaltedEarly { channel, status })),
            Ok(false) => None,
            Err(e) => Some(Err(e)),
        }
    }

    /// Waits until `done` says the SG work is over, an error bit is set, or
    /// the deadline passes. `done` sees DMASR; it may read the ring.
    pub(super) fn sg_wait(
        &self,
        channel: Channel,
        timeout: Duration,
        mut done: impl FnMut(DmaStatus) -> Result<bool, AxiDmaError>,
        requested: u64,
    ) -> Result<(), AxiDmaError> {
        let start = Instant::now();
        let c = self.chan(channel);
        let read = || DmaStatus::from_bits(c.dmasr().read().bits());
        let mut judge = |status: DmaStatus| Self::sg_judge(channel, status, &mut done);
        let outcome = match self.irq_line(channel) {
            Some(line) => loop {
                if let Some(r) = judge(read()) {
                    break r;
                }
                let remaining = timeout.saturating_sub(start.elapsed());
                if remaining.is_zero() {
                    break Err(self.timeout(channel, "SG transfer", requested, timeout));
                }
                let fired = line
                    .wait(remaining)
                    .map_err(|source| AxiDmaError::irq(channel, source))?;
                if fired {
                    // Judge what raised the interrupt, then acknowledge it
                    // before unmasking: a level interrupt still asserted at
                    // unmask fires again at once, and the wait would spin.
                    let status = read();
                    self.ack(channel);
                    line.enable()
                        .map_err(|source| AxiDmaError::irq(channel, source))?;
                    if let Some(r) = judge(status) {
                        break r;
                    }
                }
            },
            None => poll(timeout, || judge(read()))
                .unwrap_or_else(|| Err(self.timeout(channel, "SG transfer", requested, timeout))),
        };
        self.ack(channel);
        outcome
    }

    /// [`sg_wait`](Self::sg_wait) as a future: the interrupt's descriptor is
    /// awaited on tokio's reactor (a line without one, such as a model's, is
    /// looked at on a short timer), and DMASR is judged on every wake, so an
    /// engine error ends the wait whether or not the interrupt fired.
    #[cfg(feature = "async")]
    pub(super) async fn sg_wait_async(
        &self,
        channel: Channel,
        timeout: Duration,
        mut done: impl FnMut(DmaStatus) -> Result<bool, AxiDmaError>,
        requested: u64,
    ) -> Result<(), AxiDmaError> {
        let c = self.chan(channel);
        let read = || DmaStatus::from_bits(c.dmasr().read().bits());
        let line = self.irq_line(channel);
        let label = || format!("AXI DMA {channel:?} interrupt");
        let got = crate::irq::ready_loop(line.and_then(|l| l.fd()), timeout, &label, || {
            let fired = match line {
                Some(line) => line.wait(Duration::ZERO)?,
                None => false,
            };
            // Read before acknowledging: the status that raised the
            // interrupt is what is judged, as in the blocking wait.
            let status = read();
            if let (true, Some(line)) = (fired, line) {
                // Acknowledged before unmasking: a level interrupt still
                // asserted at unmask would fire again at once.
                self.ack(channel);
                line.enable()?;
            }
            Ok(Self::sg_judge(channel, status, &mut done))
        })
        .await
        .map_err(|source| AxiDmaError::irq(channel, source));
        let outcome = match got {
            Ok(Some(r)) => r,
            Ok(None) => Err(self.timeout(channel, "SG transfer", requested, timeout)),
            Err(e) => Err(e),
        };
        self.ack(channel);
        outcome
    }
}

impl<B: Bus, T: DmaTarget> SgTransfer<'_, B, T> {
    /// The channel.
    pub fn channel(&self) -> Channel {
        self.channel
    }

    /// Descriptors the transfer uses.
    pub fn descriptors(&self) -> usize {
        self.used
    }

    /// Waits up to `timeout` (interrupt or polling, as for
    /// [`Transfer::wait`](super::Transfer::wait)); gives back the ring, the
    /// data and each descriptor's status.
    pub fn wait(
        mut self,
        timeout: Duration,
    ) -> Result<SgCompleted<T>, Failed<(DescriptorRing, T)>> {
        let (dma, channel, used, requested) = (self.dma, self.channel, self.used, self.requested);
        // The buffers stay in the handle until the engine is known done: if
        // anything here unwinds, `drop` finds them and leaks them.
        let parts = self
            .parts
            .as_mut()
            .expect("an SG transfer holds its buffers until wait or drop");
        let mut finished_at = None;
        let waited = dma.sg_wait(
            channel,
            timeout,
            |status| sg_done(parts, channel, used, &mut finished_at, status),
            requested,
        );
        self.conclude(waited, finished_at)
    }

    /// Hands the ring and the data back once the wait is over: checks the
    /// byte counts the device wrote, takes back descriptors an S2MM packet
    /// left unused, and on any failure stops the engine before the buffers
    /// leave the handle (or leaks them if it will not stop).
    fn conclude(
        mut self,
        waited: Result<(), AxiDmaError>,
        finished_at: Option<usize>,
    ) -> Result<SgCompleted<T>, Failed<(DescriptorRing, T)>> {
        let (dma, channel, used) = (self.dma, self.channel, self.used);
        let parts = self
            .parts
            .as_mut()
            .expect("an SG transfer holds its buffers until wait or drop");
        let result = waited.and_then(|()| {
            let last = finished_at.unwrap_or(used - 1);
            // S2MM may still own descriptors after the one with RXEOF: take them back.
            if !dma.status(channel)?.idle() && !dma.halt_engine(channel) {
                return Err(AxiDmaError::HaltedEarly {
                    channel,
                    status: dma.status(channel)?,
                });
            }
            let descriptors: Vec<DescriptorStatus> = (0..=last)
                .map(|i| DescriptorStatus(parts.ring.get(i).status))
                .collect();
            // Transferred Bytes come from the device: never more than each
            // descriptor's buffer, nor than the data buffer holds in total.
            let mut bytes = 0u64;
            for (i, s) in descriptors.iter().enumerate() {
                let reported = u64::from(s.transferred());
                let capacity = u64::from(parts.ring.get(i).control) & dma.config().max_transfer();
                if reported > capacity {
                    return Err(AxiDmaError::DeviceLength {
                        channel,
                        reported,
                        capacity,
                    });
                }
                bytes += reported;
            }
            let capacity = parts.data.len() as u64;
            if bytes > capacity {
                return Err(AxiDmaError::DeviceLength {
                    channel,
                    reported: bytes,
                    capacity,
                });
            }
            parts.data.sync_for_cpu()?;
            Ok((descriptors, bytes))
        });
        let parts = self.parts.take().expect("taken only here and in drop");
        match result {
            Ok((descriptors, bytes)) => {
                dma.release(channel);
                Ok(SgCompleted {
                    channel,
                    ring: parts.ring,
                    buffer: parts.data,
                    bytes,
                    descriptors,
                })
            }
            Err(error) => {
                let mut failed = dma.recover(channel, error, (parts.ring, parts.data));
                if let Some((ring, data)) = &mut failed.buffer {
                    if channel == Channel::S2mm
                        && let Err(e) = ring.sync_for_cpu().and_then(|()| Ok(data.sync_for_cpu()?))
                    {
                        log::warn!(
                            "{channel}: syncing the buffers back after a failure failed: {e}"
                        );
                    }
                    log::debug!("{channel} SG failure; descriptor 0: {:?}", ring.get(0));
                }
                Err(failed)
            }
        }
    }
}

#[cfg(feature = "async")]
impl<B: Bus, T: DmaTarget> SgTransfer<'_, B, T> {
    /// [`wait`](Self::wait) as a future, for tokio: the channel's interrupt
    /// descriptor is awaited on the reactor (without one, DMASR is looked at
    /// on a short timer; a model's line advances the model), DMASR's error
    /// bits are checked on every wake, and `timeout` is kept as in the
    /// blocking wait. The outcome, byte counts and checks are the blocking
    /// wait's.
    ///
    /// Cancellation: the future owns the transfer. Dropped before it
    /// finishes, it drops the transfer, which stops the engine before the
    /// ring and the data are freed, or leaks them if the engine cannot be
    /// stopped, exactly as dropping an unwaited [`SgTransfer`] does.
    pub async fn wait_async(
        mut self,
        timeout: Duration,
    ) -> Result<SgCompleted<T>, Failed<(DescriptorRing, T)>> {
        let (dma, channel, used, requested) = (self.dma, self.channel, self.used, self.requested);
        let parts = self
            .parts
            .as_mut()
            .expect("an SG transfer holds its buffers until wait or drop");
        let mut finished_at = None;
        let waited = dma
            .sg_wait_async(
                channel,
                timeout,
                |status| sg_done(parts, channel, used, &mut finished_at, status),
                requested,
            )
            .await;
        self.conclude(waited, finished_at)
    }
}

/// The SG wait's `done` test: on Idle (the tail was reached) or IOC (an EOF
/// descriptor completed), syncs the ring for the CPU and records the
/// descriptor that ends the transfer, if the engine has completed it.
fn sg_done<T: DmaTarget>(
    parts: &mut SgParts<T>,
    channel: Channel,
    used: usize,
    finished_at: &mut Option<usize>,
    status: DmaStatus,
) -> Result<bool, AxiDmaError> {
    if !(status.idle() || status.bits() & 1 << 12 != 0) {
        return Ok(false);
    }
    parts.ring.sync_for_cpu()?;
    *finished_at = sg_finished(&parts.ring, channel, used);
    Ok(finished_at.is_some())
}

/// The index of the descriptor that ends the transfer, once the engine has
/// completed it: the last one for MM2S, the one with RXEOF (or the last) for S2MM.
fn sg_finished(ring: &DescriptorRing, channel: Channel, used: usize) -> Option<usize> {
    match channel {
        Channel::Mm2s => DescriptorStatus(ring.get(used - 1).status)
            .complete()
            .then_some(used - 1),
        Channel::S2mm => (0..used).find(|&i| {
            let s = DescriptorStatus(ring.get(i).status);
            s.complete() && (s.rx_eof() || i == used - 1)
        }),
    }
}

impl<B: Bus, T: DmaTarget> Drop for SgTransfer<'_, B, T> {
    fn drop(&mut self) {
        if let Some(parts) = self.parts.take() {
            if std::thread::panicking() {
                // Unwinding: the engine may still write these buffers and
                // touching it again could panic twice. Leak them; the channel
                // stays busy until `reset()`.
                std::mem::forget(parts);
                return;
            }
            let error = AxiDmaError::HaltedEarly {
                channel: self.channel,
                status: self
                    .dma
                    .status(self.channel)
                    .unwrap_or(DmaStatus::from_bits(0)),
            };
            drop(
                self.dma
                    .recover(self.channel, error, (parts.ring, parts.data)),
            );
        }
    }
}
