//! The same blocks written in YAML (the examples, and the codegen tests'
//! maps with clusters, local enums and every access kind) and with
//! `#[register_block]` (`tests/blocks/*.rs`) lower to IRs from which the
//! emitter produces identical code. The Rust versions are also compiled for
//! real below, through the macro, and driven on a bus.
//!
//! After changing a map, `REGMAP_BLESS=1 cargo test -p regmap-macros --test
//! equivalence` rewrites its Rust version with `rust_frontend::to_rust`.

use regmap_codegen::emit::{EmitOptions, emit_block};
use regmap_codegen::{check, load_yaml_file, rust_frontend};
use std::path::{Path, PathBuf};

mod compiled {
    #![allow(dead_code)]
    use regmap_runtime::register_block;
    include!("blocks/axi_timer.rs");
    include!("blocks/axi_gpio.rs");
    include!("blocks/axi_intc.rs");
    include!("blocks/edu.rs");
    include!("blocks/clusters.rs");
    include!("blocks/kitchen_sink.rs");
    include!("blocks/alternates.rs");

    /// The YAML format's own example, also named `axi_timer`.
    pub mod doc {
        use regmap_runtime::register_block;
        include!("blocks/doc_example.rs");
    }
}

const PAIRS: &[(&str, &str)] = &[
    (
        "examples/axi-timer/axi_timer.yaml",
        "tests/blocks/axi_timer.rs",
    ),
    (
        "examples/axi-gpio/axi_gpio.yaml",
        "tests/blocks/axi_gpio.rs",
    ),
    (
        "examples/axi-intc/axi_intc.yaml",
        "tests/blocks/axi_intc.rs",
    ),
    ("examples/edu/edu.yaml", "tests/blocks/edu.rs"),
    (
        "regmap-codegen/tests/good/doc_example.yaml",
        "tests/blocks/doc_example.rs",
    ),
    (
        "regmap-codegen/tests/good/clusters.yaml",
        "tests/blocks/clusters.rs",
    ),
    (
        "regmap-codegen/tests/maps/kitchen_sink.yaml",
        "tests/blocks/kitchen_sink.rs",
    ),
    (
        "regmap-codegen/tests/good/alternates.yaml",
        "tests/blocks/alternates.rs",
    ),
];

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn workspace_file(relative: &str) -> PathBuf {
    manifest_dir()
        .parent()
        .expect("crate in a workspace")
        .join(relative)
}

/// What the emitter makes of the YAML map.
fn from_yaml(relative: &str) -> proc_macro2::TokenStream {
    let design = load_yaml_file(&workspace_file(relative)).unwrap_or_else(|r| panic!("{r}"));
    emit_block(&design.blocks[0], &EmitOptions::default())
}

/// What the emitter makes of the `#[register_block]` module in `relative`,
/// lowered as the macro lowers it.
fn from_rust(relative: &str) -> proc_macro2::TokenStream {
    let text = std::fs::read_to_string(manifest_dir().join(relative)).unwrap();
    let parsed = rust_frontend::parse_str(&text).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let errors = check::check(&parsed.design);
    assert!(
        errors.iter().all(|d| !d.is_error()),
        "{relative}: {errors:?}"
    );
    emit_block(&parsed.design.blocks[0], &EmitOptions::default())
}

fn pretty(tokens: proc_macro2::TokenStream) -> String {
    prettyplease::unparse(&syn::parse2(tokens).expect("emitted code parses"))
}

#[test]
fn yaml_and_register_block_emit_identical_code_for_every_example() {
    for (yaml, rust) in PAIRS {
        if std::env::var_os("REGMAP_BLESS").is_some() {
            let design = load_yaml_file(&workspace_file(yaml)).unwrap_or_else(|r| panic!("{r}"));
            let text = rust_frontend::to_rust(&design.blocks[0]);
            std::fs::write(manifest_dir().join(rust), text).unwrap();
        }
        let a = from_yaml(yaml);
        let b = from_rust(rust);
        let (pa, pb) = (pretty(a.clone()), pretty(b.clone()));
        if pa != pb {
            let first = pa
                .lines()
                .zip(pb.lines())
                .position(|(x, y)| x != y)
                .unwrap_or(pa.lines().count().min(pb.lines().count()));
            panic!(
                "{yaml} and {rust} differ at line {}:\n  yaml:  {:?}\n  macro: {:?}",
                first + 1,
                pa.lines().nth(first),
                pb.lines().nth(first)
            );
        }
        assert_eq!(a.to_string(), b.to_string(), "identical token streams too");
    }
}

#[test]
fn a_difference_in_the_rust_block_is_detected() {
    // The comparison above is not vacuous: one changed reset value shows.
    let text = std::fs::read_to_string(manifest_dir().join(PAIRS[1].1)).unwrap();
    assert!(text.contains("reset = 0xffff_ffff"));
    let a = pretty(from_yaml(PAIRS[1].0));
    let changed = text.replacen("reset = 0xffff_ffff", "reset = 0xffff_fffe", 1);
    let parsed = rust_frontend::parse_str(&changed).unwrap();
    let b = pretty(emit_block(
        &parsed.design.blocks[0],
        &EmitOptions::default(),
    ));
    assert_ne!(a, b);
}

#[test]
fn the_macro_versions_drive_a_bus() {
    use regmap_runtime::{Bus, MemBus};

    // Doc comments written above the attribute reach the macro too.
    let desc = compiled::axi_timer::AxiTimer::<MemBus>::DESC;
    assert!(
        desc.description.starts_with("AXI Timer v2.0"),
        "{}",
        desc.description
    );
    assert_eq!(
        desc.register("TCSR0").unwrap().description,
        "Control/status register 0"
    );

    use compiled::axi_gpio::Gier;
    use compiled::axi_timer::{Mode, Tcsr0};
    let timer = compiled::axi_timer::AxiTimer::new(MemBus::new(0x20)).unwrap();
    timer
        .tcsr0()
        .write(|w| w.set(Tcsr0::MDT0, Mode::Capture).set(Tcsr0::ENT0, true));
    assert_eq!(timer.bus().read_u32(0x00).unwrap(), 0b1000_0001);

    let gpio = compiled::axi_gpio::AxiGpio::new(MemBus::new(0x200)).unwrap();
    gpio.gier().write(|w| w.set(Gier::GIE, true));
    assert_eq!(gpio.bus().read_u32(0x11c).unwrap(), 1 << 31);

    let intc = compiled::axi_intc::AxiIntc::new(MemBus::new(0x200)).unwrap();
    intc.ivar(31).unwrap().write(|w| w.set_bits(0x1234));
    assert_eq!(intc.bus().read_u32(0x17c).unwrap(), 0x1234);

    // Alternate views: one write, read back through the other view.
    use compiled::timer_modes::{Ccmr, CcmrInput};
    use regmap_runtime::arbitrary_int::{u3, u4};
    let modes = compiled::timer_modes::TimerModes::new(MemBus::new(0x40)).unwrap();
    modes.ccmr().write(|w| w.set(Ccmr::OCM, u3::new(0b110)));
    assert_eq!(
        modes.ccmr_input().read().get(CcmrInput::ICF),
        u4::new(0b0110)
    );
}
