//! The YAML writer: imported blocks as regmap YAML (format version 1) and
//! the design file that places their instances.
//!
//! Written for review: keys in the documented order, defaults left out
//! (`width: 32`, `access: rw`, `reset: 0`), offsets and resets in hex,
//! descriptions on one line. Scalars are plain where YAML reads them back
//! as the same text and double-quoted otherwise, so the YAML front end reads
//! every file back into the same IR (tested).

use std::fmt::Write as _;
use std::path::PathBuf;

use super::{ImportedDesign, Instance};
use crate::ir::{Access, Array, Block, Enum, EnumRef, Field, Item, Register, Width};
use crate::names::fn_name;

/// The files [`super::write_yaml`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The design file.
    pub design_file: PathBuf,
    /// One YAML map per block, in the design's block order.
    pub block_files: Vec<PathBuf>,
}

/// The file name of `block`'s map: its `snake_case` name and `.yaml`.
pub(crate) fn block_file_name(block: &str) -> String {
    format!("{}.yaml", fn_name(block))
}

/// `block` as a regmap YAML file.
pub fn block_yaml(block: &Block) -> String {
    let mut out = String::from("regmap: 1\nblock:\n");
    let _ = writeln!(out, "  name: {}", scalar(&block.name.value));
    block_body(&mut out, block);
    out
}

/// Everything of `block`'s YAML but its name: equal for blocks that differ
/// only by name.
pub(crate) fn block_body_yaml(block: &Block) -> String {
    let mut out = String::new();
    block_body(&mut out, block);
    out
}

fn block_body(out: &mut String, block: &Block) {
    description(out, 2, block.description.as_deref());
    let _ = writeln!(out, "  size: {:#x}", block.size.value);
    if let Some(id) = &block.id {
        let _ = writeln!(out, "  id:\n    register: {}", scalar(&id.register.value));
        let _ = writeln!(out, "    value: {:#x}", id.value.value);
        if let Some(mask) = &id.mask {
            let _ = writeln!(out, "    mask: {:#x}", mask.value);
        }
    }
    if !block.enums.is_empty() {
        out.push_str("  enums:\n");
        for e in &block.enums {
            out.push_str("    - ");
            enumeration(out, 6, e);
        }
    }
    out.push_str("  registers:\n");
    items(out, 4, &block.items);
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn items(out: &mut String, indent: usize, items: &[Item]) {
    if items.is_empty() {
        // A block or cluster without registers still needs the key.
        pad(out, indent);
        out.push_str("[]\n");
    }
    for item in items {
        pad(out, indent);
        out.push_str("- ");
        match item {
            Item::Register(r) => register(out, indent + 2, r),
            Item::Cluster(c) => {
                let _ = writeln!(out, "name: {}", scalar(&c.name.value));
                description(out, indent + 2, c.description.as_deref());
                pad(out, indent + 2);
                let _ = writeln!(out, "offset: {:#x}", c.offset.value);
                array(out, indent + 2, c.array.as_ref(), None);
                pad(out, indent + 2);
                out.push_str("registers:\n");
                self::items(out, indent + 4, &c.items);
            }
        }
    }
}

fn register(out: &mut String, indent: usize, r: &Register) {
    let _ = writeln!(out, "name: {}", scalar(&r.name.value));
    description(out, indent, r.description.as_deref());
    pad(out, indent);
    let _ = writeln!(out, "offset: {:#x}", r.offset.value);
    if let Some(alt) = &r.alternate_of {
        pad(out, indent);
        let _ = writeln!(out, "alternate_of: {}", scalar(&alt.value));
    }
    if r.width.value != Width::W32 {
        pad(out, indent);
        let _ = writeln!(out, "width: {}", r.width.value.bits());
    }
    if r.access.value != Access::ReadWrite {
        pad(out, indent);
        let _ = writeln!(out, "access: {}", r.access.value.short_name());
    }
    if r.reset.value != 0 {
        pad(out, indent);
        let _ = writeln!(out, "reset: {:#x}", r.reset.value);
    }
    array(out, indent, r.array.as_ref(), Some(r.width.value));
    if !r.fields.is_empty() {
        pad(out, indent);
        out.push_str("fields:\n");
        for f in &r.fields {
            pad(out, indent + 2);
            out.push_str("- ");
            field(out, indent + 4, f, r.access.value);
        }
    }
}

fn array(out: &mut String, indent: usize, array: Option<&Array>, width: Option<Width>) {
    let Some(a) = array else { return };
    pad(out, indent);
    let _ = writeln!(out, "count: {}", a.count.value);
    if width.is_none_or(|w| w.bytes() != a.stride.value) {
        pad(out, indent);
        let _ = writeln!(out, "stride: {:#x}", a.stride.value);
    }
}

fn field(out: &mut String, indent: usize, f: &Field, register_access: Access) {
    let _ = writeln!(out, "name: {}", scalar(&f.name.value));
    pad(out, indent);
    if f.msb == f.lsb {
        let _ = writeln!(out, "bits: {}", f.lsb);
    } else {
        let _ = writeln!(out, "bits: \"{}:{}\"", f.msb, f.lsb);
    }
    if f.access.value != register_access {
        pad(out, indent);
        let _ = writeln!(out, "access: {}", f.access.value.short_name());
    }
    description(out, indent, f.description.as_deref());
    match &f.enumeration {
        None => {}
        Some(EnumRef::Named(name)) => {
            pad(out, indent);
            let _ = writeln!(out, "enum: {}", scalar(&name.value));
        }
        Some(EnumRef::Inline(e)) => {
            pad(out, indent);
            out.push_str("enum:\n");
            pad(out, indent + 2);
            enumeration(out, indent + 2, e);
        }
    }
}

/// An enum mapping whose first key is already indented (after `- ` or on
/// its own line at `indent`).
fn enumeration(out: &mut String, indent: usize, e: &Enum) {
    let _ = writeln!(out, "name: {}", scalar(&e.name.value));
    description(out, indent, e.description.as_deref());
    pad(out, indent);
    out.push_str("values:\n");
    if e.variants.is_empty() {
        pad(out, indent + 2);
        out.push_str("[]\n");
    }
    for v in &e.variants {
        pad(out, indent + 2);
        let _ = write!(
            out,
            "- {{ name: {}, value: {:#x}",
            scalar(&v.name.value),
            v.value.value
        );
        if let Some(d) = v
            .description
            .as_deref()
            .map(one_line)
            .filter(|d| !d.is_empty())
        {
            let _ = write!(out, ", description: {}", quoted(&d));
        }
        out.push_str(" }\n");
    }
}

fn description(out: &mut String, indent: usize, text: Option<&str>) {
    let Some(text) = text.map(one_line).filter(|t| !t.is_empty()) else {
        return;
    };
    pad(out, indent);
    let _ = writeln!(out, "description: {}", scalar(&text));
}

/// Runs of whitespace (vendor descriptions wrap lines) become one space.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` as a YAML scalar: plain when that reads back as the same string,
/// double-quoted otherwise.
pub(crate) fn scalar(text: &str) -> String {
    if is_plain_safe(text) {
        text.to_owned()
    } else {
        quoted(text)
    }
}

fn is_plain_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    first.is_ascii_alphanumeric()
        && text.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '.' | '(' | ')' | '/' | '+' | '-' | '=' | ';' | '%' | '$' | '<' | '>' | '^' | '~' | '@' | ',')
        })
        && !text.ends_with(' ')
        && !text.contains(" #")
        && !matches!(
            text,
            "null" | "Null" | "NULL" | "true" | "True" | "TRUE" | "false" | "False" | "FALSE"
        )
        // A plain scalar inside a flow mapping ends at `,`; keep it out of plain.
        && !text.contains(',')
}

