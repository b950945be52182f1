//! Scatter gather: descriptors (PG021 "Scatter Gather Descriptor"), a ring of
//! them in a DMA buffer, multi-descriptor transfers and cyclic mode.

use super::config::Channel;
use super::driver::{AxiDma, poll};
use super::error::AxiDmaError;
use super::status::{DmaStatus, ErrorBit};
use super::transfer::{DmaTarget, Failed, Refused};
use crate::arbitrary_int::u26;
use crate::bus::Bus;
use crate::dma::DmaBuffer;
use core::fmt;
use std::time::{Duration, Instant};

/// One SG descriptor as the engine reads it from memory (little-endian words,
/// 64-byte aligned). `next` and `buffer` are full 64-bit addresses; their
/// upper words (`NXTDESC_MSB`, `BUFFER_ADDRESS_MSB`) matter only with an
/// address width above 32.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Descriptor {
    /// NXTDESC / NXTDESC_MSB: the next descriptor (64-byte aligned).
    pub next: u64,
    /// BUFFER_ADDRESS / BUFFER_ADDRESS_MSB: the data buffer.
    pub buffer: u64,
    /// CONTROL: buffer length (low `length_width` bits), TXSOF, TXEOF.
    pub control: u32,
    /// STATUS: written by the engine (see [`DescriptorStatus`]).
    pub status: u32,
    /// APP0..APP4: user application fields (status/control streams).
    pub app: [u32; 5],
}

impl Descriptor {
    /// Bytes the engine reads and writes (0x00..0x34).
    pub const SIZE: usize = 0x34;
    /// Alignment (and the ring's stride): PG021 requires 16-word alignment.
    pub const ALIGN: usize = 0x40;
    /// CONTROL.TXSOF (MM2S): first descriptor of a packet.
    pub const TXSOF: u32 = 1 << 27;
    /// CONTROL.TXEOF (MM2S): last descriptor of a packet; TLAST follows its last byte.
    pub const TXEOF: u32 = 1 << 26;

    /// The descriptor's bytes as they lie in memory.
    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut out = [0u8; Self::SIZE];
        let words = [
            self.next as u32,
            (self.next >> 32) as u32,
            self.buffer as u32,
            (self.buffer >> 32) as u32,
            0,
            0,
            self.control,
            self.status,
            self.app[0],
            self.app[1],
            self.app[2],
            self.app[3],
            self.app[4],
        ];
        for (chunk, w) in out.chunks_exact_mut(4).zip(words) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        out
    }

    /// Reads a descriptor from its bytes in memory.
    pub fn decode(bytes: &[u8; Self::SIZE]) -> Self {
        let w = |i: usize| {
            u32::from_le_bytes([
                bytes[4 * i],
                bytes[4 * i + 1],
                bytes[4 * i + 2],
                bytes[4 * i + 3],
            ])
        };
        Self {
            next: u64::from(w(1)) << 32 | u64::from(w(0)),
            buffer: u64::from(w(3)) << 32 | u64::from(w(2)),
            control: w(6),
            status: w(7),
            app: [w(8), w(9), w(10), w(11), w(12)],
        }
    }
}

/// A descriptor's STATUS word, decoded.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DescriptorStatus(pub u32);

impl DescriptorStatus {
    /// Cmplt: the engine finished with this descriptor.
    pub const fn complete(self) -> bool {
        self.0 & 1 << 31 != 0
    }
    /// RXSOF (S2MM): the descriptor holds the start of a packet.
    pub const fn rx_sof(self) -> bool {
        self.0 & 1 << 27 != 0
    }
    /// RXEOF (S2MM): the descriptor holds the end of a packet (TLAST).
    pub const fn rx_eof(self) -> bool {
        self.0 & 1 << 26 != 0
    }
    /// Transferred Bytes (the low 26 bits; the IP uses `length_width` of them).
    pub const fn transferred(self) -> u32 {
        self.0 & 0x03ff_ffff
    }
    /// The error bits the engine wrote into this descriptor (DMAIntErr,
    /// DMASlvErr, DMADecErr at bits 28..30).
    pub fn errors(self) -> Vec<ErrorBit> {
        [
            (28, ErrorBit::DmaIntErr),
            (29, ErrorBit::DmaSlvErr),
            (30, ErrorBit::DmaDecErr),
        ]
        .into_iter()
        .filter(|(bit, _)| self.0 & 1 << bit != 0)
        .map(|(_, e)| e)
        .collect()
    }
}

