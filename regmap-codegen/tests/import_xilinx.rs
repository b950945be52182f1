//! The `.hwh` and IP-XACT importers on real vendor files (see
//! `tests/import/xilinx/SOURCES.md`) and on hand-written ones that exercise
//! each construct: what each import holds, that it passes every check, and
//! that the Xilinx IP imported from a PYNQ design agrees with the maps written
//! by hand from the product guides.

use regmap_codegen::Report;
use regmap_codegen::diag::Severity;
use regmap_codegen::import::{Format, Import, ImportedDesign, Interrupt, Parameter, import_str};
use regmap_codegen::ir::{Access, Block, EnumRef, Item, Register};

fn data(name: &str) -> String {
    let path = format!("{}/tests/import/xilinx/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// Imports `text` through the whole pipeline (rename, merge, check) and
/// asserts it succeeds with notes only: no error, no warning.
fn import_clean(name: &str, text: &str) -> Import {
    let import = import_str(text, name, None).unwrap_or_else(|r| panic!("{name}:\n{r}"));
    let loud: Vec<_> = import
        .report
        .diagnostics()
        .iter()
        .filter(|d| d.severity != Severity::Note)
        .collect();
    assert!(loud.is_empty(), "{name}: {loud:#?}");
    import
}

/// The messages of an import's notes.
fn notes(import: &Import) -> Vec<&str> {
    import
        .report
        .diagnostics()
        .iter()
        .map(|d| d.message.as_str())
        .collect()
}

fn block<'a>(imported: &'a ImportedDesign, name: &str) -> &'a Block {
    imported
        .blocks
        .iter()
        .find(|b| b.name.value == name)
        .unwrap_or_else(|| {
            let names: Vec<_> = imported.blocks.iter().map(|b| &b.name.value).collect();
            panic!("no block `{name}` in {names:?}")
        })
}

