//! Good YAML inputs lower to the IR their text describes.

use regmap_codegen::ir::{Access, Block, EnumRef, Item, Register, Width};
use regmap_codegen::load_yaml_str;

fn load(name: &str) -> Block {
    let path = format!("{}/tests/good/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    match load_yaml_str(&text, name) {
        Ok(mut design) => {
            assert_eq!(design.blocks.len(), 1);
            assert!(design.instances.is_empty());
            design.blocks.remove(0)
        }
        Err(report) => panic!("{name} did not load:\n{report}"),
    }
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

#[test]
fn doc_example_lowers_block_id_enums_fields_and_arrays() {
    let block = load("doc_example.yaml");
    assert_eq!(block.name.value, "axi_timer");
    assert_eq!(block.description.as_deref(), Some("AXI Timer v2.0 (PG079)"));
    assert_eq!(block.size.value, 0x200);

    let id = block.id.as_ref().unwrap();
    assert_eq!(id.register.value, "VERSION");
    assert_eq!(id.value.value, 0x0001_0000);
    assert_eq!(id.mask.as_ref().unwrap().value, 0xffff_0000);

    assert_eq!(block.enums.len(), 1);
    let mode = &block.enums[0];
    assert_eq!(mode.name.value, "Mode");
    assert_eq!(mode.description.as_deref(), Some("Timer mode"));
    let variants: Vec<_> = mode
        .variants
        .iter()
        .map(|v| {
            (
                v.name.value.as_str(),
                v.value.value,
                v.description.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        variants,
        [("generate", 0, Some("Generate mode")), ("capture", 1, None)]
    );

    let tcsr0 = register(&block.items, "TCSR0");
    assert_eq!(tcsr0.offset.value, 0);
    assert_eq!(tcsr0.width.value, Width::W32);
    assert_eq!(tcsr0.access.value, Access::ReadWrite);
    assert_eq!(tcsr0.reset.value, 0);
    assert!(tcsr0.array.is_none());
    let fields: Vec<_> = tcsr0
        .fields
        .iter()
        .map(|f| (f.name.value.as_str(), f.msb, f.lsb, f.access.value))
        .collect();
    assert_eq!(
        fields,
        [
            ("MDT", 0, 0, Access::ReadWrite),
            ("TINT", 8, 8, Access::OneToClear),
            ("PRESCALE", 11, 9, Access::ReadWrite),
        ]
    );
    assert!(matches!(&tcsr0.fields[0].enumeration, Some(EnumRef::Named(n)) if n.value == "Mode"));
    match &tcsr0.fields[2].enumeration {
        Some(EnumRef::Inline(e)) => {
            assert_eq!(e.name.value, "Prescale");
            assert_eq!(e.variants.len(), 1);
            assert_eq!(e.variants[0].name.value, "div1");
        }
        other => panic!("expected an inline enum, got {other:?}"),
    }
    assert_eq!(tcsr0.fields[2].description.as_deref(), Some("Prescaler"));

    let tlr = register(&block.items, "TLR");
    let array = tlr.array.as_ref().unwrap();
    assert_eq!((array.count.value, array.stride.value), (2, 0x10));

    let Some(Item::Cluster(channel)) = block.items.last() else {
        panic!("last item is not a cluster");
    };
    assert_eq!(channel.name.value, "channel");
    assert_eq!(channel.offset.value, 0x100);
    let array = channel.array.as_ref().unwrap();
    assert_eq!((array.count.value, array.stride.value), (4, 0x20));
    assert_eq!(
        register(&channel.items, "STATUS").access.value,
        Access::ReadOnly
    );
    assert_eq!(register(&channel.items, "STATUS").offset.value, 4);
}

#[test]
fn every_access_kind_number_spelling_and_width_parses() {
    let block = load("spellings.yaml");
    assert_eq!(block.size.value, 4096);
    let r8 = register(&block.items, "r8");
    assert_eq!((r8.width.value, r8.reset.value), (Width::W8, 0b1010_0101));
    let r16 = register(&block.items, "r16");
    assert_eq!((r16.width.value, r16.reset.value), (Width::W16, 0xBEEF));
    let r64 = register(&block.items, "r64");
    assert_eq!((r64.width.value, r64.reset.value), (Width::W64, u64::MAX));

    let actions = register(&block.items, "actions");
    assert_eq!((actions.offset.value, actions.reset.value), (0x10, 1000));
    let kinds: Vec<Access> = actions.fields[..10]
        .iter()
        .map(|f| f.access.value)
        .collect();
    assert_eq!(kinds, Access::ALL);
    for (field, kind) in actions.fields.iter().zip(Access::ALL) {
        assert_eq!(field.name.value, format!("a_{}", kind.short_name()));
    }
    let ranges: Vec<_> = actions.fields[10..]
        .iter()
        .map(|f| (f.msb, f.lsb))
        .collect();
    assert_eq!(ranges, [(15, 12), (23, 16), (31, 24)]);

    let ro = register(&block.items, "ro_reg");
    assert_eq!(ro.fields[0].access.value, Access::ReadOnly, "inherited");
    assert_eq!(ro.fields[1].access.value, Access::ReadToClear);

    let quoted = register(&block.items, "quoted_name");
    assert_eq!(quoted.offset.value, 0b1_1000);
    assert_eq!(
        quoted.description.as_deref(),
        Some("A description: with a colon")
    );
    assert_eq!(quoted.width.value, Width::W32, "default width");
    assert_eq!(quoted.access.value, Access::ReadWrite, "default access");
    assert_eq!(quoted.reset.value, 0, "default reset");
    assert!(quoted.fields.is_empty());
}

#[test]
fn nested_cluster_arrays_and_default_stride() {
    let block = load("clusters.yaml");
    assert_eq!(
        block.description.as_deref(),
        Some("Folded description over two lines\n")
    );
    let Item::Cluster(ch) = &block.items[1] else {
        panic!("ch is not a cluster")
    };
    let Item::Cluster(desc) = &ch.items[1] else {
        panic!("desc is not a cluster")
    };
    assert_eq!(desc.name.value, "desc");
    let array = desc.array.as_ref().unwrap();
    assert_eq!((array.count.value, array.stride.value), (8, 0x10));
    assert_eq!(register(&desc.items, "ADDR").width.value, Width::W64);
    let counter = register(&ch.items, "COUNTER");
    let array = counter.array.as_ref().unwrap();
    assert_eq!(
        (array.count.value, array.stride.value),
        (3, 4),
        "stride defaults to the width"
    );
}

#[test]
fn locations_point_at_the_written_values() {
    let text = "regmap: 1\nblock:\n  name: b\n  size: 0x10\n  registers:\n    - { name: R, offset: 0x4 }\n";
    let (design, report) = regmap_codegen::check_yaml_str(text, "t.yaml");
    assert!(!report.has_errors(), "{report}");
    let block = &design.unwrap().blocks[0];
    let r = register(&block.items, "R");
    let span = report.source().span(r.offset.loc).unwrap();
    assert_eq!((span.line, span.column), (6, 26));
    assert_eq!(&text[span.range.clone()], "0x4");
    let span = report.source().span(block.size.loc).unwrap();
    assert_eq!((span.line, span.column), (4, 9));
}

#[test]
fn the_format_documents_example_loads() {
    let doc = include_str!("../../docs/yaml-format.md");
    let start = doc.find("```yaml\n").expect("no yaml example") + "```yaml\n".len();
    let end = start + doc[start..].find("```").unwrap();
    if let Err(report) = load_yaml_str(&doc[start..end], "docs/yaml-format.md") {
        panic!("the example in docs/yaml-format.md does not load:\n{report}");
    }
}

#[test]
fn a_read_only_and_a_write_only_register_may_share_an_address() {
    let block = load("shared_address.yaml");
    assert_eq!(register(&block.items, "RBR").offset.value, 0);
    assert_eq!(register(&block.items, "THR").offset.value, 0);
    assert_eq!(
        register(&block.items, "FCR").access.value,
        Access::WriteOnly
    );
}

#[test]
fn xilinx_hls_access_names_are_aliases() {
    let text = "regmap: 1\nblock:\n  name: hls\n  size: 0x20\n  registers:\n    - name: CTRL\n      offset: 0x0\n      fields:\n        - { name: AP_START, bits: 0, access: COH }\n        - { name: AP_DONE, bits: 1, access: COR }\n        - { name: AP_CONTINUE, bits: 4, access: SC }\n    - name: ISR\n      offset: 0xc\n      fields:\n        - { name: DONE, bits: 0, access: TOW }\n";
    let design = load_yaml_str(text, "hls.yaml").unwrap_or_else(|r| panic!("{r}"));
    let items = &design.blocks[0].items;
    let access = |r: &str| -> Vec<Access> {
        register(items, r)
            .fields
            .iter()
            .map(|f| f.access.value)
            .collect()
    };
    assert_eq!(
        access("CTRL"),
        [Access::ReadWrite, Access::ReadToClear, Access::ReadWrite]
    );
    assert_eq!(access("ISR"), [Access::OneToToggle]);
    // Only the spelling Xilinx prints: `cor` stays an error.
    let lower = text.replace("COR", "cor");
    let report = load_yaml_str(&lower, "hls.yaml").unwrap_err();
    assert_eq!(report.diagnostics()[0].code, "bad-access");
}

/// `alternate_of` lowers to the name it gives, and it is what lets the views
/// share bytes: without it, the same map is refused for overlaps.
#[test]
fn alternates_name_their_register_and_may_overlap_it() {
    let block = load("alternates.yaml");
    let input = register(&block.items, "CCMR_INPUT");
    assert_eq!(input.alternate_of.as_ref().unwrap().value, "CCMR");
    assert_eq!(register(&block.items, "CCMR").alternate_of, None);
    let Item::Cluster(ch) = &block.items[4] else {
        panic!("ch is a cluster")
    };
    assert_eq!(
        register(&ch.items, "CFG_STATUS")
            .alternate_of
            .as_ref()
            .unwrap()
            .value,
        "CFG"
    );

    let path = format!("{}/tests/good/alternates.yaml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    let without = regex::Regex::new(r",? *alternate_of: \w+")
        .unwrap()
        .replace_all(&text, "");
    assert!(!without.contains("alternate_of"));
    let report = load_yaml_str(&without, "alternates.yaml")
        .expect_err("views without alternate_of overlap")
        .to_string();
    assert_eq!(
        report.matches("error[overlapping-registers]").count(),
        3,
        "{report}"
    );
}
