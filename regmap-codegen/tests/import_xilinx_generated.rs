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
    use pynq::axi_dma::{AxiDma, Mm2sDmasr};
    let dev = AxiDma::new(MemBus::new(0x1000)).unwrap();
    // IOC_Irq (bit 12) is oneToClear in the .hwh: the write sets only that bit.
    dev.bus().write_u32(0x04, 0x0000_7001).unwrap();
    dev.mm2s_dmasr().write(|w| w.clear(Mm2sDmasr::IOC_IRQ));
    // `write` starts from the reset value the .hwh gives (0x1_0000: the
    // read-only IRQThresholdSts resets to 1), with no other action bit set.
    assert_eq!(dev.bus().read_u32(0x04).unwrap(), 0x1_1000);
    dev.bus().write_u32(0x04, 0x0000_1001).unwrap();
    let sr = dev.mm2s_dmasr().read();
    assert!(sr.get(Mm2sDmasr::IOC_IRQ) && sr.get(Mm2sDmasr::HALTED) && !sr.get(Mm2sDmasr::IDLE));
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
    use hls_multi_axim::multi_axim::{Ctrl, IpIsr, MultiAxim};
    let dev = MultiAxim::new(MemBus::new(0x1_0000)).unwrap();
    dev.ctrl().write(|w| w.set(Ctrl::AP_START, true));
    assert_eq!(dev.bus().read_u32(0).unwrap(), 1);
    // IP_ISR is toggle-on-write (TOW): acknowledging writes the 1 back.
    dev.ip_isr().write(|w| w.toggle(IpIsr::CHAN0_INT_ST));
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

/// A model of the imported Vitis HLS core: a run takes three looks at the
/// control register; `AP_DONE` clears when read, as on the real core; the
/// ISR bits rise for the sources IER enables; `AUTO_RESTART` starts the next
/// run at once. Returns the model and its count of finished runs.
fn hls_core() -> (
    std::sync::Arc<regmap_runtime::ModelBus>,
    std::sync::Arc<std::sync::atomic::AtomicU32>,
) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};
    let model = Arc::new(regmap_runtime::ModelBus::new(hls_gaussian::gaussian::DESC));
    let runs = Arc::new(AtomicU32::new(0));
    let looks = Arc::new(AtomicU32::new(0));
    model.hw_set("CTRL", 0b0100).unwrap(); // idle
    model
        .on_write("CTRL", |m, old, new| {
            if new & 1 != 0 {
                // Running: no longer idle or ready.
                m.hw_update("CTRL", |c| c & !0b1100).unwrap();
            } else if old & 1 != 0 {
                // Writing 0 does not clear AP_START: only the end of a run does.
                m.hw_update("CTRL", |c| c | 1).unwrap();
            }
        })
        .unwrap();
    let counted = Arc::clone(&runs);
    let done_shown = std::sync::atomic::AtomicBool::new(false);
    model
        .on_read("CTRL", move |m| {
            // Clear-on-read: a done the previous read returned is gone.
            if done_shown.swap(false, Ordering::Relaxed) {
                m.hw_update("CTRL", |c| c & !0b10).unwrap();
            }
            let ctrl = m.hw_get("CTRL").unwrap();
            if ctrl & 1 == 0 || looks.fetch_add(1, Ordering::Relaxed) < 2 {
                return;
            }
            looks.store(0, Ordering::Relaxed);
            counted.fetch_add(1, Ordering::Relaxed);
            let restart = ctrl & 0x80 != 0;
            let start = if restart { 1 } else { 0 };
            m.hw_set("CTRL", (ctrl & 0x80) | 0b1110 | start).unwrap();
            done_shown.store(true, Ordering::Relaxed);
            let ier = m.hw_get("IP_IER").unwrap();
            m.hw_update("IP_ISR", |isr| isr | (ier & 0b11)).unwrap();
        })
        .unwrap();
    // AP_DONE is clear-on-read on the core, but the description says `ro`
    // (the component.xml gives it no readAction), so the hook above clears
    // it after the one read that returned it.
    let desc_done = hls_gaussian::gaussian::DESC.registers[0].fields[1];
    assert_eq!((desc_done.name, desc_done.lsb), ("AP_DONE", 1));
    (model, runs)
}