/// `text` double-quoted with YAML escapes.
pub(crate) fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The design file: every instance with the map of its block.
pub fn design_yaml(design: &ImportedDesign) -> String {
    let mut out = String::from("regmap: 1\ndesign:\n");
    let _ = writeln!(out, "  name: {}", scalar(&design.name.value));
    description(&mut out, 2, design.description.as_deref());
    out.push_str("  instances:\n");
    if design.instances.is_empty() {
        out.push_str("    []\n");
    }
    for i in &design.instances {
        instance(&mut out, i);
    }
    out
}

fn instance(out: &mut String, i: &Instance) {
    let _ = writeln!(out, "    - name: {}", scalar(&i.name.value));
    let _ = writeln!(out, "      map: {}", scalar(&block_file_name(&i.block)));
    let _ = writeln!(out, "      base: {:#x}", i.base.value);
    if let Some(size) = i.size {
        let _ = writeln!(out, "      size: {size:#x}");
    }
    description(out, 6, i.description.as_deref());
    if !i.interrupts.is_empty() {
        out.push_str("      interrupts:\n");
        for irq in &i.interrupts {
            let mut entry = String::new();
            if let Some(name) = &irq.name {
                let _ = write!(entry, "name: {}, ", scalar(name));
            }
            let _ = write!(entry, "number: {}", irq.number);
            if let Some(controller) = &irq.controller {
                let _ = write!(entry, ", controller: {}", scalar(controller));
            }
            let _ = writeln!(out, "        - {{ {entry} }}");
        }
    }
    if !i.parameters.is_empty() {
        out.push_str("      parameters:\n");
        for p in &i.parameters {
            let _ = writeln!(
                out,
                "        - {{ name: {}, value: {} }}",
                scalar(&p.name),
                quoted(&p.value)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_only_where_yaml_reads_the_same_text() {
        assert_eq!(scalar("GPIOA"), "GPIOA");
        assert_eq!(scalar("Port mode (bits 1:0)"), "\"Port mode (bits 1:0)\"");
        assert_eq!(scalar("null"), "\"null\"");
        assert_eq!(scalar("a, b"), "\"a, b\"");
        assert_eq!(scalar("# x"), "\"# x\"");
        assert_eq!(scalar("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
        assert_eq!(scalar(""), "\"\"");
    }

    #[test]
    fn descriptions_fold_to_one_line() {
        assert_eq!(
            one_line("  GPIO port\n      mode\tregister "),
            "GPIO port mode register"
        );
    }
}
