//! Unit tests of the emitter on hand-built IR, including IR no front end would
//! let through: the emitter must stay total and never produce unsound code.

use super::*;
use crate::ir::*;

fn s<T>(value: T) -> Spanned<T> {
    Spanned::new(value, Loc::NONE)
}

fn field(name: &str, msb: u32, lsb: u32, access: Access) -> Field {
    Field {
        name: s(name.into()),
        description: None,
        lsb,
        msb,
        bits_loc: Loc::NONE,
        access: s(access),
        enumeration: None,
        loc: Loc::NONE,
    }
}

fn register(name: &str, offset: u64, access: Access, fields: Vec<Field>) -> Register {
    Register {
        name: s(name.into()),
        description: None,
        offset: s(offset),
        width: s(Width::W32),
        access: s(access),
        reset: s(0),
        array: None,
        fields,
        alternate_of: None,
        loc: Loc::NONE,
    }
}

fn block(items: Vec<Item>) -> Block {
    Block {
        name: s("dev".into()),
        description: None,
        size: s(0x20),
        items,
        enums: Vec::new(),
        id: None,
        loc: Loc::NONE,
    }
}

fn text(b: &Block, opts: &EmitOptions) -> String {
    format(&emit_block(b, opts))
}

fn impls(out: &str, ty: &str) -> Vec<&'static str> {
    ["Readable", "Writable", "Modifiable"]
        .into_iter()
        .filter(|t| out.contains(&format!("impl ::regmap_runtime::{t} for {ty} {{}}")))
        .collect()
}

#[test]
fn access_decides_which_traits_are_implemented() {
    let b = block(vec![
        Item::Register(register("ro", 0x0, Access::ReadOnly, vec![])),
        Item::Register(register("wo", 0x4, Access::WriteOnly, vec![])),
        Item::Register(register("rc", 0x8, Access::ReadToClear, vec![])),
        Item::Register(register(
            "mixed",
            0xc,
            Access::ReadWrite,
            vec![
                field("a", 0, 0, Access::OneToClear),
                field("b", 1, 1, Access::ReadOnly),
            ],
        )),
        Item::Register(register(
            "rs_inside",
            0x10,
            Access::ReadWrite,
            vec![
                field("c", 0, 0, Access::ReadWrite),
                field("d", 1, 1, Access::ReadToSet),
            ],
        )),
    ]);
    let out = text(&b, &EmitOptions::default());
    // Registers without fields and with plain access have no type: the
    // runtime's `Raw` types carry their access.
    assert!(!out.contains("pub enum Ro ") && !out.contains("pub enum Wo "));
    assert!(out.contains(
        "pub fn ro(&self) -> ::regmap_runtime::Reg<'_, B_, ::regmap_runtime::raw::Ro32>"
    ));
    assert!(out.contains(
        "pub fn wo(&self) -> ::regmap_runtime::Reg<'_, B_, ::regmap_runtime::raw::Wo32>"
    ));
    assert_eq!(impls(&out, "Rc"), ["Readable"]);
    assert_eq!(impls(&out, "Mixed"), ["Readable", "Writable", "Modifiable"]);
    assert_eq!(impls(&out, "RsInside"), ["Readable", "Writable"]);
    // A field's access kind is in its constant's type; the runtime's methods
    // on values exist only where that kind allows.
    assert!(
        out.contains("pub const A: F_<Self, bool, a_::W1C> = F_::new(0, 1);"),
        "{out}"
    );
    assert!(out.contains("pub const B: F_<Self, bool, a_::RO> = F_::new(1, 1);"));
    assert!(out.contains("use ::regmap_runtime::{Field as F_, access as a_};"));
    // No function bodies per register or field.
    assert!(!out.contains("fn a(") && !out.contains("fn set_a(") && !out.contains("fn clear_a("));
    // Reading a register with a read side effect needs exclusive access.
    assert!(out.contains("pub fn rc(&mut self) -> ::regmap_runtime::RegMut<'_, B_, Rc>"));
    assert!(out.contains("pub fn rs_inside(&mut self)"));
    assert!(out.contains("pub fn mixed(&self)"));
    assert!(out.contains("pub const C: F_<Self, bool, a_::RW> = F_::new(0, 1);"));
}

