//! The CMSIS-SVD importer: every construct it reads (`tests/import/features.svd`),
//! twenty real vendor files (`tests/import/svd/`, see `SOURCES.md` there), and
//! malformed input.

use std::path::{Path, PathBuf};

use regmap_codegen::diag::Severity;
use regmap_codegen::import::{self, Format, Import, ImportedDesign};
use regmap_codegen::ir::{Access, Block, EnumRef, Item, Register, Width};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import")
}

fn features() -> Import {
    let text = std::fs::read_to_string(dir().join("features.svd")).unwrap();
    match import::import_str(&text, "features.svd", None) {
        Ok(import) => import,
        Err(report) => panic!("{report}"),
    }
}

fn block<'a>(d: &'a ImportedDesign, name: &str) -> &'a Block {
    d.blocks.iter().find(|b| b.name.value == name).unwrap()
}

fn register<'a>(items: &'a [Item], name: &str) -> &'a Register {
    items
        .iter()
        .find_map(|i| match i {
            Item::Register(r) if r.name.value == name => Some(r),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no register {name}"))
}

fn has_item(items: &[Item], name: &str) -> bool {
    items.iter().any(|i| i.name().value == name)
}

/// `(code, line)` of every diagnostic.
fn diagnostics(import: &Import) -> Vec<(&'static str, u32)> {
    let r = &import.report;
    r.diagnostics()
        .iter()
        .map(|d| (d.code, r.line_col(d).map_or(0, |(l, _)| l)))
        .collect()
}

#[test]
fn peripherals_become_blocks_and_derived_ones_share_them() {
    let import = features();
    assert_eq!(import.format, Format::Svd);
    let d = &import.design;
    assert_eq!(d.name.value, "FEAT");
    let blocks: Vec<&str> = d.blocks.iter().map(|b| b.name.value.as_str()).collect();
    assert_eq!(
        blocks,
        ["UART0", "TIMER", "SERIAL_UART", "SERIAL_SPI"],
        "headerStructName names a block"
    );
    let instances: Vec<(&str, &str, u64)> = d
        .instances
        .iter()
        .map(|i| (i.name.value.as_str(), i.block.as_str(), i.base.value))
        .collect();
    assert_eq!(
        instances,
        [
            ("UART0", "UART0", 0x4000_0000),
            ("UART1", "UART0", 0x4000_1000),
            ("TIMER0", "TIMER", 0x4000_2000),
            ("SERIAL_UART", "SERIAL_UART", 0x4000_3000),
            ("SERIAL_SPI", "SERIAL_SPI", 0x4000_3000),
        ]
    );
    let uart1 = &d.instances[1];
    assert_eq!(uart1.interrupts.len(), 1);
    assert_eq!(uart1.interrupts[0].name.as_deref(), Some("UART1_IRQ"));
    assert_eq!(uart1.interrupts[0].number, 8);
    assert_eq!(uart1.size, Some(0x100), "address blocks inherited");
    assert_eq!(d.instances[0].parameters[0].value, "UART", "groupName kept");
    assert_eq!(block(d, "UART0").size.value, 0x100);
}

#[test]
fn access_side_effects_resets_and_bit_forms_map_to_the_model() {
    let import = features();
    let uart = block(&import.design, "UART0");
    let data = register(&uart.items, "DATA");
    let tx = register(&uart.items, "TXDATA");
    assert_eq!(
        (data.width.value, data.access.value),
        (Width::W8, Access::ReadOnly)
    );
    assert_eq!(
        (tx.offset.value, tx.access.value),
        (0, Access::WriteOnly),
        "a ro/wo pair is kept"
    );
    let status = register(&uart.items, "STATUS");
    assert_eq!(status.description.as_deref(), Some("Status over two lines"));
    let fields: Vec<(&str, u32, u32, Access)> = status
        .fields
        .iter()
        .map(|f| (f.name.value.as_str(), f.msb, f.lsb, f.access.value))
        .collect();
    assert_eq!(
        fields,
        [
            ("RXNE", 0, 0, Access::ReadOnly),
            ("ERR", 2, 1, Access::ReadToClear),
            ("OVR", 3, 3, Access::OneToClear),
        ]
    );
    assert_eq!(
        status.access.value,
        Access::ReadWrite,
        "a w1c field widens a read-only register"
    );
    let ctrl = register(&uart.items, "CTRL");
    assert_eq!(ctrl.reset.value, 0x78, "resetValue & resetMask");
    let ptr = match uart.items.iter().find(|i| i.name().value == "BUF").unwrap() {
        Item::Cluster(c) => register(&c.items, "PTR").clone(),
        Item::Register(_) => panic!("BUF is a cluster"),
    };
    assert_eq!(
        (ptr.width.value, ptr.reset.value),
        (Width::W16, 0xffff),
        "reset cut to the width"
    );
}

#[test]
fn overlapping_clusters_are_modes_each_a_block_at_the_same_base() {
    let import = features();
    let items = |name: &str| -> Vec<String> {
        block(&import.design, name)
            .items
            .iter()
            .map(|i| i.name().value.clone())
            .collect()
    };
    assert_eq!(items("SERIAL_UART"), ["UART", "STATUS"]);
    assert_eq!(items("SERIAL_SPI"), ["SPI", "STATUS"]);
    let dropped = import
        .report
        .diagnostics()
        .iter()
        .filter(|d| d.code == "register-dropped")
        .count();
    assert_eq!(dropped, 0, "modes lose nothing");
}

#[test]
fn enums_keep_single_values_and_derive_by_name() {
    let import = features();
    let uart = block(&import.design, "UART0");
    // CTRL2 is derived from CTRL: their one enum becomes one block-level enum.
    for reg in ["CTRL", "CTRL2"] {
        let f = &register(&uart.items, reg).fields[0];
        assert!(
            matches!(&f.enumeration, Some(EnumRef::Named(n)) if n.value == "Mode"),
            "{reg}"
        );
    }
    assert_eq!(uart.enums.len(), 1);
    let mode = &uart.enums[0];
    let variants: Vec<(&str, u64)> = mode
        .variants
        .iter()
        .map(|v| (v.name.value.as_str(), v.value.value))
        .collect();
    assert_eq!(
        variants,
        [("off", 0), ("on", 1)],
        "don't-care and default values left out"
    );
    let timer = block(&import.design, "TIMER");
    let cfg = register(&timer.items, "CFG");
    let names: Vec<String> = cfg
        .fields
        .iter()
        .map(|f| match &f.enumeration {
            Some(EnumRef::Named(n)) => n.value.clone(),
            _ => "not shared".to_owned(),
        })
        .collect();
    assert_eq!(
        names,
        ["Source", "Source"],
        "the derived enum is the same enum"
    );
    assert_eq!(timer.enums[0].variants.len(), 2);
}

#[test]
fn arrays_unrolled_dims_clusters_and_derived_registers() {
    let import = features();
    let uart = block(&import.design, "UART0");
    let fifo = register(&uart.items, "FIFO");
    let array = fifo.array.as_ref().unwrap();
    assert_eq!(
        (fifo.offset.value, array.count.value, array.stride.value),
        (0x10, 4, 4)
    );
    let cha = register(&uart.items, "CHA");
    let chb = register(&uart.items, "CHB");
    assert_eq!((cha.offset.value, chb.offset.value), (0x20, 0x24));
    let fields: Vec<(&str, u32, u32)> = chb
        .fields
        .iter()
        .map(|f| (f.name.value.as_str(), f.msb, f.lsb))
        .collect();
    assert_eq!(
        fields,
        [
            ("EN", 0, 0),
            ("EN2", 1, 1),
            ("PRIO0", 11, 8),
            ("PRIO1", 15, 12)
        ],
        "field derivedFrom and field dim"
    );
    let Item::Cluster(buf) = uart.items.iter().find(|i| i.name().value == "BUF").unwrap() else {
        panic!("BUF is a cluster")
    };
    let a = buf.array.as_ref().unwrap();
    assert_eq!(
        (buf.offset.value, a.count.value, a.stride.value),
        (0x40, 2, 0x10)
    );
    let ctrl2 = register(&uart.items, "CTRL2");
    assert_eq!(ctrl2.offset.value, 0xc);
    assert_eq!(ctrl2.fields.len(), 3, "fields of CTRL copied");
    assert_eq!(ctrl2.reset.value, 0x78);
}

#[test]
fn alternates_renames_and_grown_blocks_are_reported_where_the_svd_says() {
    let import = features();
    let uart = block(&import.design, "UART0");
    // `alternateRegister` makes an alternate view of the register it names.
    let alt = register(&uart.items, "CTRL_ALT");
    assert_eq!(alt.alternate_of.as_ref().unwrap().value, "CTRL");
    assert_eq!(alt.offset.value, 0x8);
    let ctrl = register(&uart.items, "CTRL");
    assert_eq!(ctrl.alternate_of, None);
    let names: Vec<&str> = ctrl.fields.iter().map(|f| f.name.value.as_str()).collect();
    // `type` is a field constant `TYPE`, which Rust allows: kept as written.
    assert_eq!(names, ["MODE", "type", "F3V"]);
    let found = diagnostics(&import);
    assert!(!found.contains(&("renamed", 61)), "{found:?}");
    for expected in [
        ("enum-value-dropped", 57),
        ("enum-value-dropped", 58),
        ("renamed", 62),
        ("block-size-grown", 111),
    ] {
        assert!(found.contains(&expected), "{expected:?} not in {found:?}");
    }
    assert!(
        !found.iter().any(|(code, _)| *code == "register-dropped"),
        "{found:?}"
    );
    // CTRL2 is derived from CTRL: CTRL's problems are told once, not per copy.
    assert_eq!(
        found.iter().filter(|f| **f == ("renamed", 62)).count(),
        1,
        "{found:?}"
    );
    assert_eq!(block(&import.design, "TIMER").size.value, 0x20);
    let renamed = import
        .report
        .diagnostics()
        .iter()
        .find(|d| d.code == "renamed")
        .unwrap();
    assert_eq!(renamed.severity, Severity::Note);
    assert!(!import.report.has_errors());
}

/// Every instance's window holds its block, so the design binds.
fn assert_windows_hold_blocks(d: &ImportedDesign, what: &str) {
    for i in &d.instances {
        let needed = block(d, &i.block).size.value;
        assert!(
            i.size.is_none_or(|s| s >= needed),
            "{what}: {} has a {:?} window for {needed:#x} bytes",
            i.name.value,
            i.size
        );
    }
}

/// Every block written as YAML loads back clean into the same map, and the
/// design file names every instance with its map.
fn assert_round_trips(import: &Import, what: &str) {
    for b in &import.design.blocks {
        let yaml = import::block_yaml(b);
        let loaded = regmap_codegen::load_yaml_str(&yaml, "b.yaml").unwrap_or_else(|r| {
            panic!("{what}: block {} does not load:\n{r}\n{yaml}", b.name.value)
        });
        assert_eq!(
            import::block_yaml(&loaded.blocks[0]),
            yaml,
            "{what}: {}",
            b.name.value
        );
    }
    let design = import::design_yaml(&import.design);
    for i in &import.design.instances {
        assert!(
            design.contains(&format!("- name: {}\n", i.name.value)),
            "{what}: {}",
            i.name.value
        );
    }
}

#[test]
fn written_yaml_reads_back_as_the_same_maps() {
    assert_round_trips(&features(), "features.svd");
}

#[test]
fn twenty_real_svds_import_check_and_generate() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir().join("svd"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "svd"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "{files:?}");
    let vendors: std::collections::HashSet<String> = files
        .iter()
        .map(|f| {
            f.file_name()
                .unwrap()
                .to_string_lossy()
                .split('_')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(vendors.len() >= 10, "{vendors:?}");
    for file in &files {
        let what = file.file_name().unwrap().to_string_lossy().into_owned();
        let import = import::import_file(file).unwrap_or_else(|r| panic!("{what}:\n{r}"));
        assert!(!import.design.blocks.is_empty(), "{what}");
        assert_windows_hold_blocks(&import.design, &what);
        assert_round_trips(&import, &what);
        let code = regmap_codegen::emit::format_design(
            &import.design.to_ir(),
            &regmap_codegen::EmitOptions::default(),
        );
        // The code is compiled too, by the `vendor` module of
        // `tests/runtime` (regmap-runtime-tests).
        assert!(!code.contains("compile_error!"), "{what}");
    }
}

#[test]
fn identical_blocks_become_one_map() {
    // Two peripherals with the same registers, neither derived from the other.
    let svd = r#"<device><name>D</name><peripherals>
      <peripheral><name>A</name><baseAddress>0x1000</baseAddress>
        <addressBlock><offset>0</offset><size>0x10</size></addressBlock>
        <registers><register><name>R</name><addressOffset>0</addressOffset></register></registers></peripheral>
      <peripheral><name>B</name><baseAddress>0x2000</baseAddress>
        <addressBlock><offset>0</offset><size>0x10</size></addressBlock>
        <registers><register><name>R</name><addressOffset>0</addressOffset></register></registers></peripheral>
    </peripherals></device>"#;
    let import = import::import_str(svd, "d.svd", None).unwrap();
    assert_eq!(import.design.blocks.len(), 1);
    let blocks: Vec<&str> = import
        .design
        .instances
        .iter()
        .map(|i| i.block.as_str())
        .collect();
    assert_eq!(blocks, ["A", "A"]);
}

#[test]
fn writing_a_directory_gives_one_map_per_block_and_a_design_file() {
    let out = std::env::temp_dir().join(format!("regmap-import-test-{}", std::process::id()));
    let (import, written) = import::import_to_dir(&dir().join("features.svd"), &out).unwrap();
    let names: Vec<String> = written
        .block_files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "uart0.yaml",
            "timer.yaml",
            "serial_uart.yaml",
            "serial_spi.yaml"
        ]
    );
    assert_eq!(written.design_file, out.join("features.design.yaml"));
    let design = std::fs::read_to_string(&written.design_file).unwrap();
    assert!(
        design.starts_with("regmap: 1\ndesign:\n  name: FEAT\n"),
        "{design}"
    );
    assert!(
        design.contains("    - name: UART1\n      map: uart0.yaml\n      base: 0x40001000\n"),
        "{design}"
    );
    assert!(
        design.contains("- { name: UART1_IRQ, number: 8 }"),
        "{design}"
    );
    for f in &written.block_files {
        regmap_codegen::load_yaml_file(f).unwrap();
    }
    assert_eq!(import.design.blocks.len(), 4);
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn malformed_files_are_located_errors() {
    let cases = [
        (
            "<device><name>D</name>\n<peripherals>\n</device>",
            "xml-syntax",
            3,
        ),
        (
            "<device><name>D</name><peripherals>\n<peripheral><name>P</name><baseAddress>0xZZ</baseAddress></peripheral>\n</peripherals></device>",
            "bad-number",
            2,
        ),
        (
            "<device><name>D</name><peripherals><peripheral><name>P</name><baseAddress>0</baseAddress><registers>\n<register><name>R</name><addressOffset>0</addressOffset><fields>\n<field><name>F</name><bitRange>[3:5]</bitRange></field></fields></register></registers></peripheral></peripherals></device>",
            "bad-bits",
            3,
        ),
        ("<root/>", "not-svd", 1),
        (
            "<!DOCTYPE device [<!ENTITY a \"aaaa\">]>\n<device/>",
            "xml-syntax",
            1,
        ),
    ];
    for (text, code, line) in cases {
        let report = match import::import_str(text, "bad.svd", Some(Format::Svd)) {
            Ok(_) => panic!("{text} imported"),
            Err(report) => report,
        };
        let first = report.diagnostics().iter().find(|d| d.is_error()).unwrap();
        assert_eq!(first.code, code, "{report}");
        assert_eq!(
            report.line_col(first).map(|(l, _)| l),
            Some(line),
            "{report}"
        );
        assert!(report.to_string().contains("bad.svd:"), "{report}");
    }
}

#[test]
fn truncated_and_mangled_files_never_panic() {
    let text = std::fs::read_to_string(dir().join("features.svd")).unwrap();
    let mut cut = 0;
    while cut < text.len() {
        if text.is_char_boundary(cut) {
            let _ = import::import_str(&text[..cut], "t.svd", Some(Format::Svd));
        }
        cut += 7;
    }
    // Each element's text replaced by something hostile, one at a time.
    for (i, _) in text.match_indices('>').step_by(3) {
        for junk in [
            "-1",
            "0xFFFFFFFFFFFFFFFFFF",
            "%s",
            "[99:0]",
            "4294967295",
            "",
        ] {
            let end = text[i + 1..].find('<').map_or(text.len(), |e| i + 1 + e);
            let mangled = format!("{}{junk}{}", &text[..=i], &text[end..]);
            let _ = import::import_str(&mangled, "m.svd", Some(Format::Svd));
        }
    }
}

#[test]
fn formats_are_detected_by_root_element_then_extension() {
    let p = Path::new;
    assert_eq!(
        Format::detect(p("x.xml"), "<?xml version=\"1.0\"?>\n<!-- c -->\n<device>"),
        Some(Format::Svd)
    );
    assert_eq!(
        Format::detect(p("x.xml"), "<spirit:component xmlns:spirit=\"s\">"),
        Some(Format::IpXact)
    );
    assert_eq!(Format::detect(p("x.hwh"), "<EDKSYSTEM>"), Some(Format::Hwh));
    assert_eq!(Format::detect(p("x.svd"), "not xml"), Some(Format::Svd));
    assert_eq!(Format::detect(p("x.txt"), "<html>"), None);
    let report = import::import_str("<html/>", "page.xml", None).unwrap_err();
    assert_eq!(report.diagnostics()[0].code, "unknown-format");
}

/// Every key of a design file, as `name:` words, in source order.
fn keys(yaml: &str) -> std::collections::BTreeSet<String> {
    let re = regex::Regex::new(r"([A-Za-z_]+):").unwrap();
    yaml.lines()
        .map(|l| l.split(" #").next().unwrap_or(""))
        .flat_map(|l| {
            re.captures_iter(l)
                .map(|c| c[1].to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Every property name the schema declares, at any depth.
fn schema_keys(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Object(props)) = map.get("properties") {
                out.extend(props.keys().cloned());
            }
            map.values().for_each(|v| schema_keys(v, out));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| schema_keys(v, out)),
        _ => {}
    }
}

#[test]
fn the_design_file_the_docs_show_and_the_writer_writes_fit_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(import::DESIGN_JSON_SCHEMA).unwrap();
    let mut known = std::collections::BTreeSet::new();
    schema_keys(&schema, &mut known);
    let doc = include_str!("../../docs/importers.md");
    let start = doc.find("```yaml\n").unwrap() + 8;
    let example = &doc[start..start + doc[start..].find("```").unwrap()];
    let written = import::design_yaml(&features().design);
    for (what, yaml) in [("docs/importers.md", example), ("the writer", &written)] {
        let used = keys(yaml);
        let unknown: Vec<&String> = used.difference(&known).collect();
        assert!(
            unknown.is_empty(),
            "{what} uses {unknown:?}, not in the schema"
        );
    }
    // The writer writes every key the docs show.
    assert_eq!(keys(example), keys(&written), "{written}");
    assert_eq!(
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/regmap-design.schema.json")
        )
        .unwrap(),
        import::DESIGN_JSON_SCHEMA,
        "schemas/ links the crate's copy"
    );
}

