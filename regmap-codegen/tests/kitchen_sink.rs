//! Behaviour of generated code, run on the in-memory bus: the checked-in
//! snapshot of `tests/maps/kitchen_sink.yaml` (which `snapshots.rs` keeps equal
//! to what the emitter produces now) compiled with warnings denied.
#![deny(warnings)]

include!("snapshots/kitchen_sink.rs");

use kitchen_sink::*;
use regmap_runtime::arbitrary_int::{u2, u3, u12, u23};
use regmap_runtime::desc::Access;
use regmap_runtime::{
    BindError, Bus, IndexError, MemBus, Readable, Reg, Register, Value, Writable, raw,
};

fn bound() -> KitchenSink<MemBus> {
    let bus = MemBus::new(0x400);
    bus.write_u32(0x00, 0x5eed_0102).unwrap();
    KitchenSink::new(bus).expect("id matches")
}

#[test]
fn new_checks_window_size() {
    let err = KitchenSink::new(MemBus::new(0x3fc)).unwrap_err();
    assert_eq!(
        err,
        BindError::WindowTooSmall {
            block: "kitchen_sink",
            needed: 0x400,
            available: 0x3fc
        }
    );
}

#[test]
fn new_checks_the_id_register_under_its_mask() {
    let bus = MemBus::new(0x400);
    bus.write_u32(0x00, 0x5eee_0102).unwrap();
    let err = KitchenSink::new(bus).unwrap_err();
    assert_eq!(
        err,
        BindError::IdMismatch {
            block: "kitchen_sink",
            register: "VERSION",
            expected: 0x5eed_0000,
            found: 0x5eee_0000,
            mask: 0xffff_0000
        }
    );
    // Bits outside the mask (the revision) do not matter.
    let bus = MemBus::new(0x400);
    bus.write_u32(0x00, 0x5eed_ffff).unwrap();
    assert!(KitchenSink::new(bus).is_ok());
}

#[test]
fn read_only_register_reads_fields() {
    let dev = bound();
    let v = dev.version().read();
    assert_eq!(v.get(Version::MAGIC), 0x5eed);
    assert_eq!(v.get(Version::MAJOR), 1);
    assert_eq!(v.get(Version::MINOR), 2);
    assert_eq!(v.bits(), 0x5eed_0102);
}

#[test]
fn write_starts_from_the_reset_value() {
    let dev = bound();
    dev.bus().write_u32(0x04, 0xffff_ffff).unwrap();
    dev.ctrl().write(|w| {
        w.set(Ctrl::ENABLE, true)
            .set(Ctrl::DIVIDER, u12::new(0xabc))
    });
    // Reset 0x10 (LEVEL = low) kept, ENABLE and DIVIDER set, nothing else.
    assert_eq!(dev.bus().read_u32(0x04).unwrap(), 0x000a_bc11);
    assert_eq!(Ctrl::RESET, 0x10);
    assert_eq!(Ctrl::DIVIDER.mask(), 0x000f_ff00);
    assert_eq!(Ctrl::DIVIDER.lsb(), 8);
}

#[test]
fn modify_changes_only_what_it_sets_and_rewrites_write_only_fields_at_reset() {
    let dev = bound();
    // START (24) and KICK (27:25) are write-only: what reads back says nothing.
    dev.bus().write_u32(0x04, 0x0f00_0031).unwrap();
    dev.ctrl().modify(|w| w.set(Ctrl::LEVEL, Level::High));
    assert_eq!(dev.bus().read_u32(0x04).unwrap(), 0x0000_0031);
    dev.ctrl()
        .modify(|w| w.set(Ctrl::START, true).set(Ctrl::KICK, u3::new(5)));
    assert_eq!(dev.bus().read_u32(0x04).unwrap(), 0x0b00_0031);
}

