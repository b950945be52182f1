//! Inputs the fuzz targets (`fuzz/`, `docs/fuzzing.md`) found or must never
//! find: each loads to errors or a design, never a panic, a hang or unbounded
//! memory.

use regmap_codegen::import::{self, Format};

/// The first error of importing `text` as `format`: its code and line.
fn first_error(text: &str, format: Format) -> (&'static str, u32) {
    let report = match import::import_str(text, "fuzz", Some(format)) {
        Ok(_) => panic!("imported:\n{text}"),
        Err(report) => report,
    };
    let d = report
        .diagnostics()
        .iter()
        .find(|d| d.is_error())
        .expect("an error");
    (d.code, report.line_col(d).expect("a location").0)
}

/// A "billion laughs" document with `root` as its root element: ten levels
/// of entities, each ten of the one below, 10^10 copies of the innermost.
fn billion_laughs(root: &str) -> String {
    let mut dtd = String::from("<!ENTITY l0 \"lol\">");
    for i in 1..=10 {
        dtd += &format!("<!ENTITY l{i} \"{}\">", format!("&l{};", i - 1).repeat(10));
    }
    format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE {root} [{dtd}]>\n<{root}><name>&l10;</name></{root}>"
    )
}

#[test]
fn entity_expansion_is_refused_at_the_declaration_in_every_xml_format() {
    for (root, format) in [
        ("device", Format::Svd),
        ("EDKSYSTEM", Format::Hwh),
        ("ipxact:component", Format::IpXact),
    ] {
        assert_eq!(
            first_error(&billion_laughs(root), format),
            ("xml-syntax", 2),
            "{format:?}"
        );
    }
}

#[test]
fn external_entities_are_refused_too() {
    let text = "<!DOCTYPE device [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<device><name>&x;</name></device>";
    assert_eq!(first_error(text, Format::Svd), ("xml-syntax", 1));
}

#[test]
fn predefined_entities_and_character_references_expand_in_place() {
    // Without a DTD only these expand, each to one character: the name reads
    // as written, and an undefined entity is a syntax error, not a lookup.
    let text = "<device><name>A&amp;&#x42;&#67;</name><peripherals/></device>";
    let imported = import::import_str(text, "fuzz.svd", Some(Format::Svd));
    let report = match imported {
        Ok(i) => i.report,
        Err(report) => report,
    };
    assert!(
        report.diagnostics().iter().all(|d| d.code != "xml-syntax"),
        "{report}"
    );
    let undefined = "<device><name>&lol;</name></device>";
    assert_eq!(first_error(undefined, Format::Svd), ("xml-syntax", 1));
}

#[test]
fn a_design_file_loads_its_maps_through_the_given_loader() {
    // The design fuzz target holds its maps in memory: the loader is asked
    // for each map path once, relative to the given directory.
    let text = "regmap: 1\ndesign:\n  name: soc\n  instances:\n    - { name: t0, map: t.yaml, base: 0x1000 }\n    - { name: t1, map: t.yaml, base: 0x2000 }\n";
    let mut asked = Vec::new();
    let (design, reports) = import::load_design_str(
        text,
        "soc.yaml",
        std::path::Path::new("maps"),
        |path| {
            asked.push(path.to_owned());
            regmap_codegen::check_yaml_str(
                "regmap: 1\nblock:\n  name: timer\n  size: 0x10\n  registers:\n    - { name: CTRL, offset: 0x0, access: rw }\n",
                "t.yaml",
            )
        },
    );
    assert!(reports.iter().all(|r| !r.has_errors()), "{reports:?}");
    let design = design.expect("the design loads");
    assert_eq!(asked, [std::path::Path::new("maps/t.yaml")]);
    assert_eq!(design.blocks.len(), 1);
    let bases: Vec<u64> = design.instances.iter().map(|i| i.base.value).collect();
    assert_eq!(bases, [0x1000, 0x2000]);
}

