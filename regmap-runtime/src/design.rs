//! Support for the generated `Design` type of an address map: every instance
//! of a design file bound from one set of windows.
//!
//! Generated code lists its instances as [`InstanceInfo`]s and binds each one
//! through [`bind_instance`]; a failure names the instance it happened to, so
//! `Design::open_uio()?` says which of forty devices is missing.

use crate::error::{BindError, DeviceError};

/// One instance of an address map, as the generated `Design` knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceInfo {
    /// Instance name as written in the design file (`axi_dma_0`); the UIO
    /// device name `Design::open_uio` looks for.
    pub name: &'static str,
    /// Name of the block type the instance binds.
    pub block: &'static str,
    /// Base (physical) address.
    pub base: u64,
    /// Size of the window to map in bytes: the design file's `size`, or the
    /// block's own size when the design file gives none.
    pub size: usize,
}

/// Binding one instance of a design failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DesignError {
    /// The window of the instance could not be opened or mapped.
    #[error("instance `{instance}` at {base:#x}: {source}")]
    Open {
        /// Instance name.
        instance: &'static str,
        /// Its base address.
        base: u64,
        /// Why the window could not be made.
        #[source]
        source: DeviceError,
    },
    /// The window opened, but the block refused it (too small, misaligned,
    /// wrong identification register).
    #[error("instance `{instance}` at {base:#x}: {source}")]
    Bind {
        /// Instance name.
        instance: &'static str,
        /// Its base address.
        base: u64,
        /// What the block's check found.
        #[source]
        source: BindError,
    },
}

impl DesignError {
    /// The name of the instance that failed.
    pub fn instance(&self) -> &'static str {
        match self {
            DesignError::Open { instance, .. } | DesignError::Bind { instance, .. } => instance,
        }
    }
}

/// Opens the window of `info` with `open` and binds a block to it with `new`,
/// naming the instance in either error.
///
/// # Errors
/// [`DesignError::Open`] when `open` fails, [`DesignError::Bind`] when `new`
/// refuses the window.
pub fn bind_instance<B, T>(
    info: &InstanceInfo,
    open: &mut impl FnMut(&InstanceInfo) -> Result<B, DeviceError>,
    new: impl FnOnce(B) -> Result<T, BindError>,
) -> Result<T, DesignError> {
    let bus = open(info).map_err(|source| DesignError::Open {
        instance: info.name,
        base: info.base,
        source,
    })?;
    new(bus).map_err(|source| DesignError::Bind {
        instance: info.name,
        base: info.base,
        source,
    })
}
