//! YAML text to a small tree of nodes with byte spans.
//!
//! Built from `saphyr-parser` events rather than a generic YAML value type so
//! that every node keeps its position, scalars keep their raw text (`7:4`
//! stays a string, numbers are parsed by [`super::number`]), and duplicate
//! keys are caught here instead of silently overwritten.

use std::ops::Range;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle};

use crate::diag::Diagnostic;
use crate::source::SourceFile;

/// Deeper nesting than any register map needs; the limit keeps recursion
/// (lowering, dropping the tree) far from the stack's end on hostile input.
const MAX_DEPTH: usize = 64;

/// A YAML node.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub kind: Kind,
    /// Bytes the node covers (for a block mapping, from its first key).
    pub span: Range<usize>,
}

/// What a node holds.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    /// A scalar, always as written; `plain` is false for quoted and block scalars.
    Scalar { text: String, plain: bool },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping with scalar keys, in source order, without duplicates.
    Map(Vec<Entry>),
    /// Something already reported (an alias): consumers skip it silently.
    Bad,
}

/// One `key: value` pair.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub key: String,
    pub key_span: Range<usize>,
    pub value: Node,
}

impl Node {
    /// Whether this is YAML's null (`~`, `null`, or nothing at all).
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { text, plain: true }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// A short description of the node's kind for "expected X, found Y".
    pub fn describe(&self) -> String {
        match &self.kind {
            _ if self.is_null() => "an empty value".to_owned(),
            Kind::Scalar { text, .. } => format!("`{}`", shorten(text)),
            Kind::Seq(_) => "a list".to_owned(),
            Kind::Map(_) => "a mapping".to_owned(),
            Kind::Bad => "an alias".to_owned(),
        }
    }

    /// The span to point at when a mapping as a whole is meant: its first
    /// key (the line the reader sees), or the node itself.
    pub fn head_span(&self) -> Range<usize> {
        match &self.kind {
            Kind::Map(entries) if !entries.is_empty() => entries[0].key_span.clone(),
            _ => self.span.clone(),
        }
    }
}

fn shorten(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() > 40 || line.len() < text.len() {
        let head: String = line.chars().take(40).collect();
        format!("{head}...")
    } else {
        line.to_owned()
    }
}

/// Maps saphyr's character indices to byte offsets.
struct Offsets<'t> {
    text: &'t str,
    ascii: bool,
    /// Byte offset of every character, built only for non-ASCII text.
    table: Vec<usize>,
}

impl<'t> Offsets<'t> {
    fn new(text: &'t str) -> Self {
        let ascii = text.is_ascii();
        let table = if ascii {
            Vec::new()
        } else {
            text.char_indices().map(|(i, _)| i).collect()
        };
        Self { text, ascii, table }
    }

    fn byte(&self, marker: &Marker) -> usize {
        let index = marker.index();
        if self.ascii {
            index.min(self.text.len())
        } else {
            self.table.get(index).copied().unwrap_or(self.text.len())
        }
    }
}

/// A partly built collection on the parse stack.
enum Open {
    Seq {
        start: usize,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        entries: Vec<Entry>,
        /// A key read, waiting for its value (`None` if the key was rejected).
        pending_key: Option<Option<(String, Range<usize>)>>,
    },
}

/// Parses `file`'s text into one document's root node. Syntax errors end
/// parsing (the diagnostics say where); other problems are reported and the
/// offending part skipped.
pub(crate) fn parse(file: &mut SourceFile, diags: &mut Vec<Diagnostic>) -> Option<Node> {
    let text = file.text().to_owned();
    let offsets = Offsets::new(&text);
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0;

    for event in Parser::new_from_str(&text) {
        let (event, span) = match event {
            Ok(ok) => ok,
            Err(err) => {
                let at = offsets.byte(err.marker());
                diags.push(syntax_error(file, err.info(), at, &stack));
                return None;
            }
        };
        let range = offsets.byte(&span.start)..offsets.byte(&span.end);
        let node = match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {
                continue;
            }
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    let loc = file.loc(range.start..range.start + 3);
                    diags.push(
                        Diagnostic::error(
                            "yaml-unsupported",
                            loc,
                            "a regmap file holds exactly one YAML document",
                        )
                        .with_label("a second document starts here")
                        .with_hint("put each register block in a file of its own"),
                    );
                    return None;
                }
                continue;
            }
            Event::Alias(_) => {
                let loc = file.loc(range.clone());
                diags.push(
                    Diagnostic::error("yaml-unsupported", loc, "YAML aliases are not supported")
                        .with_label("alias")
                        .with_hint("write the value out in full"),
                );
                Node {
                    kind: Kind::Bad,
                    span: range,
                }
            }
            Event::Scalar(value, style, _anchor, tag) => {
                if tag.is_some() {
                    report_tag(file, diags, range.clone());
                }
                Node {
                    kind: Kind::Scalar {
                        text: value.into_owned(),
                        plain: style == ScalarStyle::Plain,
                    },
                    span: range,
                }
            }
            Event::SequenceStart(_, ref tag) | Event::MappingStart(_, ref tag) => {
                if tag.is_some() {
                    report_tag(file, diags, range.clone());
                }
                if stack.len() >= MAX_DEPTH {
                    let loc = file.loc(range.start..range.start + 1);
                    diags.push(
                        Diagnostic::error(
                            "yaml-unsupported",
                            loc,
                            format!("nesting deeper than {MAX_DEPTH} levels"),
                        )
                        .with_label("too deep")
                        .with_hint("a register map needs only a few levels of nesting"),
                    );
                    return None;
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Open::Seq {
                        start: range.start,
                        items: Vec::new(),
                    }
                } else {
                    Open::Map {
                        start: range.start,
                        entries: Vec::new(),
                        pending_key: None,
                    }
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Open::Seq { start, items }) => Node {
                    kind: Kind::Seq(items),
                    span: start..range.end.max(start),
                },
                Some(Open::Map { start, entries, .. }) => Node {
                    kind: Kind::Map(entries),
                    span: start..range.end.max(start),
                },
                None => continue,
            },
        };
        match stack.last_mut() {
            None => root = Some(node),
            Some(Open::Seq { items, .. }) => items.push(node),
            Some(Open::Map {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => *pending_key = Some(key_of(file, diags, entries, node)),
                Some(Some((key, key_span))) => entries.push(Entry {
                    key,
                    key_span,
                    value: node,
                }),
                Some(None) => {}
            },
        }
    }
    root
}

