//! `read`, `write`, `modify`, `dump`, `watch` and `list` end to end, over file
//! windows and a fake sysfs tree: output, `--json` (parsed), refusals, exit codes.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MAP: &str = r#"regmap: 1
block:
  name: dev
  size: 0x40
  registers:
    - name: CTRL
      offset: 0x0
      reset: 0x100
      fields:
        - { name: EN, bits: 0 }
        - name: MODE
          bits: "2:1"
          enum:
            name: Mode
            values:
              - { name: idle, value: 0 }
              - { name: run, value: 2 }
        - { name: DONE, bits: 4, access: w1c }
        - { name: KEEP, bits: "11:8" }
    - { name: ID, offset: 0x4, access: ro }
    - { name: FIFO, offset: 0x8, access: rc }
    - { name: KICK, offset: 0xc, access: wo }
    - { name: IVAR, offset: 0x10, count: 2, stride: 4 }
    - name: channel
      offset: 0x20
      count: 2
      stride: 0x10
      registers:
        - { name: LENGTH, offset: 0x0 }
        - { name: ADDR, offset: 0x8, width: 64 }
"#;

struct Fixture {
    _dir: tempfile::TempDir,
    map: PathBuf,
    regs: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let map = dir.path().join("dev.yaml");
        std::fs::write(&map, MAP).unwrap();
        let regs = dir.path().join("regs.bin");
        let mut bytes = vec![0u8; 0x40];
        bytes[0..4].copy_from_slice(&0x0000_0a13u32.to_ne_bytes()); // EN, MODE=1, DONE, KEEP=0xa
        bytes[4..8].copy_from_slice(&0x0100_00edu32.to_ne_bytes());
        bytes[8..12].copy_from_slice(&7u32.to_ne_bytes());
        bytes[0x14..0x18].copy_from_slice(&0x55u32.to_ne_bytes());
        bytes[0x38..0x40].copy_from_slice(&0x1122_3344_5566_7788u64.to_ne_bytes());
        std::fs::write(&regs, bytes).unwrap();
        Self {
            _dir: dir,
            map,
            regs,
        }
    }

    fn run(&self, cmd: &str, args: &[&str]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_regmap-cli"));
        c.arg(cmd)
            .arg(&self.map)
            .args(args)
            .arg("--file")
            .arg(&self.regs);
        c.output().expect("the binary runs")
    }

    fn word(&self, offset: usize) -> u32 {
        let b = std::fs::read(&self.regs).unwrap();
        u32::from_ne_bytes(b[offset..offset + 4].try_into().unwrap())
    }
}

fn ok(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn fails(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stderr.clone()).unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_str(&ok(out)).expect("valid JSON")
}

#[test]
fn read_decodes_fields_enums_and_pending_flags() {
    let f = Fixture::new();
    let text = ok(&f.run("read", &["CTRL"]));
    assert!(text.starts_with("CTRL @ 0x0000 = 0x00000a13"), "{text}");
    assert!(text.contains("MODE"), "{text}");
    let done = text.lines().find(|l| l.contains("DONE")).unwrap();
    assert!(done.contains("w1c") && done.ends_with("pending"), "{done}");

    let v = json(&f.run("read", &["ctrl", "--json"]));
    assert_eq!(v["register"], "CTRL");
    assert_eq!(v["value"], 0xa13);
    let mode = &v["fields"][1];
    assert_eq!(
        (mode["name"].as_str(), mode["value"].as_u64()),
        (Some("MODE"), Some(1))
    );
    assert!(mode["enum"].is_null(), "1 has no name in the enum");
    assert_eq!(v["fields"][2]["pending"], true);
}

#[test]
fn read_of_a_field_prints_that_field() {
    let f = Fixture::new();
    assert_eq!(ok(&f.run("read", &["CTRL.KEEP"])).trim(), "CTRL.KEEP = 0xa");
    let v = json(&f.run("read", &["CTRL.DONE", "--json"]));
    assert_eq!(v["field"]["value"], 1);
    assert_eq!(v["field"]["pending"], true);
}

