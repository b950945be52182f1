//! The checked model as JSON (feature `serde`): the same [`crate::ir::Design`] the
//! Rust, C and HTML outputs are made from, for test benches and scripts in
//! any language.
//!
//! The format is documented in `docs/outputs.md` and versioned: every
//! document carries `"format": "regmap"` and `"version":`
//! [`JSON_FORMAT_VERSION`]. A reader refuses another version rather than
//! misread it; the version changes whenever a key is renamed, removed or
//! changes meaning (new keys may be added within a version).
//!
//! ```
//! let design = regmap_codegen::load_yaml_str(
//!     "regmap: 1\nblock:\n  name: t\n  size: 4\n  registers:\n    - { name: CTRL, offset: 0 }\n",
//!     "t.yaml",
//! )
//! .unwrap();
//! let text = regmap_codegen::json::to_json(&design, None);
//! assert!(text.contains("\"version\": 1"));
//! // Read back, the model is the same (source locations aside).
//! let back = regmap_codegen::json::from_json(&text).unwrap();
//! assert_eq!(regmap_codegen::json::to_json(&back, None), text);
//! ```

use crate::ir::{Block, Design, Instance};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The version of the JSON format [`to_json`] writes and [`from_json`] reads.
pub const JSON_FORMAT_VERSION: u64 = 1;

/// The value of every document's `format` key.
pub const JSON_FORMAT_NAME: &str = "regmap";

/// A document as written: borrowed, so writing copies nothing.
#[derive(Serialize)]
struct Out<'a> {
    format: &'static str,
    version: u64,
    name: Option<&'a str>,
    blocks: &'a [Block],
    instances: &'a [Instance],
}

/// A document as read. Unknown keys at this level are refused, as in the
/// nodes below it, so a typo never passes silently.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct In {
    format: String,
    version: u64,
    #[serde(rename = "name")]
    _name: Option<String>,
    blocks: Vec<Block>,
    #[serde(default)]
    instances: Vec<Instance>,
}

/// The model of `design` as pretty-printed JSON, ending in a newline.
/// `name` is the design's name, when it has one (a design file's), else
/// `null`.
pub fn to_json(design: &Design, name: Option<&str>) -> String {
    let out = Out {
        format: JSON_FORMAT_NAME,
        version: JSON_FORMAT_VERSION,
        name,
        blocks: &design.blocks,
        instances: &design.instances,
    };
    // Serialising plain data into a string cannot fail: every map key is a
    // string and every number an integer.
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}

/// Why [`from_json`] refused a document.
#[derive(Debug)]
pub enum JsonError {
    /// Not JSON, or not the shape of the format (with serde's line and column).
    Syntax(serde_json::Error),
    /// A JSON document of some other format.
    NotRegmap(String),
    /// A version this library does not read.
    Version(u64),
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonError::Syntax(e) => write!(f, "not a regmap JSON document: {e}"),
            JsonError::NotRegmap(format) => write!(
                f,
                "the document's format is `{format}`, not `{JSON_FORMAT_NAME}`"
            ),
            JsonError::Version(v) => write!(
                f,
                "JSON format version {v} is not supported (this regmap reads version {JSON_FORMAT_VERSION})"
            ),
        }
    }
}

impl std::error::Error for JsonError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            JsonError::Syntax(e) => Some(e),
            _ => None,
        }
    }
}

/// Reads a document [`to_json`] wrote back into the model. Nodes get
/// [`crate::ir::Loc::NONE`]; run [`crate::check::check`] on the result before
/// trusting a document written by anything else.
///
/// # Errors
/// [`JsonError`] when the text is not a regmap document of this version.
pub fn from_json(text: &str) -> Result<Design, JsonError> {
    // The version is read first, so a document of a later version is
    // refused for its version rather than for a key this one lacks.
    #[derive(Deserialize)]
    struct Head {
        format: Option<String>,
        version: Option<u64>,
    }
    let head: Head = serde_json::from_str(text).map_err(JsonError::Syntax)?;
    match head.format.as_deref() {
        Some(JSON_FORMAT_NAME) => {}
        other => return Err(JsonError::NotRegmap(other.unwrap_or("(none)").to_owned())),
    }
    match head.version {
        Some(JSON_FORMAT_VERSION) | None => {}
        Some(v) => return Err(JsonError::Version(v)),
    }
    let doc: In = serde_json::from_str(text).map_err(JsonError::Syntax)?;
    debug_assert_eq!(doc.format, JSON_FORMAT_NAME);
    debug_assert_eq!(doc.version, JSON_FORMAT_VERSION);
    Ok(Design {
        blocks: doc.blocks,
        instances: doc.instances,
    })
}