#[test]
fn yaml_aliases_never_expand() {
    // The YAML "billion laughs": each anchor a list of ten aliases of the one
    // before. Aliases are refused where they appear, so nothing is copied.
    let mut text = String::from("a0: &a0 [lol]\n");
    for i in 1..=10 {
        text += &format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 10].join(", ")
        );
    }
    let (_, report) = regmap_codegen::check_yaml_str(&text, "laughs.yaml");
    let aliases = report
        .diagnostics()
        .iter()
        .filter(|d| d.code == "yaml-unsupported")
        .count();
    // One error per alias written (a hundred), none per copy it would make.
    assert!(
        (1..=100).contains(&aliases),
        "{aliases} alias errors\n{report}"
    );
}

#[test]
fn deeply_nested_yaml_is_an_error_not_a_stack_overflow() {
    let depth = 100_000;
    let yaml = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let (_, report) = regmap_codegen::check_yaml_str(&yaml, "deep.yaml");
    assert!(report.has_errors());
}

#[test]
fn deeply_nested_xml_is_an_error_not_a_stack_overflow() {
    // The XML parser recurses per level: a deep file is refused before it
    // runs, at the first element past the limit, in every XML format.
    let depth = 100_000;
    for (root, format) in [
        ("device", Format::Svd),
        ("EDKSYSTEM", Format::Hwh),
        ("ipxact:component", Format::IpXact),
    ] {
        let xml = format!(
            "<{root}>\n{}{}</{root}>",
            "<a>".repeat(depth),
            "</a>".repeat(depth)
        );
        assert_eq!(first_error(&xml, format), ("xml-syntax", 2), "{format:?}");
    }
}

/// Found by the `yaml` target: a field named `Self` checked clean (its
/// constant is `SELF`), but `#[register_block]` syntax writes names as
/// written and `r#Self` is no name, so the same block could not be written
/// in Rust. Such names (`self`, `Self`, `super`, `crate`) are now refused
/// with `rust-keyword`, and an importer renames them with a note.
#[test]
fn names_rust_syntax_cannot_write_are_refused_and_renamed_on_import() {
    let yaml = "regmap: 1\nblock:\n  name: rng\n  size: 0x10\n  registers:\n    - name: SR\n      offset: 0x4\n      fields:\n        - { name: Self, bits: 0 }\n        - name: MODE\n          bits: 2:1\n          enum:\n            name: Mode\n            values:\n              - { name: crate, value: 0 }\n";
    let (_, report) = regmap_codegen::check_yaml_str(yaml, "fuzz.yaml");
    let errors: Vec<_> = report
        .diagnostics()
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (d.code, report.line_col(d).expect("a location")))
        .collect();
    assert_eq!(
        errors,
        [("rust-keyword", (9, 19)), ("rust-keyword", (15, 25))],
        "{report}"
    );

    let svd = "<device><name>D</name><width>32</width><size>32</size><peripherals><peripheral>\
        <name>RNG</name><baseAddress>0x40000000</baseAddress>\
        <addressBlock><offset>0</offset><size>0x400</size><usage>registers</usage></addressBlock>\
        <registers><register><name>SR</name><addressOffset>0x4</addressOffset><fields>\
        <field><name>Self</name><bitOffset>0</bitOffset><bitWidth>1</bitWidth></field>\
        <field><name>super</name><bitOffset>1</bitOffset><bitWidth>1</bitWidth></field>\
        </fields></register></registers></peripheral></peripherals></device>";
    let imported = import::import_str(svd, "fuzz.svd", Some(Format::Svd)).expect("imports");
    let block = &imported.design.blocks[0];
    let regmap_codegen::ir::Item::Register(sr) = &block.items[0] else {
        panic!("SR is a register");
    };
    let names: Vec<&str> = sr.fields.iter().map(|f| f.name.value.as_str()).collect();
    assert_eq!(names, ["Self_val", "super_val"]);
    let renamed = imported
        .report
        .diagnostics()
        .iter()
        .filter(|d| d.code == "renamed")
        .count();
    assert_eq!(renamed, 2, "{}", imported.report);
    let source = regmap_codegen::rust_frontend::to_rust(block);
    regmap_codegen::rust_frontend::parse_str(&source).expect("the Rust syntax lowers");
}

