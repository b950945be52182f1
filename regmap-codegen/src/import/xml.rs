//! What the XML importers (`.hwh`, IP-XACT) share: parsing with positions,
//! vendor numbers, and vendor access kinds.
//!
//! XML is parsed by `roxmltree` with DTDs refused, so no entity can expand
//! (no "billion laughs"), and with a node limit, so a huge input fails with an
//! error instead of exhausting memory. Every node keeps its byte range, which
//! becomes a [`Loc`] in the [`SourceFile`] when the importer records it.

use crate::diag::Diagnostic;
use crate::ir::{Access, Loc};
use crate::source::SourceFile;

/// Most nodes one import may hold. The Pynq-Z2 base design, one of the
/// largest handoff files in common use, has about 400,000.
const NODES_LIMIT: u32 = 8_000_000;

/// Parses `text` (a copy of `file`'s text) as XML; on failure, pushes one
/// `xml-syntax` error at the line and column the parser stopped.
pub(crate) fn parse<'a>(
    text: &'a str,
    file: &mut SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> Option<roxmltree::Document<'a>> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: NODES_LIMIT,
    };
    match roxmltree::Document::parse_with_options(text, options) {
        Ok(doc) => Some(doc),
        Err(err) => {
            let pos = err.pos();
            let offset = match err {
                // The parser stops without a position: point at the DTD.
                roxmltree::Error::DtdDetected => text.find("<!DOCTYPE").unwrap_or(0),
                _ => offset_of(text, pos.row, pos.col),
            };
            let loc = file.loc(offset..offset);
            let hint = match err {
                roxmltree::Error::DtdDetected => {
                    "DTDs are refused so that no entity can expand: remove the `<!DOCTYPE ...>`"
                }
                roxmltree::Error::NodesLimitReached => "the file is too large to import",
                _ => "the file is not well-formed XML; fix it or export it again",
            };
            diags.push(
                Diagnostic::error("xml-syntax", loc, format!("malformed XML: {err}"))
                    .with_label("here")
                    .with_hint(hint),
            );
            None
        }
    }
}

