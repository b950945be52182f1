use super::*;

const MAP: &str = "regmap: 1
block:
  name: dma
  description: \"A <DMA> & more\"
  size: 0x100
  registers:
    - name: ch
      offset: 0x0
      count: 2
      stride: 0x30
      registers:
        - name: SR
          offset: 0x4
          reset: 0x10001
          fields:
            - { name: Halted, bits: 0, access: ro }
            - { name: IOC_Irq, bits: 12, access: w1c, description: Interrupt on complete }
            - { name: CNT, bits: '23:16', access: rc }
    - { name: WIDE, offset: 0x80, width: 64, fields: [ { name: SPAN, bits: '40:24' } ] }
    - { name: PLAIN, offset: 0x90 }
";

fn files() -> Vec<(String, String)> {
    let design = crate::load_yaml_str(MAP, "dma.yaml").unwrap_or_else(|r| panic!("{r}"));
    render(
        &design,
        &HtmlOptions {
            title: "dma".into(),
            source_name: "dma.yaml".into(),
        },
    )
}

fn file<'a>(files: &'a [(String, String)], name: &str) -> &'a str {
    &files.iter().find(|(n, _)| n == name).unwrap().1
}

#[test]
fn a_block_page_has_anchors_diagrams_and_tables() {
    let files = files();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "index.html",
            "dma.html",
            "regmap.css",
            "regmap.js",
            "search-index.js"
        ]
    );
    let page = file(&files, "dma.html");
    for id in [
        "dma",
        "dma.ch",
        "dma.ch.SR",
        "dma.ch.SR.IOC_Irq",
        "dma.WIDE.SPAN",
        "dma.PLAIN",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "no anchor {id}");
    }
    // Descriptions are escaped, never markup.
    assert!(page.contains("A &lt;DMA&gt; &amp; more"));
    assert!(!page.contains("<DMA>"));
    // One diagram per register, one box group per field.
    assert_eq!(page.matches("<svg class=\"bits\"").count(), 3);
    assert_eq!(page.matches("<g class=\"field").count(), 3 + 1 + 1);
    // Bit 12 is the 20th cell from the left of a 32-bit row.
    assert!(
        page.contains("data-field=\"IOC_Irq\" data-lsb=\"12\" data-msb=\"12\"><title>IOC_Irq [12] w1c: Interrupt on complete</title><rect x=\"498\""),
        "{page}"
    );
    assert!(page.contains("class=\"field acc-w1c\""));
    assert!(page.contains("class=\"field acc-rc\""));
    // A 64-bit register is two rows; a field across bit 32 has a box in each.
    let wide = page.split("data-field=\"SPAN\"").nth(1).unwrap();
    let wide = &wide[..wide.find("</g>").unwrap()];
    assert_eq!(wide.matches("<rect").count(), 2, "{wide}");
    // Reserved bits are shaded and listed.
    assert!(page.contains("<rect class=\"reserved\" data-lsb=\"24\" data-msb=\"31\""));
    assert!(page.contains("<td class=\"num\">[11:1]</td><td>reserved</td>"));
    // Field reset values come from the register's.
    assert!(page.contains("<td class=\"num\">1</td>"));
    // Array offsets read as a formula.
    assert!(page.contains("0x04 + 0x30·n"));
}

#[test]
fn search_covers_every_register_and_field_and_stays_a_script() {
    let files = files();
    let index = file(&files, "search-index.js");
    assert!(index.starts_with("window.REGMAP_INDEX = ["));
    assert!(index.contains(
        "[\"dma.ch.SR.IOC_Irq\",\"dma.html#dma.ch.SR.IOC_Irq\",\"field\",\"[12] Interrupt on complete\"]"
    ));
    assert!(index.contains("\"dma.PLAIN\""));
    assert!(index.contains("[\"dma.ch\",\"dma.html#dma.ch\",\"cluster\",\"\"]"));
    assert_eq!(js_str("a</script>\"\n"), "\"a\\u003c/script>\\\"\\n\"");
}

#[test]
fn the_index_lists_instances_with_their_bases() {
    let mut design = crate::load_yaml_str(MAP, "dma.yaml").unwrap();
    design.instances.push(ir::Instance {
        name: ir::Spanned::new("dma_0".into(), ir::Loc::NONE),
        block: ir::Spanned::new("dma".into(), ir::Loc::NONE),
        base: ir::Spanned::new(0x4040_0000, ir::Loc::NONE),
        size: Some(0x1_0000),
        description: None,
    });
    let files = render(&design, &HtmlOptions::default());
    let index = file(&files, "index.html");
    assert!(index.contains("<tr id=\"dma_0\"><td><a class=\"anchor\" href=\"#dma_0\">dma_0</a></td><td><a href=\"dma.html\">dma</a></td><td class=\"num\">0x40400000</td><td class=\"num\">0x4040FFFF</td>"), "{index}");
    assert!(
        file(&files, "dma.html")
            .contains("<a href=\"index.html#dma_0\">dma_0</a> at <code>0x40400000</code>")
    );
}

#[test]
fn a_block_named_index_never_replaces_the_index() {
    let map = MAP.replace("name: dma\n", "name: Index\n");
    let design = crate::load_yaml_str(&map, "i.yaml").unwrap();
    let files = render(&design, &HtmlOptions::default());
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names[..2], ["index.html", "Index_.html"]);
    assert!(file(&files, "index.html").contains("<a href=\"Index_.html\">Index</a>"));
    assert!(file(&files, "search-index.js").contains("\"Index_.html#Index.PLAIN\""));
}