/// Registers an import made, an array counted once, in every block.
fn registers_made(d: &import::ImportedDesign) -> usize {
    fn count(items: &[regmap_codegen::ir::Item]) -> usize {
        items
            .iter()
            .map(|item| match item {
                regmap_codegen::ir::Item::Register(_) => 1,
                regmap_codegen::ir::Item::Cluster(c) => count(&c.items),
            })
            .sum()
    }
    d.blocks.iter().map(|b| count(&b.items)).sum()
}

/// Imports an SVD whose one peripheral `P` holds `registers`; it must load.
fn svd_with(registers: &str) -> import::Import {
    let text = format!(
        "<device><name>D</name><width>32</width><size>32</size><access>read-write</access>\n\
         <peripherals><peripheral><name>P</name><baseAddress>0</baseAddress>\n\
         <registers>{registers}</registers></peripheral></peripherals></device>"
    );
    import::import_str(&text, "copies.svd", Some(Format::Svd)).unwrap_or_else(|r| panic!("{r}"))
}

fn warned(import: &import::Import, code: &str) -> bool {
    import.report.diagnostics().iter().any(|d| d.code == code)
}

/// Found by fuzzing (a 2.4 KB SVD ran 6 s): 85 unrolled clusters that
/// overlap each other are modes, and each mode's block copied the 6,424
/// unrolled registers beside them: half a million registers. Modes are
/// capped, and copies are paid from one budget per file; modes past either
/// stay one block.
#[test]
fn modes_that_would_copy_thousands_of_registers_stay_one_block() {
    let import = svd_with(
        "<register><dim>3000</dim><dimIncrement>4</dimIncrement><name>R%s</name>\
         <addressOffset>0</addressOffset></register>\
         <cluster><dim>85</dim><dimIncrement>4</dimIncrement><name>M%s</name>\
         <addressOffset>0x10000</addressOffset>\
         <register><name>A</name><addressOffset>0</addressOffset></register>\
         <register><name>B</name><addressOffset>4</addressOffset></register></cluster>",
    );
    assert_eq!(import.design.blocks.len(), 1);
    assert!(warned(&import, "too-many-modes"));
    assert!(registers_made(&import.design) < 3000 + 2 * 85 + 1);
}

#[test]
fn nested_unrolled_clusters_stay_within_the_budget() {
    let import = svd_with(
        "<cluster><dim>300</dim><dimIncrement>0x10000</dimIncrement><name>A%s</name>\
         <addressOffset>0</addressOffset>\
         <cluster><dim>300</dim><dimIncrement>0x10</dimIncrement><name>B%s</name>\
         <addressOffset>0</addressOffset>\
         <register><name>R</name><addressOffset>0</addressOffset><fields>\
         <field><name>X</name><bitOffset>0</bitOffset><bitWidth>1</bitWidth></field>\
         <field><name>Y</name><bitOffset>1</bitOffset><bitWidth>1</bitWidth></field>\
         </fields></register></cluster></cluster>",
    );
    assert!(warned(&import, "too-many-elements"));
    let made = registers_made(&import.design);
    assert!((1000..=8192).contains(&made), "{made} registers");
}

/// Each level holds ten clusters derived from the level below: without a
/// budget, six levels of a few hundred bytes each ask for 10^6 registers.
#[test]
fn derived_clusters_of_derived_clusters_stay_within_the_budget() {
    let mut registers = String::from("<cluster><name>C0</name><addressOffset>0</addressOffset>");
    for r in 0..10 {
        registers += &format!(
            "<register><name>R{r}</name><addressOffset>{}</addressOffset></register>",
            r * 4
        );
    }
    registers += "</cluster>";
    for level in 1..=6u64 {
        let stride = 0x40u64 << (4 * (level - 1));
        registers += &format!(
            "<cluster><name>C{level}</name><addressOffset>{:#x}</addressOffset>",
            level << 40
        );
        for d in 0..10 {
            registers += &format!(
                "<cluster derivedFrom=\"P.C{}\"><name>D{d}</name><addressOffset>{:#x}</addressOffset></cluster>",
                level - 1,
                d * stride
            );
        }
        registers += "</cluster>";
    }
    let import = svd_with(&registers);
    assert!(warned(&import, "too-many-elements"));
    let made = registers_made(&import.design);
    assert!((1000..=8192 + 70).contains(&made), "{made} registers");
}

