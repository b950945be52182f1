use super::*;
use crate::ir::{Access, EnumRef, Item, Width};
use proc_macro2::TokenStream;

fn tokens(s: &str) -> TokenStream {
    s.parse().expect("test input tokenizes")
}

const TIMER_ATTR: &str =
    "size = 0x20, id(register = VERSION, value = 0x0001_0000, mask = 0xffff_0000)";
const TIMER: &str = r#"
/// AXI Timer
pub mod axi_timer {
    /// Timer mode
    enum Mode {
        /// Generate mode
        Generate = 0,
        Capture = 0b1,
    }

    /// Control/status register 0
    #[register(offset = 0x00, access = rw, reset = 0x10)]
    struct TCSR0 {
        #[bits(0)]
        MDT: Mode,
        #[bits(8, access = w1c)]
        TINT: bool,
        /// Prescaler
        #[bits(11:9)]
        PRESCALE: u3,
    }

    #[register(offset = 0x04, count = 2)]
    struct TLR;

    #[register(offset = 0x1c, access = ro, width = 32)]
    struct VERSION;

    /// One channel
    #[cluster(offset = 0x10, count = 2, stride = 0x4)]
    mod channel {
        #[register(offset = 0x0, width = 16, count = 2, stride = 2)]
        struct CTRL {
            #[bits(15:0, access = w1s)]
            r#type: u16,
        }
    }
}
"#;

fn parse_str(attr: &str, item: &str) -> Result<Parsed, syn::Error> {
    parse(tokens(attr), tokens(item))
}

#[test]
fn a_whole_block_lowers_into_the_ir() {
    let parsed = parse_str(TIMER_ATTR, TIMER).unwrap_or_else(|e| panic!("{e}"));
    let block = &parsed.design.blocks[0];
    assert_eq!(block.name.value, "axi_timer");
    assert_eq!(block.description.as_deref(), Some("AXI Timer"));
    assert_eq!(block.size.value, 0x20);
    let id = block.id.as_ref().unwrap();
    assert_eq!(
        (
            id.register.value.as_str(),
            id.value.value,
            id.mask.as_ref().unwrap().value
        ),
        ("VERSION", 0x0001_0000, 0xffff_0000)
    );
    assert_eq!(block.enums.len(), 1);
    assert_eq!(block.enums[0].name.value, "Mode");
    assert_eq!(block.enums[0].variants[1].value.value, 1);
    assert_eq!(
        block.enums[0].variants[0].description.as_deref(),
        Some("Generate mode")
    );

    let Item::Register(tcsr0) = &block.items[0] else {
        panic!("register expected")
    };
    assert_eq!(tcsr0.name.value, "TCSR0");
    assert_eq!(
        tcsr0.description.as_deref(),
        Some("Control/status register 0")
    );
    assert_eq!((tcsr0.offset.value, tcsr0.reset.value), (0, 0x10));
    assert_eq!(tcsr0.width.value, Width::W32);
    let f = &tcsr0.fields;
    assert_eq!(
        (f[0].msb, f[0].lsb, f[0].access.value),
        (0, 0, Access::ReadWrite)
    );
    assert!(matches!(&f[0].enumeration, Some(EnumRef::Named(n)) if n.value == "Mode"));
    assert_eq!(
        (f[1].msb, f[1].lsb, f[1].access.value),
        (8, 8, Access::OneToClear)
    );
    assert_eq!((f[2].msb, f[2].lsb), (11, 9));
    assert_eq!(f[2].description.as_deref(), Some("Prescaler"));
    assert!(f[2].enumeration.is_none());

    let Item::Register(tlr) = &block.items[1] else {
        panic!("register expected")
    };
    let array = tlr.array.as_ref().unwrap();
    assert_eq!(
        (array.count.value, array.stride.value),
        (2, 4),
        "stride defaults to the width"
    );
    assert!(tlr.fields.is_empty());

    let Item::Register(version) = &block.items[2] else {
        panic!("register expected")
    };
    assert_eq!(version.access.value, Access::ReadOnly);

    let Item::Cluster(channel) = &block.items[3] else {
        panic!("cluster expected")
    };
    assert_eq!(channel.offset.value, 0x10);
    assert_eq!(channel.array.as_ref().unwrap().stride.value, 4);
    let Item::Register(ctrl) = &channel.items[0] else {
        panic!("register expected")
    };
    assert_eq!(ctrl.width.value, Width::W16);
    assert_eq!(
        ctrl.fields[0].name.value, "type",
        "raw identifiers lose their `r#`"
    );
    assert_eq!(ctrl.fields[0].access.value, Access::OneToSet);
}

