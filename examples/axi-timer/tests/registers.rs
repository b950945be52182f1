//! The generated AXI Timer block on the in-memory bus: every accessor kind the
//! map has, W1C semantics, and binding checks.
#![deny(warnings)]

use example_axi_timer::axi_timer::*;
use example_axi_timer::{acknowledge, start_periodic};
use regmap_runtime::{BindError, Bus, MemBus, Value};

fn timer() -> AxiTimer<MemBus> {
    AxiTimer::new(MemBus::new(0x20)).expect("a 0x20-byte window fits")
}

#[test]
fn register_offsets_follow_pg079() {
    // TLRn and TCRn have no fields: their accessors hand out the runtime's
    // `Raw` register, so their offsets are the handles'.
    let t = timer();
    assert_eq!(
        [
            Tcsr0::OFFSET,
            t.tlr0().offset(),
            t.tcr0().offset(),
            Tcsr1::OFFSET,
            t.tlr1().offset(),
            t.tcr1().offset()
        ],
        [0x00, 0x04, 0x08, 0x10, 0x14, 0x18]
    );
    assert_eq!(Tcsr0::T0INT.mask(), 1 << 8);
    assert_eq!(Tcsr0::CASC.mask(), 1 << 11);
    assert_eq!(Tcsr1::ENALL.mask(), 1 << 10);
    assert_eq!(DESC.registers.len(), 6);
}

#[test]
fn window_too_small_is_refused() {
    assert_eq!(
        AxiTimer::new(MemBus::new(0x1c)).unwrap_err(),
        BindError::WindowTooSmall {
            block: "axi_timer",
            needed: 0x20,
            available: 0x1c
        }
    );
}

#[test]
fn read_decodes_fields_and_enums() {
    let t = timer();
    t.bus().write_u32(0x00, 0b1101_0011).unwrap();
    let v = t.tcsr0().read();
    assert_eq!(v.get(Tcsr0::MDT0), Mode::Capture);
    assert_eq!(v.get(Tcsr0::UDT0), Direction::Down);
    assert!(!v.get(Tcsr0::GENT0) && !v.get(Tcsr0::CAPT0));
    assert_eq!(v.get(Tcsr0::ARHT0), Reload::Reload);
    assert!(
        v.get(Tcsr0::ENIT0) && v.get(Tcsr0::ENT0) && !v.get(Tcsr0::LOAD0) && !v.get(Tcsr0::T0INT)
    );
}

#[test]
fn write_starts_from_reset() {
    let t = timer();
    t.bus().write_u32(0x10, 0xffff_ffff).unwrap();
    t.tcsr1()
        .write(|w| w.set(Tcsr1::ENT1, true).set(Tcsr1::UDT1, Direction::Down));
    assert_eq!(t.bus().read_u32(0x10).unwrap(), (1 << 7) | (1 << 1));
}

#[test]
fn modify_changes_one_field_and_keeps_the_rest() {
    let t = timer();
    t.bus().write_u32(0x00, 0b0101_0010).unwrap();
    t.tcsr0().modify(|w| w.set(Tcsr0::ENT0, true));
    assert_eq!(t.bus().read_u32(0x00).unwrap(), 0b1101_0010);
}

#[test]
fn modify_leaves_a_pending_interrupt_pending() {
    let t = timer();
    // Running, interrupt pending.
    t.bus()
        .write_u32(0x00, (1 << 8) | (1 << 7) | (1 << 6))
        .unwrap();
    t.tcsr0().modify(|w| w.set(Tcsr0::ENIT0, false));
    // T0INT written as 0: on hardware, a w1c bit written 0 stays set.
    assert_eq!(t.bus().read_u32(0x00).unwrap(), 1 << 7);
}

#[test]
fn clear_writes_one_to_the_interrupt_bit_only() {
    let t = timer();
    t.bus().write_u32(0x00, (1 << 8) | (1 << 7)).unwrap();
    assert!(acknowledge(&t));
    assert_eq!(t.bus().read_u32(0x00).unwrap(), (1 << 8) | (1 << 7));
    t.bus().write_u32(0x00, 1 << 7).unwrap();
    assert!(!acknowledge(&t));
    assert_eq!(
        t.bus().read_u32(0x00).unwrap(),
        1 << 7,
        "nothing pending, nothing cleared"
    );
    let mut v = Value::<Tcsr0>::from_bits(0x1ff);
    assert_eq!(v.write_bits(), 0x0ff);
    v.clear(Tcsr0::T0INT);
    assert_eq!(v.write_bits(), 0x1ff);
}

#[test]
fn counters_are_read_only() {
    let t = timer();
    t.bus().write_u32(0x08, 12345).unwrap();
    t.bus().write_u32(0x18, 678).unwrap();
    assert_eq!(t.tcr0().read().bits(), 12345);
    assert_eq!(t.tcr1().read().bits(), 678);
    assert!(!DESC.register("TCR0").unwrap().is_writable());
}

#[test]
fn start_periodic_programs_the_load_value_and_mode() {
    let t = timer();
    start_periodic(&t, 100_000);
    assert_eq!(t.tlr0().read().bits(), 99_998);
    let v = t.tcsr0().read();
    assert_eq!(v.get(Tcsr0::MDT0), Mode::Generate);
    assert_eq!(v.get(Tcsr0::UDT0), Direction::Down);
    assert_eq!(v.get(Tcsr0::ARHT0), Reload::Reload);
    assert!(v.get(Tcsr0::ENIT0) && v.get(Tcsr0::ENT0) && !v.get(Tcsr0::LOAD0));
}

#[test]
fn debug_names_every_field() {
    let text = format!("{:?}", Value::<Tcsr0>::from_bits(1 << 11));
    assert!(
        text.starts_with("TCSR0 { MDT0: generate, UDT0: up,"),
        "{text}"
    );
    assert!(text.ends_with("CASC: true }"), "{text}");
}

#[test]
fn on_a_device_model_acknowledge_clears_only_the_interrupt() {
    let model = regmap_runtime::ModelBus::new(DESC);
    let t = AxiTimer::new(&model).unwrap();
    start_periodic(&t, 10);
    model
        .hw_update("TCSR0", |v| v | Tcsr0::T0INT.mask())
        .unwrap();
    // A read-modify-write that does not ask to clear leaves it pending.
    t.tcsr0().modify(|w| w.set(Tcsr0::PWMA0, false));
    assert!(t.tcsr0().read().get(Tcsr0::T0INT));
    assert!(acknowledge(&t));
    let v = t.tcsr0().read();
    assert!(!v.get(Tcsr0::T0INT) && v.get(Tcsr0::ENT0) && v.get(Tcsr0::ENIT0));
}
