//! `include_yaml!` expands to working code, whichever crate name the runtime
//! has in the caller's manifest (here: a dev-dependency named `regmap_runtime`).

use regmap_runtime::{Bus, MemBus};

regmap_runtime::include_yaml!("tests/maps/uart.yaml");

#[test]
fn the_included_map_drives_a_bus() {
    let mut u = uart::Uart::new(MemBus::new(0x10)).unwrap();
    assert_eq!(
        u.ctrl().read().bits(),
        0,
        "a fresh bus, not the reset value"
    );
    u.ctrl()
        .write(|w| w.set(uart::Ctrl::PARITY, uart::Parity::Odd));
    assert_eq!(
        u.bus().read_u32(0x8).unwrap(),
        0x3 | (2 << 5),
        "write starts from the reset value 0x3"
    );
    u.data().write(|w| w.set_bits(b'A'));
    assert_eq!(u.bus().read_u8(0x0).unwrap(), b'A');
    u.bus().write_u32(0x4, 0b101).unwrap();
    let status = u.status().read();
    assert!(
        status.get(uart::Status::TX_EMPTY)
            && !status.get(uart::Status::RX_FULL)
            && status.get(uart::Status::OVERRUN)
    );
}

mod corpus {
    // The collision corpus through the macro: it compiles here as it does
    // from a build script (tests/runtime), with the same names.
    regmap_runtime::include_yaml!("../tests/runtime/maps/collisions.yaml");
}

#[test]
fn the_collision_corpus_expands_and_compiles() {
    let mut blk = corpus::collisions::Collisions::new(MemBus::new(0x100)).unwrap();
    assert!(!blk.b().read().get(corpus::collisions::B::NE));
    assert!(!blk.some().read().get(corpus::collisions::Some::ERR));
    assert_eq!(corpus::collisions::DESC.registers.len(), 38);
}