#[test]
fn values_are_plain_data_with_setters_and_write_value() {
    let dev = bound();
    let mut v = dev.ctrl().read();
    v.set(Ctrl::ENABLE, true).set(Ctrl::SPEED, Speed::Fast);
    dev.ctrl().write_value(v);
    // `with` does the same by value.
    assert_eq!(
        Value::<Ctrl>::from_bits(0).with(Ctrl::ENABLE, true).bits(),
        1
    );
    let back = dev.ctrl().read();
    assert!(back.get(Ctrl::ENABLE));
    assert_eq!(back.get(Ctrl::SPEED), Ok(Speed::Fast));
    assert_eq!(Value::<Ctrl>::from_bits(back.bits()), back);
}

#[test]
fn enums_name_known_values_and_return_unnamed_raw_values() {
    let dev = bound();
    dev.bus().write_u32(0x04, 0b010).unwrap(); // SPEED = 1: not named
    assert_eq!(dev.ctrl().read().get(Ctrl::SPEED), Err(u2::new(1)));
    dev.bus().write_u32(0x04, 0b100).unwrap(); // SPEED = 2
    assert_eq!(dev.ctrl().read().get(Ctrl::SPEED), Ok(Speed::Fast));
    // Every LEVEL value is named: `get` returns the enum itself.
    dev.bus().write_u32(0x04, 0x30).unwrap();
    let level: Level = dev.ctrl().read().get(Ctrl::LEVEL);
    assert_eq!(level, Level::High);
    // Inline enum on a single bit.
    dev.bus().write_u32(0x04, 1 << 28).unwrap();
    assert_eq!(dev.ctrl().read().get(Ctrl::POLARITY), Polarity::ActiveLow);
    assert_eq!(Speed::from_bits(2), Some(Speed::Fast));
    assert_eq!(Speed::from_bits(3), None);
    assert_eq!(Level::Mid.bits(), 2);
    // A 32-bit field whose enum names only four values.
    dev.bus().write_u32(0x28, 7).unwrap();
    assert_eq!(dev.full().read().get(Full::WHOLE), Err(7));
    dev.full().write(|w| w.set(Full::WHOLE, Level::Mid));
    assert_eq!(dev.bus().read_u32(0x28).unwrap(), 2);
}

#[test]
fn w1c_modify_leaves_pending_bits_alone() {
    let dev = bound();
    // DONE, ERR and PENDING = 0xff are pending; BUSY set; nDROP/nHOLD read 0.
    dev.bus().write_u32(0x08, 0x0001_0ff3).unwrap();
    dev.status().modify(|w| w.set(Status::MODE, 0x5a));
    // Action bits written at their no-op value: 0 for w1x, 1 for w0x.
    assert_eq!(dev.bus().read_u32(0x08).unwrap(), 0x5a19_0000);
    let s = dev.status().read();
    assert_eq!(s.get(Status::MODE), 0x5a);
}

#[test]
fn actions_write_only_what_is_requested() {
    let dev = bound();
    dev.bus().write_u32(0x08, 0x0000_0ff3).unwrap();
    dev.status()
        .modify(|w| w.clear(Status::DONE).request(Status::PENDING, 0b1000_0001));
    assert_eq!(dev.bus().read_u32(0x08).unwrap(), 0x0018_0811);
    dev.status().write(|w| {
        w.set(Status::ARM, true)
            .toggle(Status::FLIP)
            .clear(Status::N_DROP)
            .set(Status::N_HOLD, true)
    });
    // ARM, FLIP written 1; nDROP and nHOLD written 0 (their action), the rest idle.
    assert_eq!(dev.bus().read_u32(0x08).unwrap(), 0x0006_0000);
    // A value read back and written never acknowledges anything.
    dev.bus().write_u32(0x08, 0x0000_0003).unwrap();
    let v = dev.status().read();
    assert!(v.get(Status::DONE) && v.get(Status::ERR));
    assert_eq!(v.write_bits(), 0x0018_0000);
    let mut ack = v;
    ack.clear(Status::ERR);
    assert_eq!(ack.write_bits(), 0x0018_0002);
}

