//! `/dev/mem` maps any physical range, including a live DMA buffer's memory:
//! the caller vouches for the range, so the call is `unsafe`.
use regmap_runtime::DevMem;

fn main() {
    let _window = DevMem::map(0x3c00_0000, 0x1000);
}
