//! `regmap-cli import` on a Vivado `.hwh` and an IP-XACT component, end to
//! end: the files it writes check clean, and a malformed file is an error at
//! its line and column.

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

const HWH: &str = "regmap-codegen/tests/import/xilinx/pynq_z2_base.hwh";
const HLS: &str = "regmap-codegen/tests/import/xilinx/multi_axim.component.xml";

#[test]
fn import_of_a_hwh_writes_maps_that_check_clean_and_a_design_file() {
    let dir = scratch("import_hwh");
    let out = run(&["import", HWH, "-o", dir.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("Vivado hardware handoff imported: 8 maps for 8 instances"),
        "{stdout}"
    );
    assert!(stdout.contains("(0 warnings"), "{stdout}");
    // Notes point into the vendor file.
    assert!(stderr.contains("note[dropped]: "), "{stderr}");
    assert!(stderr.contains(&format!("--> {HWH}:")), "{stderr}");
    let mut maps: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path().to_str().unwrap().to_owned())
        .filter(|p| !p.ends_with(".design.yaml"))
        .collect();
    maps.sort();
    assert_eq!(maps.len(), 8, "{maps:?}");
    let mut args = vec!["check"];
    args.extend(maps.iter().map(String::as_str));
    let check = run(&args);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    // The design file loads back: every instance's map, base and window.
    let design_path = dir.join("pynq_z2_base.design.yaml");
    let check = run(&["check", design_path.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    assert!(
        text(&check.stdout).contains("a design of 7 maps with 8 instances"),
        "{}",
        text(&check.stdout)
    );
    let design = std::fs::read_to_string(&design_path).unwrap();
    assert!(design.contains("    - name: btns_gpio\n      map: axi_gpio.yaml\n      base: 0x41210000\n      size: 0x10000\n"), "{design}");
}

#[test]
fn import_of_an_hls_component_writes_one_map() {
    let dir = scratch("import_hls");
    let out = run(&["import", HLS, "-o", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let map = std::fs::read_to_string(dir.join("multi_axim.yaml")).unwrap();
    assert!(map.contains("name: multi_axim"), "{map}");
    assert!(map.contains("access: w1t"), "{map}");
    let check = run(&["check", dir.join("multi_axim.yaml").to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
}

#[test]
fn import_of_a_malformed_hwh_fails_at_its_line_and_column() {
    let dir = scratch("import_bad_hwh");
    let bad = dir.join("bad.hwh");
    std::fs::write(
        &bad,
        "<EDKSYSTEM>\n  <MODULES>\n    <MODULE INSTANCE=\"x\">\n</EDKSYSTEM>\n",
    )
    .unwrap();
    let out = run(&[
        "import",
        bad.to_str().unwrap(),
        "-o",
        dir.join("out").to_str().unwrap(),
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error[xml-syntax]: malformed XML"),
        "{stderr}"
    );
    assert!(stderr.contains("bad.hwh:4:1"), "{stderr}");
}