fn register<'a>(items: &'a [Item], name: &str) -> &'a Register {
    items
        .iter()
        .find_map(|i| match i {
            Item::Register(r) if r.name.value == name => Some(r),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no register `{name}`"))
}

/// `(name, lsb, msb, access)` of each field.
fn fields(r: &Register) -> Vec<(&str, u32, u32, Access)> {
    r.fields
        .iter()
        .map(|f| (f.name.value.as_str(), f.lsb, f.msb, f.access.value))
        .collect()
}

#[test]
fn pynq_z2_base_hwh_instances_addresses_and_interrupts() {
    let import = import_clean("pynq_z2_base.hwh", &data("pynq_z2_base.hwh"));
    let imported = &import.design;
    assert_eq!(imported.name.value, "base");
    let instances: Vec<(&str, &str, u64)> = imported
        .instances
        .iter()
        .map(|i| (i.name.value.as_str(), i.block.as_str(), i.base.value))
        .collect();
    assert_eq!(
        instances,
        [
            ("switches_gpio", "axi_gpio_switches_gpio", 0x4120_0000),
            ("btns_gpio", "axi_gpio", 0x4121_0000),
            ("leds_gpio", "axi_gpio", 0x4125_0000),
            ("system_interrupts", "axi_intc", 0x4180_0000),
            ("audio_codec_ctrl_0", "audio_codec_ctrl", 0x43c0_0000),
            ("video_hdmi_in_color_convert", "color_convert", 0x43c5_0000),
            ("trace_analyzer_pi_axi_dma_0", "axi_dma", 0x8043_0000),
            (
                "trace_analyzer_pi_trace_cntrl_64_0",
                "trace_cntrl_64",
                0x83c1_0000
            ),
        ]
    );
    assert!(imported.instances.iter().all(|i| i.size == Some(0x1_0000)));
    let instance = |name: &str| {
        imported
            .instances
            .iter()
            .find(|i| i.name.value == name)
            .unwrap()
    };
    let irq = |name: &str| instance(name).interrupts.clone();
    let line = |controller: &str, number, port: &str| Interrupt {
        name: Some(port.into()),
        number,
        controller: Some(controller.into()),
    };
    // Through the 15-input concat: In0 is 6 bits wide, so In3 (leds) is line 8.
    assert_eq!(
        irq("leds_gpio"),
        [line("system_interrupts", 8, "ip2intc_irpt")]
    );
    assert_eq!(
        irq("btns_gpio"),
        [line("system_interrupts", 13, "ip2intc_irpt")]
    );
    assert_eq!(
        irq("switches_gpio"),
        [line("system_interrupts", 14, "ip2intc_irpt")]
    );
    assert_eq!(
        irq("trace_analyzer_pi_axi_dma_0"),
        [line("system_interrupts", 7, "s2mm_introut")]
    );
    // The controller's own output reaches the PS's IRQ_F2P[0].
    assert_eq!(irq("system_interrupts"), [line("ps7_0", 0, "irq")]);
    assert!(irq("audio_codec_ctrl_0").is_empty());
    let gpio = instance("btns_gpio");
    assert!(gpio.parameters.contains(&Parameter {
        name: "C_GPIO_WIDTH".into(),
        value: "4".into()
    }));
    assert!(!gpio.parameters.iter().any(|p| p.name == "C_BASEADDR"));
    // The MicroBlaze's BRAM is memory, and the custom core has no metadata.
    let notes = notes(&import);
    assert!(
        notes.contains(
            &"`iop_pmodb_mb_bram_ctrl` is memory, not registers: not imported as an instance"
        ),
        "{notes:#?}"
    );
    // The design file names each instance's map, window, interrupts and parameters.
    let yaml = regmap_codegen::import::design_yaml(imported);
    assert!(
        yaml.contains("- { name: ip2intc_irpt, number: 13, controller: system_interrupts }"),
        "{yaml}"
    );
    assert!(block(&import.design, "audio_codec_ctrl").items.is_empty());
}

#[test]
fn pynq_z2_base_hwh_register_semantics() {
    let import = import_clean("pynq_z2_base.hwh", &data("pynq_z2_base.hwh"));
    // Register widths follow each instance's C_GPIO_WIDTH: 4 buttons, 2
    // switches, so the two layouts are distinct blocks; leds (4) shares btns'.
    let btns = register(&block(&import.design, "axi_gpio").items, "GPIO_DATA");
    assert_eq!(
        fields(btns),
        [("Channel_1_GPIO_DATA", 0, 3, Access::ReadWrite)]
    );
    let switches = register(
        &block(&import.design, "axi_gpio_switches_gpio").items,
        "GPIO_DATA",
    );
    assert_eq!(
        fields(switches),
        [("Channel_1_GPIO_DATA", 0, 1, Access::ReadWrite)]
    );
    // MODIFIED_READ_VALUES=oneToToggle: AXI GPIO's toggle-on-write status.
    let isr = register(&block(&import.design, "axi_gpio").items, "IP_ISR");
    assert!(
        isr.fields
            .iter()
            .all(|f| f.access.value == Access::OneToToggle)
    );
    // AXI DMA: oneToClear interrupt bits, read-only status bits, reset values.
    let dma = block(&import.design, "axi_dma");
    let sr = register(&dma.items, "MM2S_DMASR");
    assert_eq!(sr.reset.value, 0x1_0000);
    let ioc = sr
        .fields
        .iter()
        .find(|f| f.name.value == "IOC_Irq")
        .unwrap();
    assert_eq!((ioc.lsb, ioc.access.value), (12, Access::OneToClear));
    let halted = sr.fields.iter().find(|f| f.name.value == "Halted").unwrap();
    assert_eq!(halted.access.value, Access::ReadOnly);
    // Scatter-gather registers are disabled in this configuration.
    assert!(
        dma.items
            .iter()
            .all(|i| !i.name().value.contains("CURDESC"))
    );
    // A register whose one field covers it is a plain register.
    assert!(register(&dma.items, "MM2S_SA").fields.is_empty());
    // HLS cores give offsets in decimal: IP_ISR at "12", c1_c1_V at "16".
    let hls = block(&import.design, "trace_cntrl_64");
    assert_eq!(register(&hls.items, "IP_ISR").offset.value, 0xc);
    assert_eq!(register(&hls.items, "length_r").offset.value, 28);
    let isr = register(&hls.items, "IP_ISR");
    // Read-only + oneToToggle is HLS's TOW: writable, toggled by a 1.
    assert_eq!(
        fields(isr),
        [
            ("CHAN0_INT_ST", 0, 0, Access::OneToToggle),
            ("CHAN1_INT_ST", 1, 1, Access::OneToToggle)
        ]
    );
    let cc = block(&import.design, "color_convert");
    let c11 = register(&cc.items, "c1_c1_V");
    assert_eq!(c11.offset.value, 16);
    // The reserved read-only bits are dropped, so the write-only register
    // keeps its access and one 10-bit field.
    assert_eq!(c11.access.value, Access::WriteOnly);
    assert_eq!(fields(c11), [("c1_c1_V", 0, 9, Access::WriteOnly)]);
    // The interrupt controller: IAR is write-only (its write clears ISR
    // bits), SIE/CIE are w1s/w1c as the metadata says.
    let intc = block(&import.design, "axi_intc");
    assert_eq!(register(&intc.items, "IAR").access.value, Access::WriteOnly);
    assert_eq!(fields(register(&intc.items, "SIE"))[0].3, Access::OneToSet);
    assert_eq!(
        fields(register(&intc.items, "CIE"))[0].3,
        Access::OneToClear
    );
}

#[test]
fn hls_component_xml_control_register() {
    for (name, args) in [
        ("multi_axim.component.xml", &["ap_return", "x", "y"][..]),
        ("gaussian.component.xml", &[][..]),
    ] {
        let import = import_clean(name, &data(name));
        assert_eq!(import.design.blocks.len(), 1);
        let b = &import.design.blocks[0];
        assert_eq!(b.size.value, 0x1_0000);
        let ctrl = register(&b.items, "CTRL");
        assert_eq!(
            fields(ctrl),
            [
                ("AP_START", 0, 0, Access::ReadWrite),
                ("AP_DONE", 1, 1, Access::ReadOnly),
                ("AP_IDLE", 2, 2, Access::ReadOnly),
                ("AP_READY", 3, 3, Access::ReadOnly),
                ("AUTO_RESTART", 7, 7, Access::ReadWrite),
            ],
            "{name}"
        );
        let isr = register(&b.items, "IP_ISR");
        assert!(
            isr.fields
                .iter()
                .all(|f| f.access.value == Access::OneToToggle)
        );
        for arg in args {
            register(&b.items, arg);
        }
    }
    let import = import_clean(
        "multi_axim.component.xml",
        &data("multi_axim.component.xml"),
    );
    let b = &import.design.blocks[0];
    assert_eq!(b.name.value, "multi_axim");
    let x = register(&b.items, "x");
    assert_eq!((x.offset.value, x.access.value), (24, Access::WriteOnly));
    assert_eq!(
        register(&b.items, "ap_return").access.value,
        Access::ReadOnly
    );
}

#[test]
fn peakrdl_example_dim_and_field_resets() {
    let import = import_clean("peakrdl_my_subblock.xml", &data("peakrdl_my_subblock.xml"));
    let b = &import.design.blocks[0];
    assert_eq!(
        (b.name.value.as_str(), b.size.value),
        ("my_subblock", 0x110)
    );
    let reg1 = register(&b.items, "reg1");
    // 1685-2014 resets live on fields: f2 = 'h7b at bit 8.
    assert_eq!(reg1.reset.value, 0x7b00);
    assert_eq!(
        fields(reg1),
        [
            ("f1", 0, 0, Access::ReadWrite),
            ("f2", 8, 15, Access::ReadWrite)
        ]
    );
    let array = register(&b.items, "reg_array");
    let a = array.array.as_ref().expect("an array");
    assert_eq!(
        (array.offset.value, a.count.value, a.stride.value),
        (0x100, 4, 4)
    );
}

/// IP-XACT 1685-2014 constructs the real files above do not use.
const HAND_2014: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ipxact:component xmlns:ipxact="http://www.accellera.org/XMLSchema/IPXACT/1685-2014">
  <ipxact:vendor>example.org</ipxact:vendor>
  <ipxact:library>lib</ipxact:library>
  <ipxact:name>uart</ipxact:name>
  <ipxact:version>1.0</ipxact:version>
  <ipxact:memoryMaps>
    <ipxact:memoryMap>
      <ipxact:name>map</ipxact:name>
      <ipxact:addressBlock>
        <ipxact:name>regs</ipxact:name>
        <ipxact:baseAddress>0</ipxact:baseAddress>
        <ipxact:range>32'h0000_0100</ipxact:range>
        <ipxact:width>32</ipxact:width>
        <ipxact:access>read-only</ipxact:access>
        <ipxact:register>
          <ipxact:name>STATUS</ipxact:name>
          <ipxact:addressOffset>'h0</ipxact:addressOffset>
          <ipxact:size>32</ipxact:size>
          <ipxact:field>
            <ipxact:name>rx ready</ipxact:name>
            <ipxact:bitOffset>0</ipxact:bitOffset>
            <ipxact:bitWidth>1</ipxact:bitWidth>
            <ipxact:volatile>true</ipxact:volatile>
          </ipxact:field>
          <ipxact:field>
            <ipxact:name>overrun</ipxact:name>
            <ipxact:bitOffset>1</ipxact:bitOffset>
            <ipxact:bitWidth>1</ipxact:bitWidth>
            <ipxact:access>read-only</ipxact:access>
            <ipxact:readAction>clear</ipxact:readAction>
          </ipxact:field>
        </ipxact:register>
        <ipxact:register>
          <ipxact:name>IRQ</ipxact:name>
          <ipxact:addressOffset>0x4</ipxact:addressOffset>
          <ipxact:size>32</ipxact:size>
          <ipxact:field>
            <ipxact:name>pending</ipxact:name>
            <ipxact:bitOffset>0</ipxact:bitOffset>
            <ipxact:resets><ipxact:reset><ipxact:value>4'b1010</ipxact:value></ipxact:reset></ipxact:resets>
            <ipxact:bitWidth>4</ipxact:bitWidth>
            <ipxact:access>read-write</ipxact:access>
            <ipxact:modifiedWriteValue>oneToClear</ipxact:modifiedWriteValue>
          </ipxact:field>
          <ipxact:field>
            <ipxact:name>mode</ipxact:name>
            <ipxact:bitOffset>4</ipxact:bitOffset>
            <ipxact:bitWidth>2</ipxact:bitWidth>
            <ipxact:access>read-write</ipxact:access>
            <ipxact:enumeratedValues>
              <ipxact:enumeratedValue><ipxact:name>off</ipxact:name><ipxact:value>0</ipxact:value></ipxact:enumeratedValue>
              <ipxact:enumeratedValue><ipxact:name>level</ipxact:name><ipxact:value>'h1</ipxact:value><ipxact:description>Level</ipxact:description></ipxact:enumeratedValue>
              <ipxact:enumeratedValue><ipxact:name>edge</ipxact:name><ipxact:value>2'd2</ipxact:value></ipxact:enumeratedValue>
              <ipxact:enumeratedValue><ipxact:name>too big</ipxact:name><ipxact:value>7</ipxact:value></ipxact:enumeratedValue>
            </ipxact:enumeratedValues>
          </ipxact:field>
        </ipxact:register>
        <ipxact:register>
          <ipxact:name>DEBUG</ipxact:name>
          <ipxact:isPresent>0</ipxact:isPresent>
          <ipxact:addressOffset>0x8</ipxact:addressOffset>
          <ipxact:size>32</ipxact:size>
        </ipxact:register>
        <ipxact:registerFile>
          <ipxact:name>chan</ipxact:name>
          <ipxact:dim>2</ipxact:dim>
          <ipxact:addressOffset>0x40</ipxact:addressOffset>
          <ipxact:range>0x20</ipxact:range>
          <ipxact:register>
            <ipxact:name>DATA</ipxact:name>
            <ipxact:dim>4</ipxact:dim>
            <ipxact:addressOffset>0x0</ipxact:addressOffset>
            <ipxact:size>16</ipxact:size>
            <ipxact:access>read-write</ipxact:access>
          </ipxact:register>
        </ipxact:registerFile>
      </ipxact:addressBlock>
    </ipxact:memoryMap>
  </ipxact:memoryMaps>
</ipxact:component>
"#;

#[test]
fn ipxact_2014_register_files_enums_side_effects_and_literals() {
    let import = import_clean("uart.xml", HAND_2014);
    let b = &import.design.blocks[0];
    assert_eq!((b.name.value.as_str(), b.size.value), ("uart", 0x100));
    let status = register(&b.items, "STATUS");
    // Access inherited from the address block; readAction=clear is rc.
    assert_eq!(status.access.value, Access::ReadOnly);
    assert_eq!(
        fields(status),
        [
            ("rx_ready", 0, 0, Access::ReadOnly),
            ("overrun", 1, 1, Access::ReadToClear)
        ]
    );
    let irq = register(&b.items, "IRQ");
    assert_eq!(irq.reset.value, 0b1010);
    assert_eq!(irq.fields[0].access.value, Access::OneToClear);
    let Some(EnumRef::Inline(e)) = &irq.fields[1].enumeration else {
        panic!("mode has an enum");
    };
    let variants: Vec<_> = e
        .variants
        .iter()
        .map(|v| (v.name.value.as_str(), v.value.value))
        .collect();
    // `too big` (7) does not fit 2 bits: dropped with a note.
    assert_eq!(variants, [("off", 0), ("level", 1), ("edge", 2)]);
    let notes = notes(&import);
    assert!(notes.iter().any(|n| n.contains("`too big`")), "{notes:#?}");
    assert!(
        notes
            .iter()
            .any(|n| n.contains("`rx ready`") && n.contains("`rx_ready`")),
        "{notes:#?}"
    );
    // DEBUG has isPresent 0.
    assert!(
        notes.iter().any(|n| n.contains("`DEBUG` is not present")),
        "{notes:#?}"
    );
    assert_eq!(b.items.len(), 3);
    let Item::Cluster(chan) = &b.items[2] else {
        panic!("chan is a cluster");
    };
    let a = chan.array.as_ref().unwrap();
    assert_eq!(
        (chan.offset.value, a.count.value, a.stride.value),
        (0x40, 2, 0x20)
    );
    let data = register(&chan.items, "DATA");
    let a = data.array.as_ref().unwrap();
    assert_eq!(
        (data.width.value.bits(), a.count.value, a.stride.value),
        (16, 4, 2)
    );
}

#[test]
fn ipxact_2009_register_reset_and_mask() {
    let text = r#"<spirit:component xmlns:spirit="http://www.spiritconsortium.org/XMLSchema/SPIRIT/1685-2009">
  <spirit:name>t</spirit:name>
  <spirit:memoryMaps><spirit:memoryMap><spirit:name>m</spirit:name>
    <spirit:addressBlock><spirit:name>a</spirit:name><spirit:baseAddress>0</spirit:baseAddress><spirit:range>4K</spirit:range><spirit:width>32</spirit:width>
      <spirit:register><spirit:name>R</spirit:name><spirit:addressOffset>#10</spirit:addressOffset><spirit:size>32</spirit:size>
        <spirit:reset><spirit:value>0xFFFF1234</spirit:value><spirit:mask>0x0000FFFF</spirit:mask></spirit:reset>
      </spirit:register>
    </spirit:addressBlock>
    <spirit:addressBlock><spirit:name>mem</spirit:name><spirit:baseAddress>0x1000</spirit:baseAddress><spirit:range>4K</spirit:range><spirit:width>32</spirit:width><spirit:usage>memory</spirit:usage></spirit:addressBlock>
  </spirit:memoryMap></spirit:memoryMaps>
</spirit:component>"#;
    let import = import_clean("t.xml", text);
    assert_eq!(import.design.blocks.len(), 1);
    let b = &import.design.blocks[0];
    assert_eq!((b.name.value.as_str(), b.size.value), ("t", 4096));
    let r = register(&b.items, "R");
    assert_eq!((r.offset.value, r.reset.value), (0x10, 0x1234));
}

/// The report of an import that must fail.
fn failed(name: &str, text: &str, format: Option<Format>) -> Report {
    match import_str(text, name, format) {
        Ok(_) => panic!("{name} imported"),
        Err(report) => report,
    }
}

/// Where the first error points, as `line:column`, and its code.
fn first_error(name: &str, text: &str) -> (String, &'static str) {
    first_error_as(name, text, None)
}

fn first_error_as(name: &str, text: &str, format: Option<Format>) -> (String, &'static str) {
    let report = failed(name, text, format);
    let d = report
        .diagnostics()
        .iter()
        .find(|d| d.is_error())
        .unwrap_or_else(|| panic!("{name}: no error"));
    let (line, column) = report.line_col(d).expect("a location");
    (format!("{line}:{column}"), d.code)
}

#[test]
fn malformed_files_are_errors_with_line_and_column() {
    // Not XML.
    assert_eq!(
        first_error("a.hwh", "<EDKSYSTEM>\n  <MODULES>\n</EDKSYSTEM>\n"),
        ("3:1".into(), "xml-syntax")
    );
    // An entity bomb: refused at the DTD, nothing expands.
    let bomb = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE x [{}]>\n<x>&e9;</x>",
        (1..10)
            .map(|i| format!("<!ENTITY e{i} \"{}\">", format!("&e{};", i - 1).repeat(10)))
            .collect::<String>()
            + "<!ENTITY e0 \"boom\">"
    );
    // The DTD comes before the root, so the error is at line 2 for either format.
    let at_dtd = ("2:1".to_owned(), "xml-syntax");
    assert_eq!(
        first_error_as("bomb.xml", &bomb, Some(Format::IpXact)),
        at_dtd
    );
    assert_eq!(first_error("bomb.hwh", &bomb), at_dtd);
    // Wrong kind of file.
    assert_eq!(first_error("x.hwh", "<spirit:component/>").1, "xml-syntax");
    assert_eq!(
        first_error_as("x.hwh", "<component/>", Some(Format::Hwh)),
        ("1:2".into(), "not-hwh")
    );
    // A `component` outside the IP-XACT namespaces.
    assert_eq!(
        first_error("x.xml", "<component/>"),
        ("1:2".into(), "not-ipxact")
    );
    // A number that is not one, pointed at exactly.
    let bad = HAND_2014.replace("<ipxact:addressOffset>0x4<", "<ipxact:addressOffset>0xZ4<");
    let line = HAND_2014.lines().position(|l| l.contains(">0x4<")).unwrap() + 1;
    assert_eq!(
        first_error("u.xml", &bad),
        (format!("{line}:33"), "bad-number")
    );
    let bad = HAND_2014.replace("<ipxact:size>16<", "<ipxact:size>12<");
    assert_eq!(first_error("u.xml", &bad).1, "bad-width");
    let bad = HAND_2014.replace(
        "<ipxact:access>read-write</ipxact:access>\n            <ipxact:modifiedWriteValue>",
        "<ipxact:access>sideways</ipxact:access>\n            <ipxact:modifiedWriteValue>",
    );
    assert_eq!(first_error("u.xml", &bad).1, "bad-access");
    let hwh = data("pynq_z2_base.hwh");
    let bad = hwh.replacen("VALUE=\"0x11C\"", "VALUE=\"0x11G\"", 1);
    let (pos, code) = first_error("b.hwh", &bad);
    assert_eq!(code, "bad-number");
    let line = hwh
        .lines()
        .position(|l| l.contains("VALUE=\"0x11C\""))
        .unwrap()
        + 1;
    assert!(pos.starts_with(&format!("{line}:")), "{pos}");
}

