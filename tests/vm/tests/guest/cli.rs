//! `regmap-cli` against the real device: registers by name through UIO and
//! through the PCI BAR, a factorial run by field writes, and `watch` seeing
//! the status change made by another process.

use regmap_vm_tests::{edu_pci, open_edu, quiesce};
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// The edu map the example crate is generated from, written where the CLI reads it.
fn edu_map() -> PathBuf {
    let path = std::env::temp_dir().join("edu.yaml");
    std::fs::write(&path, include_str!("../../../../examples/edu/edu.yaml")).unwrap();
    path
}

/// The CLI as `cargo xtask vm-test` packs it into the guest.
fn cli() -> Command {
    Command::new("/bin/regmap-cli")
}

/// `--uio uioN` for the edu device (both UIO devices are named
/// `uio_pci_generic`, so the number tells them apart).
fn uio_arg() -> String {
    format!("uio{}", open_edu().info().number)
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "regmap-cli failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn run(args: &[&str]) -> String {
    let map = edu_map();
    let uio = uio_arg();
    ok(cli()
        .arg(args[0])
        .arg(&map)
        .args(&args[1..])
        .args(["--uio", &uio])
        .output()
        .expect("/bin/regmap-cli runs"))
}

/// The register value of a `--json` reading (each line of `watch`'s output is one).
fn value(json: &str) -> u64 {
    let v: serde_json::Value = serde_json::from_str(json).expect("JSON output");
    v["value"].as_u64().expect("a value")
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn the_cli_reads_the_id_by_name_through_uio_and_the_bar() {
    let text = run(&["read", "IDENTIFICATION"]);
    assert!(
        text.starts_with("IDENTIFICATION @ 0x0000 = 0x010000ed"),
        "{text}"
    );
    assert!(text.contains("MAGIC") && text.contains("0xed"), "{text}");
    let map = edu_map();
    let pci = edu_pci();
    let out = cli()
        .arg("read")
        .arg(&map)
        .args([
            "IDENTIFICATION",
            "--json",
            "--pci",
            pci.address(),
            "--bar",
            "0",
        ])
        .output()
        .unwrap();
    assert_eq!(value(&ok(out)), 0x0100_00ed);
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn the_cli_writes_liveness_and_reads_the_inverse_back() {
    run(&["write", "LIVENESS", "0x12345678"]);
    assert_eq!(value(&run(&["read", "LIVENESS", "--json"])), 0xedcb_a987);
    let e = cli()
        .arg("write")
        .arg(edu_map())
        .args(["IDENTIFICATION", "1", "--uio", &uio_arg()])
        .output()
        .unwrap();
    assert_eq!(e.status.code(), Some(1), "a read-only register is refused");
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn a_factorial_by_field_writes_and_watch_sees_the_status_change() {
    let uio = open_edu();
    quiesce(&uio, &uio.map(0).unwrap()).unwrap();
    drop(uio);
    run(&["modify", "STATUS", "IRQ_ON_FACTORIAL=0"]);
    let map = edu_map();
    let mut watch = cli()
        .arg("watch")
        .arg(&map)
        .args(["STATUS", "--json", "--interval", "5", "--count", "100"])
        // Through the BAR: a UIO device is held by one process at a time, and
        // the writes below go through UIO.
        .args(["--pci", edu_pci().address(), "--bar", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // The first line is the first sample: the watcher runs before the change.
    let mut out = BufReader::new(watch.stdout.take().unwrap());
    let mut lines = String::new();
    out.read_line(&mut lines).unwrap();
    run(&["modify", "STATUS", "IRQ_ON_FACTORIAL=1"]);
    run(&["write", "FACTORIAL", "FACTORIAL=5"]);
    let mut done = false;
    for _ in 0..100 {
        if run(&["read", "STATUS.COMPUTING"]).trim() == "STATUS.COMPUTING = 0x0" {
            done = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(done, "the factorial finished");
    assert_eq!(value(&run(&["read", "FACTORIAL", "--json"])), 120);
    out.read_to_string(&mut lines).unwrap();
    assert!(watch.wait().unwrap().success());
    let values: Vec<u64> = lines.lines().map(value).collect();
    assert_eq!(values.first(), Some(&0), "{lines}");
    assert!(
        values.contains(&0x80),
        "watch saw IRQ_ON_FACTORIAL set: {lines}"
    );
    // Leave the device quiet: the factorial raised interrupt 0x1.
    run(&["modify", "STATUS", "IRQ_ON_FACTORIAL=0"]);
    run(&["write", "INTERRUPT_ACK", "0xffffffff"]);
}