#[test]
fn arrays_clusters_and_wide_registers_by_name() {
    let f = Fixture::new();
    let v = json(&f.run("read", &["IVAR[1]", "--json"]));
    assert_eq!(
        (v["offset"].as_u64(), v["value"].as_u64()),
        (Some(0x14), Some(0x55))
    );
    let v = json(&f.run("read", &["channel[1].ADDR", "--json"]));
    assert_eq!(v["offset"], 0x38);
    assert_eq!(v["width"], 8);
    assert_eq!(v["value"], 0x1122_3344_5566_7788u64);
    // The block's name may lead the path.
    let v = json(&f.run("read", &["dev.ID", "--json"]));
    assert_eq!(v["value"], 0x0100_00ed);
}

#[test]
fn write_raw_and_by_fields_with_enum_names() {
    let f = Fixture::new();
    let text = ok(&f.run("write", &["IVAR[0]", "0x1234"]));
    assert_eq!(text.trim(), "IVAR[0] @ 0x0010 <- 0x00001234");
    assert_eq!(f.word(0x10), 0x1234);
    // Fields not named start from reset (KEEP = 1), DONE idle.
    ok(&f.run("write", &["CTRL", "EN=1", "MODE=run"]));
    assert_eq!(f.word(0), 0x105);
    let v = json(&f.run("write", &["CTRL.KEEP", "3", "--json"]));
    assert_eq!(v["written"], 0x300);
    assert_eq!(f.word(0), 0x300);
}

#[test]
fn modify_changes_only_named_fields_and_never_acknowledges() {
    let f = Fixture::new();
    ok(&f.run("modify", &["CTRL", "MODE=run"]));
    // EN and KEEP kept, DONE written 0 (its idle value), MODE = 2.
    assert_eq!(f.word(0), 0xa05);
    ok(&f.run("modify", &["CTRL.DONE", "1"]));
    assert_eq!(f.word(0), 0xa15);
}

#[test]
fn access_kinds_are_refused() {
    let f = Fixture::new();
    let e = fails(&f.run("write", &["ID", "1"]));
    assert!(e.contains("register `ID` is read-only (ro)"), "{e}");
    assert_eq!(f.word(4), 0x0100_00ed);
    let e = fails(&f.run("read", &["KICK"]));
    assert!(e.contains("`KICK` is write-only"), "{e}");
    let e = fails(&f.run("modify", &["KICK", "KICK=1"]));
    assert!(e.contains("write-only"), "{e}");
    // An explicit read of a read-to-clear register is allowed; dump and watch skip it.
    let e = fails(&f.run("watch", &["FIFO", "--count", "1"]));
    assert!(e.contains("reading register `FIFO` changes it"), "{e}");
    ok(&f.run("watch", &["FIFO", "--count", "1", "--side-effects"]));
    let e = fails(&f.run("write", &["CTRL", "MODE=9"]));
    assert!(
        e.contains("does not fit field `MODE` of register `CTRL` (2 bits)"),
        "{e}"
    );
    let e = fails(&f.run("write", &["CTRL", "MODE=fast"]));
    assert!(e.contains("one of `idle`, `run`"), "{e}");
    let e = fails(&f.run("write", &["IVAR[0]", "0x1_0000_0000"]));
    assert!(e.contains("32 bits"), "{e}");
    assert_eq!(f.word(0), 0xa13, "no refused command wrote");
}

#[test]
fn bad_names_suggest_near_ones() {
    let f = Fixture::new();
    let e = fails(&f.run("read", &["CTLR"]));
    assert!(
        e.contains("block `dev` has no register `CTLR`; did you mean `CTRL`?"),
        "{e}"
    );
    let e = fails(&f.run("read", &["CTRL.MOD"]));
    assert!(
        e.contains("register `CTRL` has no field `MOD`; did you mean `MODE`?"),
        "{e}"
    );
    let e = fails(&f.run("modify", &["channel[1].LENGHT", "LENGTH=1"]));
    assert!(e.contains("did you mean `channel[1].LENGTH`"), "{e}");
    let e = fails(&f.run("read", &["IVAR[7]"]));
    assert!(e.contains("IVAR[0]") || e.contains("IVAR[1]"), "{e}");
}

