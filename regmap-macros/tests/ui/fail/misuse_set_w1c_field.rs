use regmap_runtime::arbitrary_int::u3;
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

fn main() {
    let d = dev::Dev::new(MemBus::new(0x10)).unwrap();
    let _ = u3::new(0);
    d.ctrl().modify(|w| w.set_irq(true));
}
