//! The guest tests, one executable (one module per topic): run inside
//! `cargo xtask vm-test`, ignored on the host.

mod access;
mod cli;
mod contention;
mod copies;
mod discovery;
mod dma;
mod driver;
mod interrupts;
mod maps;
mod vfio;
