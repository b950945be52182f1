//! Tests that run inside a QEMU guest, against QEMU's `edu` PCI device bound to
//! `uio_pci_generic` in a real Linux kernel. `cargo xtask vm-test` builds them,
//! boots the guest and runs them there with `--include-ignored`.
//!
//! On the host every such test is `#[ignore]`d with the reason [`NEEDS_GUEST`], so a
//! plain `cargo test` lists them as ignored instead of pretending they passed.

/// The ignore reason of every guest test.
pub const NEEDS_GUEST: &str = "needs the QEMU edu device: run `cargo xtask vm-test`";