#[test]
fn invalid_ir_becomes_compile_errors_not_panics_or_unsound_code() {
    let mut dup = Enum {
        name: s("E".into()),
        description: None,
        variants: vec![],
        loc: Loc::NONE,
    };
    for name in ["a", "b"] {
        dup.variants.push(Variant {
            name: s(name.into()),
            description: None,
            value: s(1),
        });
    }
    let mut enum_field = field("e", 1, 0, Access::ReadWrite);
    enum_field.enumeration = Some(EnumRef::Inline(dup));
    let mut missing = field("m", 3, 2, Access::ReadWrite);
    missing.enumeration = Some(EnumRef::Named(s("Nowhere".into())));
    let mut past_end = register("past", 0x20, Access::ReadWrite, vec![]);
    past_end.reset = s(u64::MAX);
    let mut zero_array = register("none", 0x0, Access::ReadWrite, vec![]);
    zero_array.array = Some(Array {
        count: s(0),
        stride: s(4),
    });
    let mut b = block(vec![
        Item::Register(register(
            "bad_fields",
            0x0,
            Access::ReadWrite,
            vec![
                field("reversed", 1, 3, Access::ReadWrite),
                field("too_high", 40, 33, Access::ReadWrite),
                field("huge", 200, 199, Access::ReadWrite),
                enum_field,
                missing,
            ],
        )),
        Item::Register(register("misaligned", 0x6, Access::ReadWrite, vec![])),
        Item::Register(past_end),
        Item::Register(zero_array),
    ]);
    b.id = Some(IdCheck {
        register: s("absent".into()),
        value: s(1),
        mask: None,
        loc: Loc::NONE,
    });
    let out = text(&b, &EmitOptions::default());
    for needle in [
        "field `reversed`",
        "field `too_high`",
        "field `huge`",
        "two variants with the value 0x1",
        "enum `Nowhere`",
        "register `misaligned` cannot be accessed safely",
        "register `past` cannot be accessed safely",
        "register `none` cannot be accessed safely",
        "reset value 0xffffffffffffffff",
        "id register `absent`",
    ] {
        assert!(
            out.contains(needle),
            "no compile_error mentioning {needle:?}"
        );
    }
    // No accessor (and so no `unsafe`) for a register that cannot be reached safely.
    assert!(!out.contains("pub fn misaligned(&self)"));
    assert!(!out.contains("pub fn past(&self)"));
}

#[test]
fn registers_past_the_end_inside_cluster_arrays_are_caught() {
    let inner = register("r", 0x4, Access::ReadWrite, vec![]);
    let cluster = Cluster {
        name: s("c".into()),
        description: None,
        offset: s(0x8),
        array: Some(Array {
            count: s(3),
            stride: s(0x8),
        }),
        items: vec![Item::Register(inner)],
        loc: Loc::NONE,
    };
    // Element 2 ends at 0x8 + 2*0x8 + 0x4 + 4 = 0x20: fits exactly.
    let out = text(
        &block(vec![Item::Cluster(cluster.clone())]),
        &EmitOptions::default(),
    );
    assert!(!out.contains("compile_error"), "{out}");
    let mut too_many = cluster;
    too_many.array.as_mut().unwrap().count = s(4);
    let out = text(
        &block(vec![Item::Cluster(too_many)]),
        &EmitOptions::default(),
    );
    assert!(out.contains("register `r` cannot be accessed safely: it ends at 0x28"));
}

#[test]
fn runtime_path_and_module_wrapping_are_options() {
    let b = block(vec![Item::Register(register(
        "r",
        0,
        Access::ReadWrite,
        vec![],
    ))]);
    let opts = EmitOptions::default()
        .with_runtime_path(syn::parse_quote!(crate::rt))
        .with_module(false);
    let out = text(&b, &opts);
    assert!(!out.contains("regmap_runtime"));
    assert!(
        out.contains("crate::rt::Reg<'_, B_, crate::rt::raw::Rw32>"),
        "{out}"
    );
    assert!(!out.contains("pub mod dev"));
    assert!(out.contains("pub const DEV_DESC"));
    let wrapped = text(&b, &EmitOptions::default());
    assert!(wrapped.starts_with("/// The `dev` register block.\npub mod dev {"));
}

