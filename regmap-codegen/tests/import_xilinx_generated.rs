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

/// A scratch directory standing in for `/`, removed when dropped.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("regmap-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("dev")).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
#[cfg_attr(miri, ignore)] // maps a file standing in for /dev/mem
fn the_design_maps_every_instance_at_its_base_through_dev_mem() {
    use regmap_runtime::SysRoot;
    let scratch = Scratch::new("design-devmem");
    let root = SysRoot::under(&scratch.0);
    let top = pynq::Design::<regmap_runtime::MemBus>::INSTANCES
        .iter()
        .map(|i| i.base + i.size as u64)
        .max()
        .unwrap();
    // A sparse file as large as the address map: only touched pages use disk.
    std::fs::File::create(root.dev.join("mem"))
        .unwrap()
        .set_len(top)
        .unwrap();
    // SAFETY: the memory device is this test's own file.
    let hw = unsafe { pynq::Design::open_devmem_in(&root) }.unwrap();
    hw.leds_gpio.bus().write_u32(0, 0x5).unwrap();
    hw.btns_gpio.bus().write_u32(4, 0xf).unwrap();
    hw.trace_analyzer_pi_axi_dma_0
        .bus()
        .write_u32(0x48, 0x1234_5678)
        .unwrap();
    assert_eq!(hw.leds_gpio.gpio_data().read().bits(), 0x5);
    assert_eq!(
        hw.trace_analyzer_pi_axi_dma_0.s2mm_da().read().bits(),
        0x1234_5678
    );
    assert_eq!(hw.leds_gpio.bus().phys_addr(), Some(0x4125_0000));
    drop(hw);
    let mem = std::fs::File::open(root.dev.join("mem")).unwrap();
    let word = |at: u64| {
        let mut b = [0; 4];
        std::os::unix::fs::FileExt::read_exact_at(&mem, &mut b, at).unwrap();
        u32::from_ne_bytes(b)
    };
    assert_eq!(word(pynq::instances::LEDS_GPIO), 0x5);
    assert_eq!(word(pynq::instances::BTNS_GPIO + 4), 0xf);
    assert_eq!(word(pynq::instances::BTNS_GPIO), 0);
    assert_eq!(
        word(pynq::instances::TRACE_ANALYZER_PI_AXI_DMA_0 + 0x48),
        0x1234_5678
    );
}

#[test]
fn the_design_binds_each_instance_to_its_own_window_in_map_order() {
    let mut seen = Vec::new();
    let hw = pynq::Design::bind(|i| {
        seen.push((i.name, i.block, i.base));
        Ok(MemBus::new(i.size))
    })
    .unwrap();
    assert_eq!(seen.len(), 8);
    assert_eq!(seen[1], ("btns_gpio", "axi_gpio", 0x4121_0000));
    assert_eq!(seen[6].0, "trace_analyzer_pi_axi_dma_0");
    hw.btns_gpio.bus().write_u32(0, 1).unwrap();
    assert_eq!(
        hw.leds_gpio.bus().read_u32(0).unwrap(),
        0,
        "separate windows"
    );
    assert_eq!(hw.btns_gpio.gpio_data().read().bits(), 1);
}

#[test]
fn a_design_failure_names_the_instance() {
    use regmap_runtime::design::DesignError;
    // The fourth instance gets a window smaller than its block.
    let err = pynq::Design::bind(|i| {
        Ok(MemBus::new(if i.name == "system_interrupts" {
            0x10
        } else {
            i.size
        }))
    })
    .unwrap_err();
    assert!(
        matches!(
            err,
            DesignError::Bind {
                instance: "system_interrupts",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("system_interrupts"), "{err}");
    // No UIO device at all: the first instance is the one reported.
    let scratch = Scratch::new("design-uio");
    let err = pynq::Design::open_uio_in(&regmap_runtime::SysRoot::under(&scratch.0)).unwrap_err();
    assert!(
        matches!(
            err,
            DesignError::Open {
                instance: "switches_gpio",
                ..
            }
        ),
        "{err}"
    );
}