/// Found by fuzzing (a 2.9 KB SVD ran 3.5 s): a field `PIN%s` of 10^16
/// elements was unrolled until the budget ran out, 32,768 fields dropped one
/// by one. A register holds 64 bits: past 65 elements nothing more is made.
#[test]
fn a_field_list_of_ten_quadrillion_elements_stops_at_the_register_width() {
    let import = svd_with(
        "<register><name>IE</name><addressOffset>0</addressOffset><fields><field>\
         <name>PIN%s</name><lsb>0</lsb><msb>0</msb><dim>11111111111111132</dim>\
         <dimIncrement>1</dimIncrement></field></fields></register>",
    );
    let regmap_codegen::ir::Item::Register(r) = &import.design.blocks[0].items[0] else {
        panic!("a register");
    };
    assert_eq!(r.fields.len(), 32);
    assert_eq!(r.fields[31].name.value, "PIN31");
    let dropped = import
        .report
        .diagnostics()
        .iter()
        .filter(|d| d.code == "field-dropped")
        .count();
    assert!((1..=33).contains(&dropped), "{dropped} fields dropped");
}

/// Imports an SVD holding `peripherals` (the text inside `<peripherals>`).
fn svd_device(peripherals: &str) -> import::Import {
    let text = format!(
        "<device><name>D</name><width>32</width><size>32</size><access>read-write</access>\n\
         <peripherals>{peripherals}</peripherals></device>"
    );
    import::import_str(&text, "copies.svd", Some(Format::Svd)).unwrap_or_else(|r| panic!("{r}"))
}

/// Register elements of every block, arrays expanded.
fn elements_made(d: &import::ImportedDesign) -> u64 {
    d.blocks
        .iter()
        .map(|b| regmap_codegen::ir::register_instances(&b.items))
        .sum()
}

/// 1,024 overlapping clusters would be as many modes, each placed at 2,048
/// peripheral elements: two million instances from 350 bytes.
#[test]
fn modes_are_capped_and_every_instance_is_paid_for() {
    let import = svd_device(
        "<peripheral><name>P[%s]</name><dim>2048</dim><dimIncrement>0x1000</dimIncrement>\
         <baseAddress>0</baseAddress><registers>\
         <cluster><name>M%s</name><dim>1024</dim><dimIncrement>0</dimIncrement>\
         <addressOffset>0</addressOffset>\
         <register><name>X</name><addressOffset>0</addressOffset></register></cluster>\
         </registers></peripheral>",
    );
    assert!(warned(&import, "too-many-modes"));
    assert_eq!(import.design.blocks.len(), 1);
    assert!(import.design.instances.len() <= 8192);

    // Within the cap, modes stay modes, and their instances are paid for.
    let import = svd_device(
        "<peripheral><name>P[%s]</name><dim>3000</dim><dimIncrement>0x1000</dimIncrement>\
         <baseAddress>0</baseAddress><registers>\
         <cluster><name>M%s</name><dim>4</dim><dimIncrement>0</dimIncrement>\
         <addressOffset>0</addressOffset>\
         <register><name>X</name><addressOffset>0</addressOffset></register></cluster>\
         </registers></peripheral>",
    );
    assert_eq!(import.design.blocks.len(), 4);
    assert!(warned(&import, "too-many-elements"));
    let n = import.design.instances.len();
    assert!((1000..=8192).contains(&n), "{n} instances");
}