#[test]
fn truncated_files_never_panic() {
    for name in [
        "pynq_z2_base.hwh",
        "multi_axim.component.xml",
        "peakrdl_my_subblock.xml",
    ] {
        let text = data(name);
        // Every cut on a char boundary, in coarse steps for the large file.
        let step = (text.len() / 150).max(1);
        for cut in (0..text.len())
            .step_by(step)
            .filter(|&c| text.is_char_boundary(c))
        {
            let _ = import_str(&text[..cut], name, None);
        }
    }
}

/// One register instance, arrays and clusters expanded: absolute offset,
/// width, and `(lsb, msb, access)` of each field (a register without fields
/// is one field covering it).
type Flat = (u64, u32, Vec<(u32, u32, Access)>);

fn flatten(items: &[Item], base: u64, out: &mut Vec<Flat>) {
    for item in items {
        match item {
            Item::Register(r) => {
                let (count, stride) = r
                    .array
                    .as_ref()
                    .map_or((1, 0), |a| (a.count.value, a.stride.value));
                let mut fields: Vec<_> = r
                    .fields
                    .iter()
                    .map(|f| (f.lsb, f.msb, f.access.value))
                    .collect();
                if fields.is_empty() {
                    fields.push((0, r.width.value.bits() - 1, r.access.value));
                }
                for i in 0..count {
                    out.push((
                        base + r.offset.value + i * stride,
                        r.width.value.bits(),
                        fields.clone(),
                    ));
                }
            }
            Item::Cluster(c) => {
                let (count, stride) = c
                    .array
                    .as_ref()
                    .map_or((1, 0), |a| (a.count.value, a.stride.value));
                for i in 0..count {
                    flatten(&c.items, base + c.offset.value + i * stride, out);
                }
            }
        }
    }
}