#[test]
fn a_written_design_file_loads_back_as_the_imported_design() {
    let out = std::env::temp_dir().join(format!("regmap-design-test-{}", std::process::id()));
    let (import, written) = import::import_to_dir(&dir().join("features.svd"), &out).unwrap();
    let (loaded, reports) = import::load_design_file(&written.design_file);
    let loaded = loaded.unwrap_or_else(|| panic!("{reports:?}"));
    assert!(reports.iter().all(|r| !r.has_errors()));
    let yaml =
        |d: &ImportedDesign| -> Vec<String> { d.blocks.iter().map(import::block_yaml).collect() };
    assert_eq!(yaml(&loaded), yaml(&import.design));
    let strip = |d: &ImportedDesign| -> Vec<String> {
        d.instances
            .iter()
            .map(|i| {
                format!(
                    "{} {} {:#x} {:?} {:?} {:?}",
                    i.name.value, i.block, i.base.value, i.size, i.interrupts, i.parameters
                )
            })
            .collect()
    };
    assert_eq!(strip(&loaded), strip(&import.design));
    assert_eq!(loaded.name.value, "FEAT");
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn a_bad_design_file_gets_located_errors() {
    let out = std::env::temp_dir().join(format!("regmap-bad-design-{}", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        out.join("a.yaml"),
        "regmap: 1\nblock:\n  name: a\n  size: 0x10\n  registers:\n    - { name: R, offset: 0 }\n",
    )
    .unwrap();
    std::fs::write(
        out.join("b.yaml"),
        "regmap: 1\nblock:\n  name: A\n  size: 0x10\n  registers:\n    - { name: S, offset: 0 }\n",
    )
    .unwrap();
    let cases = [
        (
            "regmap: 1\ndesign:\n  name: d\n  instances:\n    - { name: x, map: a.yaml, base: 0 }\n    - { name: y, map: b.yaml, base: 0x10 }\n",
            "name-collision",
            6,
        ),
        (
            "regmap: 1\ndesign:\n  name: d\n  instances:\n    - { name: x, map: a.yaml, bsae: 0 }\n",
            "unknown-key",
            5,
        ),
        (
            "regmap: 1\ndesign:\n  name: d\n  instances:\n    - { name: x, map: nope.yaml, base: 0 }\n",
            "map-does-not-load",
            5,
        ),
        (
            "regmap: 1\ndesign:\n  name: d\n  instances:\n    - { name: x, map: a.yaml, base: 0 }\n    - { name: X, map: a.yaml, base: 0x10 }\n",
            "name-collision",
            6,
        ),
        (
            "regmap: 2\ndesign:\n  name: d\n  instances: []\n",
            "unsupported-version",
            1,
        ),
    ];
    for (text, code, line) in cases {
        let path = out.join("d.yaml");
        std::fs::write(&path, text).unwrap();
        let (design, reports) = import::load_design_file(&path);
        assert!(design.is_none(), "{text}");
        let report = &reports[0];
        let first = report.diagnostics().iter().find(|d| d.is_error()).unwrap();
        assert_eq!(first.code, code, "{report}");
        assert_eq!(
            report.line_col(first).map(|(l, _)| l),
            Some(line),
            "{report}"
        );
    }
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn the_design_parser_reads_the_keys_the_schema_declares() {
    use regmap_codegen::yaml::design::*;
    let schema: serde_json::Value = serde_json::from_str(import::DESIGN_JSON_SCHEMA).unwrap();
    let mut known = std::collections::BTreeSet::new();
    schema_keys(&schema, &mut known);
    let parser: std::collections::BTreeSet<String> = [
        DESIGN_TOP_KEYS,
        DESIGN_KEYS,
        INSTANCE_KEYS,
        INTERRUPT_KEYS,
        PARAMETER_KEYS,
    ]
    .concat()
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(parser, known);
}

#[test]
fn hostile_dims_stay_bounded() {
    let svd = |body: &str| {
        format!(
            "<device><name>D</name><peripherals><peripheral><name>P</name><baseAddress>0</baseAddress>\n<registers>{body}</registers></peripheral></peripherals></device>"
        )
    };
    let started = std::time::Instant::now();
    // A field array of 2^63 elements; repeated dim indexes naming 70,000
    // registers alike; a peripheral-sized register array.
    let cases = [
        svd(
            "<register><name>R</name><addressOffset>0</addressOffset><fields><field><dim>9223372036854775807</dim><dimIncrement>0</dimIncrement><name>F[%s]</name><bitOffset>0</bitOffset></field></fields></register>",
        ),
        svd(&format!(
            "<register><dim>70000</dim><dimIncrement>4</dimIncrement><dimIndex>{}</dimIndex><name>R%s</name><addressOffset>0</addressOffset></register>",
            vec!["a"; 70000].join(",")
        )),
        svd(
            "<register><dim>4294967295</dim><dimIncrement>4</dimIncrement><name>R[%s]</name><addressOffset>0</addressOffset></register>",
        ),
    ];
    for text in &cases {
        let _ = import::import_str(text, "h.svd", Some(Format::Svd));
    }
    // Bounded work, not a timing assertion: a runaway loop would take hours.
    assert!(started.elapsed().as_secs() < 600);
}

/// An SVD device holding `peripherals` (the text inside `<peripherals>`).
fn svd_of(peripherals: &str) -> Import {
    let text = format!(
        "<device><name>D</name><width>32</width><size>32</size><access>read-write</access>\n<peripherals>\n{peripherals}</peripherals></device>"
    );
    match import::import_str(&text, "inline.svd", Some(Format::Svd)) {
        Ok(import) => import,
        Err(report) => panic!("{report}"),
    }
}

fn instance<'a>(d: &'a ImportedDesign, name: &str) -> &'a import::Instance {
    d.instances
        .iter()
        .find(|i| i.name.value == name)
        .unwrap_or_else(|| panic!("no instance {name}"))
}

fn field_access(reg: &Register) -> Vec<(&str, Access)> {
    reg.fields
        .iter()
        .map(|f| (f.name.value.as_str(), f.access.value))
        .collect()
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
    let written = import::write_yaml(d, &out, stem).unwrap();
    let (loaded, reports) = import::load_design_file(&written.design_file);
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

/// The block each instance names, as `(instance, block, register names)`.
fn instance_blocks(d: &ImportedDesign) -> Vec<(String, String, Vec<String>)> {
    d.instances
        .iter()
        .map(|i| {
            let b = block(d, &i.block);
            let regs = b.items.iter().map(|r| r.name().value.clone()).collect();
            (i.name.value.clone(), i.block.clone(), regs)
        })
        .collect()
}

#[test]
fn an_instance_window_covers_the_block_grown_past_its_address_block() {
    let import = features();
    let timer = instance(&import.design, "TIMER0");
    assert_eq!(block(&import.design, "TIMER").size.value, 0x20);
    assert_eq!(timer.size, Some(0x20), "CNT at 0x1C is inside the window");
    let found = diagnostics(&import);
    assert!(found.contains(&("block-size-grown", 111)), "{found:?}");
    // A derived instance whose own address block is smaller than the block
    // it shares: its window grows too, told at its address block.
    let import = svd_of(
        "<peripheral><name>A</name><baseAddress>0x1000</baseAddress>
<addressBlock><offset>0</offset><size>0x100</size></addressBlock>
<registers><register><name>R</name><addressOffset>0xFC</addressOffset></register></registers></peripheral>
<peripheral derivedFrom=\"A\"><name>B</name><baseAddress>0x2000</baseAddress>
<addressBlock><offset>0</offset><size>0x10</size></addressBlock></peripheral>
<peripheral derivedFrom=\"A\"><name>C</name><baseAddress>0x3000</baseAddress></peripheral>
",
    );
    let d = &import.design;
    assert_eq!(instance(d, "B").block, "A");
    assert_eq!(instance(d, "B").size, Some(0x100));
    assert_eq!(
        instance(d, "C").size,
        Some(0x100),
        "inherited address block"
    );
    let found = diagnostics(&import);
    assert_eq!(
        found
            .iter()
            .filter(|(c, _)| *c == "block-size-grown")
            .collect::<Vec<_>>(),
        [&("block-size-grown", 7)],
        "told once, at B's address block"
    );
    assert_windows_hold_blocks(&features().design, "features.svd");
    assert_windows_hold_blocks(d, "inline.svd");
}

#[test]
fn a_derived_peripheral_with_registers_is_a_layout_of_its_own_name() {
    let regs = "<registers><register><name>R</name><addressOffset>0</addressOffset></register></registers>";
    let import = svd_of(&format!(
        "<peripheral><name>A</name><headerStructName>AST</headerStructName><baseAddress>0x1000</baseAddress>{regs}</peripheral>
<peripheral derivedFrom=\"A\"><name>B</name><baseAddress>0x2000</baseAddress>
<registers><register><name>Q</name><addressOffset>4</addressOffset></register></registers></peripheral>
<peripheral derivedFrom=\"A\"><name>C</name><headerStructName>CS</headerStructName><baseAddress>0x3000</baseAddress>
<registers><register><name>Q</name><addressOffset>8</addressOffset></register></registers></peripheral>
<peripheral derivedFrom=\"A\"><name>D</name><baseAddress>0x4000</baseAddress></peripheral>
"
    ));
    let d = &import.design;
    let blocks: Vec<&str> = d.blocks.iter().map(|b| b.name.value.as_str()).collect();
    assert_eq!(blocks, ["AST", "B", "CS"]);
    let uses: Vec<(&str, &str)> = d
        .instances
        .iter()
        .map(|i| (i.name.value.as_str(), i.block.as_str()))
        .collect();
    assert_eq!(uses, [("A", "AST"), ("B", "B"), ("C", "CS"), ("D", "AST")]);
    assert!(has_item(&block(d, "B").items, "Q"));
}

#[test]
fn a_peripheral_without_registers_shares_the_nearest_block_of_its_chain() {
    let import = svd_of(
        "<peripheral><name>A</name><baseAddress>0x1000</baseAddress>
<registers><register><name>R</name><addressOffset>0</addressOffset></register></registers></peripheral>
<peripheral derivedFrom=\"A\"><name>B</name><baseAddress>0x2000</baseAddress>
<registers><register><name>Q</name><addressOffset>4</addressOffset></register></registers></peripheral>
<peripheral derivedFrom=\"B\"><name>C</name><baseAddress>0x3000</baseAddress></peripheral>
<peripheral derivedFrom=\"C\"><name>E</name><baseAddress>0x4000</baseAddress></peripheral>
",
    );
    let d = &import.design;
    assert_eq!(instance(d, "C").block, "B");
    assert_eq!(instance(d, "E").block, "B");
    assert_eq!(d.blocks.len(), 2);
}

/// A peripheral with register `R` whose field `F` has the enum `MODE` of
/// the given values.
fn periph_with_mode(name: &str, base: u32, values: &[&str]) -> String {
    let values: String = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!("<enumeratedValue><name>{v}</name><value>{i}</value></enumeratedValue>")
        })
        .collect();
    format!(
        "<peripheral><name>{name}</name><baseAddress>{base:#x}</baseAddress><registers>
<register><name>R</name><addressOffset>0</addressOffset><fields>
<field><name>F</name><bitRange>[1:0]</bitRange><enumeratedValues><name>MODE</name>{values}</enumeratedValues></field>
<field><name>G</name><bitRange>[3:2]</bitRange><enumeratedValues derivedFrom=\"MODE\"></enumeratedValues></field>
</fields></register></registers></peripheral>\n"
    )
}

