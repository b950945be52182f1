//! What can go wrong driving an AXI DMA, each error saying which channel,
//! which bit, and what to do about it.

use super::config::{Channel, ConfigError};
use super::status::{DmaStatus, ErrorBit};
use crate::dma::{DmaError, DmaSpace};
use crate::error::{BindError, DeviceError};
use core::fmt;
use std::time::Duration;

/// Register snapshot taken when a wait ran out of time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeoutReport {
    /// Channel that timed out.
    pub channel: Channel,
    /// What was being waited for.
    pub operation: &'static str,
    /// How long was waited.
    pub waited: Duration,
    /// DMACR at the timeout.
    pub dmacr: u32,
    /// DMASR at the timeout.
    pub dmasr: u32,
    /// LENGTH at the timeout (direct mode; 0 in SG mode).
    pub length: u32,
    /// Bytes the transfer asked for.
    pub requested: u64,
    /// The likely causes, most likely first.
    pub causes: Vec<&'static str>,
}

impl fmt::Display for TimeoutReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} of {} bytes did not complete within {:?}; DMACR {:#010x}, LENGTH {}, {}",
            self.channel,
            self.operation,
            self.requested,
            self.waited,
            self.dmacr,
            self.length,
            DmaStatus::from_bits(self.dmasr)
        )?;
        if !self.causes.is_empty() {
            f.write_str("\nlikely causes:")?;
            for c in &self.causes {
                write!(f, "\n  - {c}")?;
            }
        }
        Ok(())
    }
}