#[test]
fn the_module_keeps_its_visibility_and_attributes() {
    let parsed = parse_str(
        "size = 4",
        "#[allow(dead_code)] /// doc\n pub(crate) mod m { #[register(offset = 0)] struct R; }",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(parsed.vis, syn::Visibility::Restricted(_)));
    assert_eq!(
        parsed.attrs.len(),
        1,
        "docs become the description, not an attribute"
    );
    assert_eq!(parsed.design.blocks[0].description.as_deref(), Some("doc"));
}

/// Each error's message and the line and column where its caret starts.
fn errors(attr: &str, item: &str) -> Vec<(String, usize, usize)> {
    let err = match parse_str(attr, item) {
        Ok(_) => panic!("expected errors"),
        Err(e) => e,
    };
    err.into_iter()
        .map(|e| {
            let start = e.span().start();
            (e.to_string(), start.line, start.column)
        })
        .collect()
}

#[test]
fn every_malformed_attribute_is_reported_at_once_where_it_was_written() {
    let item = "mod m {
    #[register(ofset = 0x0)]
    struct A;
    #[register(offset = 0x4, access = w1cc)]
    struct B { #[bits(3:7)] x: u5, #[bits(2)] y: u2 }
    fn stray() {}
}";
    let errs = errors("size = 0x10", item);
    let summary: Vec<(&str, usize, usize)> = errs
        .iter()
        .map(|(m, l, c)| (m.lines().next().unwrap(), *l, *c))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("unknown key `ofset` in `register`", 2, 15),
            ("unknown access kind `w1cc`", 4, 29),
            ("bit range `3:7` is written low to high", 5, 22),
            ("type `u2` does not match the field's 1 bit", 5, 49),
            ("this item cannot appear in a register block", 6, 4),
        ]
    );
    assert!(
        errs[0].0.contains("= help: did you mean `offset`?"),
        "{}",
        errs[0].0
    );
    assert!(errs[1].0.contains("did you mean `w1c`?"), "{}", errs[1].0);
}

#[test]
fn block_level_mistakes_point_at_the_block_attribute_or_the_item() {
    let errs = errors("sise = 4", "mod m {}");
    assert_eq!(
        errs.len(),
        1,
        "the typo is the one error, not also a missing `size`"
    );
    assert_eq!(
        errs[0].0.lines().next().unwrap(),
        "unknown key `sise` in `register_block`"
    );
    let errs = errors("", "mod m {}");
    assert!(errs[0].0.starts_with("register_block needs `size`"));

    let errs = errors("size = 4", "/// not a module\nstruct S;");
    assert_eq!(
        (errs[0].1, errs[0].2),
        (2, 0),
        "the caret is on `struct S`, past the docs"
    );
    assert!(
        errs[0]
            .0
            .starts_with("`#[register_block]` goes on a module")
    );
}

#[test]
fn arrays_need_a_count_and_clusters_a_stride() {
    let errs = errors(
        "size = 0x100",
        "mod m {
            #[register(offset = 0, stride = 4)] struct A;
            #[cluster(offset = 0x10, count = 2)] mod c { #[register(offset = 0)] struct B; }
        }",
    );
    let heads: Vec<&str> = errs.iter().map(|e| e.0.lines().next().unwrap()).collect();
    assert_eq!(
        heads,
        ["`stride` without `count`", "a cluster array needs `stride`"]
    );
}

#[test]
fn enum_variants_need_values_and_fields_need_bits() {
    let errs = errors(
        "size = 4",
        "mod m {
            enum E { A = 0, B }
            #[register(offset = 0)] struct R { x: bool }
        }",
    );
    let heads: Vec<&str> = errs.iter().map(|e| e.0.lines().next().unwrap()).collect();
    assert_eq!(
        heads,
        ["variant `B` needs a value", "missing `#[bits(...)]`"]
    );
}

#[test]
fn render_puts_notes_and_the_hint_under_the_message() {
    let d = crate::diag::Diagnostic::error("x", crate::ir::Loc::NONE, "headline")
        .with_label("label")
        .with_related(crate::ir::Loc::NONE, "related")
        .with_hint("do this");
    assert_eq!(
        render(&d, &SpanTable::new()),
        "headline\n= note: label\n= note: related\n= help: do this"
    );
}

#[test]
fn a_related_place_is_named_by_its_line() {
    let tokens: proc_macro2::TokenStream = "a\n\n b".parse().unwrap();
    let mut spans = SpanTable::new();
    let mut iter = tokens.into_iter();
    let a = iter.next().unwrap().span();
    let b = iter.next().unwrap().span();
    let here = spans.add(a, a);
    let there = spans.add(b, b);
    let d =
        crate::diag::Diagnostic::error("x", here, "headline").with_related(there, "`B` is here");
    assert_eq!(render(&d, &spans), "headline\n= note: `B` is here (line 3)");
}

#[test]
fn hints_of_shared_checks_are_spelt_as_attribute_keys() {
    let d = crate::diag::Diagnostic::error("x", crate::ir::Loc::NONE, "m")
        .with_hint("widen it with `width: 32`, or set `stride:` higher");
    assert_eq!(
        render(&d, &SpanTable::new()),
        "m\n= help: widen it with `width = 32`, or set `stride = ..` higher"
    );
}

