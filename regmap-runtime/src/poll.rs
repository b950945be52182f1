//! Waiting on a register condition with a deadline, shared by the drivers.

use std::time::{Duration, Instant};

/// Polls `f` until it returns `Some` or `timeout` passes (then looks once more).
/// Spins briefly, then yields, then sleeps in short steps, so a long wait does
/// not hold a core.
pub(crate) fn poll<R>(timeout: Duration, mut f: impl FnMut() -> Option<R>) -> Option<R> {
    let start = Instant::now();
    let mut round = 0u32;
    loop {
        if let Some(r) = f() {
            return Some(r);
        }
        if start.elapsed() >= timeout {
            return f();
        }
        round = round.saturating_add(1);
        if round < 64 {
            std::hint::spin_loop();
        } else if round < 256 {
            std::thread::yield_now();
        } else {
            std::thread::sleep(Duration::from_micros(20));
        }
    }
}