impl fmt::Debug for DescriptorStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DescriptorStatus({:#010x}: {} bytes",
            self.0,
            self.transferred()
        )?;
        for (on, name) in [
            (self.rx_sof(), "RXSOF"),
            (self.rx_eof(), "RXEOF"),
            (self.complete(), "Cmplt"),
        ] {
            if on {
                write!(f, " {name}")?;
            }
        }
        for e in self.errors() {
            write!(f, " {e}")?;
        }
        f.write_str(")")
    }
}

/// `count` descriptors, 64 bytes apart, at `offset` in a DMA buffer.
#[derive(Debug)]
pub struct DescriptorRing {
    buf: DmaBuffer,
    offset: usize,
    count: usize,
}

impl DescriptorRing {
    /// Bytes a ring of `count` descriptors needs.
    pub const fn bytes_for(count: usize) -> usize {
        count * Descriptor::ALIGN
    }

    /// A ring of `count` descriptors at byte `offset` of `buf`. The first
    /// descriptor's physical address must be 64-byte aligned.
    pub fn new(buf: DmaBuffer, offset: usize, count: usize) -> Result<Self, Refused<DmaBuffer>> {
        let phys = buf.phys_addr().wrapping_add(offset as u64);
        let fits = count
            .checked_mul(Descriptor::ALIGN)
            .and_then(|n| n.checked_add(offset))
            .is_some_and(|end| end <= buf.len());
        let problem = if count == 0 {
            Some("a ring needs at least one descriptor".to_string())
        } else if !phys.is_multiple_of(Descriptor::ALIGN as u64) {
            Some(format!(
                "descriptor ring at physical {phys:#x} is not 64-byte aligned, as PG021 requires"
            ))
        } else if !fits {
            Some(format!(
                "{count} descriptors at offset {offset:#x} need {:#x} bytes; the buffer has {:#x}",
                Self::bytes_for(count),
                buf.len()
            ))
        } else {
            None
        };
        match problem {
            Some(p) => Err(Refused {
                error: AxiDmaError::Ring(p),
                buffer: buf,
            }),
            None => Ok(Self { buf, offset, count }),
        }
    }

    /// Number of descriptors.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Always false: a ring has at least one descriptor.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Physical address of descriptor `index` (modulo the ring length).
    pub fn phys_of(&self, index: usize) -> u64 {
        self.buf.phys_addr() + (self.offset + (index % self.count) * Descriptor::ALIGN) as u64
    }

    fn at(&self, index: usize) -> usize {
        self.offset + (index % self.count) * Descriptor::ALIGN
    }

    /// Writes descriptor `index` (CPU side; synced before the engine starts).
    pub fn set(&mut self, index: usize, d: &Descriptor) {
        let at = self.at(index);
        self.buf.as_bytes_mut()[at..at + Descriptor::SIZE].copy_from_slice(&d.encode());
    }

    /// Reads descriptor `index` as the CPU last synced it.
    pub fn get(&self, index: usize) -> Descriptor {
        let at = self.at(index);
        let mut bytes = [0u8; Descriptor::SIZE];
        bytes.copy_from_slice(&self.buf.as_bytes()[at..at + Descriptor::SIZE]);
        Descriptor::decode(&bytes)
    }

    fn range(&self) -> core::ops::Range<usize> {
        self.offset..self.offset + Self::bytes_for(self.count)
    }

    /// Hands the ring's bytes to the device (the driver does this before starting).
    pub fn sync_for_device(&self) -> Result<(), AxiDmaError> {
        Ok(self.buf.sync_for_device(self.range())?)
    }

    /// Takes the ring's bytes back from the device, to read STATUS words.
    pub fn sync_for_cpu(&mut self) -> Result<(), AxiDmaError> {
        let r = self.range();
        Ok(self.buf.sync_for_cpu(r)?)
    }

    /// The buffer the ring lives in.
    pub fn into_buffer(self) -> DmaBuffer {
        self.buf
    }
}