/// An array is one register in the model but every element is described
/// later: copies of one (here through derived peripherals that each write
/// a reset value of their own, so they are distinct blocks) are paid per
/// element.
#[test]
fn copies_of_big_arrays_are_paid_per_element() {
    let mut peripherals = String::from(
        "<peripheral><name>P</name><baseAddress>0</baseAddress><registers>\
         <register><name>R[%s]</name><dim>20000</dim><dimIncrement>4</dimIncrement>\
         <addressOffset>0</addressOffset></register></registers></peripheral>",
    );
    for i in 1..=10 {
        peripherals += &format!(
            "<peripheral derivedFrom=\"P\"><name>Q{i}</name><baseAddress>{:#x}</baseAddress>\
             <resetValue>{i}</resetValue><registers/></peripheral>",
            i << 20
        );
    }
    let import = svd_device(&peripherals);
    assert!(warned(&import, "too-many-elements"));
    let made = elements_made(&import.design);
    assert!(
        (20_000..=70_000).contains(&made),
        "{made} register elements"
    );
}

/// 3,000 peripheral elements all named `Pa` by their `dimIndex`: renaming
/// them must resume its `_N` search, not start it over for each.
#[test]
fn thousands_of_equal_instance_names_are_renamed_apart() {
    let import = svd_device(&format!(
        "<peripheral><name>P%s</name><dim>3000</dim><dimIndex>{}</dimIndex>\
         <dimIncrement>0x1000</dimIncrement><baseAddress>0</baseAddress><registers>\
         <register><name>X</name><addressOffset>0</addressOffset></register>\
         </registers></peripheral>",
        vec!["a"; 3000].join(",")
    ));
    let names: std::collections::HashSet<&str> = import
        .design
        .instances
        .iter()
        .map(|i| i.name.value.as_str())
        .collect();
    assert_eq!(names.len(), import.design.instances.len());
    assert!(names.len() >= 1000, "{} instances", names.len());
    assert!(names.contains("Pa") && names.contains("Pa_2") && names.contains("Pa_1000"));
}

/// A name of a thousand `%s` unrolled 4,096 times would be 60 MB of names:
/// long names cost their length.
#[test]
fn long_unrolled_names_are_paid_by_length() {
    let import = svd_with(&format!(
        "<register><name>a{}</name><dim>4096</dim><dimIncrement>4</dimIncrement>\
         <addressOffset>0</addressOffset></register>",
        "%s".repeat(1000)
    ));
    assert!(warned(&import, "too-many-elements"));
    let bytes: usize = import.design.blocks[0]
        .items
        .iter()
        .map(|i| i.name().value.len())
        .sum();
    assert!(bytes < 8 << 20, "{bytes} bytes of names");
}

/// Thousands of clusters without registers in each element of an array make
/// work no register element counts: the layout check and the description
/// stop at a bound on items walked too.
#[test]
fn empty_clusters_in_every_array_element_stay_bounded() {
    let empties: String = (0..150)
        .map(|i| format!("        - {{ name: E{i}, offset: 0, registers: [] }}\n"))
        .collect();
    let text = format!(
        "regmap: 1\nblock:\n  name: b\n  size: 0x100000\n  registers:\n    - name: A\n      offset: 0\n      count: 65536\n      stride: 8\n      registers:\n        - {{ name: X, offset: 0 }}\n{empties}"
    );
    let (design, report) = regmap_codegen::check_yaml_str(&text, "empty.yaml");
    let design = design.unwrap_or_else(|| panic!("{report}"));
    assert!(
        report
            .diagnostics()
            .iter()
            .any(|d| d.code == "overlap-check-limited"),
        "{report}"
    );
    let code =
        regmap_codegen::emit::emit_design(&design, &regmap_codegen::emit::EmitOptions::default())
            .to_string();
    assert!(code.contains("items to walk"), "the description is refused");
}

