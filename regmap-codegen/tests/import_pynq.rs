//! The `.hwh` importer on three more PYNQ v2.4 designs (trimmed, see
//! `tests/import/xilinx/SOURCES.md`): the Pynq-Z1 base overlay, the ZCU104
//! base overlay (Zynq UltraScale+, whose interrupts reach the PS on
//! `pl_ps_irq0`) and the Pynq-Z1 logictools overlay. Each import is checked
//! against what the file says: instances, base addresses, windows, interrupt
//! lines and register blocks. Their generated code is compiled by the
//! `regmap-runtime-tests` crate.

use regmap_codegen::diag::Severity;
use regmap_codegen::import::{Import, ImportedDesign, Interrupt, import_str};
use regmap_codegen::ir::{Block, Item};

fn import(name: &str) -> Import {
    let path = format!("{}/tests/import/xilinx/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    import_str(&text, name, None).unwrap_or_else(|r| panic!("{name}:\n{r}"))
}

/// The messages of the import's warnings and errors (notes left out).
fn loud(import: &Import) -> Vec<&str> {
    import
        .report
        .diagnostics()
        .iter()
        .filter(|d| d.severity != Severity::Note)
        .map(|d| d.message.as_str())
        .collect()
}

/// `(instance, block, base, window)` of each instance, in file order.
fn instances(design: &ImportedDesign) -> Vec<(&str, &str, u64, u64)> {
    design
        .instances
        .iter()
        .map(|i| {
            (
                i.name.value.as_str(),
                i.block.as_str(),
                i.base.value,
                i.size.unwrap_or(0),
            )
        })
        .collect()
}

/// `(line, controller)` of each interrupt line of `instance`, by source port.
fn interrupts<'a>(design: &'a ImportedDesign, instance: &str) -> Vec<(&'a str, u64, &'a str)> {
    let found = design
        .instances
        .iter()
        .find(|i| i.name.value == instance)
        .unwrap_or_else(|| panic!("no instance `{instance}`"));
    let mut lines: Vec<_> = found
        .interrupts
        .iter()
        .map(
            |Interrupt {
                 name,
                 number,
                 controller,
             }| {
                (
                    name.as_deref().unwrap_or(""),
                    *number,
                    controller.as_deref().unwrap_or(""),
                )
            },
        )
        .collect();
    lines.sort_unstable();
    lines
}

fn block<'a>(design: &'a ImportedDesign, name: &str) -> &'a Block {
    design
        .blocks
        .iter()
        .find(|b| b.name.value == name)
        .unwrap_or_else(|| panic!("no block `{name}`"))
}