/// Every difference between a hand-written block and an imported one, by
/// offset and bit range (names differ by design: the `.hwh` spells fields out).
fn differences(hand: &Block, imported: &Block) -> Vec<String> {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    flatten(&hand.items, 0, &mut a);
    flatten(&imported.items, 0, &mut b);
    let mut out = Vec::new();
    for (offset, width, fields) in &a {
        let Some((_, w2, f2)) = b.iter().find(|(o, ..)| o == offset) else {
            out.push(format!("{offset:#x}: only hand-written"));
            continue;
        };
        if width != w2 {
            out.push(format!("{offset:#x}: width {width} vs {w2}"));
        }
        // Fields pair up by their lowest bit; a width the instance's
        // parameters narrowed shows as a bit-range difference.
        for (lsb, msb, access) in fields {
            match f2.iter().find(|(l, ..)| l == lsb) {
                Some((_, m2, a2)) => {
                    if m2 != msb {
                        out.push(format!("{offset:#x} [{msb}:{lsb}] vs [{m2}:{lsb}]"));
                    }
                    if a2 != access {
                        out.push(format!(
                            "{offset:#x} [{msb}:{lsb}]: {} vs {}",
                            access.short_name(),
                            a2.short_name()
                        ));
                    }
                }
                None => out.push(format!("{offset:#x} [{msb}:{lsb}]: only hand-written")),
            }
        }
        for (lsb, msb, _) in f2 {
            if !fields.iter().any(|(l, ..)| l == lsb) {
                out.push(format!("{offset:#x} [{msb}:{lsb}]: only imported"));
            }
        }
    }
    for (offset, ..) in &b {
        if !a.iter().any(|(o, ..)| o == offset) {
            out.push(format!("{offset:#x}: only imported"));
        }
    }
    out
}

fn hand_written(path: &str) -> Block {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let design = regmap_codegen::load_yaml_file(&path).unwrap_or_else(|r| panic!("{r}"));
    design.blocks.into_iter().next().unwrap()
}