#[test]
fn a_local_enum_becomes_the_inline_enum_of_its_one_field() {
    let parsed = parse_str(
        "size = 0x10",
        "mod m {
            #[cluster(offset = 0x8)]
            mod c {
                #[register(offset = 0)]
                struct R { #[bits(1:0)] P: Parity, #[bits(2)] S: Shared }
            }
            /// Parity
            #[local]
            enum Parity { none = 0, odd = 1 }
            enum Shared { a = 0, b = 1 }
        }",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let block = &parsed.design.blocks[0];
    assert_eq!(block.enums.len(), 1, "only the shared enum is block-level");
    let Item::Cluster(c) = &block.items[0] else {
        panic!("cluster expected")
    };
    let Item::Register(r) = &c.items[0] else {
        panic!("register expected")
    };
    match &r.fields[0].enumeration {
        Some(EnumRef::Inline(e)) => {
            assert_eq!(e.name.value, "Parity");
            assert_eq!(e.description.as_deref(), Some("Parity"));
            assert_eq!(e.variants.len(), 2);
        }
        other => panic!("inline enum expected, got {other:?}"),
    }
    assert!(matches!(&r.fields[1].enumeration, Some(EnumRef::Named(n)) if n.value == "Shared"));
}

#[test]
fn a_local_enum_needs_exactly_one_field() {
    let errs = errors(
        "size = 0x10",
        "mod m {
            #[local] enum Unused { a = 0 }
            #[local] enum Twice { a = 0 }
            #[register(offset = 0)]
            struct R { #[bits(0)] X: Twice, #[bits(1)] Y: Twice }
        }",
    );
    let heads: Vec<&str> = errs.iter().map(|e| e.0.lines().next().unwrap()).collect();
    assert_eq!(
        heads,
        [
            "`#[local]` enum `Unused` is not used by any field",
            "`#[local]` enum `Twice` is used by 2 fields",
        ]
    );
    assert_eq!((errs[0].1, errs[0].2), (2, 26), "caret on the enum's name");
}

/// Each error's first line, from the front end and the shared checks together.
fn checked_heads(attr: &str, item: &str) -> Vec<String> {
    let attr: TokenStream = attr.parse().unwrap();
    let item: TokenStream = item.parse().unwrap();
    match parse_and_check(attr, item) {
        Ok(_) => panic!("expected errors"),
        Err(e) => e
            .into_iter()
            .map(|e| e.to_string().lines().next().unwrap().to_owned())
            .collect(),
    }
}

#[test]
fn front_end_and_check_errors_come_together_in_source_order() {
    let item = "mod m {
    #[register(offset = 0x0, acess = ro)]
    struct CTRL {
        #[bits(1, access = cor)] A: bool,
        #[bits(3:2)] B: bool,
        #[bits(4:7)] C: u4,
        #[bits(2)] D: bool,
        #[bits(35:32)] E: u4,
    }
    #[register(offset = 0x10)]
    struct COUNT;
}";
    assert_eq!(
        checked_heads("size = 0x10", item),
        [
            "unknown key `acess` in `register`",
            "unknown access kind `cor`",
            "type `bool` does not match the field's 2 bits",
            "bit range `4:7` is written low to high",
            "field `D` (bits 2:2) overlaps field `B` (bits 3:2) in register `CTRL`",
            "field `E` (bits 35:32) does not fit in the 32-bit register `CTRL`",
            "register `COUNT` at 0x10..0x14 ends past the end of the 0x10-byte block",
        ]
    );
}

#[test]
fn what_the_front_end_left_out_causes_no_second_error() {
    // `VERSION` is dropped (no offset), `MODE`'s field too (bad range): the id
    // check does not call `VERSION` unknown, nor is the local enum unused.
    // `FAR` is past the end; without a size that check does not run, rather
    // than call every register past the end of a 0-byte block.
    let item = "mod m {
    #[local] enum Mode { A = 0, B = 1 }
    #[register(offset = 0x0)]
    struct CTRL { #[bits(a:b)] MODE: Mode }
    #[register(access = ro)]
    struct VERSION;
    #[register(offset = 0x100)]
    struct FAR;
}";
    assert_eq!(
        checked_heads("size = 0x10, id(register = VERSION, value = 1)", item),
        [
            "expected a bit number or `msb:lsb`",
            "register needs `offset`",
            "register `FAR` at 0x100..0x104 ends past the end of the 0x10-byte block",
        ]
    );
    assert_eq!(
        checked_heads("sise = 0x10", item),
        [
            "unknown key `sise` in `register_block`",
            "expected a bit number or `msb:lsb`",
            "register needs `offset`",
        ]
    );
}
