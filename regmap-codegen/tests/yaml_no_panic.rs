//! No input makes the YAML front end (parse + checks + rendering) panic:
//! arbitrary text, and real maps mutated by byte flips, truncation, line
//! shuffles and line duplication.

use proptest::prelude::*;
use regmap_codegen::check_yaml_str;

/// A real map exercising every part of the format.
const SEED: &str = include_str!("good/doc_example.yaml");
const SEED2: &str = include_str!("good/clusters.yaml");

/// Runs the whole front end and renders whatever it reports.
fn run(text: &str) {
    let (design, report) = check_yaml_str(text, "fuzz.yaml");
    let rendered = report.render(false);
    if report.has_errors() {
        assert!(!rendered.is_empty(), "errors render to nothing");
    }
    for d in report.diagnostics() {
        if d.is_error() && d.loc != regmap_codegen::ir::Loc::NONE {
            assert!(
                report.line_col(d).is_some(),
                "{} has a dangling loc",
                d.code
            );
        }
    }
    if !report.has_errors() {
        assert!(design.is_some(), "no errors but no design");
    }
}

fn seed() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just(SEED), Just(SEED2)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text(text in any::<String>()) {
        run(&text);
    }

    #[test]
    fn yaml_flavoured_text(text in "[a-z:{}\\[\\],\\- \n\"'#&*!|>0-9x_]{0,200}") {
        run(&text);
    }

    #[test]
    fn byte_flips(seed in seed(), flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = seed.as_bytes().to_vec();
        for (at, byte) in flips {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        run(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn truncations(seed in seed(), at in any::<prop::sample::Index>()) {
        let bytes = seed.as_bytes();
        let cut = at.index(bytes.len() + 1);
        run(&String::from_utf8_lossy(&bytes[..cut]));
    }

    #[test]
    fn line_shuffles(seed in seed(), swaps in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>()), 1..6)) {
        let mut lines: Vec<&str> = seed.lines().collect();
        for (a, b) in swaps {
            let (a, b) = (a.index(lines.len()), b.index(lines.len()));
            lines.swap(a, b);
        }
        run(&lines.join("\n"));
    }

    #[test]
    fn line_duplications_and_deletions(seed in seed(), edits in prop::collection::vec((any::<prop::sample::Index>(), any::<bool>()), 1..6)) {
        let mut lines: Vec<&str> = seed.lines().collect();
        for (at, duplicate) in edits {
            if lines.is_empty() {
                break;
            }
            let i = at.index(lines.len());
            if duplicate {
                lines.insert(i, lines[i]);
            } else {
                lines.remove(i);
            }
        }
        run(&lines.join("\n"));
    }

    #[test]
    fn number_edits(seed in seed(), at in any::<prop::sample::Index>(), value in prop_oneof![
        Just("0".to_owned()),
        Just("0xffff_ffff_ffff_ffff".to_owned()),
        Just("0x1_0000_0000_0000_0000".to_owned()),
        Just("63:0".to_owned()),
        Just("4294967295".to_owned()),
        Just("18446744073709551615".to_owned()),
        any::<u64>().prop_map(|v| format!("{v:#x}")),
    ]) {
        // Replace the value of one `key: value` line with an extreme number.
        let mut lines: Vec<String> = seed.lines().map(str::to_owned).collect();
        let candidates: Vec<usize> = lines.iter().enumerate()
            .filter(|(_, l)| l.contains(": ") && !l.trim_start().starts_with("- {"))
            .map(|(i, _)| i)
            .collect();
        let i = candidates[at.index(candidates.len())];
        let colon = lines[i].find(": ").unwrap();
        lines[i].truncate(colon + 2);
        lines[i].push_str(&value);
        run(&lines.join("\n"));
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = "[".repeat(100_000);
    let (_, report) = check_yaml_str(&deep, "deep.yaml");
    assert!(report.has_errors());
    let deep_map = (0..2_000)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect::<String>();
    let (_, report) = check_yaml_str(&deep_map, "deep.yaml");
    assert!(report.has_errors());
}

#[test]
fn huge_arrays_do_not_hang_the_overlap_check() {
    let text = "regmap: 1\nblock:\n  name: big\n  size: 0xffff_ffff_ffff_ffff\n  registers:\n    - { name: A, offset: 0, count: 0xffff_ffff_ffff, stride: 8 }\n    - { name: B, offset: 4, count: 0xffff_ffff_ffff, stride: 8 }\n    - name: c\n      offset: 0x8000_0000_0000\n      count: 0xffff_ffff_ffff\n      stride: 0x10\n      registers:\n        - { name: X, offset: 0 }\n";
    let (design, report) = check_yaml_str(text, "big.yaml");
    assert!(design.is_some());
    assert!(
        report
            .diagnostics()
            .iter()
            .any(|d| d.code == "overlap-check-limited"),
        "{report}"
    );
    assert!(!report.has_errors(), "{report}");
}