#[test]
fn imported_xilinx_ip_agrees_with_the_hand_written_maps() {
    let import = import_clean("pynq_z2_base.hwh", &data("pynq_z2_base.hwh"));
    let diff =
        |hand: &str, name: &str| differences(&hand_written(hand), block(&import.design, name));
    let only_hand = |offsets: &mut dyn Iterator<Item = u64>| {
        offsets
            .map(|o| format!("{o:#x}: only hand-written"))
            .collect::<Vec<_>>()
    };

    // AXI GPIO: the hand-written map gives each channel its full 32 pins;
    // this instance (btns_gpio) has C_GPIO_WIDTH = 4, so its data and
    // three-state registers hold 4 bits. Offsets and access agree, and both
    // have IP_ISR as toggle-on-write.
    assert_eq!(
        diff("../examples/axi-gpio/axi_gpio.yaml", "axi_gpio"),
        ["0x0 [31:0] vs [3:0]", "0x4 [31:0] vs [3:0]"]
    );

    // AXI Timer: the .hwh metadata calls the interrupt bit TnINT read-write,
    // but PG079 says a 1 written clears it (and a 0 leaves it): the
    // hand-written w1c is right, and what the driver needs.
    assert_eq!(
        diff("../examples/axi-timer/axi_timer.yaml", "axi_timer"),
        ["0x0 [8:8]: w1c vs rw", "0x10 [8:8]: w1c vs rw"]
    );

    // AXI INTC: this instance has 15 inputs (C_NUM_INTR_INPUTS), so ISR..CIE
    // hold 15 bits and IVR 5 (enough for an ordinal; the hand-written map
    // keeps 32 bits because "no interrupt" reads as all ones). SIE and CIE
    // are write-only in the hand-written map; the metadata calls them
    // readable with oneToSet / oneToClear, which is how they act on IER. IMR,
    // ILR and the IVAR array are absent in this configuration (C_HAS_FAST = 0,
    // C_HAS_ILR = 0), so the .hwh marks them IS_ENABLED=false.
    let mut intc = Vec::new();
    for o in (0..=0x14).step_by(4) {
        intc.push(format!("{o:#x} [31:0] vs [14:0]"));
        match o {
            0x10 => intc.push("0x10 [31:0]: wo vs w1s".into()),
            0x14 => intc.push("0x14 [31:0]: wo vs w1c".into()),
            _ => {}
        }
    }
    intc.push("0x18 [31:0] vs [4:0]".into());
    intc.extend(only_hand(&mut [0x20, 0x24].into_iter()));
    intc.extend(only_hand(&mut (0x100..0x180).step_by(4)));
    assert_eq!(diff("../examples/axi-intc/axi_intc.yaml", "axi_intc"), intc);

    // AXI DMA: this instance is built without scatter-gather (C_INCLUDE_SG =
    // 0), so CURDESC, TAILDESC (and their MSB halves) of both channels and
    // SG_CTL are absent. Every other register, field, bit and access agrees,
    // the w1c interrupt bits of DMASR included.
    let mut dma = only_hand(&mut [0x8, 0xc, 0x10, 0x14, 0x38, 0x3c, 0x40, 0x44].into_iter());
    dma.push("0x2c: only hand-written".into());
    assert_eq!(diff("../regmap-runtime/maps/axi_dma.yaml", "axi_dma"), dma);
}

/// Vendor files whose generated code is pinned under `tests/snapshots/vendor/`
/// and compiled (warnings denied) by `tests/import_xilinx_generated.rs`.
const SNAPSHOTS: &[&str] = &[
    "pynq_z2_base.hwh",
    "multi_axim.component.xml",
    "gaussian.component.xml",
    "peakrdl_my_subblock.xml",
];

fn snapshot_name(file: &str) -> String {
    format!("{}.rs", file.split('.').next().unwrap())
}

