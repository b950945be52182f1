//! A `Copy` window reference or an `Arc` can be handed to a second driver.
use regmap_runtime::axi_dma::model::ModelPort;
use regmap_runtime::axi_dma::{AxiDma, AxiDmaConfig};
use regmap_runtime::MappedWindow;
use std::sync::Arc;

fn by_ref(window: &MappedWindow, config: AxiDmaConfig) {
    let _dma = AxiDma::new(window.by_ref(), config);
}

fn by_arc(port: Arc<ModelPort>, config: AxiDmaConfig) {
    let _dma = AxiDma::new(port, config);
}

fn by_window(window: MappedWindow, config: AxiDmaConfig) {
    // A plain map can be made twice from one `Uio`; `into_exclusive_map` cannot.
    let _dma = AxiDma::new(window, config);
}

fn main() {}
