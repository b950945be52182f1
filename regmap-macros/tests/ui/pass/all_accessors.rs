//! Every accessor kind the generated API has, used once, under `deny(warnings)`.
#![deny(warnings)]

use regmap_runtime::arbitrary_int::{u3, u4};
use regmap_runtime::{Bus, MemBus, Value, register_block};

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

    // Plain fields: get, set, with, field constants; enums; arbitrary-width integers.
    use kinds::Ctrl;
    let ctrl = k.ctrl();
    assert_eq!(ctrl.read().bits(), 0, "the bus starts zeroed");
    ctrl.write(|w| {
        w.set(Ctrl::ENABLE, true)
            .set(Ctrl::MODE, kinds::Mode::Run)
            .set(Ctrl::PRESCALE, u4::new(9))
            .set(Ctrl::DIV, 0xa5)
    });
    let v = ctrl.read();
    assert!(v.get(Ctrl::ENABLE));
    assert_eq!(v.get(Ctrl::MODE), Ok(kinds::Mode::Run));
    assert_eq!(v.get(Ctrl::PRESCALE), u4::new(9));
    assert_eq!(v.get(Ctrl::DIV), 0xa5);
    ctrl.write_value(v.with(Ctrl::ENABLE, false).with(Ctrl::MODE, kinds::Mode::Sleep));
    assert!(!ctrl.read().get(Ctrl::ENABLE));
    assert_eq!(ctrl.read().get(Ctrl::MODE), Ok(kinds::Mode::Sleep));
    assert_eq!((Ctrl::DIV.lsb(), Ctrl::DIV.width(), Ctrl::DIV.mask()), (8, 8, 0xff00));
    assert_eq!(Ctrl::DIV.desc().map(|d| d.name), Some("DIV"));

    // Action fields: reading them back and writing the value never acts.
    k.bus().write_u32(0x00, 0x0001_0000 | (0b101 << 17)).unwrap();
    let v = ctrl.read();
    assert!(v.get(Ctrl::IRQ));
    assert_eq!(v.get(Ctrl::ERR), u3::new(0b101));
    ctrl.modify(|w| w.set(Ctrl::DIV, 1));
    assert_eq!(k.bus().read_u32(0x00).unwrap() & 0x000f_0000, 0, "w1c bits written as 0");
    ctrl.modify(|w| w.clear(Ctrl::IRQ).request(Ctrl::ERR, u3::new(0b100)));
    let written = k.bus().read_u32(0x00).unwrap();
    assert_eq!(written & 0x000f_0000, 0x0001_0000 | (0b100 << 17));
    ctrl.write(|w| {
        w.set(Ctrl::START, true)
            .toggle(Ctrl::LED)
            .clear(Ctrl::FLAG)
            .set(Ctrl::ARM, true)
    });
    let written = k.bus().read_u32(0x00).unwrap();
    assert_eq!(written & (1 << 20), 1 << 20, "w1s set");
    assert_eq!(written & (1 << 21), 1 << 21, "w1t toggle");
    assert_eq!(written & (1 << 22), 0, "w0c clear writes 0");
    assert_eq!(written & (1 << 23), 0, "w0s set writes 0");
    let mut v = ctrl.read();
    v.clear(Ctrl::IRQ).set(Ctrl::START, true).toggle(Ctrl::LED);
    v.request(Ctrl::ERR, u3::new(1)).clear(Ctrl::FLAG).set(Ctrl::ARM, true);
    v.request(Ctrl::START, true).request(Ctrl::LED, true);
    let _: u32 = v.actions() | v.write_bits();
    let _: bool = ctrl.read().get(Ctrl::BUSY);
    let _: bool = ctrl.read().get(Ctrl::LED)
        | ctrl.read().get(Ctrl::FLAG)
        | ctrl.read().get(Ctrl::ARM)
        | ctrl.read().get(Ctrl::START);
    ctrl.write(|w| w.set(Ctrl::KICK, true));
    let _: Value<Ctrl> = ctrl.read().with(Ctrl::KICK, false);
    let _: Value<Ctrl> = Value::reset();

    // Registers without fields, of every width and access.
    let _: u32 = k.status().read().bits();
    k.cmd().write(|w| w.set_bits(0xbeef));
    k.cmd().write_value(*Value::from_bits(1).set_bits(2));
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
    chan.cfg().modify(|w| w.set(kinds::chan::Cfg::LEN, u4::new(3)));
    assert_eq!(k.bus().read_u32(0x28).unwrap(), 3);
    let _: u32 = chan.stat().read().bits();
    assert!(k.chan(2).is_err());

    // Static descriptions and Debug.
    assert_eq!(kinds::Kinds::<MemBus>::SIZE, 0x40);
    assert_eq!(kinds::Kinds::<MemBus>::DESC.register_at(0x28).unwrap().name, "chan[1].CFG");
    let _ = format!("{:?}", k.ctrl().read());
    let _: MemBus = k.into_inner();
}
