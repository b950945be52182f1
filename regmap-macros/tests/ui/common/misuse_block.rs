// The block every `fail/misuse_*.rs` case misuses: one register or field of
// each access kind. Shared with `include!`, so each case file holds only the
// misuse its `.stderr` pins.

use regmap_runtime::{MemBus, register_block};

#[register_block(size = 0x10)]
mod dev {
    #[register(offset = 0x0)]
    struct CTRL {
        #[bits(0)]
        ENABLE: bool,
        #[bits(3:1)]
        PRESCALE: u3,
        #[bits(8, access = w1c)]
        IRQ: bool,
    }

    #[register(offset = 0x4, access = ro)]
    struct STATUS;

    #[register(offset = 0x8, access = wo)]
    struct CMD;

    #[register(offset = 0xc)]
    struct EVENTS {
        #[bits(0)]
        MASK: bool,
        #[bits(1, access = rc)]
        OVERFLOW: bool,
    }
}

/// The block on a memory-backed bus, as each case's `main` starts.
fn device() -> dev::Dev<MemBus> {
    dev::Dev::new(MemBus::new(0x10)).unwrap()
}
