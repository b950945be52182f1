//! Scatter-gather descriptors (PG021 "Scatter Gather Descriptor") and a ring
//! of them in a DMA buffer.

use super::error::AxiDmaError;
use super::status::ErrorBit;
use super::transfer::Refused;
use crate::dma::DmaBuffer;
use core::fmt;

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

/// Copies `out.len()` bytes at `offset` of `buf` with volatile reads: for
/// memory a device may be writing, which no `&[u8]` may cover.
///
/// # Panics
/// If the bytes are not inside `buf` (callers pass ranges they checked).
pub(super) fn volatile_copy(buf: &DmaBuffer, offset: usize, out: &mut [u8]) {
    let end = offset.checked_add(out.len());
    assert!(
        end.is_some_and(|end| end <= buf.len()),
        "volatile_copy outside the buffer"
    );
    let base = buf.cpu_ptr().as_ptr();
    let (mut i, n) = (0, out.len());
    // Whole aligned words where possible, bytes around them.
    while i < n {
        // SAFETY: `offset + i < buf.len()` (checked above); the buffer's CPU
        // mapping is valid for `len` bytes while `buf` is borrowed.
        let p = unsafe { base.add(offset + i) };
        if p.addr().is_multiple_of(4) && n - i >= 4 {
            // SAFETY: as above, with 4 bytes in range and the pointer aligned.
            let w = unsafe { p.cast::<u32>().read_volatile() };
            out[i..i + 4].copy_from_slice(&w.to_ne_bytes());
            i += 4;
        } else {
            // SAFETY: as above.
            out[i] = unsafe { p.read_volatile() };
            i += 1;
        }
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

    /// The address space of the ring's buffer.
    pub fn dma_space(&self) -> crate::dma::DmaSpace {
        self.buf.dma_space()
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
    ///
    /// Word by word with volatile reads, never through a `&[u8]`: while a
    /// transfer runs the engine keeps writing the STATUS words of later
    /// descriptors.
    pub fn get(&self, index: usize) -> Descriptor {
        let at = self.at(index);
        let mut bytes = [0u8; Descriptor::SIZE];
        volatile_copy(&self.buf, at, &mut bytes);
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