fn variants_of(d: &ImportedDesign, block_name: &str, reg: &str, field: &str) -> Vec<String> {
    let b = block(d, block_name);
    let f = register(&b.items, reg)
        .fields
        .iter()
        .find(|f| f.name.value == field)
        .unwrap();
    let e = match f.enumeration.as_ref().unwrap() {
        EnumRef::Inline(e) => e,
        EnumRef::Named(n) => b.enums.iter().find(|e| e.name.value == n.value).unwrap(),
    };
    e.variants.iter().map(|v| v.name.value.clone()).collect()
}

#[test]
fn derived_from_paths_resolve_in_their_scope() {
    let import = svd_of(&format!(
        "{}{}<peripheral><name>P3</name><baseAddress>0x3000</baseAddress><registers>
<register><name>R</name><addressOffset>0</addressOffset><fields>
<field><name>H</name><bitRange>[1:0]</bitRange><enumeratedValues derivedFrom=\"P2.R.F.MODE\"></enumeratedValues></field>
</fields></register></registers></peripheral>
",
        periph_with_mode("P1", 0x1000, &["one", "two"]),
        periph_with_mode("P2", 0x2000, &["uno", "dos", "tres"]),
    ));
    let d = &import.design;
    assert_eq!(variants_of(d, "P3", "R", "H"), ["uno", "dos", "tres"]);
    assert_eq!(
        variants_of(d, "P2", "R", "G"),
        ["uno", "dos", "tres"],
        "a bare name is found in the enclosing register first"
    );
    assert_eq!(variants_of(d, "P1", "R", "G"), ["one", "two"]);

    // `R` seen from peripheral GPIO is GPIO's (in its cluster), never
    // GPIOA's, whose key only starts with the same letters.
    let import = svd_of(
        "<peripheral><name>GPIOA</name><baseAddress>0x1000</baseAddress><registers>
<register><name>R</name><addressOffset>0</addressOffset><fields><field><name>A</name><bitOffset>0</bitOffset></field></fields></register>
</registers></peripheral>
<peripheral><name>GPIO</name><baseAddress>0x2000</baseAddress><registers>
<cluster><name>C</name><addressOffset>0</addressOffset>
<register><name>R</name><addressOffset>0</addressOffset><fields><field><name>B</name><bitOffset>1</bitOffset></field></fields></register>
</cluster>
<register derivedFrom=\"R\"><name>S</name><addressOffset>0x10</addressOffset></register>
</registers></peripheral>
",
    );
    let gpio = block(&import.design, "GPIO");
    let s = register(&gpio.items, "S");
    let names: Vec<&str> = s.fields.iter().map(|f| f.name.value.as_str()).collect();
    assert_eq!(names, ["B"]);
}

