//! Runtime for regmap register blocks.
//!
//! Start with [`Bus`]: the one trait every register window implements (a mapped
//! file or device, an in-memory buffer, a behavioural model). Generated register
//! blocks hold a bus and hand out [`Reg`] handles; a handle's methods exist only
//! where the register's access allows them ([`Readable`], [`Writable`],
//! [`Modifiable`]). [`desc`] holds the static description that generated code
//! emits for tools that need names at run time (tracing, models, dumps).
//!
//! No reference to device memory is ever created: every access goes through a
//! [`Bus`] method that performs one volatile load or store of the exact width.
#![deny(clippy::undocumented_unsafe_blocks)]

#[cfg(feature = "axi-dma")]
pub mod axi_dma;
pub mod barrier;
pub mod block;
pub mod bus;
pub mod bus_master;
pub mod copy;
pub mod desc;
pub mod design;
pub mod dma;
pub mod error;
pub mod exclusive;
pub mod field;
pub mod hls;
pub mod irq;
pub mod live;
pub mod mem;
pub mod model;
pub mod pci;
mod poll;
pub mod reg;
pub mod sysroot;
pub mod trace;
pub mod uio;
pub mod vfio;
pub mod window;
pub mod word;

pub use arbitrary_int;
pub use block::{Bound, Sub};
pub use bus::{Bus, SubBus};
pub use bus_master::DmaPermission;
pub use bytemuck;
pub use copy::{copy_from_device, copy_to_device};
pub use dma::{DmaAllocator, DmaBuffer, DmaError, DmaRange, DmaTarget};
pub use error::{AccessError, BindError, DeviceError, IndexError};
pub use exclusive::{Exclusive, ExclusiveBus};
pub use field::{Field, FieldEnum, FieldValue, Partial, Raw, Value, access, raw};
pub use irq::InterruptLine;
pub use mem::MemBus;
pub use model::ModelBus;
pub use pci::PciDevice;
pub use reg::{Modifiable, Readable, Reg, RegMut, Register, Writable};
pub use sysroot::SysRoot;
pub use trace::{TraceBus, TraceView};
pub use uio::Uio;
pub use vfio::{Vfio, VfioDma, VfioIrq, VfioIrqKind};
pub use window::{DevMem, FileWindow, MappedWindow, WindowRef};
pub use word::Word;

#[cfg(feature = "macros")]
pub use regmap_macros::register_block;

/// Expands to the code generated from a YAML register map (see
/// `docs/yaml-format.md`), read from a path relative to the directory of the
/// crate's `Cargo.toml`: `include_yaml!("maps/timer.yaml")`.
///
/// A map with errors fails to compile with the map's diagnostics, each with
/// its line and column in the YAML file. Editing the file rebuilds the crate.
/// The generated code names this crate by `$crate`, so it compiles whatever
/// name the calling crate's `Cargo.toml` gives the runtime.
#[cfg(feature = "macros")]
#[macro_export]
macro_rules! include_yaml {
    ($($input:tt)*) => {
        $crate::__macros::include_yaml_in! { $crate, $($input)* }
    };
}

/// The proc macros behind [`include_yaml!`], which passes them `$crate`.
#[cfg(feature = "macros")]
#[doc(hidden)]
pub mod __macros {
    pub use regmap_macros::include_yaml_in;
}