#[test]
fn dump_prints_every_register_and_skips_side_effects() {
    let f = Fixture::new();
    let text = ok(&f.run("dump", &[]));
    assert!(text.contains("ID @ 0x0004 = 0x010000ed"), "{text}");
    assert!(
        text.contains("FIFO @ 0x0008 not read (read has side effects"),
        "{text}"
    );
    assert!(
        text.contains("KICK @ 0x000c not read (write-only)"),
        "{text}"
    );
    assert!(
        text.contains("channel[1].ADDR @ 0x0038 = 0x1122334455667788"),
        "{text}"
    );
    let v = json(&f.run("dump", &["--json"]));
    let regs = v["registers"].as_array().unwrap();
    assert_eq!(regs.len(), 10);
    assert_eq!(regs[2]["skipped"], "read has side effects");
    let v = json(&f.run("dump", &["--json", "--side-effects"]));
    assert_eq!(v["registers"][2]["value"], 7);
}

#[test]
fn watch_prints_first_values_then_changes_only() {
    let f = Fixture::new();
    let out = f.run("watch", &["CTRL", "ID", "--count", "3", "--interval", "1"]);
    let text = ok(&out);
    assert_eq!(
        text.lines().count(),
        2,
        "unchanged values print once: {text}"
    );
    // Another process changes a field while the watch runs.
    let child = Command::new(env!("CARGO_BIN_EXE_regmap-cli"))
        .args(["watch"])
        .arg(&f.map)
        .args([
            "CTRL",
            "--json",
            "--interval",
            "20",
            "--count",
            "200",
            "--file",
        ])
        .arg(&f.regs)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let text = change_while_watching(child, &f);
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["value"], 0xa13);
    assert_eq!(lines[1]["value"], 0xa05);
    assert_eq!(lines[1]["fields"][1]["enum"], "run");
    assert!(lines[1]["sample"].as_u64().unwrap() > 0);
}

/// Waits for the watcher's first line (its first sample), changes CTRL's
/// MODE from another process, and returns everything the watcher printed.
fn change_while_watching(mut child: std::process::Child, f: &Fixture) -> String {
    use std::io::{BufRead, Read};
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    out.read_line(&mut text).unwrap();
    ok(&f.run("modify", &["CTRL", "MODE=run"]));
    out.read_to_string(&mut text).unwrap();
    assert!(child.wait().unwrap().success());
    text
}

#[test]
fn text_watch_names_the_changed_fields() {
    let f = Fixture::new();
    let child = Command::new(env!("CARGO_BIN_EXE_regmap-cli"))
        .args(["watch"])
        .arg(&f.map)
        .args(["CTRL", "--interval", "20", "--count", "200", "--file"])
        .arg(&f.regs)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let text = change_while_watching(child, &f);
    assert!(
        text.contains("CTRL = 0xa05 (was 0xa13; MODE: 0x1 -> run, DONE: 0x1 -> 0x0)"),
        "{text}"
    );
}