#[test]
fn a_register_write_effect_applies_to_fields_with_their_own_access() {
    let import = svd_of(
        "<peripheral><name>P</name><baseAddress>0x1000</baseAddress><registers>
<register><name>SR</name><addressOffset>0</addressOffset><modifiedWriteValues>oneToClear</modifiedWriteValues><fields>
<field><name>A</name><bitOffset>0</bitOffset><access>read-write</access></field>
<field><name>B</name><bitOffset>1</bitOffset></field>
<field><name>C</name><bitOffset>2</bitOffset><access>read-only</access></field>
<field><name>D</name><bitOffset>3</bitOffset><modifiedWriteValues>oneToSet</modifiedWriteValues></field>
</fields></register>
<register><name>CR</name><addressOffset>4</addressOffset><modifiedWriteValues>zeroToClear</modifiedWriteValues><fields>
<field><name>A</name><bitOffset>0</bitOffset></field>
<field><name>B</name><bitOffset>1</bitOffset><modifiedWriteValues>zeroToSet</modifiedWriteValues></field>
</fields></register>
<register><name>RS</name><addressOffset>8</addressOffset><access>read-only</access><readAction>set</readAction><fields>
<field><name>A</name><bitOffset>0</bitOffset></field>
<field><name>B</name><bitOffset>1</bitOffset><access>read-only</access></field>
</fields></register>
</registers></peripheral>
",
    );
    let p = block(&import.design, "P");
    assert_eq!(
        field_access(register(&p.items, "SR")),
        [
            ("A", Access::OneToClear),
            ("B", Access::OneToClear),
            ("C", Access::ReadOnly),
            ("D", Access::OneToSet),
        ]
    );
    assert_eq!(
        field_access(register(&p.items, "CR")),
        [("A", Access::ZeroToClear), ("B", Access::ZeroToSet)]
    );
    let rs = register(&p.items, "RS");
    assert_eq!(rs.access.value, Access::ReadToSet);
    assert_eq!(
        field_access(rs),
        [("A", Access::ReadToSet), ("B", Access::ReadToSet)]
    );
}

