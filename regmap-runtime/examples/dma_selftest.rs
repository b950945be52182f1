//! The DMA copy self-test against a device that copies through simulated
//! physical memory: once correct, then with the bugs real drivers have had,
//! printing the report each one produces.
//!
//! Run with `cargo run -p regmap-runtime --example dma_selftest`.

use regmap_runtime::dma::{CopyCheck, SimAccessError, SimMemory, check_copy};

/// A DMA engine model: reads `len` bytes at physical `src`, writes them at `dst`.
fn engine(mem: &SimMemory, src: u64, dst: u64, len: usize) -> Result<(), SimAccessError> {
    let mut burst = vec![0; len];
    mem.read(src, &mut burst)?;
    mem.write(dst, &burst)
}

type Copy<'a> = Box<dyn Fn(u64, u64, usize) -> Result<(), SimAccessError> + 'a>;

fn main() {
    let mem = SimMemory::new(0x8000_0000, 16 << 20);
    let check = CopyCheck::default();
    let cases: Vec<(&str, Copy)> = vec![
        ("correct copy", Box::new(|s, d, n| engine(&mem, s, d, n))),
        (
            "length one short",
            Box::new(|s, d, n| engine(&mem, s, d, n - 1)),
        ),
        (
            "length one long",
            Box::new(|s, d, n| engine(&mem, s, d, n + 1)),
        ),
        (
            "destination 4 bytes off",
            Box::new(|s, d, n| engine(&mem, s, d + 4, n)),
        ),
        (
            "source 8 bytes off",
            Box::new(|s, d, n| engine(&mem, s + 8, d, n)),
        ),
        (
            "arguments swapped",
            Box::new(|s, d, n| engine(&mem, d, s, n)),
        ),
        ("engine never started", Box::new(|_, _, _| Ok(()))),
        (
            "address past memory",
            Box::new(|s, d, n| engine(&mem, s, d + (64 << 20), n)),
        ),
    ];
    for (name, copy) in cases {
        println!("== {name}");
        match check_copy(&mem, &check, copy) {
            Ok(p) => println!(
                "passed: {} bytes from {:#x} to {:#x}",
                p.len, p.src_phys, p.dst_phys
            ),
            Err(e) => println!("{e}"),
        }
    }
}
