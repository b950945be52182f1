//! The generated AXI INTC block on the in-memory bus: read-only and write-only
//! registers, the IVAR array in and out of range, the IVR enum with its
//! unnamed values.
#![deny(warnings)]

use example_axi_intc::axi_intc::*;
use example_axi_intc::{set_fast_vector, start, take_next};
use regmap_runtime::{BindError, Bus, IndexError, MemBus, Register};

fn intc() -> AxiIntc<MemBus> {
    AxiIntc::new(MemBus::new(0x200)).expect("a 0x200-byte window fits")
}

#[test]
fn register_offsets_and_resets_follow_pg099() {
    // These registers have no fields: their accessors hand out the runtime's
    // `Raw` register, so their offsets are the handles'.
    let i = intc();
    assert_eq!(
        [
            i.isr().offset(),
            i.ipr().offset(),
            i.ier().offset(),
            i.iar().offset(),
            i.sie().offset(),
            i.cie().offset()
        ],
        [0x00, 0x04, 0x08, 0x0c, 0x10, 0x14]
    );
    assert_eq!(
        [Ivr::OFFSET, Mer::OFFSET, i.imr().offset(), Ilr::OFFSET],
        [0x18, 0x1c, 0x20, 0x24]
    );
    assert_eq!((Ivar::OFFSET, Ivar::COUNT, Ivar::STRIDE), (0x100, 32, 4));
    assert_eq!(
        (Ivr::RESET, Ilr::RESET, Ivar::RESET),
        (0xffff_ffff, 0xffff_ffff, 0x10)
    );
    // 10 registers + 32 IVARs, in offset order.
    assert_eq!(DESC.registers.len(), 42);
    assert_eq!(DESC.register_at(0x17c).unwrap().name, "IVAR[31]");
}

#[test]
fn window_too_small_is_refused() {
    assert_eq!(
        AxiIntc::new(MemBus::new(0x100)).unwrap_err(),
        BindError::WindowTooSmall {
            block: "axi_intc",
            needed: 0x200,
            available: 0x100
        }
    );
}

#[test]
fn ivar_array_is_indexed_and_bounded() {
    let i = intc();
    i.ivar(0).unwrap().write(|w| w.set_bits(0x1000));
    i.ivar(31).unwrap().write(|w| w);
    assert_eq!(i.bus().read_u32(0x100).unwrap(), 0x1000);
    assert_eq!(i.bus().read_u32(0x17c).unwrap(), 0x10, "written from reset");
    assert_eq!(
        i.ivar(32).unwrap_err(),
        IndexError {
            array: "IVAR",
            index: 32,
            count: 32
        }
    );
    assert!(set_fast_vector(&i, 32, 0).is_err());
    set_fast_vector(&i, 4, 0x8000_0000).unwrap();
    assert_eq!(i.bus().read_u32(0x110).unwrap(), 0x8000_0000);
    assert_eq!(i.bus().read_u32(0x20).unwrap(), 1 << 4);
}

#[test]
fn ivr_names_no_interrupt_and_returns_ordinals_raw() {
    let i = intc();
    i.bus().write_u32(0x18, 0xffff_ffff).unwrap();
    assert_eq!(i.ivr().read().get(Ivr::VECTOR), Ok(Vector::NoInterrupt));
    assert_eq!(take_next(&i), None);
    i.bus().write_u32(0x18, 7).unwrap();
    assert_eq!(i.ivr().read().get(Ivr::VECTOR), Err(7));
    assert_eq!(take_next(&i), Some(7));
    assert_eq!(
        i.bus().read_u32(0x0c).unwrap(),
        1 << 7,
        "IAR written with bit 7"
    );
}

#[test]
fn read_only_registers_read() {
    let i = intc();
    i.bus().write_u32(0x04, 0b1010).unwrap();
    assert_eq!(i.ipr().read().bits(), 0b1010);
    assert!(!DESC.register("IPR").unwrap().is_writable());
    assert!(!DESC.register("IVR").unwrap().is_writable());
}

#[test]
fn write_only_registers_write_exactly_the_mask() {
    let i = intc();
    i.cie().write(|w| w.set_bits(1 << 3));
    assert_eq!(i.bus().read_u32(0x14).unwrap(), 1 << 3);
    assert!(!DESC.register("IAR").unwrap().is_readable());
}

#[test]
fn start_enables_through_sie_and_turns_on_mer() {
    let i = intc();
    start(&i, 0b101);
    assert_eq!(i.bus().read_u32(0x10).unwrap(), 0b101);
    let mer = i.mer().read();
    assert!(mer.get(Mer::ME) && mer.get(Mer::HIE));
    i.mer().modify(|w| w.set(Mer::ME, false));
    assert_eq!(i.bus().read_u32(0x1c).unwrap(), 0b10);
}