/// What the SVD declares a view of the same bytes is kept as an alternate
/// (`alternateRegister`, before or after the register it names, and an
/// `alternateGroup` register on a register outside any group); an overlap
/// the SVD says nothing about, or an `alternateRegister` naming nothing it
/// overlays, is still left out with a warning (or kept plain where it
/// overlaps nothing).
#[test]
fn declared_alternates_are_kept_and_undeclared_overlaps_dropped() {
    let import = svd_of(
        "<peripheral><name>P</name><baseAddress>0x1000</baseAddress><registers>
<register><name>CCMR_In</name><alternateRegister>CCMR_Out</alternateRegister><addressOffset>0</addressOffset></register>
<register><name>CCMR_Out</name><addressOffset>0</addressOffset></register>
<register><name>CR</name><addressOffset>4</addressOffset></register>
<register><name>CR</name><alternateGroup>G</alternateGroup><addressOffset>4</addressOffset></register>
<register><name>CR_LOW</name><size>16</size><alternateRegister>CR</alternateRegister><addressOffset>4</addressOffset></register>
<register><name>SILENT</name><addressOffset>4</addressOffset></register>
<register><name>BAD</name><alternateRegister>NOPE</alternateRegister><addressOffset>4</addressOffset></register>
<register><name>FAR</name><alternateRegister>CR</alternateRegister><addressOffset>8</addressOffset></register>
</registers></peripheral>
",
    );
    let p = block(&import.design, "P");
    let views: Vec<(&str, Option<&str>)> = p
        .items
        .iter()
        .map(|i| match i {
            Item::Register(r) => (
                r.name.value.as_str(),
                r.alternate_of.as_ref().map(|a| a.value.as_str()),
            ),
            Item::Cluster(_) => unreachable!(),
        })
        .collect();
    assert_eq!(
        views,
        [
            ("CCMR_In", Some("CCMR_Out")),
            ("CCMR_Out", None),
            ("CR", None),
            ("CR_G", Some("CR")),
            ("CR_LOW", Some("CR")),
            ("FAR", None),
        ]
    );
    let dropped: Vec<&str> = import
        .report
        .diagnostics()
        .iter()
        .filter(|d| d.code == "register-dropped")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        dropped,
        [
            "register `SILENT` overlaps an earlier element",
            "register `BAD` overlaps an earlier element"
        ]
    );
    // `svd_of` got `Ok`: the kept views passed the layout checks.
}

