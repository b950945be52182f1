//! A DMA buffer's physical address read from a caller-chosen tree: a fake
//! `phys_addr` would aim the engine at any memory, so these need `unsafe`.
use regmap_runtime::SysRoot;
use regmap_runtime::dma::{DmaHeap, UdmaBuf};

fn open(root: &SysRoot) {
    let _ = UdmaBuf::open_in(root, "udmabuf0");
    let _ = DmaHeap::cma_in(root, std::path::Path::new("/proc"));
}

fn main() {}
