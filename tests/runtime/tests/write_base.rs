//! What `write` starts from: the reset value (read-only bits included), while
//! `write_from_zero` starts from zero; both leave action fields at their
//! no-op value unless an action is requested.

use regmap_runtime::{Bus, MemBus, register_block};

/// An HLS-style control register: `ap_idle` is high after reset.
#[register_block(size = 0x8)]
mod core {
    #[register(offset = 0x0, reset = 0x4)]
    struct CTRL {
        #[bits(0)]
        AP_START: bool,
        #[bits(2, access = ro)]
        AP_IDLE: bool,
        /// Write 0 to clear: its no-op value is 1.
        #[bits(4, access = w0c)]
        FLAG: bool,
    }
}

#[test]
fn write_starts_from_reset_and_write_from_zero_from_zero() {
    let c = core::Core::new(MemBus::new(0x8)).unwrap();
    c.ctrl().write(|w| w.set(core::Ctrl::AP_START, true));
    assert_eq!(
        c.bus().read_u32(0).unwrap(),
        0x4 | 0x1 | 0x10,
        "reset bits kept"
    );

    c.ctrl()
        .write_from_zero(|w| w.set(core::Ctrl::AP_START, true));
    assert_eq!(
        c.bus().read_u32(0).unwrap(),
        0x1 | 0x10,
        "AP_IDLE written as 0, FLAG left at its no-op 1"
    );

    c.ctrl().write_from_zero(|w| w.clear(core::Ctrl::FLAG));
    assert_eq!(c.bus().read_u32(0).unwrap(), 0, "the requested w0c action");
}