/// Views that name each other in ways regmap cannot hold (a view named
/// before the register it names turned out to be a view itself) are left
/// out with warnings; the import still succeeds.
#[test]
fn tangled_alternates_are_dropped_not_fatal() {
    let import = svd_of(
        "<peripheral><name>P</name><baseAddress>0x1000</baseAddress><registers>
<register><name>X</name><alternateRegister>CR_G</alternateRegister><addressOffset>4</addressOffset></register>
<register><name>CR</name><addressOffset>4</addressOffset></register>
<register><name>CR</name><alternateGroup>G</alternateGroup><addressOffset>4</addressOffset></register>
<register><name>Y</name><alternateRegister>Y</alternateRegister><addressOffset>8</addressOffset></register>
</registers></peripheral>
",
    );
    let p = block(&import.design, "P");
    assert!(
        p.items.iter().all(|i| match i {
            Item::Register(r) => r.alternate_of.is_none(),
            Item::Cluster(_) => true,
        }),
        "no alternate survives: {:?}",
        p.items.iter().map(|i| &i.name().value).collect::<Vec<_>>()
    );
    assert!(has_item(&p.items, "Y"), "Y overlaps nothing: kept plain");
}

#[test]
fn an_alternate_group_keeps_a_register_array_an_array() {
    let import = svd_of(
        "<peripheral><name>P</name><baseAddress>0x1000</baseAddress><registers>
<register><dim>4</dim><dimIncrement>4</dimIncrement><name>CCR[%s]</name><addressOffset>0</addressOffset></register>
<register><dim>4</dim><dimIncrement>4</dimIncrement><name>CCR[%s]</name><alternateGroup>G</alternateGroup><addressOffset>0x10</addressOffset></register>
<register><dim>2</dim><dimIncrement>4</dimIncrement><name>CH%s</name><alternateGroup>G</alternateGroup><addressOffset>0x20</addressOffset></register>
</registers></peripheral>
",
    );
    let p = block(&import.design, "P");
    let names: Vec<&str> = p.items.iter().map(|i| i.name().value.as_str()).collect();
    assert_eq!(names, ["CCR", "CCR_G", "CH0_G", "CH1_G"]);
    let ccr_g = register(&p.items, "CCR_G");
    let a = ccr_g.array.as_ref().expect("CCR_G is an array");
    assert_eq!(
        (ccr_g.offset.value, a.count.value, a.stride.value),
        (0x10, 4, 4)
    );
}