/// How a transfer's data is laid over descriptors.
#[derive(Clone, Copy)]
enum Layout {
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
struct SgParts<T> {
    ring: DescriptorRing,
    data: T,
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
    /// wherever they point, which the driver cannot check.
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
    fn sg_prepare<T: DmaTarget>(
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
        let piece = piece.min(cfg.max_transfer()) & !(cfg.alignment() - 1);
        if piece == 0 {
            return Err(AxiDmaError::Ring(format!(
                "descriptor length rounds to 0 bytes at the {}-byte alignment the IP needs",
                cfg.alignment()
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
        self.check_reach(channel, data_phys, len)?;
        let ring_phys = parts.ring.phys_of(0);
        let ring_len = DescriptorRing::bytes_for(parts.ring.len()) as u64;
        self.check_reach(channel, ring_phys, ring_len)
            .map_err(|e| AxiDmaError::Ring(format!("descriptor ring: {e}")))?;
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
        c.curdesc()
            .write(|w| w.set_current_descriptor_pointer(u26::new((head as u32) >> 6)));
        if c.dmasr().read().ioc_irq() || c.dmasr().read().err_irq() {
            self.ack(channel);
        }
        let irq = self.has_irq(channel);
        c.dmacr().modify(|w| {
            w.set_cyclic_bd_enable(cyclic).set_rs(true);
            if irq {
                w.set_ioc_irq_en(true).set_err_irq_en(true);
            }
            w
        });
        poll(self.abort_timeout(), || {
            (!c.dmasr().read().halted()).then_some(())
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
        c.taildesc()
            .write(|w| w.set_tail_descriptor_pointer(u26::new((tail as u32) >> 6)));
        Ok(())
    }

    /// Waits until `done` says the SG work is over, an error bit is set, or
    /// the deadline passes. `done` sees DMASR; it may read the ring.
    fn sg_wait(
        &self,
        channel: Channel,
        timeout: Duration,
        mut done: impl FnMut(DmaStatus) -> Result<bool, AxiDmaError>,
        requested: u64,
    ) -> Result<(), AxiDmaError> {
        let start = Instant::now();
        let c = self.chan(channel);
        let read = || DmaStatus::from_bits(c.dmasr().read().bits());
        let mut judge = |status: DmaStatus| -> Option<Result<(), AxiDmaError>> {
            if status.has_errors() {
                return Some(Err(AxiDmaError::Engine { channel, status }));
            }
            match done(status) {
                Ok(true) => Some(Ok(())),
                Ok(false) if status.halted() => {
                    Some(Err(AxiDmaError::HaltedEarly { channel, status }))
                }
                Ok(false) => None,
                Err(e) => Some(Err(e)),
            }
        };
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
        let mut parts = self
            .parts
            .take()
            .expect("an SG transfer holds its buffers until wait or drop");
        let (dma, channel, used) = (self.dma, self.channel, self.used);
        let mut finished_at = None;
        let waited = dma.sg_wait(
            channel,
            timeout,
            |status| {
                // Idle: the tail was reached. IOC: an EOF descriptor completed.
                if !(status.idle() || status.bits() & 1 << 12 != 0) {
                    return Ok(false);
                }
                parts.ring.sync_for_cpu()?;
                finished_at = sg_finished(&parts.ring, channel, used);
                Ok(finished_at.is_some())
            },
            self.requested,
        );
        let result = waited.and_then(|()| {
            let last = finished_at.unwrap_or(used - 1);
            // S2MM may still own descriptors after the one with RXEOF: take them back.
            if !dma.status(channel)?.idle() && !dma.halt_engine(channel) {
                return Err(AxiDmaError::HaltedEarly {
                    channel,
                    status: dma.status(channel)?,
                });
            }
            parts.data.sync_for_cpu()?;
            Ok(last)
        });
        match result {
            Ok(last) => {
                dma.release(channel);
                let descriptors: Vec<DescriptorStatus> = (0..=last)
                    .map(|i| DescriptorStatus(parts.ring.get(i).status))
                    .collect();
                let bytes = descriptors.iter().map(|s| u64::from(s.transferred())).sum();
                Ok(SgCompleted {
                    channel,
                    ring: parts.ring,
                    buffer: parts.data,
                    bytes,
                    descriptors,
                })
            }
            Err(error) => {
                let failed = dma.recover(channel, error, (parts.ring, parts.data));
                if let Some((ring, _)) = &failed.buffer {
                    log::debug!("{channel} SG failure; descriptor 0: {:?}", ring.get(0));
                }
                Err(failed)
            }
        }
    }
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
        dma.sg_wait(
            channel,
            timeout,
            |_| {
                let c = dma.chan(channel);
                let lo = u64::from(c.curdesc().read().bits() & !0x3f);
                let hi = if has_msb {
                    u64::from(c.curdesc_msb().read().bits())
                } else {
                    0
                };
                let current = (hi << 32 | lo).wrapping_sub(first) / Descriptor::ALIGN as u64;
                Ok(current != next as u64)
            },
            self.period,
        )?;
        self.next = (next + 1) % self.periods;
        Ok(next)
    }

    /// Stops the engine (RS = 0 with the cyclic bit cleared, a soft reset if
    /// that is not enough) and gives back the ring and the data.
    pub fn stop(mut self) -> Result<(DescriptorRing, T), Failed<(DescriptorRing, T)>> {
        let parts = self
            .parts
            .take()
            .expect("a cyclic transfer holds its buffers until stop or drop");
        let c = self.dma.chan(self.channel);
        c.dmacr()
            .modify(|w| w.set_cyclic_bd_enable(false).set_rs(false));
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
    /// The bytes of period `index` as the device wrote them, synced for the
    /// CPU: for an S2MM loop, read a period after
    /// [`next_period`](Self::next_period) returned it and before the engine
    /// comes round to it again.
    pub fn period_bytes(&mut self, index: usize) -> Result<&[u8], AxiDmaError> {
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
        let range = index * period..(index + 1) * period;
        parts.data.sync_for_cpu(range.clone())?;
        Ok(&parts.data.as_bytes()[range])
    }
}

impl<B: Bus, T: DmaTarget> Drop for CyclicTransfer<'_, B, T> {
    fn drop(&mut self) {
        if let Some(parts) = self.parts.take() {
            self.dma
                .chan(self.channel)
                .dmacr()
                .modify(|w| w.set_cyclic_bd_enable(false).set_rs(false));
            drop(self.dma.reclaim(self.channel, (parts.ring, parts.data)));
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_words_lie_where_pg021_puts_them() {
        let d = Descriptor {
            next: 0x0000_0012_3456_7840,
            buffer: 0x0000_00ab_cdef_0123,
            control: 1000 | Descriptor::TXSOF,
            status: 0x8000_0010,
            app: [1, 2, 3, 4, 5],
        };
        let b = d.encode();
        let word = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap());
        assert_eq!(word(0x00), 0x3456_7840, "NXTDESC");
        assert_eq!(word(0x04), 0x12, "NXTDESC_MSB");
        assert_eq!(word(0x08), 0xcdef_0123, "BUFFER_ADDRESS");
        assert_eq!(word(0x0C), 0xab, "BUFFER_ADDRESS_MSB");
        assert_eq!(word(0x10), 0, "reserved");
        assert_eq!(word(0x14), 0, "reserved");
        assert_eq!(word(0x18), 1000 | 1 << 27, "CONTROL");
        assert_eq!(word(0x1C), 0x8000_0010, "STATUS");
        assert_eq!(word(0x20), 1, "APP0");
        assert_eq!(word(0x30), 5, "APP4");
        assert_eq!(Descriptor::decode(&b), d);
    }

    #[test]
    fn descriptor_status_decodes_every_bit() {
        let s = DescriptorStatus(1 << 31 | 1 << 27 | 1 << 26 | 1 << 29 | 77);
        assert!(s.complete() && s.rx_sof() && s.rx_eof());
        assert_eq!(s.transferred(), 77);
        assert_eq!(s.errors(), [ErrorBit::DmaSlvErr]);
        assert_eq!(
            format!("{s:?}"),
            "DescriptorStatus(0xac00004d: 77 bytes RXSOF RXEOF Cmplt DMASlvErr)"
        );
    }
}
