//! One variant of the modify-cost benchmark per run: `modify_cost generated N`
//! (a block owning its window), `modify_cost borrowed N` (a block on a
//! `WindowRef`) or `modify_cost handwritten N` performs N read-modify-writes of the same
//! register on a mapped window (a file mapping), inside a function that
//! callgrind counts on its own (`--toggle-collect=regmap_bench_*`).
//!
//! Both variants have the same semantics: set `enable` and `mode` from the loop
//! counter, write the write-only `start` bit as 0 (its reset value), keep the
//! other bits as read.

use regmap_runtime::{Bus, FileWindow, MappedWindow, WindowRef};
use regmap_runtime_tests::bench_timer::{BenchTimer, Ctrl, Mode};

/// The generated accessors.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn regmap_bench_generated(timer: &BenchTimer<MappedWindow>, n: u32) {
    for i in 0..n {
        timer.ctrl().modify(|w| {
            w.set(Ctrl::ENABLE, i & 1 != 0).set(
                Ctrl::MODE,
                if i & 2 != 0 {
                    Mode::Capture
                } else {
                    Mode::Generate
                },
            );
            w
        });
    }
}

/// The generated accessors on a borrowed window handle.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn regmap_bench_borrowed(timer: &BenchTimer<WindowRef<'_>>, n: u32) {
    for i in 0..n {
        timer.ctrl().modify(|w| {
            w.set(Ctrl::ENABLE, i & 1 != 0).set(
                Ctrl::MODE,
                if i & 2 != 0 {
                    Mode::Capture
                } else {
                    Mode::Generate
                },
            );
            w
        });
    }
}

/// What a careful hand-written driver does: one volatile load, mask, one volatile store.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn regmap_bench_handwritten(base: *mut u8, n: u32) {
    const ENABLE: u32 = 1 << 0;
    const MODE: u32 = 1 << 1;
    const START: u32 = 1 << 8;
    let ctrl = base.cast::<u32>();
    for i in 0..n {
        // SAFETY: `base` is the start of a live mapping of at least 4 bytes,
        // 4-aligned (a page start), reached only through volatile accesses.
        unsafe {
            let v = ctrl.read_volatile() & !(ENABLE | MODE | START);
            ctrl.write_volatile(v | (i & 1) | (i & 2));
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let variant = args.next().unwrap_or_default();
    let n: u32 = args.next().map_or(Ok(1_000_000), |s| s.parse())?;
    let path = std::env::temp_dir().join(format!("regmap-modify-cost-{}", std::process::id()));
    let window = FileWindow::create(&path, 0x1000)?;
    std::fs::remove_file(&path)?; // the mapping stays valid
    window.write_u32(0x18, 0x0001_0203)?; // VERSION, checked when the block binds
    // The block owns its window, as a driver's does (`Timer::new(dev.map(0)?)`).
    let timer = BenchTimer::new(window)?;
    match variant.as_str() {
        "generated" => regmap_bench_generated(&timer, n),
        "borrowed" => regmap_bench_borrowed(&BenchTimer::new(timer.bus().by_ref())?, n),
        "handwritten" => regmap_bench_handwritten(timer.bus().as_ptr(), n),
        other => {
            return Err(format!(
                "unknown variant {other:?}: use generated, borrowed or handwritten"
            )
            .into());
        }
    }
    println!("ctrl = {:#x}", timer.bus().read_u32(0)?);
    Ok(())
}