/// The names of a block's registers, in order.
fn registers(block: &Block) -> Vec<&str> {
    block
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Register(r) => Some(r.name.value.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn pynq_z1_base_instances_windows_and_interrupts() {
    let import = import("pynq_z1_base.hwh");
    assert_eq!(loud(&import), Vec::<&str>::new());
    let design = &import.design;
    assert_eq!(design.name.value, "base");
    const K64: u64 = 0x1_0000;
    assert_eq!(
        instances(design),
        [
            ("switches_gpio", "axi_gpio_switches_gpio", 0x4120_0000, K64),
            ("btns_gpio", "axi_gpio", 0x4121_0000, K64),
            (
                "video_hdmi_in_frontend_axi_gpio_hdmiin",
                "axi_gpio_video_hdmi_in_frontend_axi_gpio_hdmiin",
                0x4122_0000,
                K64
            ),
            (
                "video_hdmi_out_frontend_hdmi_out_hpd_video",
                "axi_gpio_video_hdmi_out_frontend_hdmi_out_hpd_video",
                0x4123_0000,
                K64
            ),
            ("rgbleds_gpio", "axi_gpio_rgbleds_gpio", 0x4124_0000, K64),
            ("leds_gpio", "axi_gpio", 0x4125_0000, K64),
            ("system_interrupts", "axi_intc", 0x4180_0000, K64),
            ("video_axi_vdma", "axi_vdma", 0x4300_0000, K64),
            ("audio_direct_0", "audio_direct", 0x43c0_0000, K64),
            (
                "video_hdmi_out_frontend_axi_dynclk",
                "axi_dynclk",
                0x43c1_0000,
                K64
            ),
            ("video_hdmi_out_frontend_vtc_out", "v_tc", 0x43c2_0000, K64),
            ("video_hdmi_in_frontend_vtc_in", "v_tc", 0x43c3_0000, K64),
            ("video_hdmi_in_pixel_pack", "pixel_pack", 0x43c4_0000, K64),
            (
                "video_hdmi_in_color_convert",
                "color_convert",
                0x43c5_0000,
                K64
            ),
            (
                "video_hdmi_out_color_convert",
                "color_convert",
                0x43c6_0000,
                K64
            ),
            (
                "video_hdmi_out_pixel_unpack",
                "pixel_unpack",
                0x43c7_0000,
                K64
            ),
            (
                "trace_analyzer_pmoda_axi_dma_0",
                "axi_dma",
                0x8040_0000,
                K64
            ),
            (
                "trace_analyzer_arduino_axi_dma_0",
                "axi_dma",
                0x8041_0000,
                K64
            ),
            (
                "trace_analyzer_arduino_trace_cntrl_64_0",
                "trace_cntrl_64",
                0x83c0_0000,
                K64
            ),
            (
                "trace_analyzer_pmoda_trace_cntrl_32_0",
                "trace_cntrl_32",
                0x83c1_0000,
                K64
            ),
        ]
    );
    // `concat_interrupts` takes the 6-bit video concat on In0, the two trace
    // DMAs on In1 and In2, the 3 IOP lines on In3, then buttons and switches.
    let sys = "system_interrupts";
    assert_eq!(
        interrupts(design, "video_axi_vdma"),
        [("mm2s_introut", 1, sys), ("s2mm_introut", 0, sys)]
    );
    assert_eq!(
        interrupts(design, "video_hdmi_out_frontend_vtc_out"),
        [("irq", 2, sys)]
    );
    assert_eq!(
        interrupts(design, "video_hdmi_in_frontend_vtc_in"),
        [("irq", 3, sys)]
    );
    assert_eq!(
        interrupts(design, "video_hdmi_out_frontend_hdmi_out_hpd_video"),
        [("ip2intc_irpt", 5, sys)]
    );
    assert_eq!(
        interrupts(design, "trace_analyzer_pmoda_axi_dma_0"),
        [("s2mm_introut", 6, sys)]
    );
    assert_eq!(
        interrupts(design, "trace_analyzer_arduino_axi_dma_0"),
        [("s2mm_introut", 7, sys)]
    );
    assert_eq!(interrupts(design, "btns_gpio"), [("ip2intc_irpt", 11, sys)]);
    assert_eq!(
        interrupts(design, "switches_gpio"),
        [("ip2intc_irpt", 12, sys)]
    );
    assert_eq!(
        interrupts(design, "system_interrupts"),
        [("irq", 0, "ps7_0")]
    );
    assert_eq!(interrupts(design, "leds_gpio"), []);
    // The AXI GPIO block is whole: its 7 registers, as the product guide lists.
    assert_eq!(
        registers(block(design, "axi_gpio")),
        [
            "GPIO_DATA",
            "GPIO_TRI",
            "GPIO2_DATA",
            "GPIO2_TRI",
            "GIER",
            "IP_IER",
            "IP_ISR"
        ]
    );
    // Video timing controllers ship no register metadata: empty windows.
    assert!(block(design, "v_tc").items.is_empty());
    assert_eq!(block(design, "v_tc").size.value, 0x1_0000);
}

#[test]
fn zcu104_base_interrupts_reach_the_ultrascale_ps() {
    let import = import("zcu104_base.hwh");
    assert_eq!(loud(&import), Vec::<&str>::new());
    let design = &import.design;
    let all = instances(design);
    assert_eq!(all.len(), 17);
    // AXI peripherals get 4 KiB windows on the UltraScale+ PS, the HDMI TX
    // subsystem 128 KiB.
    assert!(all.contains(&("axi_intc_0", "axi_intc", 0x8004_3000, 0x1000)));
    assert!(all.contains(&("gpio_btns", "axi_gpio", 0x8004_5000, 0x1000)));
    assert!(all.contains(&("fmch_axi_iic", "axi_iic", 0x8004_1000, 0x1000)));
    assert!(all.contains(&(
        "video_hdmi_out_frontend",
        "v_hdmi_tx_ss",
        0x8002_0000,
        0x2_0000
    )));
    assert!(all.contains(&(
        "shutdown_HP2_FPD",
        "pr_axi_shutdown_manager",
        0x800d_0000,
        0x1_0000
    )));
    // The PL controller's own request goes through a one-input concat to
    // `pl_ps_irq0` of the `zynq_ultra_ps_e`: line 0 of the PS.
    assert_eq!(interrupts(design, "axi_intc_0"), [("irq", 0, "ps_e_0")]);
    // `xlconcat0` feeds the controller's 9 inputs.
    let intc = "axi_intc_0";
    assert_eq!(
        interrupts(design, "video_phy_vid_phy_controller"),
        [("irq", 0, intc)]
    );
    assert_eq!(
        interrupts(design, "video_hdmi_in_frontend"),
        [("irq", 1, intc)]
    );
    assert_eq!(
        interrupts(design, "video_hdmi_out_frontend"),
        [("irq", 2, intc)]
    );
    assert_eq!(
        interrupts(design, "video_axi_vdma"),
        [("mm2s_introut", 4, intc), ("s2mm_introut", 3, intc)]
    );
    assert_eq!(interrupts(design, "gpio_sws"), [("ip2intc_irpt", 7, intc)]);
    assert_eq!(interrupts(design, "gpio_btns"), [("ip2intc_irpt", 8, intc)]);
    // The controller's registers are as wide as its 9 inputs.
    let intc_block = block(design, "axi_intc");
    let Some(Item::Register(ier)) = intc_block
        .items
        .iter()
        .find(|i| matches!(i, Item::Register(r) if r.name.value == "IER"))
    else {
        panic!("no IER");
    };
    assert_eq!(
        ier.fields
            .iter()
            .map(|f| (f.name.value.as_str(), f.lsb, f.msb))
            .collect::<Vec<_>>(),
        [("INT", 0, 8)]
    );
    // The reset-control GPIO differs from the others (one 32-bit output
    // channel): a block of its own.
    assert!(all.contains(&(
        "reset_control",
        "axi_gpio_reset_control",
        0x8004_4000,
        0x1000
    )));
}

#[test]
fn pynq_z1_logictools_blocks_behind_the_microblaze() {
    let import = import("pynq_z1_logictools.hwh");
    // The AXI CDMA's metadata puts `Err_IrqEn` on bit 2, over `Reset` (the
    // product guide has it on bit 14): the one warning.
    assert_eq!(
        loud(&import),
        ["field `Err_IrqEn` of `CDMACR` (bits 2:2) overlaps `Reset`: dropped"]
    );
    let design = &import.design;
    // The PS maps only the system interrupt controller; the logic
    // controller's cores are addressed by its MicroBlaze.
    assert_eq!(
        instances(design),
        [("system_interrupts", "axi_intc", 0x4180_0000, 0x1_0000)]
    );
    assert_eq!(
        interrupts(design, "system_interrupts"),
        [("irq", 0, "ps7_0")]
    );
    let names: Vec<_> = design
        .blocks
        .iter()
        .map(|b| b.name.value.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "axi_gpio",
            "axi_cdma",
            "axi_dma",
            "trace_cntrl_64",
            "axi_intc"
        ]
    );
    // The trace analyzer's HLS controller: the standard control registers.
    assert_eq!(
        registers(block(design, "trace_cntrl_64"))[..3],
        ["CTRL", "GIER", "IP_IER"]
    );
    // The DMA's scatter-gather registers are absent in this configuration
    // (removed when trimmed), so the direct-register ones come first.
    assert_eq!(
        registers(block(design, "axi_dma"))[..4],
        ["MM2S_DMACR", "MM2S_DMASR", "MM2S_SA", "MM2S_SA_MSB"]
    );
}