/// Offsets and bounds are proven by `const` assertions inside the runtime's
/// accessors: generated code holds no `unsafe` at all.
#[test]
fn generated_code_has_no_unsafe() {
    let mut arr = register("arr", 0x10, Access::ReadWrite, vec![]);
    arr.array = Some(Array {
        count: s(4),
        stride: s(4),
    });
    let b = block(vec![
        Item::Register(register("r", 0, Access::ReadWrite, vec![])),
        Item::Register(arr),
    ]);
    let out = text(&b, &EmitOptions::default());
    assert!(
        out.contains(".reg_at::<::regmap_runtime::raw::Rw32, 0x10, 0x4, 4>(index, \"arr\")"),
        "{out}"
    );
    assert!(!out.contains("unsafe"), "{out}");
}

#[test]
fn header_names_the_file_never_its_directory() {
    assert!(header("/home/someone/maps/timer.yaml").contains("from `timer.yaml`"));
    assert!(!header("/home/someone/maps/timer.yaml").contains("home"));
    assert!(header("timer.yaml").starts_with("// @generated"));
    // A file name is any bytes but `/`: a line break in it must not end the
    // comment and leave the rest as code.
    let odd = header("a\nb\u{202e}.yaml");
    assert_eq!(odd.trim_end().lines().count(), 1, "{odd}");
    assert!(odd.contains("`a\\u{a}b\\u{202e}.yaml`"), "{odd}");
}

#[test]
fn design_instances_become_base_address_constants() {
    let design = Design {
        blocks: vec![block(vec![])],
        instances: vec![Instance {
            name: s("dev_0".into()),
            block: s("dev".into()),
            base: s(0x4000_0000),
            size: None,
            description: None,
        }],
    };
    let out = format(&emit_design(&design, &EmitOptions::default()));
    assert!(out.contains("pub mod instances"));
    assert!(out.contains("pub const DEV_0: u64 = 0x40000000;"), "{out}");
}

#[test]
fn the_design_type_maps_the_instance_size_or_else_the_block_size() {
    let inst = |name: &str, block: &str, size| Instance {
        name: s(name.into()),
        block: s(block.into()),
        base: s(0x4000_0000),
        size,
        description: None,
    };
    let mut design = Design {
        blocks: vec![block(vec![])],
        instances: vec![
            inst("dev_0", "dev", None),
            inst("dev_1", "dev", Some(0x1_0000)),
        ],
    };
    let size = design.blocks[0].size.value;
    let out = format(&emit_design(&design, &EmitOptions::default()));
    assert!(out.contains("pub dev_0: dev::Dev<B_>,"), "{out}");
    assert!(out.contains(&format!("size: {size:#x},")), "{out}");
    assert!(out.contains("size: 0x10000,"), "{out}");
    assert!(out.contains("pub unsafe fn open_devmem()"), "{out}");
    // Unwrapped (beside the caller's items), the block type is named bare.
    let bare = format(&emit_design(
        &design,
        &EmitOptions::default().with_module(false),
    ));
    assert!(bare.contains("pub dev_0: Dev<B_>,"), "{bare}");
    // An instance of a block the design lacks is a compile error, not a panic.
    design.instances.push(inst("ghost_0", "ghost", None));
    let out = format(&emit_design(&design, &EmitOptions::default()));
    assert!(
        out.contains("compile_error!") && out.contains("`ghost`"),
        "{out}"
    );
}

#[test]
fn hex_literals_group_by_four_digits_at_register_width() {
    assert_eq!(util::hex(0xf00, 32).to_string(), "0x0000_0f00");
    assert_eq!(util::hex(0xa5, 8).to_string(), "0xa5");
    assert_eq!(util::hex(0x12, 16).to_string(), "0x0012");
    assert_eq!(util::hex(1, 64).to_string(), "0x0000_0000_0000_0001");
    assert_eq!(util::hex(0x20, 0).to_string(), "0x20");
}

#[test]
fn tokens_that_do_not_parse_become_a_compile_error() {
    let out = format(&quote::quote!(fn struct = 1));
    assert!(
        out.starts_with("compile_error!(\"regmap: generated code does not parse"),
        "{out}"
    );
}