#[test]
fn ap_ctrl_starts_an_hls_core_and_waits_for_done() {
    use regmap_runtime::hls::{ApCtrl, ApInterrupts};
    use std::time::Duration;
    let (model, runs) = hls_core();
    let core = hls_gaussian::gaussian::Gaussian::new(&*model).unwrap();
    let ap = ApCtrl::new(hls_gaussian::gaussian::DESC, core.bus()).unwrap();
    assert!(ap.status().unwrap().idle);
    ap.enable_interrupts(ApInterrupts {
        done: true,
        ready: false,
    })
    .unwrap();
    assert_eq!(model.hw_get("GIER").unwrap(), 1);
    assert_eq!(model.hw_get("IP_IER").unwrap(), 0b01);
    ap.start().unwrap();
    assert_eq!(model.hw_get("CTRL").unwrap() & 0x81, 0x01, "AP_START alone");
    let status = ap.wait_done(Duration::from_secs(5)).unwrap();
    assert!(status.done && status.idle && status.ready && !status.start);
    assert_eq!(runs.load(std::sync::atomic::Ordering::Relaxed), 1);
    // Only `done` was enabled: only its ISR bit rose.
    assert_eq!(
        ap.pending().unwrap(),
        ApInterrupts {
            done: true,
            ready: false
        }
    );
    // ISR is toggle-on-write: acknowledging writes back only the bit that
    // was set. Writing both would have toggled `ready` on.
    assert_eq!(
        ap.acknowledge().unwrap(),
        ApInterrupts {
            done: true,
            ready: false
        }
    );
    assert_eq!(model.hw_get("IP_ISR").unwrap(), 0);
    assert_eq!(ap.acknowledge().unwrap(), ApInterrupts::default());
    assert_eq!(
        model.hw_get("IP_ISR").unwrap(),
        0,
        "nothing pending, nothing written"
    );
    ap.enable_interrupts(ApInterrupts::default()).unwrap();
    assert_eq!(model.hw_get("GIER").unwrap(), 0);
}

#[test]
fn ap_ctrl_auto_restart_runs_back_to_back_until_cleared() {
    use regmap_runtime::hls::ApCtrl;
    use std::sync::atomic::Ordering;
    use std::time::Duration;
    let (model, runs) = hls_core();
    let ap = ApCtrl::new(hls_gaussian::gaussian::DESC, &*model).unwrap();
    ap.start_auto_restart().unwrap();
    assert_eq!(model.hw_get("CTRL").unwrap() & 0x81, 0x81);
    ap.wait_done(Duration::from_secs(5)).unwrap();
    // The core restarted by itself: the second run needs no `start`.
    ap.wait_done(Duration::from_secs(5)).unwrap();
    assert_eq!(runs.load(Ordering::Relaxed), 2);
    ap.set_auto_restart(false).unwrap();
    assert_eq!(model.hw_get("CTRL").unwrap() & 0x80, 0);
    ap.wait_done(Duration::from_secs(5)).unwrap();
    let after = runs.load(Ordering::Relaxed);
    assert!(!ap.status().unwrap().start, "stopped after the current run");
    // A later start does not bring auto-restart back.
    ap.start().unwrap();
    assert_eq!(model.hw_get("CTRL").unwrap() & 0x81, 0x01);
    ap.wait_ready(Duration::from_secs(5)).unwrap();
    assert_eq!(runs.load(Ordering::Relaxed), after + 1);
}

#[test]
fn ap_ctrl_wait_times_out_with_the_last_status() {
    use regmap_runtime::hls::{ApCtrl, HlsError};
    use std::time::Duration;
    // A core that never finishes: no device model behind the registers.
    let model = regmap_runtime::ModelBus::new(hls_gaussian::gaussian::DESC);
    let ap = ApCtrl::new(hls_gaussian::gaussian::DESC, &model).unwrap();
    ap.start().unwrap();
    let err = ap.wait_done(Duration::from_millis(20)).unwrap_err();
    match &err {
        HlsError::Timeout {
            block,
            waiting_for,
            timeout,
            status,
        } => {
            assert_eq!(*block, "gaussian");
            assert_eq!(*waiting_for, "AP_DONE");
            assert_eq!(*timeout, Duration::from_millis(20));
            assert!(status.start && !status.done, "{status:?}");
        }
        other => panic!("{other}"),
    }
    assert!(
        err.to_string().contains("AP_DONE not seen within 20ms"),
        "{err}"
    );
}

#[test]
fn ap_ctrl_refuses_blocks_without_the_standard_control_register() {
    use regmap_runtime::hls::{ApCtrl, HlsError};
    let err = ApCtrl::new(pynq::axi_gpio::DESC, MemBus::new(0x1_0000)).unwrap_err();
    assert!(
        matches!(
            err,
            HlsError::NotApCtrl {
                block: "axi_gpio",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("AP_START"), "{err}");
    // Both imported HLS cores and the one in the Pynq-Z2 design qualify.
    ApCtrl::new(hls_multi_axim::multi_axim::DESC, MemBus::new(0x1_0000)).unwrap();
    ApCtrl::new(pynq::trace_cntrl_64::DESC, MemBus::new(0x1_0000)).unwrap();
    // A window too small for the four control registers is refused.
    let err = ApCtrl::new(hls_gaussian::gaussian::DESC, MemBus::new(8)).unwrap_err();
    assert!(matches!(err, HlsError::Bind(_)), "{err}");
}

#[test]
fn a_split_64_bit_hls_argument_is_written_as_one_value() {
    let dev = pynq::trace_cntrl_64::TraceCntrl64::new(MemBus::new(0x1_0000)).unwrap();
    dev.set_trigger_v(0x1122_3344_5566_7788);
    // trigger_V_1 (0x10) holds bits 31:0, trigger_V_2 (0x14) bits 63:32.
    assert_eq!(dev.bus().read_u32(0x10).unwrap(), 0x5566_7788);
    assert_eq!(dev.bus().read_u32(0x14).unwrap(), 0x1122_3344);
}
