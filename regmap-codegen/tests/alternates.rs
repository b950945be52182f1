//! Alternate registers in generated code, run on the in-memory bus: the
//! checked-in snapshot of `tests/good/alternates.yaml` (kept current by
//! `snapshots.rs`) compiles with warnings denied, every view keeps its own
//! type and accessor at the shared offset, and they see the same bytes.
#![deny(warnings)]

include!("snapshots/alternates.rs");

use regmap_runtime::arbitrary_int::{u2, u3, u4};
use regmap_runtime::{Bus, MemBus, Register};
use timer_modes::*;

fn bound() -> TimerModes<MemBus> {
    TimerModes::new(MemBus::new(0x40)).expect("the window is large enough")
}

#[test]
fn every_view_has_its_own_type_at_the_shared_offset() {
    assert_eq!(Ccmr::OFFSET, 0);
    assert_eq!(CcmrInput::OFFSET, 0);
    assert_eq!(<Ccmr as Register>::NAME, "CCMR");
    assert_eq!(<CcmrInput as Register>::NAME, "CCMR_INPUT");
    // The views split the same bits into different fields.
    assert_eq!(Ccmr::OCM.mask(), 0x70);
    assert_eq!(CcmrInput::ICF.mask(), 0xf0);
}

#[test]
fn a_write_through_one_view_reads_back_through_the_others() {
    let dev = bound();
    dev.ccmr()
        .write(|w| w.set(Ccmr::OCM, u3::new(0b110)).set(Ccmr::CCS, u2::new(0)));
    assert_eq!(dev.bus().read_u32(0x0).unwrap(), 0x60);
    let input = dev.ccmr_input().read();
    assert_eq!(input.get(CcmrInput::ICF), u4::new(0b0110));
    assert_eq!(input.get(CcmrInput::ICPSC), u2::new(0));

    dev.ccmr_input().write(|w| {
        w.set(CcmrInput::ICPSC, u2::new(0b11))
            .set(CcmrInput::CCS, u2::new(0b01))
    });
    assert_eq!(dev.ccmr().read().get(Ccmr::CCS), u2::new(0b01));
    // The 16-bit view is the low half of the same word.
    dev.bus().write_u32(0x0, 0xabcd_1234).unwrap();
    assert_eq!(dev.ccmr_low().read().bits(), 0x1234);
}

#[test]
fn alternates_inside_a_cluster_array_stay_in_their_element() {
    let dev = bound();
    dev.bus().write_u32(0x18, 0x5a).unwrap();
    let ch1 = dev.ch(1).unwrap();
    assert_eq!(ch1.cfg_status().read().bits(), 0x5a);
    ch1.cfg()
        .write_value(regmap_runtime::Value::from_bits(0x77));
    assert_eq!(ch1.cfg_status().read().bits(), 0x77);
    assert_eq!(dev.ch(0).unwrap().cfg_status().read().bits(), 0);
}

#[test]
fn the_description_lists_every_view() {
    let names: Vec<(&str, usize)> = DESC.registers.iter().map(|r| (r.name, r.offset)).collect();
    assert!(names.starts_with(&[("CCMR", 0), ("CCMR_INPUT", 0), ("CCMR_LOW", 0), ("CNT", 4)]));
}