/// Accepts `node` as a key of a mapping holding `entries`, or reports why not.
fn key_of(
    file: &mut SourceFile,
    diags: &mut Vec<Diagnostic>,
    entries: &[Entry],
    node: Node,
) -> Option<(String, Range<usize>)> {
    let Kind::Scalar { text, .. } = node.kind else {
        let loc = file.loc(node.span.start..node.span.start + 1);
        diags.push(
            Diagnostic::error("yaml-unsupported", loc, "mapping keys must be plain words")
                .with_label("complex key")
                .with_hint("write keys such as `name:` or `offset:`"),
        );
        return None;
    };
    if let Some(first) = entries.iter().find(|e| e.key == text) {
        let loc = file.loc(node.span.clone());
        let first_loc = file.loc(first.key_span.clone());
        diags.push(
            Diagnostic::error("duplicate-key", loc, format!("duplicate key `{text}`"))
                .with_label("written again here")
                .with_related(first_loc, "first written here")
                .with_hint("remove one of them; YAML keeps only one value per key"),
        );
        return None;
    }
    Some((text, node.span))
}

fn report_tag(file: &mut SourceFile, diags: &mut Vec<Diagnostic>, range: Range<usize>) {
    let loc = file.loc(range);
    diags.push(
        Diagnostic::error("yaml-unsupported", loc, "YAML tags are not supported")
            .with_label("tagged value")
            .with_hint("remove the `!tag`; regmap reads every value by its key"),
    );
}

/// A syntax error in words for people who write maps by hand, pointing at
/// the last text before the parser gave up (not at the blank line or end of
/// file where it noticed), with the unclosed `{` or `[` if there is one.
fn syntax_error(file: &mut SourceFile, info: &str, at: usize, stack: &[Open]) -> Diagnostic {
    let text = file.text().to_owned();
    let at = at.min(text.len());
    let at = if text[at..].starts_with(|c: char| !c.is_whitespace()) {
        at
    } else {
        // Back to the last character of text, if the parser stopped in blanks.
        text[..at]
            .trim_end()
            .char_indices()
            .last()
            .map_or(at, |(i, _)| i)
    };
    let (message, label, hint) = if info.contains("simple key expect ':'") {
        (
            "expected `key: value`".to_owned(),
            "no `: ` after this",
            "a key needs a colon and a space after it: `offset: 0x10`",
        )
    } else if info.contains("mapping values are not allowed") {
        (
            "a `: ` inside a value".to_owned(),
            "YAML reads this as a second key",
            "quote the value when it contains `: `, as in `description: \"Mode: fast\"`",
        )
    } else if info.contains("tabs") {
        (
            "a tab in the indentation".to_owned(),
            "tab",
            "YAML indents with spaces only",
        )
    } else if info.contains("did not find expected key")
        || info.contains("did not find expected '-'")
    {
        (
            "inconsistent indentation".to_owned(),
            "not aligned with the lines above",
            "indent each key of a mapping (and each `- ` of a list) by the same number of spaces",
        )
    } else {
        (
            format!("invalid YAML: {info}"),
            "here",
            "check indentation, quoting and `:` placement around this point",
        )
    };
    // A tab error is noticed after the tab: point at the tab itself.
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let at = match text[line_start..at].rfind('\t') {
        Some(i) if info.contains("tabs") => line_start + i,
        _ => at,
    };
    let end = text[at..]
        .char_indices()
        .nth(1)
        .map_or(text.len(), |(i, _)| at + i);
    let loc = file.loc(at..end.max(at));
    // An unclosed `{` or `[` is noticed where the next item starts.
    let open = stack.last().map(|open| match open {
        Open::Seq { start, .. } | Open::Map { start, .. } => *start,
    });
    if let Some(start) =
        open.filter(|&o| info.contains("flow") && text[o..].starts_with(['{', '[']))
    {
        let (bracket, close) = if text[start..].starts_with('{') {
            ("{", "}")
        } else {
            ("[", "]")
        };
        let related = file.loc(start..start + 1);
        return Diagnostic::error("yaml-syntax", loc, format!("unclosed `{bracket}`"))
            .with_label(format!("expected `,` or `{close}` before this"))
            .with_related(related, format!("this `{bracket}` is not closed"))
            .with_hint(format!("close it with `{close}` where its items end"));
    }
    Diagnostic::error("yaml-syntax", loc, message)
        .with_label(label)
        .with_hint(hint)
}
