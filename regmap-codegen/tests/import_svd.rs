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
    assert_eq!(dropped, 1, "only CTRL_ALT is left out: modes lose nothing");
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
    assert!(
        !has_item(&uart.items, "CTRL_ALT"),
        "the overlapping alternate is left out"
    );
    let ctrl = register(&uart.items, "CTRL");
    let names: Vec<&str> = ctrl.fields.iter().map(|f| f.name.value.as_str()).collect();
    // `type` is a field constant `TYPE`, which Rust allows: kept as written.
    assert_eq!(names, ["MODE", "type", "F3V"]);
    let found = diagnostics(&import);
    assert!(!found.contains(&("renamed", 61)), "{found:?}");
    for expected in [
        ("enum-value-dropped", 57),
        ("enum-value-dropped", 58),
        ("renamed", 62),
        ("register-dropped", 68),
        ("block-size-grown", 108),
    ] {
        assert!(found.contains(&expected), "{expected:?} not in {found:?}");
    }
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
    let cases = [
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
