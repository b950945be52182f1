//! Xilinx AXI DMA (PG021): the register block, a driver, and a behavioural model.
pub mod config;
pub mod model;
pub mod status;

pub use config::{AxiDmaConfig, Channel, ConfigError};
pub use status::{DmaStatus, ErrorBit};