/// Each address block is a block whose description lists every array
/// element: forty of them, each an array of arrays, would be 2.6 million
/// descriptions from 8 KB. A file's array elements share one bound.
#[test]
fn ip_xact_array_elements_share_one_bound_per_file() {
    let block = |i: usize| {
        format!(
            "<ipxact:addressBlock><ipxact:name>b{i}</ipxact:name>\
             <ipxact:baseAddress>{:#x}</ipxact:baseAddress><ipxact:range>0x100000</ipxact:range>\
             <ipxact:width>32</ipxact:width>\
             <ipxact:registerFile><ipxact:name>f</ipxact:name><ipxact:dim>256</ipxact:dim>\
             <ipxact:addressOffset>0</ipxact:addressOffset><ipxact:range>0x400</ipxact:range>\
             <ipxact:register><ipxact:name>R</ipxact:name><ipxact:dim>255</ipxact:dim>\
             <ipxact:addressOffset>0</ipxact:addressOffset><ipxact:size>32</ipxact:size>\
             </ipxact:register></ipxact:registerFile></ipxact:addressBlock>",
            i << 20
        )
    };
    let text = format!(
        "<ipxact:component xmlns:ipxact=\"http://www.accellera.org/XMLSchema/IPXACT/1685-2014\">\
         <ipxact:vendor>v</ipxact:vendor><ipxact:library>l</ipxact:library>\
         <ipxact:name>c</ipxact:name><ipxact:version>1</ipxact:version>\
         <ipxact:memoryMaps><ipxact:memoryMap><ipxact:name>m</ipxact:name>{}\
         </ipxact:memoryMap></ipxact:memoryMaps></ipxact:component>",
        (0..40).map(block).collect::<String>()
    );
    let import =
        import::import_str(&text, "c.xml", Some(Format::IpXact)).unwrap_or_else(|r| panic!("{r}"));
    assert!(warned(&import, "too-many-elements"));
    let made = elements_made(&import.design);
    assert!(
        (65_280..=65_536 + 40 * 256).contains(&made),
        "{made} register elements"
    );
}

/// Found by fuzzing: an array of no elements paid "count - 1" of them, an
/// overflow. It is the checks' `zero-count` error, as from YAML.
#[test]
fn arrays_of_no_elements_are_located_errors() {
    let text = "<device><name>D</name><peripherals><peripheral><name>P</name>\
         <baseAddress>0</baseAddress><registers>\n\
         <register><name>R[%s]</name><dim>0</dim><dimIncrement>4</dimIncrement>\
         <addressOffset>0</addressOffset></register>\n\
         <cluster><name>C[%s]</name><dim>0</dim><dimIncrement>4</dimIncrement>\
         <addressOffset>0x10</addressOffset>\
         <register><name>X</name><addressOffset>0</addressOffset></register></cluster>\
         </registers></peripheral></peripherals></device>";
    assert_eq!(first_error(text, Format::Svd), ("zero-count", 2));
}

