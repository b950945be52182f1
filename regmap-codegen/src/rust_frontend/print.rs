//! A block written back in `#[register_block]` syntax: the inverse of the
//! lowering, for moving a YAML map next to its driver and for round-trip tests.

use crate::ir::{Access, Block, Enum, EnumRef, Item, Width};
use std::fmt::Write;

/// `block` as a `#[register_block]` module named after the block.
///
/// Lowering the result gives back `block` (locations aside), so the emitter
/// produces the same code from either.
pub fn to_rust(block: &Block) -> String {
    let mut out = String::new();
    docs(&mut out, block.description.as_deref(), "");
    let mut args = vec![format!("size = {}", number(block.size.value))];
    if let Some(id) = &block.id {
        let mut s = format!(
            "id(register = {}, value = {}",
            ident(&id.register.value),
            number(id.value.value)
        );
        if let Some(mask) = &id.mask {
            let _ = write!(s, ", mask = {}", number(mask.value));
        }
        args.push(s + ")");
    }
    let _ = writeln!(
        out,
        "#[register_block({})]\npub mod {} {{",
        args.join(", "),
        ident(&block.name.value)
    );
    for e in &block.enums {
        enumeration(&mut out, e, false, "    ");
        out.push('\n');
    }
    items(&mut out, &block.items, "    ");
    out.push_str("}\n");
    out
}

fn items(out: &mut String, list: &[Item], ind: &str) {
    for (n, item) in list.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        match item {
            Item::Register(r) => {
                for f in &r.fields {
                    if let Some(EnumRef::Inline(e)) = &f.enumeration {
                        enumeration(out, e, true, ind);
                        out.push('\n');
                    }
                }
                docs(out, r.description.as_deref(), ind);
                let mut args = vec![format!("offset = {:#04x}", r.offset.value)];
                if r.width.value != Width::W32 {
                    args.push(format!("width = {}", r.width.value.bits()));
                }
                if r.access.value != Access::ReadWrite {
                    args.push(format!("access = {}", r.access.value.short_name()));
                }
                if r.reset.value != 0 {
                    args.push(format!("reset = {}", number(r.reset.value)));
                }
                if let Some(a) = &r.array {
                    args.push(format!("count = {}", a.count.value));
                    args.push(format!("stride = {}", number(a.stride.value)));
                }
                if let Some(alt) = &r.alternate_of {
                    args.push(format!("alternate_of = {}", ident(&alt.value)));
                }
                let _ = writeln!(out, "{ind}#[register({})]", args.join(", "));
                let name = ident(&r.name.value);
                if r.fields.is_empty() {
                    let _ = writeln!(out, "{ind}struct {name};");
                    continue;
                }
                let _ = writeln!(out, "{ind}struct {name} {{");
                let inner = format!("{ind}    ");
                for f in &r.fields {
                    docs(out, f.description.as_deref(), &inner);
                    let bits = if f.msb == f.lsb {
                        f.lsb.to_string()
                    } else {
                        format!("{}:{}", f.msb, f.lsb)
                    };
                    let access = if f.access.value == r.access.value {
                        String::new()
                    } else {
                        format!(", access = {}", f.access.value.short_name())
                    };
                    let ty = match &f.enumeration {
                        Some(EnumRef::Named(n)) => ident(&n.value),
                        Some(EnumRef::Inline(e)) => ident(&e.name.value),
                        None if f.width() == 1 => "bool".into(),
                        None => format!("u{}", f.width()),
                    };
                    let _ = writeln!(
                        out,
                        "{inner}#[bits({bits}{access})]\n{inner}{}: {ty},",
                        ident(&f.name.value)
                    );
                }
                let _ = writeln!(out, "{ind}}}");
            }
            Item::Cluster(c) => {
                docs(out, c.description.as_deref(), ind);
                let mut args = vec![format!("offset = {:#04x}", c.offset.value)];
                if let Some(a) = &c.array {
                    args.push(format!("count = {}", a.count.value));
                    args.push(format!("stride = {}", number(a.stride.value)));
                }
                let _ = writeln!(
                    out,
                    "{ind}#[cluster({})]\n{ind}mod {} {{",
                    args.join(", "),
                    ident(&c.name.value)
                );
                items(out, &c.items, &format!("{ind}    "));
                let _ = writeln!(out, "{ind}}}");
            }
        }
    }
}

fn enumeration(out: &mut String, e: &Enum, local: bool, ind: &str) {
    docs(out, e.description.as_deref(), ind);
    if local {
        let _ = writeln!(out, "{ind}#[local]");
    }
    let _ = writeln!(out, "{ind}enum {} {{", ident(&e.name.value));
    for v in &e.variants {
        docs(out, v.description.as_deref(), &format!("{ind}    "));
        let _ = writeln!(
            out,
            "{ind}    {} = {},",
            ident(&v.name.value),
            number(v.value.value)
        );
    }
    let _ = writeln!(out, "{ind}}}");
}

fn docs(out: &mut String, text: Option<&str>, ind: &str) {
    // A lone carriage return breaks a line, as where the text is emitted:
    // kept in a line, the front end would trim it off a line's end.
    for line in text.into_iter().flat_map(crate::comment_text::lines) {
        if line.is_empty() {
            let _ = writeln!(out, "{ind}///");
        } else if line
            .chars()
            .any(|c| c.is_control() || crate::comment_text::is_direction_control(c))
        {
            // A control character, or one changing the direction of text,
            // may not stand in a `///` comment (or should not); the attribute
            // form says the same with it escaped.
            let _ = writeln!(out, "{ind}#[doc = {:?}]", format!(" {line}"));
        } else {
            let _ = writeln!(out, "{ind}/// {line}");
        }
    }
}

/// A name as a Rust identifier: raw when it is a keyword (which the checks
/// then report, as they do for YAML).
fn ident(name: &str) -> String {
    let raw = format!("r#{name}");
    if syn::parse_str::<syn::Ident>(name).is_err() && syn::parse_str::<syn::Ident>(&raw).is_ok() {
        raw
    } else {
        name.to_owned()
    }
}

/// Small numbers in decimal, others in hex grouped by four digits, as
/// datasheets print them.
fn number(v: u64) -> String {
    if v < 10 {
        return v.to_string();
    }
    let hex = format!("{v:x}");
    let mut grouped = String::new();
    for (i, c) in hex.chars().enumerate() {
        if i > 0 && (hex.len() - i) % 4 == 0 {
            grouped.push('_');
        }
        grouped.push(c);
    }
    format!("0x{grouped}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_in_datasheets() {
        assert_eq!(number(4), "4");
        assert_eq!(number(0x20), "0x20");
        assert_eq!(number(0xffff_0000), "0xffff_0000");
        assert_eq!(number(0x1_0000), "0x1_0000");
    }

    #[test]
    fn keywords_become_raw_identifiers() {
        assert_eq!(ident("type"), "r#type");
        assert_eq!(ident("CTRL"), "CTRL");
    }
}
