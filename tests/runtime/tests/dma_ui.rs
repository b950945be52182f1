//! Misuse of the DMA ownership API does not compile: memory a transfer may be
//! aimed at needs an `unsafe impl`, a driver needs a register window it owns
//! alone, the driver's raw register block is behind `unsafe`, and so is a
//! buffer whose physical address comes from a caller-chosen tree.
//!
//! One test function, so trybuild builds every case in one project.
//! Re-bless after an intended change with `TRYBUILD=overwrite`.

#[test]
fn dma_ownership_misuse_does_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/dma_ui/*.rs");
}
