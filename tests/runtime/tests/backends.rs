//! The generated `bench_timer` block driven through every backend reachable
//! without hardware: a mapped file, `/dev/mem` and UIO over a fake tree, the
//! in-memory bus, the tracing bus and the behavioural model.

use regmap_runtime::arbitrary_int::u4;
use regmap_runtime::model::ModelBus;
use regmap_runtime::trace::{Access, Counts, Direction, TraceBus};
use regmap_runtime::uio::Uio;
use regmap_runtime::{BindError, Bus, DevMem, FileWindow, MemBus, SysRoot, Value};
use regmap_runtime_tests::bench_timer::{BenchTimer, Ctrl, Mode, Status};
use std::sync::Arc;

const VERSION: u32 = 0x0001_0203;

/// What every plain-memory backend must do: exact offsets, fields where the map puts them.
fn drive<B: Bus>(t: &BenchTimer<B>) {
    t.ctrl()
        .write(|w| w.set(Ctrl::ENABLE, true).set(Ctrl::PRESCALE, u4::new(9)));
    t.ctrl().modify(|w| w.set(Ctrl::MODE, Mode::Capture));
    let ctrl = t.ctrl().read();
    assert!(ctrl.get(Ctrl::ENABLE));
    assert_eq!(ctrl.get(Ctrl::MODE), Mode::Capture);
    assert_eq!(ctrl.get(Ctrl::PRESCALE), u4::new(9));
    t.load().write(|w| w.set_bits(0xdead_beef));
    assert_eq!(t.load().read().bits(), 0xdead_beef);
    assert_eq!(t.bus().read_u32(0).unwrap(), 0x93, "CTRL bits at offset 0");
    assert_eq!(
        t.bus().read_u32(8).unwrap(),
        0xdead_beef,
        "LOAD at offset 8"
    );
    assert_eq!(t.version().read().bits(), VERSION);
}

#[test]
fn mapped_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("regs");
    let window = FileWindow::create(&path, 0x1000).unwrap();
    window.write_u32(0x18, VERSION).unwrap();
    let t = BenchTimer::new(window).unwrap();
    drive(&t);
    drop(t);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(
        bytes[8..12],
        0xdead_beef_u32.to_ne_bytes(),
        "the file holds what was written"
    );
}

#[test]
fn binding_checks_size_alignment_and_id_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("regs");
    let small = FileWindow::create(&path, 0x10).unwrap();
    assert!(matches!(
        BenchTimer::new(small),
        Err(BindError::WindowTooSmall {
            needed: 0x20,
            available: 0x10,
            ..
        })
    ));
    std::fs::write(&path, vec![0u8; 0x2000]).unwrap();
    let odd = FileWindow::open_at(&path, 0x104, 0x20).unwrap();
    assert!(matches!(
        BenchTimer::new(odd),
        Err(BindError::MisalignedBase {
            alignment: 4,
            needed: 8,
            ..
        })
    ));
    assert!(matches!(
        BenchTimer::new(MemBus::new(0x20)),
        Err(BindError::IdMismatch { found: 0, .. })
    ));
}

#[test]
fn dev_mem_over_a_fake_memory_file_at_an_unaligned_physical_base() {
    let dir = tempfile::tempdir().unwrap();
    let root = SysRoot::under(dir.path());
    std::fs::create_dir_all(&root.dev).unwrap();
    let base = 0x2040;
    let mut mem = vec![0u8; 0x4000];
    mem[base + 0x18..base + 0x1c].copy_from_slice(&VERSION.to_ne_bytes());
    std::fs::write(root.dev.join("mem"), mem).unwrap();
    // SAFETY: the "memory device" is this test's own file.
    let window = unsafe { DevMem::map_in(&root, base as u64, 0x20) }.unwrap();
    let t = BenchTimer::new(window).unwrap();
    drive(&t);
    assert_eq!(t.bus().phys_addr(), Some(0x2040));
}

#[test]
fn uio_map_on_a_fake_tree() {
    let dir = tempfile::tempdir().unwrap();
    let root = SysRoot::under(dir.path());
    let map = root.sys.join("class/uio/uio0/maps/map0");
    std::fs::create_dir_all(&map).unwrap();
    std::fs::create_dir_all(&root.dev).unwrap();
    std::fs::write(root.sys.join("class/uio/uio0/name"), "bench_timer_0\n").unwrap();
    std::fs::write(map.join("addr"), "0x43c00080\n").unwrap();
    std::fs::write(map.join("size"), "0x20\n").unwrap();
    std::fs::write(map.join("offset"), "0x80\n").unwrap();
    let mut dev = vec![0u8; 0x1000];
    dev[0x98..0x9c].copy_from_slice(&VERSION.to_ne_bytes());
    std::fs::write(root.dev.join("uio0"), dev).unwrap();

    let uio = Uio::open_by_name_in(&root, "bench_timer_0").unwrap();
    let t = BenchTimer::new(uio.map(0).unwrap()).unwrap();
    drive(&t);
    drop((t, uio));
    let dev = std::fs::read(root.dev.join("uio0")).unwrap();
    assert_eq!(
        dev[0x88..0x8c],
        0xdead_beef_u32.to_ne_bytes(),
        "LOAD at map offset 0x80 + 8"
    );
}

