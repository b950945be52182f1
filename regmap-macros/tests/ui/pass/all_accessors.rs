//! Every accessor kind the generated API has, used once, under `deny(warnings)`.
#![deny(warnings)]

use regmap_runtime::arbitrary_int::{u3, u4};
use regmap_runtime::{Bus, MemBus, register_block};

/// Every accessor kind
#[register_block(size = 0x40, id(register = ID, value = 0x0100, mask = 0xff00))]
pub mod kinds {
    /// Run mode
    enum Mode {
        Idle = 0,
        Run = 1,
        Sleep = 2,
    }

    /// Everything a control register can hold
    #[register(offset = 0x00, reset = 0x0000_0100)]
    struct CTRL {
        #[bits(0)]
        ENABLE: bool,
        #[bits(2:1)]
        MODE: Mode,
        #[bits(7:4)]
        PRESCALE: u4,
        #[bits(15:8)]
        DIV: u8,
        #[bits(16, access = w1c)]
        IRQ: bool,
        #[bits(19:17, access = w1c)]
        ERR: u3,
        #[bits(20, access = w1s)]
        START: bool,
        #[bits(21, access = w1t)]
        LED: bool,
        #[bits(22, access = w0c)]
        FLAG: bool,
        #[bits(23, access = w0s)]
        ARM: bool,
        #[bits(24, access = ro)]
        BUSY: bool,
        #[bits(25, access = wo)]
        KICK: bool,
    }

    #[register(offset = 0x04, access = ro)]
    struct STATUS;

    #[register(offset = 0x08, access = wo, width = 16)]
    struct CMD;

    #[register(offset = 0x0c, access = rc, width = 8)]
    struct EVENTS;

    #[register(offset = 0x0d, access = rs, width = 8)]
    struct LOCK;

    #[register(offset = 0x10, width = 64)]
    struct TIMESTAMP;

    #[register(offset = 0x18, count = 2)]
    struct SCRATCH;

    #[register(offset = 0x3c, access = ro)]
    struct ID;

    #[cluster(offset = 0x20, count = 2, stride = 0x8)]
    mod chan {
        #[register(offset = 0x0)]
        struct CFG {
            #[bits(3:0)]
            LEN: u4,
        }
        #[register(offset = 0x4, access = ro)]
        struct STAT;
    }
}

fn main() {
    let bus = MemBus::new(0x40);
    bus.write_u32(0x3c, 0x0000_0142).unwrap();
    let mut k = kinds::Kinds::new(bus).unwrap();

    // Plain fields: getters, setters, field constants; enums; arbitrary-width integers.
    let ctrl = k.ctrl();
    assert_eq!(ctrl.read().bits(), 0, "the bus starts zeroed");
    ctrl.write(|w| w.set_enable(true) .set_mode(kinds::Mode::Run) .set_prescale(u4::new(9)) .set_div(0xa5));
    let v = ctrl.read();
    assert!(v.enable());
    assert_eq!(v.mode(), Ok(kinds::Mode::Run));
    assert_eq!(v.prescale(), u4::new(9));
    assert_eq!(v.div(), 0xa5);
    ctrl.write_value(kinds::Ctrl::MODE.with(kinds::Ctrl::ENABLE.with(v, false), kinds::Mode::Sleep));
    assert!(!ctrl.read().enable());
    assert_eq!(ctrl.read().mode(), Ok(kinds::Mode::Sleep));

    // Action fields: reading them back and writing the value never acts.
    k.bus().write_u32(0x00, 0x0001_0000 | (0b101 << 17)).unwrap();
    let v = ctrl.read();
    assert!(v.irq());
    assert_eq!(v.err(), u3::new(0b101));
    ctrl.modify(|w| w.set_div(1));
    assert_eq!(k.bus().read_u32(0x00).unwrap() & 0x000f_0000, 0, "w1c bits written as 0");
    ctrl.modify(|w| w.clear_irq().clear_err(u3::new(0b100)));
    let written = k.bus().read_u32(0x00).unwrap();
    assert_eq!(written & 0x000f_0000, 0x0001_0000 | (0b100 << 17));
    ctrl.write(|w| w.set_start().toggle_led().clear_flag().set_arm());
    let written = k.bus().read_u32(0x00).unwrap();
    assert_eq!(written & (1 << 20), 1 << 20, "w1s set");
    assert_eq!(written & (1 << 21), 1 << 21, "w1t toggle");
    assert_eq!(written & (1 << 22), 0, "w0c clear writes 0");
    assert_eq!(written & (1 << 23), 0, "w0s set writes 0");
    let mut v = ctrl.read();
    v.clear_irq().set_start().toggle_led();
    v.clear_err(u3::new(1)).clear_flag().set_arm();
    let _: bool = ctrl.read().busy();
    let _: bool = ctrl.read().led() | ctrl.read().flag() | ctrl.read().arm() | ctrl.read().start();
    ctrl.write(|w| w.set_kick(true));
    let _ = kinds::Ctrl::KICK.with(ctrl.read(), false);

    // Registers without fields, of every width and access.
    let _: u32 = k.status().read().bits();
    k.cmd().write(|w| w.set_bits(0xbeef));
    k.cmd().write_value(*kinds::Cmd::from_bits(1).set_bits(2));
    let _: u8 = k.events().read().bits();
    let _: u8 = k.lock().read().bits();
    k.timestamp().write(|w| w.set_bits(u64::MAX));
    k.timestamp().modify(|w| w.set_bits(w.bits() - 1));
    assert_eq!(k.timestamp().read().bits(), u64::MAX - 1);

    // Arrays and clusters.
    k.scratch(1).unwrap().write(|w| w.set_bits(7));
    assert_eq!(k.bus().read_u32(0x1c).unwrap(), 7);
    assert!(k.scratch(2).is_err());
    let chan = k.chan(1).unwrap();
    chan.cfg().modify(|w| w.set_len(u4::new(3)));
    assert_eq!(k.bus().read_u32(0x28).unwrap(), 3);
    let _: u32 = chan.stat().read().bits();
    assert!(k.chan(2).is_err());

    // Static descriptions and Debug.
    assert_eq!(kinds::Kinds::<MemBus>::SIZE, 0x40);
    assert_eq!(kinds::Kinds::<MemBus>::DESC.register_at(0x28).unwrap().name, "chan[1].CFG");
    let _ = format!("{:?}", k.ctrl().read());
    let _: MemBus = k.into_inner();
}
