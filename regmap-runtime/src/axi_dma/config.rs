//! How the IP was configured in Vivado: the driver and the model take the same
//! [`AxiDmaConfig`], because what a driver may do depends on it.

use core::fmt;

/// One of the two DMA channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// Memory-mapped to stream: reads memory, sends on `M_AXIS_MM2S`.
    Mm2s,
    /// Stream to memory-mapped: receives on `S_AXIS_S2MM`, writes memory.
    S2mm,
}

impl Channel {
    /// Both channels, MM2S first.
    pub const BOTH: [Channel; 2] = [Channel::Mm2s, Channel::S2mm];

    /// Index of the channel's register group (`channel[i]` in the register block).
    pub const fn index(self) -> usize {
        match self {
            Channel::Mm2s => 0,
            Channel::S2mm => 1,
        }
    }

    /// Byte offset of the channel's register group in the register space.
    pub const fn base(self) -> usize {
        self.index() * 0x30
    }

    /// The name PG021 uses as register prefix (`MM2S`, `S2MM`).
    pub const fn name(self) -> &'static str {
        match self {
            Channel::Mm2s => "MM2S",
            Channel::S2mm => "S2MM",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The AXI DMA's synthesis parameters that a driver must know.
///
/// Read them from the IP's customisation dialog or from the `.hwh` / device
/// tree (`xlnx,sg-length-width`, `xlnx,addrwidth`, `xlnx,include-dre`,
/// `xlnx,datawidth`, `xlnx,include-sg`). [`AxiDmaConfig::validate`] rejects
/// combinations the IP cannot have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AxiDmaConfig {
    /// Width of the buffer length register in bits (`c_sg_length_width`, 8 to 26).
    /// The longest single transfer is `2^length_width - 1` bytes.
    pub length_width: u32,
    /// Width of addresses on the memory-mapped side (`c_addr_width`, 32 to 64).
    /// Above 32 the `_MSB` registers and descriptor words exist.
    pub addr_width: u32,
    /// Memory-mapped data width in bytes (4 to 128, a power of two). Without
    /// DRE, buffer addresses must be multiples of it.
    pub data_width: u32,
    /// Data Realignment Engine present: buffers may start at any byte.
    pub dre: bool,
    /// Scatter Gather engine included (`c_include_sg`); otherwise Direct Register Mode.
    pub sg: bool,
    /// MM2S channel present (`c_include_mm2s`).
    pub mm2s: bool,
    /// S2MM channel present (`c_include_s2mm`).
    pub s2mm: bool,
}

impl Default for AxiDmaConfig {
    /// The Vivado defaults: 14-bit length, 32-bit addresses, 32-bit data, no
    /// DRE, SG included, both channels.
    fn default() -> Self {
        Self {
            length_width: 14,
            addr_width: 32,
            data_width: 4,
            dre: false,
            sg: true,
            mm2s: true,
            s2mm: true,
        }
    }
}

/// A configuration the IP cannot have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Length width outside 8..=26.
    #[error("buffer length width {0} is outside the 8 to 26 bits the AXI DMA supports")]
    LengthWidth(u32),
    /// Address width outside 32..=64.
    #[error("address width {0} is outside the 32 to 64 bits the AXI DMA supports")]
    AddrWidth(u32),
    /// Data width not a power of two in 4..=128 bytes.
    #[error(
        "memory-mapped data width {0} bytes is not one of 4, 8, 16, 32, 64, 128 (32 to 1024 bits)"
    )]
    DataWidth(u32),
    /// Neither channel present.
    #[error("the configuration has neither an MM2S nor an S2MM channel")]
    NoChannel,
}

impl AxiDmaConfig {
    /// Checks that the IP can be configured this way.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(8..=26).contains(&self.length_width) {
            return Err(ConfigError::LengthWidth(self.length_width));
        }
        if !(32..=64).contains(&self.addr_width) {
            return Err(ConfigError::AddrWidth(self.addr_width));
        }
        if !(4..=128).contains(&self.data_width) || !self.data_width.is_power_of_two() {
            return Err(ConfigError::DataWidth(self.data_width));
        }
        if !self.mm2s && !self.s2mm {
            return Err(ConfigError::NoChannel);
        }
        Ok(())
    }

    /// The longest transfer one LENGTH write (or one descriptor) can move.
    pub const fn max_transfer(&self) -> u64 {
        (1u64 << self.length_width) - 1
    }

    /// Mask of the address bits the IP drives.
    pub const fn address_mask(&self) -> u64 {
        if self.addr_width >= 64 {
            u64::MAX
        } else {
            (1u64 << self.addr_width) - 1
        }
    }

    /// Whether the `_MSB` address registers (and descriptor words) exist.
    pub const fn has_msb(&self) -> bool {
        self.addr_width > 32
    }

    /// Alignment a buffer address needs: 1 with DRE, else the data width.
    pub const fn alignment(&self) -> u64 {
        if self.dre { 1 } else { self.data_width as u64 }
    }

    /// Whether `channel` is present.
    pub const fn has(&self, channel: Channel) -> bool {
        match channel {
            Channel::Mm2s => self.mm2s,
            Channel::S2mm => self.s2mm,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_the_bad_parameter() {
        let ok = AxiDmaConfig::default();
        assert_eq!(ok.validate(), Ok(()));
        for (cfg, err) in [
            (
                AxiDmaConfig {
                    length_width: 7,
                    ..ok
                },
                ConfigError::LengthWidth(7),
            ),
            (
                AxiDmaConfig {
                    length_width: 27,
                    ..ok
                },
                ConfigError::LengthWidth(27),
            ),
            (
                AxiDmaConfig {
                    addr_width: 31,
                    ..ok
                },
                ConfigError::AddrWidth(31),
            ),
            (
                AxiDmaConfig {
                    data_width: 12,
                    ..ok
                },
                ConfigError::DataWidth(12),
            ),
            (
                AxiDmaConfig {
                    mm2s: false,
                    s2mm: false,
                    ..ok
                },
                ConfigError::NoChannel,
            ),
        ] {
            assert_eq!(cfg.validate(), Err(err));
        }
    }

    #[test]
    fn limits_follow_the_widths() {
        let c = AxiDmaConfig {
            length_width: 26,
            addr_width: 40,
            ..AxiDmaConfig::default()
        };
        assert_eq!(c.max_transfer(), 0x3ff_ffff);
        assert_eq!(c.address_mask(), 0xff_ffff_ffff);
        assert!(c.has_msb());
        let c = AxiDmaConfig {
            length_width: 8,
            addr_width: 64,
            dre: true,
            ..c
        };
        assert_eq!(c.max_transfer(), 255);
        assert_eq!(c.address_mask(), u64::MAX);
        assert_eq!(c.alignment(), 1);
        assert!(!AxiDmaConfig::default().has_msb());
        assert_eq!(AxiDmaConfig::default().alignment(), 4);
    }
}