#[test]
fn item_by_item_formatting_nests_modules_and_keeps_every_item() {
    let tokens = quote::quote! {
        /// Outer.
        pub mod outer {
            pub struct S { a: u32 }
            pub const C: S = S { a: 1 };
            use ::core::fmt::{Debug, Display};
            pub mod inner {
                impl super::S { pub fn f(&self) -> u32 { self.a } }
            }
        }
        pub const D: u8 = 1;
    };
    let text = format(&tokens);
    let expected = "/// Outer.\npub mod outer {\n    pub struct S {\n        a: u32,\n    }\n    pub const C: S = S { a: 1 };\n    use ::core::fmt::{Debug, Display};\n    pub mod inner {\n        impl super::S {\n            pub fn f(&self) -> u32 {\n                self.a\n            }\n        }\n    }\n}\npub const D: u8 = 1;\n";
    assert_eq!(text, expected);
    // The same items formatted as one file parse to the same syntax tree.
    let whole = prettyplease::unparse(&syn::parse2(tokens).unwrap());
    let tree = |t: &str| quote::ToTokens::to_token_stream(&syn::parse_file(t).unwrap()).to_string();
    assert_eq!(tree(&text), tree(&whole));
}

/// Modules of many items each (more than one chunk of work apiece), one of
/// them nested, so chunks start and end inside modules.
fn many_modules() -> proc_macro2::TokenStream {
    let module = |m: usize| {
        let name = util::ident(&format!("m{m}"));
        let items = (0..300).map(|i| {
            let c = util::ident(&format!("C{i}"));
            let f = util::ident(&format!("f{i}"));
            quote::quote! {
                /// A constant.
                pub const #c: u32 = #i as u32 * 3;
                pub fn #f(x: u32) -> u32 { if x > #c { x - #c } else { #c } }
            }
        });
        quote::quote! {
            /// A module.
            pub mod #name {
                #(#items)*
                pub mod nested { pub struct S { a: u8 } }
            }
        }
    };
    (0..4).map(module).collect()
}

#[test]
fn formatting_gives_up_when_any_item_does_not_parse() {
    let sequential = pretty::format(&many_modules(), &[]).expect("the items parse");
    assert_eq!(sequential.matches("pub fn f299(").count(), 4);
    let mut tokens = many_modules();
    tokens.extend(quote::quote!(fn struct = 1;));
    assert!(pretty::format(&tokens, &[]).is_none());
}

#[test]
fn formatting_a_design_prints_what_its_tokens_print() {
    let regs = |n: u64| {
        (0..n)
            .map(|i| {
                Item::Register(register(
                    &format!("r{i}"),
                    4 * i,
                    Access::ReadWrite,
                    vec![
                        field("lo", 3, 0, Access::ReadWrite),
                        field("hi", 31, 4, Access::ReadOnly),
                    ],
                ))
            })
            .collect::<Vec<_>>()
    };
    let mut a = block(regs(150));
    a.size = s(0x400);
    let mut b = block(regs(40));
    b.name = s("other".into());
    b.size = s(0x100);
    let design = Design {
        blocks: vec![a, b],
        instances: Vec::new(),
    };
    let opts = EmitOptions::default();
    let sequential = format(&emit_design(&design, &opts));
    assert!(
        sequential.contains("pub mod other {") && sequential.contains("R149"),
        "{sequential}"
    );
    // The formatting path (items written as text copied, the rest printed
    // item by item) prints what printing the public token stream prints.
    assert!(format_design(&design, &opts) == sequential);
    let custom = opts.with_runtime_path(syn::parse_quote!(crate::rt));
    let text = format_design(&design, &custom);
    assert!(text == format(&emit_design(&design, &custom)) && text.contains("crate::rt::"));
}

fn cluster_array(name: &str, count: u64, stride: u64, items: Vec<Item>) -> Item {
    Item::Cluster(Cluster {
        name: s(name.into()),
        description: None,
        offset: s(0),
        array: Some(Array {
            count: s(count),
            stride: s(stride),
        }),
        items,
        loc: Loc::NONE,
    })
}

/// The emitter's work follows its output, never the product of array counts,
/// even on IR no check has seen (found by fuzzing: this once did not finish).
#[test]
fn nested_cluster_arrays_cost_their_output_not_their_element_count() {
    let empty = cluster_array(
        "o",
        65536,
        65536,
        vec![cluster_array("i", 65536, 1, Vec::new())],
    );
    let out = text(&block(vec![empty]), &EmitOptions::default());
    assert!(out.contains("registers: &[]"), "{out}");

    // 2^32 instances with a register inside: refused from the shape alone.
    let full = cluster_array(
        "o",
        65536,
        65536,
        vec![cluster_array(
            "i",
            65536,
            4,
            vec![Item::Register(register("r", 0, Access::ReadWrite, vec![]))],
        )],
    );
    let out = text(&block(vec![full]), &EmitOptions::default());
    assert!(out.contains("more than 65536 register instances"), "{out}");
}