#[test]
fn derived_clusters_and_peripheral_arrays() {
    let import = svd_of(
        "<peripheral><dim>2</dim><dimIncrement>0x100</dimIncrement><name>TIM[%s]</name><baseAddress>0x1000</baseAddress><registers>
<cluster><name>CH</name><addressOffset>0</addressOffset>
<register><name>CFG</name><addressOffset>0</addressOffset></register>
<register><name>VAL</name><addressOffset>4</addressOffset></register>
</cluster>
<cluster derivedFrom=\"CH\"><name>CH2</name><addressOffset>0x10</addressOffset></cluster>
</registers></peripheral>
",
    );
    let d = &import.design;
    let placed: Vec<(&str, &str, u64)> = d
        .instances
        .iter()
        .map(|i| (i.name.value.as_str(), i.block.as_str(), i.base.value))
        .collect();
    assert_eq!(placed, [("TIM0", "TIM", 0x1000), ("TIM1", "TIM", 0x1100)]);
    let tim = block(d, "TIM");
    let Some(Item::Cluster(ch2)) = tim.items.iter().find(|i| i.name().value == "CH2") else {
        panic!("CH2 is a cluster")
    };
    assert_eq!(ch2.offset.value, 0x10);
    let names: Vec<&str> = ch2.items.iter().map(|i| i.name().value.as_str()).collect();
    assert_eq!(names, ["CFG", "VAL"], "the base cluster's registers copied");
}