#[test]
fn in_memory() {
    let bus = MemBus::new(0x20);
    bus.write_u32(0x18, VERSION).unwrap();
    drive(&BenchTimer::new(bus).unwrap());
}

#[test]
fn tracing_counts_one_read_and_one_write_per_modify() {
    let inner = MemBus::new(0x20);
    inner.write_u32(0x18, VERSION).unwrap();
    let t = BenchTimer::new(TraceBus::new(inner).with_desc(BenchTimer::<MemBus>::DESC)).unwrap();
    assert_eq!(
        t.bus().counts(),
        Counts {
            reads: 1,
            writes: 0
        },
        "the id check"
    );
    t.bus().clear();
    t.ctrl().modify(|w| w.set(Ctrl::ENABLE, true));
    assert_eq!(
        t.bus().counts(),
        Counts {
            reads: 1,
            writes: 1
        }
    );
    assert_eq!(
        t.bus().last(),
        Some(Access {
            direction: Direction::Write,
            offset: 0,
            width: 4,
            value: 1
        })
    );
    assert_eq!(
        t.bus().describe(&t.bus().last().unwrap()),
        "write bench_timer.CTRL @0x0 = 0x00000001 {ENABLE=1, MODE=generate, PRESCALE=0x0, START=0}"
    );
    drive(&t);
}

#[test]
fn behavioural_model_with_a_device_written_in_a_few_lines() {
    let model = Arc::new(ModelBus::new(BenchTimer::<MemBus>::DESC));
    // The device: START runs one period, which finishes at once, counts an
    // overrun if DONE was still pending, and advances COUNT by LOAD.
    model
        .on_write("CTRL", |m, _old, new| {
            if new & 0x100 != 0 {
                let load = m.hw_get("LOAD").unwrap();
                m.hw_update("COUNT", |c| c + load).unwrap();
                m.hw_update("STATUS", |s| {
                    let overrun = if s & 1 != 0 { 0x100 } else { 0 };
                    (s | 1) + overrun
                })
                .unwrap();
            }
        })
        .unwrap();
    let mut t = BenchTimer::new(Arc::clone(&model)).unwrap();
    assert_eq!(t.version().read().bits(), VERSION, "reset value");

    t.load().write(|w| w.set_bits(10));
    t.ctrl().write(|w| w.set(Ctrl::START, true));
    assert_eq!(
        t.ctrl().read().bits() & 0x100,
        0,
        "START is write-only: reads 0"
    );
    let status = t.status().read();
    assert!(status.get(Status::DONE));
    assert_eq!(t.count().read().bits(), 10);

    // modify of CTRL writes START at its reset value (0): no second period.
    t.ctrl().modify(|w| w.set(Ctrl::ENABLE, true));
    assert_eq!(t.count().read().bits(), 10);

    // A second start before DONE is acknowledged: one overrun, read-to-clear.
    t.ctrl().write(|w| w.set(Ctrl::START, true));
    assert_eq!(t.status().read().get(Status::OVERRUNS), 1);
    assert_eq!(
        t.status().read().get(Status::OVERRUNS),
        0,
        "rc: cleared by the read"
    );

    // Writing the value read back never acknowledges DONE; `clear(Status::DONE)` does.
    let s = t.status().read();
    t.status().write_value(s);
    assert!(t.status().read().get(Status::DONE));
    t.status().write(|w| w.clear(Status::DONE));
    assert!(!t.status().read().get(Status::DONE));

    // Read-only registers ignore writes even through the raw bus.
    t.bus().write_u32(0x18, 0).unwrap();
    assert_eq!(t.version().read().bits(), VERSION);
}

/// Typed model hooks: the hook gets register values, not names and `u64`s,
/// and the hardware side updates registers by type.
#[test]
fn model_hooks_take_register_values() {
    let model = Arc::new(ModelBus::new(BenchTimer::<MemBus>::DESC));
    model
        .on_register_write::<Ctrl>(|m, old, new| {
            // START is write-only: the model sees what was written.
            let start = Ctrl::START.mask() as u32;
            if new.bits() & start != 0 && !old.get(Ctrl::ENABLE) {
                // The hardware side sets DONE in the stored bits.
                m.hw_update_register::<Status>(|s| {
                    Value::<Status>::from_bits(s.bits() | Status::DONE.mask() as u32)
                })
                .unwrap();
            }
        })
        .unwrap();
    let mut t = BenchTimer::new(Arc::clone(&model)).unwrap();
    t.ctrl().write(|w| w.set(Ctrl::START, true));
    assert!(t.status().read().get(Status::DONE));
    // A type the block does not have is an error, not a silent no-op.
    let other = ModelBus::new(regmap_runtime_tests::corpus::collisions::DESC);
    assert!(other.on_register_write::<Ctrl>(|_, _, _| {}).is_err());
}