#[test]
fn vendor_text_is_escaped_for_rustdoc_but_markdown_links_and_code_are_kept() {
    use super::util::plain_text_for_rustdoc as p;
    // What an SVD writes: bit ranges, tag-like names, a bare address.
    assert_eq!(p("[1:0]: mode bits"), "\\[1:0\\]: mode bits");
    assert_eq!(p("set <name> first"), "set \\<name> first");
    assert_eq!(
        p("see https://example.com/x."),
        "see <https://example.com/x>."
    );
    // Unbalanced brackets are escaped too.
    assert_eq!(p("a] b["), "a\\] b\\[");
    // Markdown the map author meant: intra-doc links, code spans, autolinks, comparisons.
    assert_eq!(p("see [`Dmacr`] and `a[0]`"), "see [`Dmacr`] and `a[0]`");
    assert_eq!(p("<https://example.com>"), "<https://example.com>");
    assert_eq!(p("n < 5 and n <= 7"), "n < 5 and n <= 7");
    // A link whose brackets are escaped leaves its URL bare: wrapped too.
    assert_eq!(
        p("[x](https://example.com)"),
        "\\[x\\](<https://example.com>)"
    );
    // An autolink nothing closes, a tag inside a URL, a broken item link.
    assert_eq!(p("<https://a.com x"), "\\<<https://a.com> x");
    assert_eq!(p("https://a.com/<b>"), "<https://a.com/>\\<b>");
    assert_eq!(p("[`x]"), "\\[`x\\]");
    // An autolink that starts first takes a backtick, as in markdown.
    assert_eq!(p("<https://a.com/`> [x] `"), "<https://a.com/`> \\[x\\] `");
    // A backtick nothing closes is a plain backtick to markdown: what follows
    // is text, and escaped as text.
    assert_eq!(p("`open [x] <tag>"), "`open \\[x\\] \\<tag>");
    assert_eq!(p("``a` [x]"), "``a` \\[x\\]");
    // A code span may cross a line break of its paragraph.
    assert_eq!(p("a `b\n[c]` [d]"), "a `b [c]` \\[d\\]");
    // No line starts a block (a code block is a doctest of the user's crate;
    // a list or quote may hold one, and would end a code span's paragraph):
    // fences, quotes, list items, headings, tables, HTML blocks, footnotes.
    assert_eq!(p("```rust\nfn x\n```"), "\\`\\`\\`rust\nfn x\n\\`\\`\\`");
    assert_eq!(p("> ~~~~"), "\\> ~~~~");
    assert_eq!(p("- -     not rust"), "\\- -     not rust");
    assert_eq!(p("1. x\n12) y\n+ z\n* w"), "1\\. x\n12\\) y\n\\+ z\n\\* w");
    assert_eq!(p("# h\n===\n|---|\n:--"), "\\# h\n\\===\n\\|---|\n\\:--");
    assert_eq!(
        p("<div>\n<!-- x\n[^1]: y"),
        "\\<div>\n\\<!-- x\n\\[^1\\]: y"
    );
    assert_eq!(p("<https://a.com> z"), "<https://a.com> z");
    // A code span goes on one line (markdown shows its line breaks as
    // spaces): none of its lines starts a block, and its backticks pair as
    // written.
    assert_eq!(p("`a\n```\nb`"), "`a ``` b`");
    assert_eq!(p("`[x]\n- y`"), "`[x] - y`");
    assert_eq!(p("x ```[Foo] <b>\n```"), "x ```[Foo] <b> ```");
    // A kept item link is not the text of an inline link or a definition.
    assert_eq!(p("see [`Foo`](Bar)"), "see [`Foo`]\\(Bar)");
    assert_eq!(p("[`Foo`]: reserved"), "[`Foo`]\\: reserved");
    // Mid-line markers are text; the author's escapes are kept.
    assert_eq!(p("a > b - c ``` d"), "a > b - c ``` d");
    assert_eq!(p("\\[x\\] \\`"), "\\[x\\] \\`");
}

