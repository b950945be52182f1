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

pub mod bus;
pub mod desc;
pub mod error;
pub mod mem;
pub mod reg;
pub mod word;

pub use arbitrary_int;
pub use bus::{Bus, SubBus};
pub use error::{BindError, IndexError};
pub use mem::MemBus;
pub use reg::{Modifiable, Readable, Reg, Register, Writable};
pub use word::Word;
