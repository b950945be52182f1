//! The driver's register block writes LENGTH, ADDRESS, CURDESC, TAILDESC and
//! DMACR: a write after a transfer completed restarts the engine into a buffer
//! that is no longer the driver's.
use regmap_runtime::axi_dma::AxiDma;
use regmap_runtime::axi_dma::model::ModelPort;

fn poke(dma: &AxiDma<ModelPort>) {
    let _regs = dma.registers();
}

fn main() {}