#[test]
fn generated_code_of_vendor_files_matches_the_snapshots() {
    let bless = std::env::var_os("REGMAP_BLESS").is_some_and(|v| v == "1");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/vendor");
    let mut stale = Vec::new();
    for name in SNAPSHOTS {
        let import = import_clean(name, &data(name));
        let fresh = regmap_codegen::emit::header(name)
            + &regmap_codegen::emit::format_design(&import.design.to_ir(), &Default::default());
        let path = dir.join(snapshot_name(name));
        if std::fs::read_to_string(&path).ok().as_deref() != Some(fresh.as_str()) {
            if bless {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &fresh).unwrap();
            } else {
                stale.push(snapshot_name(name));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "generated code differs from the snapshots: {stale:?}; re-bless with REGMAP_BLESS=1 if intended"
    );
}

#[test]
fn hostile_values_are_errors_not_panics() {
    let hwh = data("pynq_z2_base.hwh");
    for (from, to) in [
        // A field far past any register width.
        (
            "NAME=\"BIT_OFFSET\" VALUE=\"31\"",
            "NAME=\"BIT_OFFSET\" VALUE=\"4000000000\"",
        ),
        (
            "NAME=\"BIT_WIDTH\" VALUE=\"32\"",
            "NAME=\"BIT_WIDTH\" VALUE=\"4294967295\"",
        ),
        (
            "NAME=\"BIT_WIDTH\" VALUE=\"1\"",
            "NAME=\"BIT_WIDTH\" VALUE=\"0\"",
        ),
        // Interrupt concat inputs wider than any counter.
        (
            "LEFT=\"5\" NAME=\"In0\"",
            "LEFT=\"4294967295\" NAME=\"In0\"",
        ),
        (
            "NAME=\"SIZE\" VALUE=\"32\"",
            "NAME=\"SIZE\" VALUE=\"18446744073709551615\"",
        ),
        ("HIGHVALUE=\"0x4121FFFF\"", "HIGHVALUE=\"0x1\""),
        (
            "NAME=\"ADDRESS_OFFSET\" VALUE=\"0x11C\"",
            "NAME=\"ADDRESS_OFFSET\" VALUE=\"0xFFFFFFFFFFFFFFFC\"",
        ),
    ] {
        assert!(hwh.contains(from), "{from}");
        let text = hwh.replace(from, to);
        // Either a clean import or located errors; never a panic.
        if let Err(report) = import_str(&text, "h.hwh", None) {
            assert!(report.has_errors());
            for d in report.diagnostics().iter().filter(|d| d.is_error()) {
                assert!(report.line_col(d).is_some(), "{report}");
            }
        }
    }
    for (from, to) in [
        ("<ipxact:bitOffset>4<", "<ipxact:bitOffset>4000000000<"),
        ("<ipxact:dim>4<", "<ipxact:dim>18446744073709551615<"),
        ("<ipxact:range>0x20<", "<ipxact:range>0<"),
        (
            "<ipxact:addressOffset>0x40<",
            "<ipxact:addressOffset>'hFFFF_FFFF_FFFF_FFF0<",
        ),
    ] {
        assert!(HAND_2014.contains(from), "{from}");
        let _ = import_str(&HAND_2014.replace(from, to), "u.xml", None);
    }
}

#[test]
fn access_that_loses_behaviour_is_a_warning() {
    let text = HAND_2014.replace(
        "<ipxact:modifiedWriteValue>oneToClear<",
        "<ipxact:modifiedWriteValue>zeroToToggle<",
    );
    let import = import_str(&text, "u.xml", None).unwrap_or_else(|r| panic!("{r}"));
    let warnings: Vec<_> = import
        .report
        .diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert_eq!(warnings[0].code, "access-approximated");
    assert!(warnings[0].message.contains("`zeroToToggle`"));
    let irq = register(&import.design.blocks[0].items, "IRQ");
    assert_eq!(irq.fields[0].access.value, Access::ReadWrite);
}

#[test]
fn interrupt_tracing_ends_on_cycles_and_fan_out() {
    // Two concats feeding each other, and each feeding itself twice: the
    // trace must end (depth and step bounds) and find nothing.
    let mut text = String::from(
        "<EDKSYSTEM><MODULES>\n<MODULE INSTANCE=\"ip\" MODTYPE=\"custom\"><PORTS><PORT DIR=\"O\" NAME=\"irq\" SIGIS=\"INTERRUPT\" SIGNAME=\"a\"/></PORTS></MODULE>\n",
    );
    for (name, input, output) in [("c1", "a", "b"), ("c2", "b", "a")] {
        text.push_str(&format!(
            "<MODULE INSTANCE=\"{name}\" MODTYPE=\"xlconcat\"><PORTS><PORT DIR=\"I\" NAME=\"In0\" SIGNAME=\"{input}\"/><PORT DIR=\"I\" NAME=\"In1\" SIGNAME=\"{input}\"/><PORT DIR=\"I\" NAME=\"In2\" SIGNAME=\"{output}\"/><PORT DIR=\"O\" NAME=\"dout\" SIGNAME=\"{output}\"/></PORTS></MODULE>\n"
        ));
    }
    text.push_str("<MODULE INSTANCE=\"ps\" MODTYPE=\"processing_system7\"><MEMORYMAP><MEMRANGE INSTANCE=\"ip\" MEMTYPE=\"REGISTER\" BASEVALUE=\"0x40000000\" HIGHVALUE=\"0x4000FFFF\" ADDRESSBLOCK=\"r\"/></MEMORYMAP></MODULE>\n</MODULES></EDKSYSTEM>\n");
    let import = import_clean("loop.hwh", &text);
    assert_eq!(import.design.instances.len(), 1);
    assert!(import.design.instances[0].interrupts.is_empty());
}

#[test]
fn mutated_files_never_panic() {
    // A fixed-seed generator: the same mutations on every run.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let swaps = b"0123456789abcdefxX'_-<>/\"&; \n";
    for (name, runs) in [
        ("multi_axim.component.xml", 600),
        ("peakrdl_my_subblock.xml", 600),
        ("pynq_z2_base.hwh", 80),
    ] {
        let text = data(name);
        for _ in 0..runs {
            let mut bytes = text.clone().into_bytes();
            for _ in 0..1 + next() % 4 {
                let at = (next() % bytes.len() as u64) as usize;
                bytes[at] = swaps[(next() % swaps.len() as u64) as usize];
            }
            if let Ok(mutated) = String::from_utf8(bytes) {
                let _ = import_str(&mutated, name, None);
            }
        }
    }
}

/// An import's design is whole: every instance names a block of the
/// design, the design file written for it loads back with its maps, and the
/// generated `Design` binds every instance (no `compile_error!`).
fn assert_design_whole(import: &Import, stem: &str) {
    let d = &import.design;
    for i in &d.instances {
        assert!(
            d.blocks.iter().any(|b| b.name.value == i.block),
            "instance `{}` names `{}`, not a block of the design",
            i.name.value,
            i.block
        );
    }
    let out = std::env::temp_dir().join(format!("regmap-whole-{stem}-{}", std::process::id()));
    let written = regmap_codegen::import::write_yaml(d, &out, stem).unwrap();
    let (loaded, reports) = regmap_codegen::import::load_design_file(&written.design_file);
    std::fs::remove_dir_all(&out).unwrap();
    let loaded = loaded.unwrap_or_else(|| panic!("{reports:?}"));
    let pairs = |d: &ImportedDesign| -> Vec<(String, String)> {
        d.instances
            .iter()
            .map(|i| (i.name.value.clone(), i.block.clone()))
            .collect()
    };
    assert_eq!(pairs(&loaded), pairs(d));
    let code =
        regmap_codegen::emit::format_design(&d.to_ir(), &regmap_codegen::EmitOptions::default());
    assert!(!code.contains("compile_error"), "{code}");
}

/// A `.hwh` of `modules` (each line one `MODULE`) placed by the processing
/// system's `ranges` (`MEMRANGE`s).
fn small_hwh(modules: &str, ranges: &str) -> String {
    format!(
        "<EDKSYSTEM><SYSTEMINFO NAME=\"sys\"/><MODULES>\n{modules}<MODULE INSTANCE=\"ps\" MODTYPE=\"processing_system7\"><MEMORYMAP>\n{ranges}</MEMORYMAP></MODULE>\n</MODULES></EDKSYSTEM>\n"
    )
}

/// A `MODULE` with one address block `Reg` of one 32-bit register `CTRL`
/// holding `field` (a `FIELD` element, or nothing).
fn module_with_register(instance: &str, modtype: &str, ab_attrs: &str, field: &str) -> String {
    format!(
        "<MODULE INSTANCE=\"{instance}\" MODTYPE=\"{modtype}\"><ADDRESSBLOCKS><ADDRESSBLOCK NAME=\"Reg\" {ab_attrs}><REGISTERS><REGISTER NAME=\"CTRL\"><PROPERTY NAME=\"ADDRESS_OFFSET\" VALUE=\"0x0\"/><PROPERTY NAME=\"SIZE\" VALUE=\"32\"/><FIELDS>{field}</FIELDS></REGISTER></REGISTERS></ADDRESSBLOCK></ADDRESSBLOCKS></MODULE>\n"
    )
}

fn range(instance: &str, base: u64, size: u64) -> String {
    format!(
        "<MEMRANGE INSTANCE=\"{instance}\" MEMTYPE=\"REGISTER\" BASEVALUE=\"{base:#x}\" HIGHVALUE=\"{:#x}\" ADDRESSBLOCK=\"Reg\"/>\n",
        base + size - 1
    )
}

/// `(instance, block, block size)` of each instance.
fn placements(d: &ImportedDesign) -> Vec<(&str, &str, u64)> {
    d.instances
        .iter()
        .map(|i| {
            (
                i.name.value.as_str(),
                i.block.as_str(),
                block(d, &i.block).size.value,
            )
        })
        .collect()
}

#[test]
fn hwh_windows_of_one_ip_without_metadata_get_a_block_per_size() {
    // `myip` without register metadata at two window sizes, and `regip`
    // whose registered block would take the name its empty one wants.
    let modules = "<MODULE INSTANCE=\"a\" MODTYPE=\"myip\"/>\n<MODULE INSTANCE=\"b\" MODTYPE=\"myip\"/>\n<MODULE INSTANCE=\"c\" MODTYPE=\"myip\"/>\n"
        .to_owned()
        + &module_with_register("r", "regip", "RANGE=\"4096\"", "");
    let ranges = range("a", 0x4000_0000, 0x1000)
        + &range("b", 0x4001_0000, 0x1_0000)
        + &range("c", 0x4002_0000, 0x1000)
        + &range("r", 0x4003_0000, 0x1000)
        + "<MEMRANGE INSTANCE=\"r\" MEMTYPE=\"REGISTER\" BASEVALUE=\"0x40040000\" HIGHVALUE=\"0x40041FFF\" ADDRESSBLOCK=\"Other\"/>\n";
    let import = import_clean("s.hwh", &small_hwh(&modules, &ranges));
    assert_design_whole(&import, "sizes");
    assert_eq!(
        placements(&import.design),
        [
            ("a", "myip", 0x1000),
            ("b", "myip_2", 0x1_0000),
            ("c", "myip", 0x1000),
            ("r", "regip", 0x1000),
            ("r_2", "regip_2", 0x2000),
        ]
    );
    assert!(
        notes(&import).contains(&"block `myip` is imported as `myip_2`"),
        "{:?}",
        notes(&import)
    );
}

#[test]
fn hwh_field_without_bits_is_a_located_warning() {
    let field = "\n<FIELD NAME=\"EN\"><PROPERTY NAME=\"BIT_WIDTH\" VALUE=\"1\"/></FIELD>";
    let text = small_hwh(
        &module_with_register("r", "regip", "RANGE=\"4096\"", field),
        &range("r", 0x4000_0000, 0x1000),
    );
    let import = import_str(&text, "f.hwh", None).unwrap_or_else(|r| panic!("{r}"));
    let warnings: Vec<_> = import
        .report
        .diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| (d.code, d.message.as_str(), import.report.line_col(d)))
        .collect();
    assert_eq!(
        warnings,
        [(
            "field-dropped",
            "field `CTRL.EN` has no BIT_OFFSET: not imported",
            Some((3, 2))
        )],
        "{}",
        import.report
    );
    assert!(block(&import.design, "regip").items.len() == 1);
}