#[test]
fn usage_errors_exit_2_and_window_errors_say_why() {
    let f = Fixture::new();
    let out = Command::new(env!("CARGO_BIN_EXE_regmap-cli"))
        .args(["read"])
        .arg(&f.map)
        .args(["CTRL", "--file", "a", "--uio", "b"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(env!("CARGO_BIN_EXE_regmap-cli"))
        .args(["read"])
        .arg(&f.map)
        .arg("CTRL")
        .output()
        .unwrap();
    let e = fails(&out);
    assert!(e.contains("give --file PATH, --uio NAME"), "{e}");
    let short = f._dir.path().join("short.bin");
    std::fs::write(&short, [0u8; 8]).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_regmap-cli"))
        .args(["read"])
        .arg(&f.map)
        .args(["CTRL", "--file"])
        .arg(&short)
        .output()
        .unwrap();
    fails(&out);
}

// ---- Fake sysfs trees: UIO, PCI, u-dma-buf, dma-heap, design files. ----

fn put(path: &Path, content: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// A tree with uio0 named `dev_0` (map 0 at 0x43c00000, interrupt cells in
/// its device-tree node), a PCI function with a BAR, a u-dma-buf and a heap.
fn fake_tree() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().to_path_buf();
    let uio = base.join("sys/class/uio/uio0");
    put(&uio.join("name"), "dev_0\n");
    put(&uio.join("version"), "devicetree\n");
    put(&uio.join("maps/map0/addr"), "0x0000000043c00000\n");
    put(&uio.join("maps/map0/size"), "0x0000000000010000\n");
    put(&uio.join("maps/map0/offset"), "0x0\n");
    put(&uio.join("maps/map0/name"), "regs\n");
    put(
        &uio.join("device/of_node/interrupts"),
        [0u32, 29, 4]
            .iter()
            .flat_map(|w| w.to_be_bytes())
            .collect::<Vec<u8>>(),
    );
    // 64 KiB: one page on every Linux page size.
    let mut dev = vec![0u8; 0x1_0000];
    dev[4..8].copy_from_slice(&0x0100_00edu32.to_ne_bytes());
    put(&base.join("dev/uio0"), dev);
    let pci = base.join("sys/bus/pci/devices/0000:00:04.0");
    put(&pci.join("vendor"), "0x1234\n");
    put(&pci.join("device"), "0x11e8\n");
    let mut resource = String::from("0x00000000fea00000 0x00000000feafffff 0x0000000000040200\n");
    for _ in 1..13 {
        resource += "0x0000000000000000 0x0000000000000000 0x0000000000000000\n";
    }
    put(&pci.join("resource"), resource);
    let mut bar = vec![0u8; 0x10_0000];
    bar[4..8].copy_from_slice(&0x0b0b_0b0bu32.to_ne_bytes());
    put(&pci.join("resource0"), bar);
    put(&base.join("dev/dma_heap/system"), "");
    let ub = base.join("sys/class/u-dma-buf/udmabuf0");
    put(&ub.join("phys_addr"), "0x0000000070000000\n");
    put(&ub.join("size"), "1048576\n");
    put(&ub.join("dma_coherent"), "0\n");
    put(&ub.join("sync_mode"), "1\n");
    put(&base.join("dev/udmabuf0"), "");
    (dir, base)
}

fn run_in(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_regmap-cli"))
        .args(args)
        .arg("--sysroot")
        .arg(root)
        .output()
        .unwrap()
}

#[test]
fn list_shows_uio_pci_udmabuf_and_heaps() {
    let (_d, root) = fake_tree();
    let text = ok(&run_in(&root, &["list"]));
    assert!(text.contains("uio0 dev_0, interrupt <0 29 4>"), "{text}");
    assert!(text.contains("map0 0x43c00000 +0x10000 (regs)"), "{text}");
    assert!(text.contains("0000:00:04.0 [1234:11e8]"), "{text}");
    assert!(text.contains("BAR0 0xfea00000 +0x100000"), "{text}");
    assert!(text.contains("udmabuf0"), "{text}");
    assert!(text.contains("  system"), "{text}");
    let v = json(&run_in(&root, &["list", "--json"]));
    assert_eq!(v["uio"][0]["name"], "dev_0");
    assert_eq!(v["uio"][0]["maps"][0]["addr"], 0x43c0_0000u64);
    assert_eq!(v["pci"][0]["bars"][0]["size"], 0x10_0000);
    assert_eq!(v["dma_heap"][0], "system");
    assert_eq!(v["udmabuf"][0]["name"], "udmabuf0");
}

#[test]
fn an_empty_system_says_what_usually_fixes_it() {
    let dir = tempfile::tempdir().unwrap();
    let text = ok(&run_in(dir.path(), &["list"]));
    assert!(text.contains("generic-uio"), "{text}");
    assert!(text.contains("uio_pci_generic"), "{text}");
    assert!(text.contains("modprobe u-dma-buf"), "{text}");
}

#[test]
fn uio_and_pci_windows_by_name() {
    let (_d, root) = fake_tree();
    let f = Fixture::new();
    let map = f.map.to_str().unwrap();
    let v = json(&run_in(
        &root,
        &["read", map, "ID", "--uio", "dev_0", "--json"],
    ));
    assert_eq!(v["value"], 0x0100_00ed);
    let v = json(&run_in(
        &root,
        &["read", map, "ID", "--uio", "uio0", "--json"],
    ));
    assert_eq!(v["value"], 0x0100_00ed);
    let v = json(&run_in(
        &root,
        &[
            "read", map, "ID", "--pci", "00:04.0", "--bar", "0", "--json",
        ],
    ));
    assert_eq!(v["value"], 0x0b0b_0b0b);
    let e = fails(&run_in(&root, &["read", map, "ID", "--uio", "dma"]));
    assert!(
        e.contains("UIO device named \"dma\" not found; these exist: uio0 (dev_0)"),
        "{e}"
    );
    assert!(e.contains("uio_pdrv_genirq.of_id=generic-uio"), "{e}");
    let e = fails(&run_in(
        &root,
        &["read", map, "ID", "--pci", "00:09.0", "--bar", "0"],
    ));
    assert!(e.contains("0000:00:04.0") && e.contains("lspci"), "{e}");
}

#[test]
fn a_design_file_finds_the_instance_window_by_itself() {
    let (_d, root) = fake_tree();
    let f = Fixture::new();
    let design = f._dir.path().join("board.yaml");
    std::fs::write(
        &design,
        "regmap: 1\ndesign:\n  name: board\n  instances:\n    - { name: dev_0, map: dev.yaml, base: 0x43c00000 }\n    - { name: other, map: dev.yaml, base: 0x80000000 }\n",
    )
    .unwrap();
    let d = design.to_str().unwrap();
    let v = json(&run_in(&root, &["read", d, "dev_0.ID", "--json"]));
    assert_eq!(v["value"], 0x0100_00ed);
    let e = fails(&run_in(&root, &["read", d, "dev_1.ID"]));
    assert!(
        e.contains("no instance `dev_1`; it has dev_0, other"),
        "{e}"
    );
    // No UIO device maps `other`. /dev/mem is there (a sparse file standing
    // in), but mapping it is the user's word, not the design file's: the
    // message says what exists and how to give that word.
    let mem = std::fs::File::create(root.join("dev/mem")).unwrap();
    mem.set_len(0x8000_1000).unwrap();
    let e = fails(&run_in(&root, &["read", d, "other.ID"]));
    assert!(
        e.contains("no UIO device is named `other` or maps 0x80000000"),
        "{e}"
    );
    assert!(e.contains("uio0 (dev_0)"), "{e}");
    assert!(e.contains("`--devmem` maps 0x80000000"), "{e}");
    // `--devmem` alone takes the instance's base from the design file.
    use std::os::unix::fs::FileExt;
    mem.write_all_at(&0x00c0_ffeeu32.to_ne_bytes(), 0x8000_0004)
        .unwrap();
    let v = json(&run_in(
        &root,
        &["read", d, "other.ID", "--devmem", "--json"],
    ));
    assert_eq!(v["value"], 0x00c0_ffee);
    let e = fails(&run_in(
        &root,
        &["read", f.map.to_str().unwrap(), "ID", "--devmem"],
    ));
    assert!(
        e.contains("--devmem without BASE maps a design instance"),
        "{e}"
    );
    // With a window given, the design's paths still name the instance.
    ok(&run_in(
        &root,
        &[
            "write",
            d,
            "other.IVAR[1]",
            "9",
            "--file",
            f.regs.to_str().unwrap(),
        ],
    ));
    assert_eq!(f.word(0x14), 9);
    let text = ok(&run_in(&root, &["dump", d, "dev_0"]));
    assert!(text.contains("ID @ 0x0004 = 0x010000ed"), "{text}");
}

#[test]
fn a_uio_device_watched_by_one_process_is_busy_for_another() {
    let (_d, root) = fake_tree();
    let f = Fixture::new();
    let map = f.map.to_str().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_regmap-cli"))
        .args([
            "watch",
            map,
            "ID",
            "--uio",
            "dev_0",
            "--interval",
            "20",
            "--count",
            "50",
        ])
        .arg("--sysroot")
        .arg(&root)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    assert!(first.contains("ID = 0x10000ed"), "{first}");
    let e = fails(&run_in(&root, &["read", map, "ID", "--uio", "dev_0"]));
    assert!(e.contains("is in use"), "{e}");
    assert!(child.wait().unwrap().success());
}
