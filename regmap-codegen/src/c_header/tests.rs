use super::*;
use crate::ir::{self, Access, Spanned};

const TIMER: &str = "regmap: 1
block:
  name: tmr
  size: 0x20
  enums:
    - name: Mode
      values:
        - { name: generate, value: 0 }
        - { name: capture, value: 1, description: Capture */ mode }
  registers:
    - name: CSR
      offset: 0x4
      reset: 0x12
      fields:
        - { name: MDT, bits: 0, enum: Mode }
        - { name: INT, bits: 8, access: w1c }
        - { name: DIV, bits: '15:12' }
        - name: SRC
          bits: '18:16'
          enum:
            name: Source
            values:
              - { name: ext, value: 2 }
    - { name: CNT, offset: 0x8, access: ro, width: 16 }
    - { name: IVAR, offset: 0x10, count: 4, stride: 4, access: wo }
";

fn load(text: &str) -> Design {
    crate::load_yaml_str(text, "t.yaml").unwrap_or_else(|r| panic!("{r}"))
}

fn opts() -> HeaderOptions {
    HeaderOptions {
        source_name: "maps/tmr.yaml".into(),
        design_name: None,
    }
}

#[test]
fn a_block_gets_offsets_masks_values_and_accessors() {
    let h = header(&load(TIMER), &opts()).unwrap();
    for line in [
        "#ifndef REGMAP_TMR_H",
        "#define REGMAP_TMR_H 1",
        "#include <stdint.h>",
        "#define TMR_SIZE 0x20u",
        "#define TMR_MODE_GENERATE 0x0u",
        "#define TMR_MODE_CAPTURE 0x1u",
        "/* Capture * / mode */",
        "#define TMR_CSR_OFFSET 0x4u",
        "#define TMR_CSR_RESET 0x00000012u",
        "#define TMR_CSR_ACTION_MASK 0x00000100u",
        "#define TMR_CSR_ACTION_IDLE 0x00000000u",
        "#define TMR_CSR_DIV_SHIFT 12u",
        "#define TMR_CSR_DIV_WIDTH 4u",
        "#define TMR_CSR_DIV_MASK 0x0000F000u",
        "#define TMR_CSR_SRC_EXT 0x2u",
        "static inline uint32_t tmr_csr_div_get(uint32_t reg)",
        "static inline uint32_t tmr_csr_div_set(uint32_t reg, uint32_t value)",
        "static inline uint32_t tmr_csr_read(const volatile void *base)",
        "static inline void tmr_csr_write(volatile void *base, uint32_t value)",
        "#define TMR_CNT_RESET 0x0000u",
        "static inline uint16_t tmr_cnt_read(const volatile void *base)",
        "#define TMR_IVAR_OFFSET(i0) ((size_t)0x10u + (size_t)(i0) * 0x4u)",
        "#define TMR_IVAR_COUNT 0x4u",
        "static inline void tmr_ivar_write(volatile void *base, size_t i0, uint32_t value)",
        "#endif /* REGMAP_TMR_H */",
    ] {
        assert!(h.lines().any(|l| l == line), "missing `{line}` in\n{h}");
    }
    // Access decides which accessors exist.
    assert!(!h.contains("tmr_cnt_write"), "{h}");
    assert!(!h.contains("tmr_ivar_read"), "{h}");
    assert!(!h.contains("tmr_cnt_set"), "{h}");
}

#[test]
fn clusters_nest_their_indices() {
    let text = std::fs::read_to_string("tests/good/clusters.yaml").unwrap();
    let h = header(&load(&text), &opts()).unwrap();
    for line in [
        "#define DMA_CH_OFFSET(i0) ((size_t)0x100u + (size_t)(i0) * 0x100u)",
        "#define DMA_CH_DESC_ADDR_OFFSET(i0, i1) ((size_t)0x140u + (size_t)(i0) * 0x100u + (size_t)(i1) * 0x10u)",
        "static inline uint64_t dma_ch_desc_addr_read(const volatile void *base, size_t i0, size_t i1)",
        "#define DMA_CH_DESC_ADDR_RESET 0x0000000000000000ull",
        "#define DMA_TX_CTRL_OFFSET 0x800u",
    ] {
        assert!(h.lines().any(|l| l == line), "missing `{line}` in\n{h}");
    }
}

