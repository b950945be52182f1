//! Setup shared by the AXI DMA driver tests in both modes.

use regmap_runtime::axi_dma::model::{AxiDmaModel, TestStream};
use regmap_runtime::dma::{DmaAllocator, DmaBuffer, SimMemory};

/// A buffer from `mem` holding `data`.
pub fn filled(mem: &SimMemory, data: &[u8]) -> DmaBuffer {
    let mut b = mem.allocate(data.len()).unwrap();
    b.as_bytes_mut().copy_from_slice(data);
    b
}

/// A stream peer wired to `model`'s ports; the handle kept feeds and drains it.
pub fn attach_stream(model: &AxiDmaModel) -> TestStream {
    let stream = TestStream::new();
    model.set_stream(stream.clone());
    stream
}
