//! `regmap-cli gen --lang c`, `gen --lang json` and `doc`, end to end, from
//! every front door: YAML maps, a design file, vendor files and a Rust file
//! with a `#[register_block]` module. The C header of each compiles with
//! `gcc -std=c11 -Wall -Wextra -Werror -pedantic`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_regmap-cli"))
        .args(args)
        .current_dir(workspace())
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every example map.
const EXAMPLES: &[&str] = &[
    "examples/axi-timer/axi_timer.yaml",
    "examples/axi-gpio/axi_gpio.yaml",
    "examples/axi-intc/axi_intc.yaml",
    "examples/edu/edu.yaml",
    "regmap-runtime/maps/axi_dma.yaml",
];

/// A block written as the macro front end reads it.
const RUST_BLOCK: &str = r#"
/// A small timer
#[register_block(size = 0x10)]
pub mod tiny {
    /// Control
    #[register(offset = 0x0, reset = 0x2)]
    struct CTRL {
        #[bits(0)]
        EN: bool,
        /// Pending; write 1 to clear
        #[bits(1, access = w1c)]
        IRQ: bool,
        #[bits(7:4)]
        DIV: u4,
    }
    #[register(offset = 0x4, access = ro)]
    struct COUNT;
}
"#;

/// Imports the PYNQ-Z2 base design into `dir`; returns its design file.
fn pynq_design(dir: &Path) -> PathBuf {
    let out = run(&[
        "import",
        "regmap-codegen/tests/import/xilinx/pynq_z2_base.hwh",
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    dir.join("pynq_z2_base.design.yaml")
}

/// Builds `header` with the flags C drivers use.
fn gcc(header: &Path) {
    let out = Command::new("gcc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic"])
        .args(["-fsyntax-only", "-x", "c"])
        .arg(header)
        .output()
        .expect("gcc runs (install it: apt-get install gcc)");
    assert!(
        out.status.success(),
        "{}:\n{}",
        header.display(),
        text(&out.stderr)
    );
}

#[test]
fn the_c_header_of_every_input_compiles_cleanly() {
    let dir = scratch("c-headers");
    let rust = dir.join("tiny.rs");
    std::fs::write(&rust, RUST_BLOCK).unwrap();
    let design = pynq_design(&dir.join("pynq"));
    let mut inputs: Vec<PathBuf> = EXAMPLES.iter().map(|m| workspace().join(m)).collect();
    inputs.push(design);
    inputs.push(workspace().join("regmap-codegen/tests/import/svd/STMicro_STM32H7x3.svd"));
    inputs.push(workspace().join("regmap-codegen/tests/import/xilinx/gaussian.component.xml"));
    inputs.push(workspace().join("regmap-codegen/tests/maps/kitchen_sink.yaml"));
    inputs.push(rust);
    for (k, input) in inputs.iter().enumerate() {
        let header = dir.join(format!("h{k}.h"));
        let out = run(&[
            "gen",
            "--lang",
            "c",
            input.to_str().unwrap(),
            "-o",
            header.to_str().unwrap(),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            input.display(),
            text(&out.stderr)
        );
        gcc(&header);
    }
    // The design's header places every instance.
    let h = std::fs::read_to_string(dir.join(format!("h{}.h", EXAMPLES.len()))).unwrap();
    assert!(
        h.contains("/* Instances of base: base addresses and window sizes. */"),
        "{h}"
    );
    assert!(h.contains("#define TRACE_ANALYZER_PI_AXI_DMA_0_BASE 0x80430000ull\n#define TRACE_ANALYZER_PI_AXI_DMA_0_WINDOW_SIZE 0x10000u"), "{h}");
    // The macro front end's block, with its access kinds.
    let h = std::fs::read_to_string(dir.join(format!("h{}.h", inputs.len() - 1))).unwrap();
    for line in [
        "#define TINY_CTRL_RESET 0x00000002u",
        "#define TINY_CTRL_ACTION_MASK 0x00000002u",
        "#define TINY_CTRL_DIV_MASK 0x000000F0u",
        "static inline uint32_t tiny_count_read(const volatile void *base)",
    ] {
        assert!(h.lines().any(|l| l == line), "missing `{line}`:\n{h}");
    }
    assert!(!h.contains("tiny_count_write"));
}

#[test]
fn names_that_meet_in_c_are_errors_at_their_lines() {
    let dir = scratch("c-collision");
    let map = dir.join("clash.yaml");
    std::fs::write(
        &map,
        "regmap: 1\nblock:\n  name: b\n  size: 0x10\n  registers:\n    - name: CTRL\n      offset: 0\n      fields:\n        - { name: MODE_X, bits: 0 }\n    - name: CTRL_MODE\n      offset: 4\n      fields:\n        - { name: X, bits: 0 }\n",
    )
    .unwrap();
    let header = dir.join("clash.h");
    let out = run(&[
        "gen",
        "--lang",
        "c",
        map.to_str().unwrap(),
        "-o",
        header.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("error[c-name-collision]: field `CTRL.MODE_X` and field `CTRL_MODE.X` both declare `B_CTRL_MODE_X_SHIFT` in C"), "{err}");
    assert!(err.contains("clash.yaml:13:19"), "{err}");
    assert!(err.contains("error: could not generate C from"), "{err}");
    assert!(!header.exists(), "nothing is written");
    // Rust keeps the two apart: the map itself is fine.
    assert_eq!(
        run(&["check", map.to_str().unwrap()]).status.code(),
        Some(0)
    );

    // In a design file, the error points into the map that has the problem.
    let design = dir.join("soc.design.yaml");
    std::fs::write(
        &design,
        "regmap: 1\ndesign:\n  name: soc\n  instances:\n    - { name: b0, map: clash.yaml, base: 0x1000 }\n",
    )
    .unwrap();
    let out = run(&["gen", "--lang", "c", design.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("clash.yaml:13:19"), "{err}");
}

#[test]
fn json_comes_from_every_front_door() {
    let dir = scratch("json");
    let rust = dir.join("tiny.rs");
    std::fs::write(&rust, RUST_BLOCK).unwrap();
    let design = pynq_design(&dir.join("pynq"));
    for (input, name, blocks) in [
        (workspace().join(EXAMPLES[0]), serde_json::Value::Null, 1),
        (rust, serde_json::Value::Null, 1),
        (design, "base".into(), 7),
    ] {
        let out = run(&["gen", "--lang", "json", input.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["format"], "regmap");
        assert_eq!(doc["version"], 1);
        assert_eq!(doc["name"], name);
        assert_eq!(doc["blocks"].as_array().unwrap().len(), blocks, "{input:?}");
    }
}

#[test]
fn doc_writes_a_page_per_block_and_an_index() {
    let dir = scratch("doc");
    let design = pynq_design(&dir.join("pynq"));
    let out_dir = dir.join("ref");
    let out = run(&[
        "doc",
        design.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("8 pages written to"),
        "{}",
        text(&out.stdout)
    );
    let index = std::fs::read_to_string(out_dir.join("index.html")).unwrap();
    assert!(index.contains("<h1>base</h1>"));
    assert!(
        index.contains("<td class=\"num\">0x80430000</td>"),
        "{index}"
    );
    for file in ["axi_dma.html", "regmap.css", "regmap.js", "search-index.js"] {
        assert!(out_dir.join(file).exists(), "{file}");
    }
    // A map that does not load writes nothing.
    let bad = dir.join("bad");
    let out = run(&[
        "doc",
        "regmap-codegen/tests/bad/overlapping_fields.yaml",
        "-o",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error[overlapping-fields]"));
    assert!(!bad.exists());
}
