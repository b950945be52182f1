//! The C header and the generated Rust agree on every field of every example.
//!
//! For each example map, this test writes the C header, and a C program that
//! sets a pattern value into every field of every register element through
//! the header (its `_set` helpers and `_write` accessors; raw writes at the
//! `_OFFSET` with `_SHIFT`/`_MASK` for registers C cannot write), then reads
//! every readable register back through `_read` and `_get`. The program is
//! built with `gcc -std=c11 -Wall -Wextra -Werror -pedantic` and run on a file
//! that this test then maps with `regmap_runtime::FileWindow`: the generated
//! Rust reads every field of every register instance (through the block's
//! `DESC` tables, and each block's first register through its typed accessor)
//! and must find the pattern.

use regmap_codegen::c_header::{self, HeaderOptions, fn_prefix, macro_prefix};
use regmap_codegen::ir::{self, Block, EnumRef, Register};
use regmap_runtime::desc::BlockDesc;
use regmap_runtime::{Bus, FileWindow, MappedWindow};
use regmap_runtime_tests::examples;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// FNV-1a: a pattern that differs from field to field and run to run of
/// nothing (no randomness in tests).
fn hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A field's pattern: an enum's value where the field is enumerated (so the
/// typed getters decode it), else a value of its width, never 0 when wider
/// than one bit.
fn pattern(block: &Block, element: &str, f: &ir::Field) -> u64 {
    let h = hash(&format!("{element}.{}", f.name.value));
    let variants = match &f.enumeration {
        Some(EnumRef::Inline(e)) => Some(&e.variants),
        Some(EnumRef::Named(n)) => block
            .enums
            .iter()
            .find(|e| e.name.value == n.value)
            .map(|e| &e.variants),
        None => None,
    };
    match variants {
        Some(v) if !v.is_empty() => v[(h % v.len() as u64) as usize].value.value,
        _ if f.width() == 1 => h & 1,
        _ => (h & ir::ones(f.width())) | 1,
    }
}

/// The fields of `r`, a register without fields being one field of its name.
fn fields(r: &Register) -> Vec<ir::Field> {
    if !r.fields.is_empty() {
        return r.fields.clone();
    }
    vec![ir::Field {
        name: r.name.clone(),
        description: None,
        lsb: 0,
        msb: r.width.value.bits() - 1,
        bits_loc: ir::Loc::NONE,
        access: r.access.clone(),
        enumeration: None,
        loc: ir::Loc::NONE,
    }]
}

/// Every element's expected field values, by (`DESC` register name, field name).
type Expected = HashMap<(String, String), u64>;

/// The C test program, and the values it writes.
fn program(block: &Block, header: &str) -> (String, Expected) {
    let name = block.name.value.as_str();
    let mut expected = Expected::new();
    let mut write = String::new();
    let mut check = String::new();
    for (element, indices, r) in c_header::register_elements(block) {
        let ty = format!("uint{}_t", r.width.value.bits());
        let mut path: Vec<&str> = vec![name];
        path.extend(element_path(&element));
        let m = macro_prefix(&path);
        let f = fn_prefix(&path);
        let args: String = indices.iter().map(|i| format!(", {i}u")).collect();
        let macro_args = if indices.is_empty() {
            String::new()
        } else {
            format!(
                "({})",
                indices
                    .iter()
                    .map(|i| format!("{i}u"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        // The id register holds what binding the block expects.
        let id = block
            .id
            .as_ref()
            .filter(|id| id.register.value == r.name.value && indices.is_empty());
        let is_id = id.is_some();
        let mut value = 0u64;
        let _ = writeln!(write, "    {{\n        {ty} v = 0;");
        for field in fields(r) {
            let p = match id {
                Some(id) => (id.value.value >> field.lsb) & ir::ones(field.width()),
                None => pattern(block, &element, &field),
            };
            value |= p << field.lsb;
            expected.insert((element.clone(), field.name.value.clone()), p);
            let fm = format!("{m}_{}", field.name.value.to_ascii_uppercase());
            let ff = format!("{f}_{}", field.name.value.to_ascii_lowercase());
            if r.fields.is_empty() {
                let _ = writeln!(write, "        v = ({ty}){p:#x}ull;");
            } else if field.access.value.is_writable() && !is_id {
                let _ = writeln!(write, "        v = {ff}_set(v, ({ty}){p:#x}ull);");
            } else {
                let _ = writeln!(
                    write,
                    "        v |= ({ty})(({ty}){p:#x}ull << {fm}_SHIFT) & {fm}_MASK;"
                );
            }
            if !r.fields.is_empty() && field.access.value.is_readable() {
                let _ = writeln!(
                    check,
                    "    if ({ff}_get({f}_read(base{args})) != ({ty}){p:#x}ull) {{ fprintf(stderr, \"{element}.{}\\n\"); bad = 1; }}",
                    field.name.value
                );
            }
        }
        let writable = fields(r).iter().any(|f| f.access.value.is_writable());
        if writable && !is_id {
            let _ = writeln!(write, "        {f}_write(base{args}, v);\n    }}");
        } else {
            let _ = writeln!(
                write,
                "        *(volatile {ty} *)((volatile uint8_t *)base + {m}_OFFSET{macro_args}) = v;\n    }}"
            );
        }
        if r.fields.is_empty() && fields(r)[0].access.value.is_readable() {
            let _ = writeln!(
                check,
                "    if ({f}_read(base{args}) != ({ty}){value:#x}ull) {{ fprintf(stderr, \"{element}\\n\"); bad = 1; }}"
            );
        }
    }
    let size = block.size.value;
    let text = format!(
        "#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include \"{header}\"

int main(int argc, char **argv)
{{
    int fd, bad = 0;
    void *map;
    volatile void *base;
    if (argc != 2) {{ return 2; }}
    fd = open(argv[1], O_RDWR);
    if (fd < 0) {{ perror(\"open\"); return 2; }}
    map = mmap(NULL, {size:#x}u, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {{ perror(\"mmap\"); return 2; }}
    base = map;
{write}{check}    if (msync(map, {size:#x}u, MS_SYNC) != 0) {{ perror(\"msync\"); return 2; }}
    munmap(map, {size:#x}u);
    close(fd);
    return bad;
}}
"
    );
    (text, expected)
}

/// `channel[1].DMASR` -> `["channel", "DMASR"]`.
fn element_path(element: &str) -> Vec<&str> {
    element
        .split('.')
        .map(|part| part.split('[').next().unwrap_or(part))
        .collect()
}

fn gcc(args: &[&str], dir: &Path) {
    let out = Command::new("gcc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("gcc runs (install it: apt-get install gcc)");
    assert!(
        out.status.success(),
        "gcc {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Writes, builds and runs the C side for `map`; returns the window over
/// the file it wrote and the values it wrote.
fn c_side(map: &str, dir: &Path) -> (MappedWindow, Expected) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(map);
    let design = regmap_codegen::load_yaml_file(&path).unwrap_or_else(|r| panic!("{r}"));
    let block = &design.blocks[0];
    let name = block.name.value.clone();
    let header = c_header::header(
        &design,
        &HeaderOptions {
            source_name: format!("{name}.yaml"),
            design_name: None,
        },
    )
    .unwrap_or_else(|d| panic!("{d:?}"));
    std::fs::write(dir.join(format!("{name}.h")), header).unwrap();
    let (program, expected) = program(block, &format!("{name}.h"));
    std::fs::write(dir.join(format!("{name}_test.c")), program).unwrap();
    gcc(
        &["-o", &format!("{name}_test"), &format!("{name}_test.c")],
        dir,
    );
    let file = dir.join(format!("{name}.bin"));
    // A zeroed file of the block's size: the C side writes, Rust reads.
    drop(FileWindow::create(&file, block.size.value as usize).unwrap());
    let out = Command::new(dir.join(format!("{name}_test")))
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name}: the C program read back other values than it wrote:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let window = FileWindow::open(&file, block.size.value as usize).unwrap();
    (window, expected)
}

/// Reads every field of every register instance of `desc` from `bus`.
fn rust_side(bus: &MappedWindow, desc: &BlockDesc, expected: &Expected) {
    let mut seen = 0;
    for r in desc.registers {
        let value = match r.width {
            1 => u64::from(bus.read_u8(r.offset).unwrap()),
            2 => u64::from(bus.read_u16(r.offset).unwrap()),
            4 => u64::from(bus.read_u32(r.offset).unwrap()),
            _ => bus.read_u64(r.offset).unwrap(),
        };
        for f in r.fields {
            let want = expected
                .get(&(r.name.to_owned(), f.name.to_owned()))
                .unwrap_or_else(|| panic!("{}: no field {}.{} in C", desc.name, r.name, f.name));
            assert_eq!(
                f.extract(value),
                *want,
                "{}: {}.{} (C wrote {want:#x})",
                desc.name,
                r.name,
                f.name
            );
            seen += 1;
        }
    }
    assert_eq!(
        seen,
        expected.len(),
        "{}: every field C wrote was read",
        desc.name
    );
}

/// The whole value C wrote into element `name`.
fn register_value(desc: &BlockDesc, name: &str, expected: &Expected) -> u64 {
    let r = desc.register(name).unwrap();
    r.fields
        .iter()
        .map(|f| expected[&(name.to_owned(), f.name.to_owned())] << f.lsb)
        .fold(0, |a, b| a | b)
}

#[test]
fn c_and_rust_agree_on_every_field_of_every_example() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();

    let (w, e) = c_side("../../examples/axi-timer/axi_timer.yaml", dir);
    rust_side(&w, examples::axi_timer::DESC, &e);
    let t = examples::axi_timer::AxiTimer::new(w).unwrap();
    let want = register_value(examples::axi_timer::DESC, "TCSR0", &e);
    assert_eq!(u64::from(t.tcsr0().read().bits()), want);

    let (w, e) = c_side("../../examples/axi-gpio/axi_gpio.yaml", dir);
    rust_side(&w, examples::axi_gpio::DESC, &e);
    let g = examples::axi_gpio::AxiGpio::new(w).unwrap();
    let want = register_value(examples::axi_gpio::DESC, "GPIO_DATA", &e);
    assert_eq!(u64::from(g.gpio_data().read().bits()), want);

    let (w, e) = c_side("../../examples/axi-intc/axi_intc.yaml", dir);
    rust_side(&w, examples::axi_intc::DESC, &e);
    let i = examples::axi_intc::AxiIntc::new(w).unwrap();
    let want = register_value(examples::axi_intc::DESC, "IER", &e);
    assert_eq!(u64::from(i.ier().read().bits()), want);

    // Binding checks the id register: C wrote what the map expects there.
    let (w, e) = c_side("../../examples/edu/edu.yaml", dir);
    rust_side(&w, examples::edu::DESC, &e);
    let d = examples::edu::Edu::new(w).unwrap();
    let want = register_value(examples::edu::DESC, "FACTORIAL", &e);
    assert_eq!(u64::from(d.factorial().read().bits()), want);

    let (w, e) = c_side("../../regmap-runtime/maps/axi_dma.yaml", dir);
    rust_side(&w, examples::axi_dma::DESC, &e);
    let a = examples::axi_dma::AxiDma::new(w).unwrap();
    let want = register_value(examples::axi_dma::DESC, "channel[1].DMASR", &e);
    assert_eq!(u64::from(a.channel(1).unwrap().dmasr().read().bits()), want);
}

/// Descriptions with lone carriage returns, text direction controls, control
/// characters and `*/` give a header that builds with `-Werror` (GCC warns
/// about direction controls) and agrees with the Rust, which compiled; the
/// Rust's `DESC` keeps each description's first line as the map wrote it.
#[test]
fn descriptions_no_comment_may_hold_raw_still_give_code_that_builds() {
    use regmap_runtime_tests::hostile::hostile_text;
    let dir = tempfile::tempdir().unwrap();
    let (w, e) = c_side("maps/hostile_text.yaml", dir.path());
    rust_side(&w, hostile_text::DESC, &e);
    let header = std::fs::read_to_string(dir.path().join("hostile_text.h")).unwrap();
    assert!(
        !header.contains(['\r', '\u{202E}', '\u{2066}', '\0', '\u{1b}']),
        "{header}"
    );
    assert!(header.contains("Override \\u{202e}evil"), "{header}");
    assert_eq!(
        hostile_text::DESC.description,
        "Override \u{202E}evil\u{202C} and isolate \u{2066}x\u{2069} text???/"
    );
    let ctrl = hostile_text::DESC.register("CTRL").unwrap();
    assert_eq!(ctrl.description, "line");
    assert_eq!(
        hostile_text::DESC
            .register("chan[1].LEN")
            .unwrap()
            .description,
        "*/ #[doc = \"x\"] */"
    );
}