/// Byte offset of 1-based `row` and character `col` in `text` (clamped).
fn offset_of(text: &str, row: u32, col: u32) -> usize {
    let mut start = 0;
    for _ in 1..row {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    text[start..line_end]
        .char_indices()
        .nth(col.saturating_sub(1) as usize)
        .map_or(line_end, |(i, _)| start + i)
}

/// A node's location (its start tag).
pub(crate) fn node_loc(file: &mut SourceFile, node: roxmltree::Node<'_, '_>) -> Loc {
    let range = node.range();
    let end = node
        .document()
        .input_text()
        .get(range.clone())
        .and_then(|s| s.find('>'))
        .map_or(range.end, |i| range.start + i + 1);
    file.loc(range.start..end)
}

/// An attribute value's location, or the element's when it has no such attribute.
pub(crate) fn attr_loc(file: &mut SourceFile, node: roxmltree::Node<'_, '_>, name: &str) -> Loc {
    match node.attribute_node(name) {
        Some(attr) => file.loc(attr.range_value()),
        None => node_loc(file, node),
    }
}

/// Parses an integer as vendors write them: decimal, `0x1F`, `#1F`,
/// Verilog-style `'h1F` / `32'hFFFF_0000` / `'d10` / `'b101` / `'o17`, with
/// `_` separators in the Verilog forms, and IP-XACT's `K`/`M`/`G`/`T` scale
/// suffixes on decimal numbers. `None` when it is none of these or does not
/// fit 64 bits.
pub(crate) fn parse_int(text: &str) -> Option<u64> {
    let s = text.trim();
    if let Some(tick) = s.find('\'') {
        let (width, rest) = s.split_at(tick);
        if !width.is_empty() && !width.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let rest = &rest[1..];
        let rest = rest.strip_prefix(['s', 'S']).unwrap_or(rest);
        let mut chars = rest.chars();
        let radix = match chars.next()?.to_ascii_lowercase() {
            'h' => 16,
            'd' => 10,
            'b' => 2,
            'o' => 8,
            _ => return None,
        };
        return digits(chars.as_str(), radix, true);
    }
    if let Some(hex) = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .or_else(|| s.strip_prefix('#'))
    {
        return digits(hex, 16, false);
    }
    let (number, scale) = match s.as_bytes().last()? {
        b'k' | b'K' => (&s[..s.len() - 1], 1u64 << 10),
        b'm' | b'M' => (&s[..s.len() - 1], 1 << 20),
        b'g' | b'G' => (&s[..s.len() - 1], 1 << 30),
        b't' | b'T' => (&s[..s.len() - 1], 1 << 40),
        _ => (s, 1),
    };
    digits(number, 10, false)?.checked_mul(scale)
}

fn digits(s: &str, radix: u32, underscores: bool) -> Option<u64> {
    let mut value: u64 = 0;
    let mut any = false;
    for c in s.chars() {
        if c == '_' && underscores && any {
            continue;
        }
        let d = c.to_digit(radix)?;
        value = value
            .checked_mul(u64::from(radix))?
            .checked_add(u64::from(d))?;
        any = true;
    }
    any.then_some(value)
}

/// A vendor access description lowered to one [`Access`], and what could
/// not be kept.
pub(crate) struct Lowered {
    /// The access kind.
    pub access: Access,
    /// Why something was dropped or changed, for a note.
    pub note: Option<String>,
}

/// Lowers IP-XACT's `access` + `modifiedWriteValue` + `readAction` (the
/// `.hwh` spells them `ACCESS`, `MODIFIED_READ_VALUES`, `READ_ACTION`).
/// `None` for an access word that is none of IP-XACT's.
pub(crate) fn lower_access(
    access: &str,
    modified_write: Option<&str>,
    read_action: Option<&str>,
) -> Option<Lowered> {
    let mut note = None;
    let base = match access.trim() {
        "read-write" | "" => Access::ReadWrite,
        "read-only" => Access::ReadOnly,
        "write-only" => Access::WriteOnly,
        "read-writeOnce" => {
            note = Some(
                "`read-writeOnce` imported as `rw`: the write-once rule is not modelled".into(),
            );
            Access::ReadWrite
        }
        "writeOnce" => {
            note = Some("`writeOnce` imported as `wo`: the write-once rule is not modelled".into());
            Access::WriteOnly
        }
        _ => return None,
    };
    let mut access = base;
    match modified_write.map(str::trim).unwrap_or("") {
        // `modify` says only "something else happens"; Vitis HLS writes it on
        // every writable bit, so it carries no information.
        "" | "modify" => {}
        mwv => {
            let action = match mwv {
                "oneToClear" => Some(Access::OneToClear),
                "oneToSet" => Some(Access::OneToSet),
                "oneToToggle" => Some(Access::OneToToggle),
                "zeroToClear" => Some(Access::ZeroToClear),
                "zeroToSet" => Some(Access::ZeroToSet),
                _ => None,
            };
            match action {
                // A write-only bit whose writes act elsewhere (AXI INTC's IAR
                // clears ISR bits) stays write-only: it has no value to read.
                Some(_) if base == Access::WriteOnly => {
                    note = Some(format!(
                        "write-only with `{mwv}`: imported as `wo` (the write acts on another register)"
                    ));
                }
                // A side effect on write makes the bit writable even where
                // `access` says read-only (HLS interrupt status bits).
                Some(action) => access = action,
                None => {
                    note = Some(format!(
                        "modified write value `{mwv}` has no regmap equivalent: imported as `{}`",
                        base.short_name()
                    ));
                }
            }
        }
    }
    match read_action.map(str::trim).unwrap_or("") {
        // As above: `modify` is written on every read-only HLS bit, including
        // plain ones such as ap_idle, so it says nothing usable.
        "" | "modify" => {}
        "clear" => access = Access::ReadToClear,
        "set" => access = Access::ReadToSet,
        other => {
            note = Some(format!(
                "read action `{other}` has no regmap equivalent: dropped"
            ));
        }
    }
    Some(Lowered { access, note })
}

/// Turns a vendor name into one the YAML format accepts: ASCII letters,
/// digits and `_`, starting with a letter. Runs of other characters become one
/// `_`. Returns `None` when the name was already valid.
pub(crate) fn sanitize(name: &str) -> Option<String> {
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        return None;
    }
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_').to_owned();
    Some(if out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out
    } else {
        format!("n_{out}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_every_vendor_spelling() {
        assert_eq!(parse_int("42"), Some(42));
        assert_eq!(parse_int(" 0x1F "), Some(0x1f));
        assert_eq!(parse_int("#1f"), Some(0x1f));
        assert_eq!(parse_int("'h1F"), Some(0x1f));
        assert_eq!(parse_int("32'hFFFF_0000"), Some(0xffff_0000));
        assert_eq!(parse_int("8'b1010_0101"), Some(0xa5));
        assert_eq!(parse_int("'d10"), Some(10));
        assert_eq!(parse_int("4K"), Some(4096));
        assert_eq!(parse_int("0x00000000000000010"), Some(0x10));
        assert_eq!(parse_int("'h_1"), None);
        assert_eq!(parse_int("x'h1"), None);
        assert_eq!(parse_int("0x1_0"), None);
        assert_eq!(parse_int("0x1_0000_0000_0000_0000"), None);
        assert_eq!(parse_int("'h1_0000_0000_0000_0000"), None);
        assert_eq!(parse_int(""), None);
        assert_eq!(parse_int("-1"), None);
    }

    #[test]
    fn side_effects_lower_to_access_kinds() {
        let l = |a, w, r| lower_access(a, w, r).map(|l| l.access);
        assert_eq!(
            l("read-write", Some("oneToClear"), None),
            Some(Access::OneToClear)
        );
        assert_eq!(
            l("read-only", Some("oneToToggle"), Some("modify")),
            Some(Access::OneToToggle)
        );
        assert_eq!(
            l("read-write", Some("oneToSet"), Some("")),
            Some(Access::OneToSet)
        );
        assert_eq!(
            l("read-only", None, Some("clear")),
            Some(Access::ReadToClear)
        );
        assert_eq!(
            l("write-only", Some("oneToClear"), None),
            Some(Access::WriteOnly)
        );
        assert_eq!(
            l("read-write", Some("modify"), None),
            Some(Access::ReadWrite)
        );
        assert_eq!(l("sideways", None, None), None);
        assert!(
            lower_access("read-write", Some("zeroToToggle"), None)
                .unwrap()
                .note
                .is_some()
        );
    }

    #[test]
    fn names_are_made_valid() {
        assert_eq!(sanitize("GPIO_DATA"), None);
        assert_eq!(
            sanitize("Channel-1 GPIO DATA").as_deref(),
            Some("Channel_1_GPIO_DATA")
        );
        assert_eq!(sanitize("IVAR[3]").as_deref(), Some("IVAR_3"));
        assert_eq!(sanitize("2x").as_deref(), Some("n_2x"));
        assert_eq!(sanitize("").as_deref(), Some("n_"));
    }

    #[test]
    fn a_dtd_is_refused_so_entities_cannot_expand() {
        let text = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]>\n<a>&lol2;</a>";
        let mut file = SourceFile::new("x.xml", text);
        let mut diags = Vec::new();
        assert!(parse(text, &mut file, &mut diags).is_none());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "xml-syntax");
        let span = file.span(diags[0].loc).unwrap();
        assert_eq!(span.line, 2, "{diags:?}");
    }

    #[test]
    fn syntax_errors_point_at_line_and_column() {
        let text = "<a>\n  <b x=\"1\">\n  </c>\n</a>";
        let mut file = SourceFile::new("x.xml", text);
        let mut diags = Vec::new();
        assert!(parse(text, &mut file, &mut diags).is_none());
        let span = file.span(diags[0].loc).unwrap();
        assert_eq!((span.line, span.column), (3, 3), "{diags:?}");
    }
}
