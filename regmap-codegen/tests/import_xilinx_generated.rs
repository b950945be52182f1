//! The generated code of imported vendor files compiles with warnings denied
//! and drives the registers as the vendor metadata says. The snapshots are
//! kept equal to the emitter's output by `import_xilinx.rs`.
#![deny(warnings)]

/// The trimmed Pynq-Z2 base design.
pub mod pynq {
    include!("snapshots/vendor/pynq_z2_base.rs");
}
/// An HLS core (Vivado HLS, IP-XACT 1685-2009).
pub mod hls_multi_axim {
    include!("snapshots/vendor/multi_axim.rs");
}
/// An HLS core (Vitis HLS 2020.2).
pub mod hls_gaussian {
    include!("snapshots/vendor/gaussian.rs");
}
/// A PeakRDL-ipxact export (IP-XACT 1685-2014).
pub mod peakrdl {
    include!("snapshots/vendor/peakrdl_my_subblock.rs");
}

use regmap_runtime::{Bus, MemBus};

#[test]
fn imported_dma_status_acknowledges_with_write_one_to_clear() {
    use pynq::axi_dma::AxiDma;
    let dev = AxiDma::new(MemBus::new(0x1000)).unwrap();
    // IOC_Irq (bit 12) is oneToClear in the .hwh: the write sets only that bit.
    dev.bus().write_u32(0x04, 0x0000_7001).unwrap();
    dev.mm2s_dmasr().write(|w| w.clear_ioc_irq());
    // `write` starts from the reset value the .hwh gives (0x1_0000: the
    // read-only IRQThresholdSts resets to 1), with no other action bit set.
    assert_eq!(dev.bus().read_u32(0x04).unwrap(), 0x1_1000);
    dev.bus().write_u32(0x04, 0x0000_1001).unwrap();
    let sr = dev.mm2s_dmasr().read();
    assert!(sr.ioc_irq() && sr.halted() && !sr.idle());
}

#[test]
fn imported_blocks_bind_at_their_instance_addresses() {
    assert_eq!(pynq::instances::BTNS_GPIO, 0x4121_0000);
    assert_eq!(pynq::instances::TRACE_ANALYZER_PI_AXI_DMA_0, 0x8043_0000);
    assert_eq!(pynq::axi_dma::DESC.size, 0x1000);
    assert_eq!(pynq::audio_codec_ctrl::DESC.size, 0x1_0000);
}

#[test]
fn imported_hls_cores_have_their_control_registers() {
    let dev = hls_multi_axim::multi_axim::MultiAxim::new(MemBus::new(0x1_0000)).unwrap();
    dev.ctrl().write(|w| w.set_ap_start(true));
    assert_eq!(dev.bus().read_u32(0).unwrap(), 1);
    // IP_ISR is toggle-on-write (TOW): acknowledging writes the 1 back.
    dev.ip_isr().write(|w| w.toggle_chan0_int_st());
    assert_eq!(dev.bus().read_u32(0x0c).unwrap(), 1);
    dev.x().write(|w| w.set_bits(7));
    assert_eq!(dev.bus().read_u32(24).unwrap(), 7);
    assert_eq!(hls_gaussian::gaussian::DESC.registers.len(), 4);
    assert_eq!(peakrdl::my_subblock::MySubblock::<MemBus>::SIZE, 0x110);
}