#[test]
fn names_that_meet_in_c_are_located_errors() {
    // `CTRL.MODE_X` and `CTRL_MODE.X` are distinct in Rust, one name in C.
    let text = "regmap: 1
block:
  name: b
  size: 0x10
  registers:
    - name: CTRL
      offset: 0
      fields:
        - { name: MODE_X, bits: 0 }
    - name: CTRL_MODE
      offset: 4
      fields:
        - { name: X, bits: 0 }
";
    let (design, report) = crate::check_yaml_str(text, "c.yaml");
    assert!(!report.has_errors(), "{report}");
    let design = design.unwrap();
    let diags = check(&design);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code, "c-name-collision");
    let rendered = crate::Report::new(report.source().clone(), diags.clone()).to_string();
    assert!(
        rendered.contains(
            "field `CTRL.MODE_X` and field `CTRL_MODE.X` both declare `B_CTRL_MODE_X_SHIFT` in C"
        ),
        "{rendered}"
    );
    assert!(rendered.contains("--> c.yaml:13:19"), "{rendered}");
    assert!(
        rendered.contains("field `CTRL.MODE_X` is here"),
        "{rendered}"
    );
    assert_eq!(header(&design, &opts()).unwrap_err(), diags);
}

#[test]
fn instance_and_block_names_are_checked_together() {
    let mut design = load(TIMER);
    // Instances of the block's own name are common (SVD): no collision.
    design.instances.push(ir::Instance {
        name: Spanned::new("tmr".into(), Loc(7)),
        block: Spanned::new("tmr".into(), Loc::NONE),
        base: Spanned::new(0x4000_0000, Loc::NONE),
        size: None,
        description: None,
    });
    let h = header(&design, &opts()).unwrap();
    assert!(
        h.contains("#define TMR_BASE 0x40000000ull\n#define TMR_WINDOW_SIZE 0x20u\n"),
        "{h}"
    );
    // Two instances of one name in C collide, at the second.
    let mut second = design.instances[0].clone();
    second.name = Spanned::new("TMR".into(), Loc(8));
    design.instances.push(second);
    let diags = check(&design);
    assert!(!diags.is_empty());
    assert!(diags.iter().all(|d| d.loc == Loc(8)), "{diags:?}");
}

#[test]
fn identifiers_c_reserves_are_refused() {
    // The name checks keep these out of a checked map; the C check does not
    // rely on that.
    let mut design = load(TIMER);
    design.blocks[0].name = Spanned::new("_Tmr".into(), Loc(3));
    let diags = check(&design);
    assert!(
        diags
            .iter()
            .any(|d| d.code == "c-reserved" && d.loc == Loc(3)),
        "{diags:?}"
    );
    let diags = check(&design);
    assert_eq!(
        diags.iter().filter(|d| d.loc == Loc(3)).count(),
        1,
        "one report for the name, not one per identifier: {diags:?}"
    );
    let mut design = load(TIMER);
    design.blocks[0].name = Spanned::new("__tmr".into(), Loc(4));
    assert!(check(&design).iter().any(|d| d.code == "c-reserved"));
    // `__` inside a name is C++'s rule, not C's: vendor names use it.
    let mut design = load(TIMER);
    design.blocks[0].name = Spanned::new("a__b".into(), Loc(5));
    assert_eq!(check(&design), Vec::new());
    assert!(C_RESERVED.contains(&"volatile"));
    assert!(!is_reserved_pattern("TMR_CSR"));
    let _ = Access::ReadWrite;
}

#[test]
fn elements_expand_as_the_description_names_them() {
    let text = std::fs::read_to_string("tests/good/clusters.yaml").unwrap();
    let design = load(&text);
    let elements = register_elements(&design.blocks[0]);
    let names: Vec<&str> = elements.iter().map(|(n, _, _)| n.as_str()).collect();
    assert!(names.contains(&"ch[3].desc[7].LEN"), "{names:?}");
    let (_, idx, r) = elements
        .iter()
        .find(|(n, _, _)| n == "ch[2].desc[5].ADDR")
        .unwrap();
    assert_eq!(idx, &vec![2, 5]);
    assert_eq!(r.name.value, "ADDR");
    // 1 + 4 * (1 + 8 * 2 + 3) + 2
    assert_eq!(elements.len(), 83);
}

#[test]
fn comments_hold_no_trigraph_nor_comment_delimiter() {
    // C11 reads `??/` as a backslash: ending a line, it joins the next one.
    for text in ["a??/", "a???/", "a????/", "x */ y /* z", "*/*"] {
        let c = super::comment(text);
        assert!(
            !c.contains("??") && !c.contains("*/") && !c.contains("/*"),
            "{text:?} -> {c:?}"
        );
    }
    assert_eq!(super::comment("a???/"), "a? ? ?/");
}