#[test]
fn hwh_address_block_without_range_is_a_located_warning() {
    let text = small_hwh(
        &module_with_register("r", "regip", "", ""),
        &range("r", 0x4000_0000, 0x1000),
    );
    let import = import_str(&text, "r.hwh", None).unwrap_or_else(|r| panic!("{r}"));
    let diags: Vec<_> = import
        .report
        .diagnostics()
        .iter()
        .map(|d| (d.severity, d.code, import.report.line_col(d)))
        .collect();
    // The instance keeps a window without registers, and no note claims
    // the IP ships no metadata.
    assert_eq!(
        diags,
        [(Severity::Warning, "block-dropped", Some((2, 54)))],
        "{}",
        import.report
    );
    assert_design_whole(&import, "norange");
    assert!(block(&import.design, "regip").items.is_empty());
}

#[test]
fn hwh_instances_the_processing_system_cannot_reach_are_noted() {
    let text = small_hwh(
        &(module_with_register("iop_gpio", "axi_gpio", "RANGE=\"4096\"", "")
            + &module_with_register("gpio", "axi_gpio", "RANGE=\"4096\"", "")),
        &range("gpio", 0x4000_0000, 0x1000),
    );
    let import = import_clean("m.hwh", &text);
    assert_eq!(placements(&import.design), [("gpio", "axi_gpio", 0x1000)]);
    let dropped: Vec<_> = import
        .report
        .diagnostics()
        .iter()
        .filter(|d| d.code == "dropped")
        .map(|d| (d.message.as_str(), import.report.line_col(d)))
        .collect();
    assert_eq!(
        dropped,
        [(
            "`iop_gpio` is not in the memory map of `ps`: its register block is imported, not the instance",
            Some((2, 19))
        )]
    );
}

#[test]
fn a_read_action_on_a_writable_field_warns_that_writes_are_dropped() {
    // `pending` is w1c; a read action that clears it too makes it `rc`,
    // which has no write: that loses behaviour, so it is a warning there.
    let text = HAND_2014.replace(
        "<ipxact:modifiedWriteValue>oneToClear</ipxact:modifiedWriteValue>",
        "<ipxact:modifiedWriteValue>oneToClear</ipxact:modifiedWriteValue>\n            <ipxact:readAction>clear</ipxact:readAction>",
    );
    assert_ne!(text, HAND_2014);
    let import = import_str(&text, "u.xml", None).unwrap_or_else(|r| panic!("{r}"));
    let warnings: Vec<_> = import
        .report
        .diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| (d.code, d.message.as_str(), import.report.line_col(d)))
        .collect();
    assert_eq!(
        warnings,
        [(
            "write-dropped",
            "field `IRQ.pending`: a read-to-clear field that is also writable (`w1c`) is imported as `rc`",
            Some((45, 32))
        )],
        "{}",
        import.report
    );
    let irq = register(&import.design.blocks[0].items, "IRQ");
    assert_eq!(irq.fields[0].access.value, Access::ReadToClear);
    // The read-only `overrun` with the same read action stays quiet.
    let status = register(&import.design.blocks[0].items, "STATUS");
    assert_eq!(status.fields[1].access.value, Access::ReadToClear);
}

#[test]
fn hwh_read_action_on_a_writable_field_warns_that_writes_are_dropped() {
    let field = "\n<FIELD NAME=\"EN\"><PROPERTY NAME=\"BIT_OFFSET\" VALUE=\"0\"/><PROPERTY NAME=\"BIT_WIDTH\" VALUE=\"1\"/><PROPERTY NAME=\"ACCESS\" VALUE=\"read-write\"/><PROPERTY NAME=\"READ_ACTION\" VALUE=\"clear\"/></FIELD>";
    let text = small_hwh(
        &module_with_register("r", "regip", "RANGE=\"4096\"", field),
        &range("r", 0x4000_0000, 0x1000),
    );
    let import = import_str(&text, "w.hwh", None).unwrap_or_else(|r| panic!("{r}"));
    let warnings: Vec<_> = import
        .report
        .diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| (d.code, import.report.line_col(d)))
        .collect();
    assert_eq!(
        warnings,
        [("write-dropped", Some((3, 175)))],
        "{}",
        import.report
    );
}

/// IP-XACT 1685-2022: access lives in access policies.
const HAND_2022: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ipxact:component xmlns:ipxact="http://www.accellera.org/XMLSchema/IPXACT/1685-2022">
  <ipxact:vendor>example.org</ipxact:vendor>
  <ipxact:library>lib</ipxact:library>
  <ipxact:name>timer</ipxact:name>
  <ipxact:version>1.0</ipxact:version>
  <ipxact:memoryMaps>
    <ipxact:memoryMap>
      <ipxact:name>map</ipxact:name>
      <ipxact:addressBlock>
        <ipxact:name>regs</ipxact:name>
        <ipxact:baseAddress>0</ipxact:baseAddress>
        <ipxact:range>0x10</ipxact:range>
        <ipxact:width>32</ipxact:width>
        <ipxact:accessPolicies><ipxact:accessPolicy><ipxact:access>read-only</ipxact:access></ipxact:accessPolicy></ipxact:accessPolicies>
        <ipxact:register>
          <ipxact:name>COUNT</ipxact:name>
          <ipxact:addressOffset>0x0</ipxact:addressOffset>
          <ipxact:size>32</ipxact:size>
        </ipxact:register>
        <ipxact:register>
          <ipxact:name>CMD</ipxact:name>
          <ipxact:addressOffset>0x4</ipxact:addressOffset>
          <ipxact:size>32</ipxact:size>
          <ipxact:accessPolicies><ipxact:accessPolicy><ipxact:access>write-only</ipxact:access></ipxact:accessPolicy></ipxact:accessPolicies>
        </ipxact:register>
        <ipxact:register>
          <ipxact:name>IRQ</ipxact:name>
          <ipxact:addressOffset>0x8</ipxact:addressOffset>
          <ipxact:size>32</ipxact:size>
          <ipxact:field>
            <ipxact:name>done</ipxact:name>
            <ipxact:bitOffset>0</ipxact:bitOffset>
            <ipxact:bitWidth>1</ipxact:bitWidth>
            <ipxact:fieldAccessPolicies>
              <ipxact:fieldAccessPolicy>
                <ipxact:access>read-write</ipxact:access>
                <ipxact:modifiedWriteValue>oneToClear</ipxact:modifiedWriteValue>
              </ipxact:fieldAccessPolicy>
              <ipxact:fieldAccessPolicy>
                <ipxact:modeRef priority="1">debug</ipxact:modeRef>
                <ipxact:access>read-only</ipxact:access>
              </ipxact:fieldAccessPolicy>
            </ipxact:fieldAccessPolicies>
          </ipxact:field>
          <ipxact:field>
            <ipxact:name>overflow</ipxact:name>
            <ipxact:bitOffset>1</ipxact:bitOffset>
            <ipxact:bitWidth>1</ipxact:bitWidth>
            <ipxact:fieldAccessPolicies>
              <ipxact:fieldAccessPolicy>
                <ipxact:access>read-only</ipxact:access>
                <ipxact:readAction>clear</ipxact:readAction>
              </ipxact:fieldAccessPolicy>
            </ipxact:fieldAccessPolicies>
          </ipxact:field>
          <ipxact:field>
            <ipxact:name>enable</ipxact:name>
            <ipxact:bitOffset>2</ipxact:bitOffset>
            <ipxact:bitWidth>1</ipxact:bitWidth>
            <ipxact:fieldAccessPolicies>
              <ipxact:fieldAccessPolicy><ipxact:access>read-write</ipxact:access></ipxact:fieldAccessPolicy>
            </ipxact:fieldAccessPolicies>
          </ipxact:field>
        </ipxact:register>
      </ipxact:addressBlock>
    </ipxact:memoryMap>
  </ipxact:memoryMaps>
