//! Exact-width accesses: the device decodes only 4-byte accesses below 0x80 and
//! 4- or 8-byte ones above. A narrow read of a 32-bit register therefore returns
//! no register bytes: 0 where QEMU refuses the access before the device sees it
//! (recent versions), all ones where the device itself rejects it. A bus that
//! made a wider access and masked it would return the register's low bytes
//! instead, so what a read returns shows the width of the access really made.

use regmap_runtime::Bus;
use regmap_vm_tests::{open_edu, reg};

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn a_32_bit_register_answers_only_32_bit_reads() {
    let uio = open_edu();
    let w = uio.map(0).unwrap();
    assert_eq!(w.read_u32(reg::ID).unwrap(), 0x0100_00ed);
    assert_eq!(
        w.read_u16(reg::ID).unwrap(),
        0,
        "a 2-byte read is refused (not 0x00ed)"
    );
    assert_eq!(
        w.read_u8(reg::ID).unwrap(),
        0,
        "a 1-byte read is refused (not 0xed)"
    );
    assert_eq!(
        w.read_u64(reg::ID).unwrap(),
        u64::MAX,
        "an 8-byte read below 0x80 is not decoded"
    );
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn liveness_inverts_and_narrow_writes_are_dropped() {
    let uio = open_edu();
    let w = uio.map(0).unwrap();
    for v in [0, 0xdead_beef, 0x1234_5678, u32::MAX] {
        w.write_u32(reg::LIVENESS, v).unwrap();
        assert_eq!(w.read_u32(reg::LIVENESS).unwrap(), !v);
    }
    w.write_u32(reg::LIVENESS, 0x0f0f_0f0f).unwrap();
    w.write_u16(reg::LIVENESS, 0xffff).unwrap();
    w.write_u8(reg::LIVENESS, 0xff).unwrap();
    assert_eq!(w.read_u32(reg::LIVENESS).unwrap(), !0x0f0f_0f0f);
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn a_64_bit_register_round_trips_whole_and_by_halves() {
    let uio = open_edu();
    let w = uio.map(0).unwrap();
    let v = 0x0123_4567_89ab_cdef_u64;
    w.write_u64(reg::DMA_SOURCE, v).unwrap();
    assert_eq!(w.read_u64(reg::DMA_SOURCE).unwrap(), v);
    // A 4-byte read at the register's offset returns its low half; its high half
    // has no decoder of its own.
    assert_eq!(w.read_u32(reg::DMA_SOURCE).unwrap(), 0x89ab_cdef);
    assert_eq!(w.read_u32(reg::DMA_SOURCE + 4).unwrap(), u32::MAX);
    // A 4-byte write replaces the whole register.
    w.write_u32(reg::DMA_SOURCE, 0x55).unwrap();
    assert_eq!(w.read_u64(reg::DMA_SOURCE).unwrap(), 0x55);
}
