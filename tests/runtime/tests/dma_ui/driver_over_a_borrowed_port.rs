//! Two drivers over one borrowed window would run two transfers on a channel.
use regmap_runtime::axi_dma::model::AxiDmaModel;
use regmap_runtime::axi_dma::{AxiDma, AxiDmaConfig};
use regmap_runtime::dma::SimMemory;
use std::sync::Arc;

fn main() {
    let config = AxiDmaConfig::default();
    let model = AxiDmaModel::new(config, Arc::new(SimMemory::new(0, 1 << 20))).unwrap();
    let port = model.port().unwrap();
    let _a = AxiDma::new(&port, config);
    let _b = AxiDma::new(&port, config);
}