/// A concat whose output feeds both its inputs is a cycle every interrupt
/// output walks to its step bound; with 60 outputs, a controller behind
/// the cycle and 50 address ranges naming the module, that was 13 million
/// interrupt lines from 8 KB. A module's outputs share one step bound, its
/// lines are traced once and listed once each, and a design lists at most
/// 4,096.
#[test]
fn interrupt_lines_through_concat_cycles_stay_bounded() {
    let ports: String = (0..60)
        .map(|i| format!("<PORT DIR=\"O\" SIGIS=\"INTERRUPT\" NAME=\"o{i}\" SIGNAME=\"n\"/>"))
        .collect();
    let intc_ports: String = (0..14)
        .map(|_| "<PORT DIR=\"I\" NAME=\"intr\" SIGNAME=\"n\"/>")
        .collect();
    let ranges: String = (0..50)
        .map(|i| {
            format!(
                "<MEMRANGE INSTANCE=\"ip\" MEMTYPE=\"REGISTER\" BASEVALUE=\"{:#x}\" \
                 HIGHVALUE=\"{:#x}\" ADDRESSBLOCK=\"r\"/>",
                0x4000_0000 + i * 0x1_0000,
                0x4000_ffff + i * 0x1_0000
            )
        })
        .collect();
    let text = format!(
        "<EDKSYSTEM><MODULES>\n\
         <MODULE INSTANCE=\"ip\" MODTYPE=\"custom\"><PORTS>{ports}</PORTS></MODULE>\n\
         <MODULE INSTANCE=\"c\" MODTYPE=\"xlconcat\"><PORTS>\
         <PORT DIR=\"I\" NAME=\"In0\" SIGNAME=\"n\"/><PORT DIR=\"I\" NAME=\"In1\" SIGNAME=\"n\"/>\
         <PORT DIR=\"O\" NAME=\"dout\" SIGNAME=\"n\"/></PORTS></MODULE>\n\
         <MODULE INSTANCE=\"intc\" MODTYPE=\"axi_intc\"><PORTS>{intc_ports}</PORTS></MODULE>\n\
         <MODULE INSTANCE=\"ps\" MODTYPE=\"processing_system7\"><MEMORYMAP>{ranges}</MEMORYMAP></MODULE>\n\
         </MODULES></EDKSYSTEM>\n"
    );
    let import =
        import::import_str(&text, "cycle.hwh", Some(Format::Hwh)).unwrap_or_else(|r| panic!("{r}"));
    let lines: usize = import
        .design
        .instances
        .iter()
        .map(|i| i.interrupts.len())
        .sum();
    assert!(lines <= 4096, "{lines} interrupt lines");
    for instance in &import.design.instances {
        let mut seen = std::collections::HashSet::new();
        for line in &instance.interrupts {
            assert!(
                seen.insert((&line.name, line.number, &line.controller)),
                "a line listed twice"
            );
        }
    }
}

/// A long description on a big array was copied into every element of the
/// block's description: 65,536 copies of 3.9 KB. The text the description
/// holds is bounded; past it, the description is refused.
#[test]
fn a_long_description_on_a_big_array_is_not_copied_per_element() {
    let text = format!(
        "regmap: 1\nblock:\n  name: b\n  size: 0x40000\n  registers:\n    - name: R\n      offset: 0\n      count: 65536\n      stride: 4\n      description: {}\n",
        "x".repeat(3900)
    );
    let (design, report) = regmap_codegen::check_yaml_str(&text, "long.yaml");
    let design = design.unwrap_or_else(|| panic!("{report}"));
    let code =
        regmap_codegen::emit::emit_design(&design, &regmap_codegen::emit::EmitOptions::default())
            .to_string();
    assert!(code.contains("MiB of their names and descriptions"));
    assert!(code.len() < 4 << 20, "{} bytes of code", code.len());
}

/// Found by the yaml target: a description with a carriage return inside a
/// line (a YAML `\r` escape) printed as a `///` comment that Rust cannot
/// lex, so the block's `#[register_block]` form did not parse.
#[test]
fn a_carriage_return_inside_a_description_survives_the_rust_syntax() {
    use regmap_codegen::emit::{self, EmitOptions};
    use regmap_codegen::rust_frontend;
    let yaml = "regmap: 1\nblock:\n  name: b\n  size: 0x10\n  registers:\n    - name: ISR\n      offset: 0\n      description: \"while active; software inte\\rupts \\\"quoted\\\" \\\\ done\"\n";
    let (design, report) = regmap_codegen::check_yaml_str(yaml, "b.yaml");
    assert!(!report.has_errors(), "{report}");
    let block = &design.expect("a clean block").blocks[0];
    let source = rust_frontend::to_rust(block);
    let parsed = rust_frontend::parse_str(&source)
        .unwrap_or_else(|e| panic!("the Rust syntax lowers: {e}\n{source}"));
    let opts = EmitOptions::default();
    assert_eq!(
        emit::emit_block(&parsed.design.blocks[0], &opts).to_string(),
        emit::emit_block(block, &opts).to_string(),
        "{source}"
    );
}