#[test]
fn renamed_blocks_take_their_instances_along() {
    // A block name that is not a name, one that is a keyword once
    // converted, and one that would be the design's own `instances` module.
    let svd = r#"<device><name>D</name><peripherals>
      <peripheral><name>3D-ENG</name><baseAddress>0x1000</baseAddress>
        <registers><register><name>R</name><addressOffset>0</addressOffset></register></registers></peripheral>
      <peripheral><name>MOD</name><baseAddress>0x2000</baseAddress>
        <registers><register><name>S</name><addressOffset>0</addressOffset></register></registers></peripheral>
      <peripheral><name>INSTANCES</name><baseAddress>0x3000</baseAddress>
        <registers><register><name>T</name><addressOffset>0</addressOffset></register></registers></peripheral>
      <peripheral derivedFrom="MOD"><name>MOD2</name><baseAddress>0x4000</baseAddress></peripheral>
    </peripherals></device>"#;
    let import = import::import_str(svd, "d.svd", None).unwrap_or_else(|r| panic!("{r}"));
    assert_design_whole(&import, "renamed");
    let r = |s: &str| vec![s.to_owned()];
    assert_eq!(
        instance_blocks(&import.design),
        [
            ("I3D_ENG".into(), "B3D_ENG".into(), r("R")),
            ("MOD".into(), "MOD_VAL".into(), r("S")),
            ("INSTANCES".into(), "INSTANCES_2".into(), r("T")),
            ("MOD2".into(), "MOD_VAL".into(), r("S")),
        ]
    );
}

#[test]
fn differing_peripherals_of_one_header_struct_name_get_a_block_each() {
    // Two peripherals share a `headerStructName` but not their registers;
    // a third shares both with the first, and a fourth derives from the
    // second: each instance keeps its own registers.
    let svd = r#"<device><name>D</name><peripherals>
      <peripheral><name>A</name><headerStructName>X</headerStructName><baseAddress>0x1000</baseAddress>
        <registers><register><name>R</name><addressOffset>0</addressOffset></register></registers></peripheral>
      <peripheral><name>B</name><headerStructName>X</headerStructName><baseAddress>0x2000</baseAddress>
        <registers><register><name>S</name><addressOffset>0</addressOffset></register></registers></peripheral>
      <peripheral><name>C</name><headerStructName>X</headerStructName><baseAddress>0x3000</baseAddress>
        <registers><register><name>R</name><addressOffset>0</addressOffset></register></registers></peripheral>
      <peripheral derivedFrom="B"><name>E</name><baseAddress>0x4000</baseAddress></peripheral>
    </peripherals></device>"#;
    let import = import::import_str(svd, "d.svd", None).unwrap_or_else(|r| panic!("{r}"));
    assert_design_whole(&import, "header");
    let r = |s: &str| vec![s.to_owned()];
    assert_eq!(
        instance_blocks(&import.design),
        [
            ("A".into(), "X".into(), r("R")),
            ("B".into(), "X_2".into(), r("S")),
            ("C".into(), "X".into(), r("R")),
            ("E".into(), "X_2".into(), r("S")),
        ]
    );
    assert_eq!(import.design.blocks.len(), 2);
    let renamed: Vec<_> = import
        .report
        .diagnostics()
        .iter()
        .filter(|d| d.code == "renamed")
        .map(|d| {
            (
                d.message.as_str(),
                import.report.line_col(d).map(|(l, _)| l),
            )
        })
        .collect();
    assert_eq!(
        renamed,
        [("block `X` is imported as `X_2`", Some(4))],
        "{}",
        import.report
    );
}

#[test]
fn an_interrupt_that_is_not_a_number_is_a_located_warning() {
    let svd = "<device><name>D</name><peripherals>\n<peripheral><name>P</name><baseAddress>0x1000</baseAddress>\n<interrupt><name>IRQ</name><value>FIVE</value></interrupt>\n<registers><register><name>R</name><addressOffset>0</addressOffset></register></registers></peripheral>\n</peripherals></device>";
    let import = import::import_str(svd, "d.svd", None).unwrap_or_else(|r| panic!("{r}"));
    assert!(import.design.instances[0].interrupts.is_empty());
    let warning = import
        .report
        .diagnostics()
        .iter()
        .find(|d| d.severity == Severity::Warning)
        .unwrap_or_else(|| panic!("no warning:\n{}", import.report));
    assert_eq!(warning.code, "interrupt-dropped", "{}", import.report);
    assert_eq!(
        import.report.line_col(warning),
        Some((3, 35)),
        "{}",
        import.report
    );
}