#[test]
fn whole_register_actions_and_write_only_registers() {
    let dev = bound();
    dev.bus().write_u32(0x14, 0xffff_ffff).unwrap();
    let ack = dev.ack().read();
    assert_eq!(ack.bits(), 0xffff_ffff);
    dev.ack().write_value(ack);
    assert_eq!(dev.bus().read_u32(0x14).unwrap(), 0);
    dev.ack().write(|w| w.request(Ack::BITS, 0x8000_0001));
    assert_eq!(dev.bus().read_u32(0x14).unwrap(), 0x8000_0001);
    dev.doorbell().write(|w| w.set_bits(0x1234));
    assert_eq!(dev.bus().read_u32(0x10).unwrap(), 0x1234);
}

fn readable<R: Readable>() -> &'static str {
    R::NAME
}
fn writable<R: Writable>() -> &'static str {
    R::NAME
}
/// The offset of a writable register, given its handle: registers without
/// fields have no type of their own, only their accessor's.
fn writable_at<B: Bus, R: Writable>(reg: Reg<'_, B, R>) -> usize {
    reg.offset()
}

#[test]
fn access_decides_which_traits_exist() {
    // The negative cases are compile errors (see the trybuild UI tests); here
    // the positive ones, and the description agrees with the types.
    assert_eq!(
        [
            readable::<Version>(),
            readable::<Events>(),
            readable::<Status>()
        ],
        ["VERSION", "EVENTS", "STATUS"]
    );
    assert_eq!([writable::<Ctrl>(), writable::<Ack>()], ["CTRL", "ACK"]);
    let dev = bound();
    assert_eq!(writable_at(dev.doorbell()), 0x10);
    let events = DESC.register("EVENTS").unwrap();
    assert!(events.is_readable() && !events.is_writable());
    let doorbell = DESC.register("DOORBELL").unwrap();
    assert!(!doorbell.is_readable() && doorbell.is_writable());
    // DOORBELL has no fields: its accessor hands out the runtime's write-only
    // register, whose one pseudo-field says so.
    assert_eq!(<raw::Wo32 as Register>::FIELDS[0].access, Access::WriteOnly);
    assert_eq!(<Ctrl as Register>::WRITE_ONLY_MASK, 0x0f00_0000);
}

#[test]
fn read_to_clear_register_reads() {
    // Reading it has a side effect: its accessor needs `&mut` to the block.
    let mut dev = bound();
    dev.bus().write_u32(0x0c, 42).unwrap();
    assert_eq!(dev.events().read().bits(), 42);
}

#[test]
fn register_arrays_check_the_index() {
    let dev = bound();
    dev.scratch(3).unwrap().write(|w| w.set_bits(7));
    assert_eq!(dev.bus().read_u32(0x4c).unwrap(), 7);
    assert_eq!(dev.scratch(0).unwrap().read().bits(), 0);
    assert_eq!(dev.scratch(3).unwrap().offset(), 0x4c);
    assert_eq!(
        dev.scratch(4).unwrap_err(),
        IndexError {
            array: "SCRATCH",
            index: 4,
            count: 4
        }
    );
    assert_eq!(
        (Scratch::COUNT, Scratch::STRIDE, Scratch::RESET),
        (4, 4, 0xdead_beef)
    );
}

