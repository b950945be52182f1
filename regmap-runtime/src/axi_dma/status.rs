//! Decoding DMASR values into names a user can act on.
//!
//! Linux's `xilinx_dma` prints `Channel ... has errors 100`; PYNQ raises
//! "DMA channel not idle". [`DmaStatus`] turns such raw values into the PG021
//! bit names and what each one usually means:
//!
//! ```
//! use regmap_runtime::axi_dma::DmaStatus;
//! let s = DmaStatus::from_bits(0x100).to_string();
//! assert!(s.starts_with("SGIntErr"), "{s}");
//! ```

use core::fmt;

/// One error bit of DMASR (PG021 tables "MM2S_DMASR" / "S2MM_DMASR").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorBit {
    /// Bit 4: DMA internal error.
    DmaIntErr,
    /// Bit 5: slave error on the data path.
    DmaSlvErr,
    /// Bit 6: decode error on the data path.
    DmaDecErr,
    /// Bit 8: SG internal error.
    SgIntErr,
    /// Bit 9: slave error on a descriptor access.
    SgSlvErr,
    /// Bit 10: decode error on a descriptor access.
    SgDecErr,
}

impl ErrorBit {
    /// Every error bit, lowest first.
    pub const ALL: [ErrorBit; 6] = [
        ErrorBit::DmaIntErr,
        ErrorBit::DmaSlvErr,
        ErrorBit::DmaDecErr,
        ErrorBit::SgIntErr,
        ErrorBit::SgSlvErr,
        ErrorBit::SgDecErr,
    ];

    /// Bit position in DMASR.
    pub const fn bit(self) -> u32 {
        match self {
            ErrorBit::DmaIntErr => 4,
            ErrorBit::DmaSlvErr => 5,
            ErrorBit::DmaDecErr => 6,
            ErrorBit::SgIntErr => 8,
            ErrorBit::SgSlvErr => 9,
            ErrorBit::SgDecErr => 10,
        }
    }

    /// Mask in DMASR.
    pub const fn mask(self) -> u32 {
        1 << self.bit()
    }

    /// The name PG021 gives the bit.
    pub const fn name(self) -> &'static str {
        match self {
            ErrorBit::DmaIntErr => "DMAIntErr",
            ErrorBit::DmaSlvErr => "DMASlvErr",
            ErrorBit::DmaDecErr => "DMADecErr",
            ErrorBit::SgIntErr => "SGIntErr",
            ErrorBit::SgSlvErr => "SGSlvErr",
            ErrorBit::SgDecErr => "SGDecErr",
        }
    }

    /// What the bit usually means in practice, and what to check.
    pub const fn explanation(self) -> &'static str {
        match self {
            ErrorBit::DmaIntErr => {
                "DMA internal error: a descriptor with buffer length 0, or (S2MM without SG) a \
                 packet longer than LENGTH arrived before TLAST; make the receive buffer at least \
                 as long as the longest packet"
            }
            ErrorBit::DmaSlvErr => {
                "DMA slave error: the memory slave answered SLVERR to a data access; the buffer \
                 lies in a region that refuses the access (a protected or powered-down slave)"
            }
            ErrorBit::DmaDecErr => {
                "DMA decode error: no slave answers at the buffer address; check that you passed \
                 a physical address, that it fits the address width, and that the DMA's master \
                 port is connected to that memory in the address editor"
            }
            ErrorBit::SgIntErr => {
                "SG internal error: a fetched descriptor already had Cmplt set; clear the STATUS \
                 word of every descriptor before handing the ring to the engine again, and keep \
                 TAILDESC on the last prepared descriptor"
            }
            ErrorBit::SgSlvErr => {
                "SG slave error: the memory slave answered SLVERR while a descriptor was fetched \
                 or updated"
            }
            ErrorBit::SgDecErr => {
                "SG decode error: a descriptor address (CURDESC, TAILDESC or a NXTDESC) decodes \
                 to no slave; check the ring's physical address and the NXTDESC chain"
            }
        }
    }
}

impl fmt::Display for ErrorBit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A raw DMASR value with its bits named.
///
/// `Display` writes the error bits with their explanations first (the part a
/// user needs), then the remaining flags and the raw value.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DmaStatus(u32);

