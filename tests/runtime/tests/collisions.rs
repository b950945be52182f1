//! The collision corpus behaves: fields named like trait methods (`ne`, `eq`,
//! `fmt`, `clone`...) are the fields, a register named `B` is the register,
//! and `Debug` prints what the map names.

use regmap_runtime::{Bus, MemBus, Register};
use regmap_runtime_tests::corpus::collisions::{self, Collisions};

#[test]
fn fields_named_like_trait_methods_are_the_fields() {
    let mut blk = Collisions::new(MemBus::new(0x100)).unwrap();
    blk.bus().write_u32(0x0, 0b101).unwrap();
    let v: collisions::B = blk.b().read();
    assert!(v.ne() && !v.eq() && v.fmt());
    assert!(!v.clone() && !v.hash() && !v.into() && !v.from());
    assert_eq!(v.mask(), Ok(collisions::Option::Some));
    // `Debug` goes through the field table, never through `self.ne()`.
    let text = format!("{v:?}");
    assert!(
        text.starts_with("B { NE: true, EQ: false, FMT: true,"),
        "{text}"
    );
    // Trait items keep their meaning next to inherent ones of the same name.
    assert_eq!(<collisions::B as Register>::NAME, "B");
    assert_eq!(collisions::B::NAME.lsb(), 15);
    assert_eq!(v, collisions::B::from_bits(0b101));
    blk.b().write(|w| w.set_default(true).set_clone(true));
    assert_eq!(blk.bus().read_u32(0x0).unwrap(), (1 << 8) | (1 << 3));

    // Registers named like prelude items and runtime types.
    blk.ok().write(|w| w.set_bits(7));
    assert_eq!(blk.ok().read().bits(), 7);
    blk.none().write(|w| w.set_bits(1));
    let _: u32 = blk.err().read().bits();
    let _ = blk.some().read().err();
    assert_eq!(blk.index(1).unwrap().offset(), 0x60);
    assert!(blk.core(2).is_err());
    assert!(!blk.core(1).unwrap().at().read().at());
    assert!(!blk.std().fmt().read().f());
}