#[test]
fn clusters_nested_and_arrayed_land_at_their_offsets() {
    let dev = bound();
    let ch = dev.channel(2).unwrap();
    assert_eq!(ch.base_offset(), 0x180);
    ch.ch_ctrl().write(|w| {
        w.set(channel::ChCtrl::RUN, true)
            .set(channel::ChCtrl::LEVEL, Level::Mid)
    });
    assert_eq!(dev.bus().read_u32(0x180).unwrap(), 0b101);
    let q = ch.queue(1).unwrap();
    q.head().write(|w| w.set_bits(0xaa));
    assert_eq!(dev.bus().read_u32(0x1a0).unwrap(), 0xaa);
    dev.bus().write_u32(0x1a4, 0x55).unwrap();
    assert_eq!(q.tail().read().bits(), 0x55);
    assert_eq!(ch.queue(2).unwrap_err().count, 2);
    assert_eq!(dev.channel(4).unwrap_err().index, 4);
    // A non-array cluster inside a non-array cluster; a 64-bit leaf.
    dev.misc().deep().leaf().write(|w| w.set_bits(u64::MAX));
    assert_eq!(dev.bus().read_u64(0x328).unwrap(), u64::MAX);
    assert_eq!(dev.misc().misc_ctrl().read().bits(), 0);
    assert_eq!(misc::MiscCtrl::RESET, 1);
    assert_eq!(channel::ChCtrl::OFFSET, 0);
    assert_eq!(channel::queue::Queue::<MemBus>::OFFSET, 0x10);
}

#[test]
fn narrow_and_wide_registers_use_their_width() {
    let dev = bound();
    dev.byte().write(|w| w);
    assert_eq!(dev.bus().read_u8(0x18).unwrap(), 0xa5);
    dev.half()
        .write(|w| w.set(Half::HI, 0x12).set(Half::LO, 0x34));
    assert_eq!(dev.bus().read_u16(0x1a).unwrap(), 0x1234);
    assert_eq!(
        dev.bus().read_u8(0x18).unwrap(),
        0xa5,
        "neighbour untouched"
    );
    dev.wide()
        .write(|w| w.set(Wide::TOP, true).set(Wide::TAG, u23::new(0x7f_ffff)));
    assert_eq!(dev.bus().read_u64(0x20).unwrap(), 0xffff_ff78_9abc_def0);
    assert_eq!(dev.wide().read().get(Wide::LOW), 0x9abc_def0);
}

#[test]
fn description_lists_every_instance_in_offset_order() {
    let regs = DESC.registers;
    assert!(regs.windows(2).all(|w| w[0].offset < w[1].offset));
    // 12 top-level registers (SCRATCH counted 4 times) + 4 channels x (2 + 2 x 2) + 2.
    assert_eq!(regs.len(), 11 + 4 + 4 * 6 + 2);
    let head = DESC.register("channel[2].queue[1].HEAD").unwrap();
    assert_eq!(head.offset, 0x1a0);
    assert_eq!(DESC.register_at(0x32b).unwrap().name, "misc.deep.LEAF");
    let status = DESC.register("STATUS").unwrap();
    let pending = status.fields.iter().find(|f| f.name == "PENDING").unwrap();
    assert_eq!((pending.lsb, pending.width), (4, 8));
    assert_eq!(KitchenSink::<MemBus>::DESC.size, 0x400);
    let ctrl = DESC.register("CTRL").unwrap();
    assert_eq!(
        ctrl.fields
            .iter()
            .find(|f| f.name == "SPEED")
            .unwrap()
            .values
            .len(),
        2
    );
}

#[test]
fn debug_prints_fields_by_name() {
    let v = Value::<Ctrl>::from_bits(0x0000_0215);
    let text = format!("{v:?}");
    assert!(text.starts_with("CTRL {"), "{text}");
    // Names as the map writes them, enum values by name, numbers in hex.
    assert!(text.contains("ENABLE: true"), "{text}");
    assert!(text.contains("LEVEL: low"), "{text}");
    assert!(text.contains("DIVIDER: 0x2"), "{text}");
    assert!(
        !text.contains("start"),
        "write-only fields have no value to show: {text}"
    );
    // A register without fields shows its bits under its name.
    assert_eq!(format!("{:?}", Value::<Ack>::from_bits(0x10)), "ACK(0x10)");
}