/// Everything the AXI DMA driver reports.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AxiDmaError {
    /// The configuration is one the IP cannot have.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The register window does not fit the register block.
    #[error(transparent)]
    Bind(#[from] BindError),
    /// DMASR.SGIncld disagrees with [`AxiDmaConfig::sg`](super::AxiDmaConfig::sg).
    #[error(
        "the configuration says Scatter Gather is {}, but {channel} DMASR.SGIncld reads {hardware}: fix AxiDmaConfig::sg to match the IP (c_include_sg), or check the base address",
        if *configured { "included" } else { "excluded" }
    )]
    SgMismatch {
        /// Channel whose DMASR was read.
        channel: Channel,
        /// What the configuration says.
        configured: bool,
        /// What DMASR.SGIncld says.
        hardware: bool,
    },
    /// The IP was built without this channel.
    #[error("the AXI DMA has no {0} channel (c_include_{ch} = 0)", ch = .0.name().to_lowercase())]
    ChannelAbsent(Channel),
    /// The operation needs the other mode (direct register or scatter gather).
    #[error(
        "{channel}: {operation} needs {}, but the IP is configured {}",
        if *needs_sg { "Scatter Gather mode" } else { "Direct Register Mode" },
        if *needs_sg { "without the SG engine" } else { "with the SG engine (use the SG API)" }
    )]
    WrongMode {
        /// Channel asked for.
        channel: Channel,
        /// What was attempted.
        operation: &'static str,
        /// Whether the operation needs SG mode.
        needs_sg: bool,
    },
    /// A transfer is already in flight on the channel, or a transfer handle was
    /// leaked while the engine owned its buffer.
    #[error(
        "{0} is busy: a transfer is in flight, or its handle was leaked (mem::forget) with the engine still owning the buffer; wait for it, or call reset() to stop the engine and free the channel"
    )]
    ChannelBusy(Channel),
    /// The channel is halted (not started, stopped, or stopped by an error).
    #[error(
        "{channel} is halted: {}; {status}",
        if status.has_errors() { "an error stopped it, call reset() and start() again" } else { "call start() first" }
    )]
    NotRunning {
        /// Channel asked for.
        channel: Channel,
        /// DMASR read.
        status: DmaStatus,
    },
    /// A zero-length transfer (the IP ignores LENGTH = 0).
    #[error("{0}: a transfer of 0 bytes does nothing on the AXI DMA; give it at least one byte")]
    Empty(Channel),
    /// The transfer does not fit the buffer length register.
    #[error(
        "{channel}: {len} bytes do not fit the {width}-bit length register (at most {max} bytes per transfer); split it (send_split), use scatter gather, or rebuild the IP with a wider buffer length register"
    )]
    TooLong {
        /// Channel asked for.
        channel: Channel,
        /// Bytes asked for.
        len: u64,
        /// Most bytes one LENGTH write moves.
        max: u64,
        /// Width of the length register in bits.
        width: u32,
    },
    /// The buffer is not aligned to the data width and the IP has no DRE, or
    /// the driver cannot know whether it has (see `assumed`).
    #[error(
        "{channel}: buffer address {addr:#x} is not a multiple of {align} bytes{}",
        if *assumed {
            "; AxiDma::new cannot know the IP's data width or whether it has a Data Realignment Engine, so it assumes the widest path without one (an unaligned address would make the engine move data from below the buffer). Align the buffer, or bind with AxiDma::from_uio (the configuration comes from the device tree) or unsafe AxiDma::new_unchecked (the caller vouches for it)"
        } else {
            ", the IP's data width, and the IP has no Data Realignment Engine; PG021 leaves this undefined (data moves from the wrong address). Align the buffer or enable DRE"
        }
    )]
    Misaligned {
        /// Channel asked for.
        channel: Channel,
        /// Physical address of the buffer.
        addr: u64,
        /// Alignment needed.
        align: u64,
        /// Whether `align` is the driver's safe assumption, not the IP's
        /// known configuration.
        assumed: bool,
    },
    /// The buffer lies beyond what the IP's address width reaches, or beyond
    /// 4 GiB when the driver cannot know that width (see `assumed`).
    #[error(
        "{channel}: buffer {addr:#x}..{end:#x} is beyond {}; allocate below {limit:#x}{}",
        if *assumed { "the 32-bit address space every AXI DMA reaches" } else { "the IP's address space" },
        if *assumed {
            ", or bind with AxiDma::from_uio (the address width comes from the device tree) or unsafe AxiDma::new_unchecked (the caller vouches for it): AxiDma::new cannot know the IP drives more than 32 address bits"
        } else {
            " or rebuild the IP with a wider address"
        },
        limit = if *addr_width >= 64 { u128::from(u64::MAX) + 1 } else { 1u128 << addr_width }
    )]
    AddressOutOfReach {
        /// Channel asked for.
        channel: Channel,
        /// First byte.
        addr: u64,
        /// One past the last byte.
        end: u64,
        /// The address width the driver relies on.
        addr_width: u32,
        /// Whether `addr_width` is the driver's safe assumption, not the IP's
        /// known configuration.
        assumed: bool,
    },
    /// The buffer's address belongs to another address space than the one
    /// the engine masters.
    #[error(
        "{channel}: the buffer's address {addr:#x} is in {buffer}, but the engine masters {device}, where that number is other memory; allocate the buffer where the device can reach it (u-dma-buf, dma-heap or hugetlb for a device behind UIO or /dev/mem, the device's own VfioDma under VFIO, the model's SimMemory for a model)"
    )]
    WrongSpace {
        /// Channel asked for.
        channel: Channel,
        /// The buffer's address.
        addr: u64,
        /// The buffer's address space.
        buffer: DmaSpace,
        /// The address space the engine masters.
        device: DmaSpace,
    },
    /// The engine stopped with error bits set in DMASR.
    #[error("{channel} channel error: {status}")]
    Engine {
        /// Channel that failed.
        channel: Channel,
        /// DMASR with the error bits.
        status: DmaStatus,
    },
    /// A transfer did not finish in time; the channel was stopped.
    #[error("{0}")]
    Timeout(Box<TimeoutReport>),
    /// The channel halted before the transfer completed (stopped or reset meanwhile).
    #[error(
        "{channel} halted before the transfer completed: it was stopped or reset while the transfer was in flight; {status}"
    )]
    HaltedEarly {
        /// Channel.
        channel: Channel,
        /// DMASR read.
        status: DmaStatus,
    },
    /// The transfer completed but its interrupt never arrived.
    #[error(
        "{channel} transfer completed (DMASR.IOC_Irq set) but no interrupt arrived within {waited:?}: check that {ch}_introut is connected to the interrupt controller and the UIO device is the right one; {status}",
        ch = .channel.name().to_lowercase()
    )]
    InterruptMissing {
        /// Channel.
        channel: Channel,
        /// How long was waited.
        waited: Duration,
        /// DMASR read.
        status: DmaStatus,
    },
    /// DMACR.Reset did not clear itself in time.
    #[error(
        "soft reset did not complete within {waited:?} (DMACR.Reset still reads 1; MM2S DMACR {mm2s_dmacr:#010x}, S2MM DMACR {s2mm_dmacr:#010x}): a stream interface is probably held in reset or its clock is stopped (check m_axi_*/axis clocks and axi_resetn)"
    )]
    ResetTimeout {
        /// How long was waited.
        waited: Duration,
        /// MM2S DMACR at the timeout.
        mm2s_dmacr: u32,
        /// S2MM DMACR at the timeout.
        s2mm_dmacr: u32,
    },
    /// DMASR.Halted did not change in time after RS was written.
    #[error(
        "{channel} did not {} within {waited:?}; {status}{}",
        if *starting { "start (DMASR.Halted stays 1 after DMACR.RS = 1)" } else { "halt (DMASR.Halted stays 0 after DMACR.RS = 0)" },
        if *starting { ": check the IP's clocks and resets" } else { ": data is still in flight, typically a stream sink holding TREADY low; reset() stops it" }
    )]
    RunStopTimeout {
        /// Channel.
        channel: Channel,
        /// Whether it was starting (else stopping).
        starting: bool,
        /// How long was waited.
        waited: Duration,
        /// DMASR at the timeout.
        status: DmaStatus,
    },
    /// The engine could not be stopped after a failure, so the buffer it may
    /// still write was leaked (never freed) rather than handed back.
    #[error(
        "{channel}: the engine could not be stopped (neither RS = 0 nor a soft reset took effect), so the transfer's buffer was leaked to keep the device from writing freed memory; the channel stays busy until reset() succeeds. First failure: {cause}"
    )]
    BufferLeaked {
        /// Channel.
        channel: Channel,
        /// The failure that led to the abort.
        cause: Box<AxiDmaError>,
    },
    /// Waiting for or re-arming an interrupt failed.
    #[error("interrupt of {channel}: {source}")]
    Irq {
        /// Channel.
        channel: Channel,
        /// What the interrupt source reported.
        source: Box<DeviceError>,
    },
    /// Cache maintenance or a buffer operation failed.
    #[error(transparent)]
    Dma(Box<DmaError>),
    /// A descriptor ring is unusable.
    #[error("{0}")]
    Ring(String),
    /// The engine reported more bytes than the buffer holds (S2MM LENGTH or a
    /// descriptor's Transferred Bytes): a corrupted descriptor, a LENGTH
    /// register wider than configured, or another writer on the channel.
    #[error(
        "{channel}: the engine reports {reported} bytes moved into a buffer of {capacity}; check AxiDmaConfig::length_width and that nothing else programs this channel or its descriptors"
    )]
    DeviceLength {
        /// Channel.
        channel: Channel,
        /// What the device reported.
        reported: u64,
        /// The bytes the buffer (or descriptor) holds.
        capacity: u64,
    },
    /// Another owner holds the registers this driver needs to own alone.
    #[error("{0}")]
    RegistersTaken(String),
    /// Opening or mapping the device failed.
    #[error(transparent)]
    Device(Box<DeviceError>),
    /// The device tree does not describe an AXI DMA the driver can trust.
    #[error("{path}: {reason}")]
    DeviceTree {
        /// The device-tree node (or property) read.
        path: std::path::PathBuf,
        /// What is missing or wrong, and what to do.
        reason: String,
    },
}

