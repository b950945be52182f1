//! The built `regmap-cli` binary, end to end: output, exit codes, error text.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_regmap-cli"))
        .args(args)
        .current_dir(workspace())
        .env_remove("NO_COLOR")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// A fresh directory under the target's temporary directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const TIMER: &str = "examples/axi-timer/axi_timer.yaml";
const BAD: &str = "regmap-codegen/tests/bad/access_conflict.yaml";

#[test]
fn gen_prints_the_same_code_as_the_pinned_snapshot() {
    let out = run(&["gen", TIMER]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let pinned =
        std::fs::read_to_string(workspace().join("regmap-codegen/tests/snapshots/axi_timer.rs"))
            .unwrap();
    assert_eq!(text(&out.stdout), pinned);
    assert!(out.stderr.is_empty());
}

#[test]
fn gen_writes_the_output_file_only_when_it_changes() {
    let dir = scratch("gen_output");
    let target = dir.join("timer.rs");
    let target_arg = target.to_str().unwrap();
    let out = run(&["gen", TIMER, "-o", target_arg]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "with -o nothing goes to stdout");
    let written = std::fs::read_to_string(&target).unwrap();
    assert!(written.contains("pub mod axi_timer"));

    // Unchanged content: the file (and its mtime) is left alone.
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
    std::fs::File::options()
        .write(true)
        .open(&target)
        .unwrap()
        .set_modified(old)
        .unwrap();
    assert_eq!(
        run(&["gen", TIMER, "-o", target_arg]).status.code(),
        Some(0)
    );
    assert_eq!(std::fs::metadata(&target).unwrap().modified().unwrap(), old);

    // Changed content: rewritten.
    std::fs::write(&target, "stale").unwrap();
    assert_eq!(
        run(&["gen", TIMER, "-o", target_arg]).status.code(),
        Some(0)
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), written);
}

#[test]
fn gen_of_a_bad_map_prints_diagnostics_and_fails() {
    let out = run(&["gen", BAD]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "no code for a bad map");
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "error[access-conflict]: field `IRQ` is `w1c` but its register `STATUS` is `ro`"
        ),
        "{err}"
    );
    assert!(err.contains(&format!("--> {BAD}:11:41")), "{err}");
    assert!(err.contains("due to 3 errors"), "{err}");
    assert!(
        !err.contains('\u{1b}'),
        "no colour when stderr is not a terminal"
    );
}