</ipxact:component>
"#;

#[test]
fn ipxact_2022_access_is_read_from_access_policies() {
    let import = import_clean("timer.xml", HAND_2022);
    let b = &import.design.blocks[0];
    assert_eq!(
        register(&b.items, "COUNT").access.value,
        Access::ReadOnly,
        "inherited from the address block's policy"
    );
    assert_eq!(register(&b.items, "CMD").access.value, Access::WriteOnly);
    assert_eq!(
        fields(register(&b.items, "IRQ")),
        [
            ("done", 0, 0, Access::OneToClear),
            ("overflow", 1, 1, Access::ReadToClear),
            ("enable", 2, 2, Access::ReadWrite),
        ]
    );
    let dropped: Vec<_> = import
        .report
        .diagnostics()
        .iter()
        .filter(|d| d.code == "dropped")
        .map(|d| import.report.line_col(d).map(|(l, _)| l))
        .collect();
    assert_eq!(dropped, [Some(40)], "{}", import.report);
}

/// A register with `alternateRegisters`, as IP-XACT writes them: inside the
/// register, without offset or size of their own.
const ALTERNATES_2014: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ipxact:component xmlns:ipxact="http://www.accellera.org/XMLSchema/IPXACT/1685-2014">
  <ipxact:vendor>example.org</ipxact:vendor>
  <ipxact:library>lib</ipxact:library>
  <ipxact:name>timer</ipxact:name>
  <ipxact:version>1.0</ipxact:version>
  <ipxact:memoryMaps>
    <ipxact:memoryMap>
      <ipxact:name>map</ipxact:name>
      <ipxact:addressBlock>
        <ipxact:name>regs</ipxact:name>
        <ipxact:baseAddress>0</ipxact:baseAddress>
        <ipxact:range>0x40</ipxact:range>
        <ipxact:width>32</ipxact:width>
        <ipxact:register>
          <ipxact:name>MODE</ipxact:name>
          <ipxact:addressOffset>0x4</ipxact:addressOffset>
          <ipxact:size>16</ipxact:size>
          <ipxact:field>
            <ipxact:name>OUT_CFG</ipxact:name>
            <ipxact:bitOffset>0</ipxact:bitOffset>
            <ipxact:bitWidth>4</ipxact:bitWidth>
          </ipxact:field>
          <ipxact:alternateRegisters>
            <ipxact:alternateRegister>
              <ipxact:name>MODE_IN</ipxact:name>
              <ipxact:description>Input view</ipxact:description>
              <ipxact:alternateGroups><ipxact:alternateGroup>input</ipxact:alternateGroup></ipxact:alternateGroups>
              <ipxact:access>read-only</ipxact:access>
              <ipxact:field>
                <ipxact:name>FILTER</ipxact:name>
                <ipxact:bitOffset>4</ipxact:bitOffset>
                <ipxact:resets><ipxact:reset><ipxact:value>3</ipxact:value></ipxact:reset></ipxact:resets>
                <ipxact:bitWidth>4</ipxact:bitWidth>
              </ipxact:field>
            </ipxact:alternateRegister>
            <ipxact:alternateRegister>
              <ipxact:name>mode</ipxact:name>
              <ipxact:alternateGroups><ipxact:alternateGroup>raw</ipxact:alternateGroup></ipxact:alternateGroups>
              <ipxact:field>
                <ipxact:name>LOW</ipxact:name>
                <ipxact:bitOffset>0</ipxact:bitOffset>
                <ipxact:bitWidth>8</ipxact:bitWidth>
              </ipxact:field>
            </ipxact:alternateRegister>
          </ipxact:alternateRegisters>
        </ipxact:register>
        <ipxact:register>
          <ipxact:name>CH</ipxact:name>
          <ipxact:dim>2</ipxact:dim>
          <ipxact:addressOffset>0x10</ipxact:addressOffset>
          <ipxact:size>32</ipxact:size>
          <ipxact:alternateRegisters>
            <ipxact:alternateRegister>
              <ipxact:name>CH_ALT</ipxact:name>
              <ipxact:alternateGroups><ipxact:alternateGroup>g</ipxact:alternateGroup></ipxact:alternateGroups>
            </ipxact:alternateRegister>
          </ipxact:alternateRegisters>
        </ipxact:register>
      </ipxact:addressBlock>
    </ipxact:memoryMap>
  </ipxact:memoryMaps>
</ipxact:component>
"#;

/// Each alternate register becomes a register at its register's offset and
/// width, `alternate_of` it, with its own access, reset and fields; one whose
/// name collides is renamed and still names its register. The alternates of
/// a register array are left out with a note.
#[test]
fn ipxact_alternate_registers_become_alternate_views() {
    let import = import_clean("timer.xml", ALTERNATES_2014);
    let b = &import.design.blocks[0];
    let names: Vec<&str> = b.items.iter().map(|i| i.name().value.as_str()).collect();
    assert_eq!(names, ["MODE", "MODE_IN", "mode_2", "CH"]);
    let input = register(&b.items, "MODE_IN");
    assert_eq!(input.alternate_of.as_ref().unwrap().value, "MODE");
    assert_eq!(
        (input.offset.value, input.width.value),
        (0x4, regmap_codegen::ir::Width::W16)
    );
    assert_eq!(input.access.value, Access::ReadOnly);
    assert_eq!(input.reset.value, 0x30);
    assert_eq!(input.description.as_deref(), Some("Input view"));
    assert_eq!(fields(input), [("FILTER", 4, 7, Access::ReadOnly)]);
    let raw = register(&b.items, "mode_2");
    assert_eq!(raw.alternate_of.as_ref().unwrap().value, "MODE");
    assert_eq!(fields(raw), [("LOW", 0, 7, Access::ReadWrite)]);
    assert_eq!(register(&b.items, "MODE").alternate_of, None);
    let notes = notes(&import);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("alternate registers of register array `CH`")),
        "{notes:#?}"
    );
    assert!(notes.iter().any(|n| n.contains("`mode_2`")), "{notes:#?}");
}