impl From<DeviceError> for AxiDmaError {
    fn from(e: DeviceError) -> Self {
        AxiDmaError::Device(Box::new(e))
    }
}

impl From<DmaError> for AxiDmaError {
    fn from(e: DmaError) -> Self {
        AxiDmaError::Dma(Box::new(e))
    }
}

impl AxiDmaError {
    pub(super) fn irq(channel: Channel, source: DeviceError) -> Self {
        AxiDmaError::Irq {
            channel,
            source: Box::new(source),
        }
    }

    /// The DMASR error bits this error is about (empty for other errors).
    pub fn error_bits(&self) -> Vec<ErrorBit> {
        match self {
            AxiDmaError::Engine { status, .. } => status.errors().collect(),
            AxiDmaError::BufferLeaked { cause, .. } => cause.error_bits(),
            _ => Vec::new(),
        }
    }

    /// The channel the error is about, where there is one.
    pub fn channel(&self) -> Option<Channel> {
        match self {
            AxiDmaError::SgMismatch { channel, .. }
            | AxiDmaError::WrongMode { channel, .. }
            | AxiDmaError::NotRunning { channel, .. }
            | AxiDmaError::TooLong { channel, .. }
            | AxiDmaError::Misaligned { channel, .. }
            | AxiDmaError::AddressOutOfReach { channel, .. }
            | AxiDmaError::WrongSpace { channel, .. }
            | AxiDmaError::Engine { channel, .. }
            | AxiDmaError::HaltedEarly { channel, .. }
            | AxiDmaError::InterruptMissing { channel, .. }
            | AxiDmaError::RunStopTimeout { channel, .. }
            | AxiDmaError::BufferLeaked { channel, .. }
            | AxiDmaError::Irq { channel, .. }
            | AxiDmaError::DeviceLength { channel, .. } => Some(*channel),
            AxiDmaError::ChannelAbsent(c) | AxiDmaError::ChannelBusy(c) | AxiDmaError::Empty(c) => {
                Some(*c)
            }
            AxiDmaError::Timeout(t) => Some(t.channel),
            _ => None,
        }
    }
}