#[test]
fn description_lines_keep_less_indentation_than_a_code_block_and_blank_lines_end_paragraphs() {
    use super::util::doc_line_texts;
    assert_eq!(
        doc_line_texts(&["Modes:\n\n    0 = off\n\t1 = on `x\n\ny` [z]\n  two\n-     item"]),
        [
            " Modes:",
            "",
            "    0 = off",
            "    1 = on `x",
            "",
            " y` \\[z\\]",
            "   two",
            " \\-     item"
        ]
    );
}

#[test]
fn split_64_bit_values_get_one_accessor_pair() {
    let rw = |name: &str, offset| Item::Register(register(name, offset, Access::ReadWrite, vec![]));
    let b = block(vec![
        rw("ADDR_LO", 0x10),
        rw("ADDR_HI", 0x14),
        Item::Register(register("len_1", 0x18, Access::WriteOnly, vec![])),
        Item::Register(register("len_2", 0x1c, Access::WriteOnly, vec![])),
    ]);
    let out = text(&b, &EmitOptions::default());
    assert!(out.contains("pub fn addr(&self) -> u64"), "{out}");
    assert!(out.contains("pub fn set_addr(&self, value: u64)"), "{out}");
    // Write-only halves: a setter, no getter.
    assert!(out.contains("pub fn set_len(&self, value: u64)"), "{out}");
    assert!(!out.contains("pub fn len(&self)"), "{out}");

    // Not adjacent, a field that is not the whole word, or a name taken:
    // no accessor.
    let apart = block(vec![rw("A_LO", 0x0), rw("A_HI", 0x8)]);
    assert!(!text(&apart, &EmitOptions::default()).contains("pub fn a(&self) -> u64"));
    let partial = block(vec![
        Item::Register(register(
            "B_LO",
            0x0,
            Access::ReadWrite,
            vec![field("low", 15, 0, Access::ReadWrite)],
        )),
        rw("B_HI", 0x4),
    ]);
    assert!(!text(&partial, &EmitOptions::default()).contains("-> u64"));
    let taken = block(vec![rw("C_LO", 0x0), rw("C_HI", 0x4), rw("C", 0x8)]);
    assert!(!text(&taken, &EmitOptions::default()).contains("-> u64"));
}

/// Items written as text are exactly what prettyplease prints for them (the
/// formatter prints every other item with prettyplease, one item at a time),
/// on the example maps, the test maps and every trimmed vendor file the
/// importers' tests use: real descriptions, long names, enums, arrays.
#[test]
fn text_items_are_what_prettyplease_prints() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut designs = Vec::new();
    for map in [
        "tests/maps/kitchen_sink.yaml",
        "../examples/axi-timer/axi_timer.yaml",
        "../examples/axi-gpio/axi_gpio.yaml",
        "../examples/axi-intc/axi_intc.yaml",
        "../regmap-runtime/maps/axi_dma.yaml",
    ] {
        let text = std::fs::read_to_string(root.join(map)).unwrap();
        designs.push((map.to_owned(), crate::load_yaml_str(&text, map).unwrap()));
    }
    let vendor = root.join("tests/import/svd");
    let mut files: Vec<_> = std::fs::read_dir(&vendor)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "svd"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let import = crate::import::import_str(&text, &name, None).unwrap();
        designs.push((name, import.design.to_ir()));
    }
    let mut checked = 0;
    for (name, design) in &designs {
        let items = emit_design_items(design, &EmitOptions::default());
        let texts = text::take();
        let mut stack = vec![items];
        while let Some(stream) = stack.pop() {
            for item in pretty::split_items(stream) {
                if let Some(body) = pretty::module_body(&item) {
                    stack.push(body);
                } else if let Some(text) = text::text_of(&item, &texts) {
                    let file =
                        syn::parse_file(text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
                    let printed = prettyplease::unparse(&file);
                    if printed != text {
                        let line = printed
                            .lines()
                            .zip(text.lines())
                            .position(|(a, b)| a != b)
                            .unwrap_or(0);
                        panic!(
                            "{name}: a text item differs from prettyplease at its line {}:\n  written: {:?}\n  printed: {:?}\n{text}",
                            line + 1,
                            text.lines().nth(line).unwrap_or_default(),
                            printed.lines().nth(line).unwrap_or_default(),
                        );
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 400, "only {checked} text items checked");
}