#[test]
fn gen_of_a_missing_file_says_so() {
    let out = run(&["gen", "no/such/map.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("cannot read `no/such/map.yaml`"), "{err}");
}

#[test]
fn gen_reports_an_unwritable_output() {
    let dir = scratch("gen_unwritable");
    let target = dir.join("missing-dir").join("out.rs");
    let out = run(&["gen", TIMER, "-o", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("error: cannot write"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn check_accepts_every_example() {
    let out = run(&[
        "check",
        "examples/axi-timer/axi_timer.yaml",
        "examples/axi-gpio/axi_gpio.yaml",
        "examples/axi-intc/axi_intc.yaml",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(
        stdout.lines().filter(|l| l.ends_with(": ok")).count(),
        3,
        "{stdout}"
    );
}

#[test]
fn check_reports_all_errors_of_all_files_and_fails() {
    let out = run(&[
        "check",
        TIMER,
        BAD,
        "regmap-codegen/tests/bad/alias_and_tag.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("axi_timer.yaml: ok"));
    let err = text(&out.stderr);
    assert_eq!(err.matches("error[access-conflict]").count(), 3, "{err}");
    assert!(err.contains("error[yaml-unsupported]"), "{err}");
    assert!(
        err.contains(&format!("error: `{BAD}` has 3 errors")),
        "{err}"
    );
    assert!(err.contains("= help:"), "hints are printed: {err}");
}

#[test]
fn check_of_a_missing_file_fails() {
    let out = run(&["check", "nope.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot read `nope.yaml`"));
}

#[test]
fn usage_errors_exit_with_2() {
    assert_eq!(run(&[]).status.code(), Some(2));
    assert_eq!(run(&["check"]).status.code(), Some(2));
    assert_eq!(run(&["gen"]).status.code(), Some(2));
    let out = run(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unrecognized subcommand 'frobnicate'"));
}

#[test]
fn schema_prints_the_schema_file() {
    let out = run(&["schema"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    let file = std::fs::read_to_string(workspace().join("schemas/regmap.schema.json")).unwrap();
    assert_eq!(printed, file);
    assert!(printed.contains("\"$schema\": \"https://json-schema.org/draft/2020-12/schema\""));
}

#[test]
fn gen_shows_warnings_of_a_map_that_loads() {
    let dir = scratch("gen-warnings");
    let map = dir.join("big.yaml");
    // More array elements than the overlap check expands: a warning, not an error.
    std::fs::write(
        &map,
        "regmap: 1\nblock:\n  name: big\n  size: 0x400000\n  registers:\n    \
         - { name: SLOT, offset: 0x0, count: 300000, stride: 8 }\n",
    )
    .unwrap();
    let out_file = dir.join("big.rs");
    let out = run(&[
        "gen",
        map.to_str().unwrap(),
        "-o",
        out_file.to_str().unwrap(),
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning[overlap-check-limited]") && stderr.contains("big.yaml:6:41"),
        "{stderr}"
    );
    assert!(out_file.exists());
}

#[test]
fn a_map_that_is_not_utf8_text_says_so() {
    let dir = scratch("not-utf8");
    let map = dir.join("latin1.yaml");
    std::fs::write(&map, b"regmap: 1\nblock:\n  name: caf\xe9\n").unwrap();
    let out = run(&["check", map.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("not UTF-8 text"), "{stderr}");
}

#[test]
fn import_writes_maps_that_check_and_generate() {
    let dir = scratch("import-svd");
    let out_dir = dir.join("maps");
    let svd = "regmap-codegen/tests/import/svd/STMicro_STM32H7x3.svd";
    let out = run(&["import", svd, "-o", out_dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("CMSIS-SVD imported: 6 maps for 9 instances"),
        "{stdout}"
    );
    // Alternate registers are kept as views of the register they name.
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("register-dropped"), "{stderr}");
    let tim2 = std::fs::read_to_string(out_dir.join("tim2.yaml")).unwrap();
    assert!(
        tim2.contains("      offset: 0x18\n      alternate_of: CCMR1_Output\n"),
        "{tim2}"
    );
    let mut maps: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| !p.ends_with(".design.yaml"))
        .collect();
    maps.sort();
    assert_eq!(maps.len(), 6, "{maps:?}");
    let mut args = vec!["check"];
    args.extend(maps.iter().map(String::as_str));
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = run(&[
        "gen",
        maps.iter().find(|m| m.ends_with("gpioa.yaml")).unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("pub struct Gpioa"));
    let design = std::fs::read_to_string(out_dir.join("STMicro_STM32H7x3.design.yaml")).unwrap();
    assert!(
        design.contains("- name: GPIOK\n      map: gpioa.yaml\n"),
        "{design}"
    );
}

#[test]
fn import_of_a_malformed_file_fails_with_its_place() {
    let dir = scratch("import-bad");
    let svd = dir.join("bad.svd");
    std::fs::write(
        &svd,
        "<device>\n  <name>X</name>\n  <peripherals>\n</device>\n",
    )
    .unwrap();
    let out = run(&[
        "import",
        svd.to_str().unwrap(),
        "-o",
        dir.join("out").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[xml-syntax]"), "{stderr}");
    assert!(stderr.contains("bad.svd:4:"), "{stderr}");
    assert!(stderr.contains("could not import"), "{stderr}");
    assert!(!dir.join("out").exists(), "nothing written on failure");
}

/// Found by fuzzing: 65536 x 65536 empty cluster elements once hung `gen`
/// while `check` passed the map with a warning. Both now answer at once with
/// the located error, and a valid map of the same shape generates.
#[test]
fn huge_empty_cluster_arrays_are_answered_by_check_and_gen() {
    const FUZZ: &str = "regmap-codegen/tests/bad/empty_cluster_array_past_end.yaml";
    for cmd in ["check", "gen"] {
        let out = run(&[cmd, FUZZ]);
        assert_eq!(out.status.code(), Some(1), "{cmd}");
        let err = text(&out.stderr);
        assert!(err.contains("error[cluster-past-end]"), "{cmd}: {err}");
        assert!(
            err.contains("empty_cluster_array_past_end.yaml:4:67"),
            "{cmd}: {err}"
        );
    }
    let dir = scratch("huge_empty_clusters");
    let map = dir.join("fits.yaml");
    std::fs::write(
        &map,
        "regmap: 1\nblock: {name: b, size: 0x100000000, registers: [{name: o, offset: 0, count: 65535, stride: 65536, registers: [{name: i, offset: 0, count: 65536, stride: 1, registers: []}]}]}\n",
    )
    .unwrap();
    let out = run(&["gen", map.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("registers: &[]"));
}
