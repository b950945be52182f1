//! Rust names derived from register-map names.
//!
//! One place for the conversions, so the checks (which reject names that
//! collide after conversion, or that are Rust keywords) and the emitter (which
//! produces the names) always agree. Names as written may come from anywhere;
//! every function here returns a valid Rust identifier for any input.

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

/// Keywords of Rust 2024 (strict and reserved) that cannot be plain identifiers.
pub const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Whether `name` is a Rust keyword (strict or reserved).
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// Replaces every character that cannot appear in an identifier with `_`, so
/// the case conversions below see only ASCII letters, digits and `_`.
fn ascii_word(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Makes `converted` a usable identifier: never empty, never starting with a
/// digit, never a keyword (a trailing `_` is added, as rustfmt users expect).
fn usable(converted: String, fallback: &str) -> String {
    let mut s = if converted.is_empty() {
        fallback.to_owned()
    } else {
        converted
    };
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if is_keyword(&s) {
        s.push('_');
    }
    s
}

/// The `PascalCase` type name for `name` (`TCSR0` → `Tcsr0`, `axi_timer` → `AxiTimer`).
pub fn type_name(name: &str) -> String {
    usable(ascii_word(name).to_upper_camel_case(), "Unnamed")
}

/// The `snake_case` function or module name for `name` (`GPIO2_DATA` → `gpio2_data`).
pub fn fn_name(name: &str) -> String {
    usable(ascii_word(name).to_snake_case(), "unnamed")
}

/// The `SHOUTY_SNAKE_CASE` constant name for `name` (`PrescaleDiv` → `PRESCALE_DIV`).
pub fn const_name(name: &str) -> String {
    usable(ascii_word(name).to_shouty_snake_case(), "UNNAMED")
}

/// The closest of `candidates` to `word`, if close enough to be a typo
/// (Jaro-Winkler similarity of at least 0.8): the "did you mean" of every
/// front end and check.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datasheet_names_convert_as_expected() {
        assert_eq!(type_name("TCSR0"), "Tcsr0");
        assert_eq!(type_name("axi_timer"), "AxiTimer");
        assert_eq!(type_name("GPIO2_TRI"), "Gpio2Tri");
        assert_eq!(fn_name("GPIO2_DATA"), "gpio2_data");
        assert_eq!(fn_name("T0INT"), "t0int");
        assert_eq!(fn_name("IpIsr"), "ip_isr");
        assert_eq!(const_name("ENALL"), "ENALL");
        assert_eq!(const_name("PrescaleDiv"), "PRESCALE_DIV");
    }

    #[test]
    fn any_input_yields_a_valid_identifier() {
        for raw in [
            "", "9lives", "type", "self", "Self", "a-b c", "über", "__", "_1",
        ] {
            for name in [type_name(raw), fn_name(raw), const_name(raw)] {
                assert!(
                    syn::parse_str::<syn::Ident>(&name).is_ok(),
                    "{raw:?} became {name:?}, which is not an identifier"
                );
            }
        }
        assert_eq!(fn_name("type"), "type_");
        assert_eq!(fn_name("9lives"), "_9lives");
    }

    #[test]
    fn names_differing_only_in_case_collide() {
        assert_eq!(fn_name("Status"), fn_name("STATUS"));
        assert_eq!(type_name("tx_ctrl"), type_name("TxCtrl"));
    }
}