/// DMASR flag bits other than errors, with their PG021 names.
const FLAGS: [(u32, &str); 6] = [
    (0, "Halted"),
    (1, "Idle"),
    (3, "SGIncld"),
    (12, "IOC_Irq"),
    (13, "Dly_Irq"),
    (14, "Err_Irq"),
];

impl DmaStatus {
    /// Mask of all six error bits.
    pub const ERROR_MASK: u32 = 0x770;

    /// Wraps a raw DMASR value (or just its error bits, as Linux prints them).
    pub const fn from_bits(bits: u32) -> Self {
        Self(bits)
    }

    /// The raw value.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Whether any error bit is set.
    pub const fn has_errors(self) -> bool {
        self.0 & Self::ERROR_MASK != 0
    }

    /// The error bits that are set, lowest first.
    pub fn errors(self) -> impl Iterator<Item = ErrorBit> {
        ErrorBit::ALL
            .into_iter()
            .filter(move |e| self.0 & e.mask() != 0)
    }

    /// The first error bit set, if any.
    pub fn first_error(self) -> Option<ErrorBit> {
        self.errors().next()
    }

    /// DMASR.Halted.
    pub const fn halted(self) -> bool {
        self.0 & 1 != 0
    }

    /// DMASR.Idle.
    pub const fn idle(self) -> bool {
        self.0 & 2 != 0
    }

    /// The set flag names (errors included), lowest bit first, for one-line logs.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        let mut all: Vec<(u32, &'static str)> = FLAGS.to_vec();
        all.extend(ErrorBit::ALL.iter().map(|e| (e.bit(), e.name())));
        all.sort_unstable_by_key(|(bit, _)| *bit);
        all.into_iter()
            .filter(move |(bit, _)| self.0 & (1 << bit) != 0)
            .map(|(_, name)| name)
    }
}

impl fmt::Display for DmaStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in self.errors() {
            writeln!(f, "{}: {}", e.name(), e.explanation())?;
        }
        write!(f, "DMASR {:#010x} = ", self.0)?;
        let mut any = false;
        for name in self.names() {
            if any {
                f.write_str(" | ")?;
            }
            f.write_str(name)?;
            any = true;
        }
        if !any {
            f.write_str("(running, busy)")?;
        }
        let threshold = (self.0 >> 16) & 0xff;
        let delay = self.0 >> 24;
        if threshold != 0 {
            write!(f, ", IRQThresholdSts {threshold}")?;
        }
        if delay != 0 {
            write!(f, ", IRQDelaySts {delay}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for DmaStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DmaStatus({:#010x}: ", self.0)?;
        let names: Vec<_> = self.names().collect();
        write!(f, "{})", names.join(" | "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_error_value_100_is_sg_internal_error() {
        let s = DmaStatus::from_bits(0x100);
        assert_eq!(s.errors().collect::<Vec<_>>(), [ErrorBit::SgIntErr]);
        let text = s.to_string();
        assert!(text.starts_with("SGIntErr: SG internal error"), "{text}");
        assert!(text.contains("Cmplt"), "{text}");
    }

    #[test]
    fn every_error_bit_decodes_to_its_pg021_name() {
        let expected = [
            (0x010, "DMAIntErr"),
            (0x020, "DMASlvErr"),
            (0x040, "DMADecErr"),
            (0x100, "SGIntErr"),
            (0x200, "SGSlvErr"),
            (0x400, "SGDecErr"),
        ];
        for (bits, name) in expected {
            let s = DmaStatus::from_bits(bits);
            assert_eq!(s.first_error().unwrap().name(), name);
            assert_eq!(s.first_error().unwrap().mask(), bits);
        }
        assert_eq!(
            DmaStatus::ERROR_MASK,
            ErrorBit::ALL.iter().map(|e| e.mask()).sum::<u32>()
        );
    }

    #[test]
    fn display_lists_flags_and_raw_value() {
        let s = DmaStatus::from_bits(0x0001_4041).to_string();
        assert!(s.starts_with("DMADecErr: DMA decode error"), "{s}");
        assert!(
            s.ends_with("DMASR 0x00014041 = Halted | DMADecErr | Err_Irq, IRQThresholdSts 1"),
            "{s}"
        );
        let busy = DmaStatus::from_bits(0).to_string();
        assert_eq!(busy, "DMASR 0x00000000 = (running, busy)");
        assert!(DmaStatus::from_bits(3).halted() && DmaStatus::from_bits(3).idle());
    }
}
