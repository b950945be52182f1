//! A `Bus` whose size changes after a block bound to it would let the block's
//! unchecked accesses run past the window: implementing the trait is `unsafe`.
use regmap_runtime::Bus;
use std::cell::Cell;

struct Shrinking {
    size: Cell<usize>,
}

impl Bus for Shrinking {
    fn size(&self) -> usize {
        let s = self.size.get();
        self.size.set(0);
        s
    }
    unsafe fn read_u8_unchecked(&self, _: usize) -> u8 { 0 }
    unsafe fn read_u16_unchecked(&self, _: usize) -> u16 { 0 }
    unsafe fn read_u32_unchecked(&self, _: usize) -> u32 { 0 }
    unsafe fn read_u64_unchecked(&self, _: usize) -> u64 { 0 }
    unsafe fn write_u8_unchecked(&self, _: usize, _: u8) {}
    unsafe fn write_u16_unchecked(&self, _: usize, _: u16) {}
    unsafe fn write_u32_unchecked(&self, _: usize, _: u32) {}
    unsafe fn write_u64_unchecked(&self, _: usize, _: u64) {}
}

fn main() {
    let _ = Shrinking { size: Cell::new(4) }.size();
}
