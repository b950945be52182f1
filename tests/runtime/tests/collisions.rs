//! The collision corpus behaves: fields named like trait methods and
//! constants (`NE`, `EQ`, `FMT`, `NAME`, `RESET`...) are the fields, a
//! register named `B` is the register, and `Debug` prints what the map names.

use regmap_runtime::{Bus, MemBus, Register, Value};
use regmap_runtime_tests::corpus::collisions::{self, B, Collisions};

#[test]
fn fields_named_like_trait_methods_are_the_fields() {
    let mut blk = Collisions::new(MemBus::new(0x100)).unwrap();
    blk.bus().write_u32(0x0, 0b101).unwrap();
    let v: Value<B> = blk.b().read();
    assert!(v.get(B::NE) && !v.get(B::EQ) && v.get(B::FMT));
    assert!(!v.get(B::CLONE) && !v.get(B::HASH) && !v.get(B::INTO) && !v.get(B::FROM));
    assert!(!v.get(B::GET) && !v.get(B::SET) && !v.get(B::WITH));
    assert_eq!(v.get(B::MASK), Ok(collisions::Option::Some));
    // `Debug` goes through the field table, never through a field.
    let text = format!("{v:?}");
    assert!(
        text.starts_with("B { NE: true, EQ: false, FMT: true,"),
        "{text}"
    );
    // Trait items keep their meaning next to inherent ones of the same name.
    assert_eq!(<B as Register>::NAME, "B");
    assert_eq!(B::NAME.lsb(), 15);
    assert_eq!(<B as Register>::RESET, 0);
    assert_eq!(B::RESET.lsb(), 16);
    assert_eq!(<B as Register>::FIELDS.len(), 30);
    assert_eq!(B::FIELDS.lsb(), 17);
    assert_eq!(v, Value::<B>::from_bits(0b101));
    blk.b()
        .write(|w| w.set(B::DEFAULT, true).set(B::CLONE, true));
    assert_eq!(blk.bus().read_u32(0x0).unwrap(), (1 << 8) | (1 << 3));

    // Registers named like prelude items and runtime types.
    blk.ok().write(|w| w.set_bits(7));
    assert_eq!(blk.ok().read().bits(), 7);
    blk.none().write(|w| w.set_bits(1));
    let _: u32 = blk.err().read().bits();
    let _ = blk.some().read().get(collisions::Some::ERR);
    assert_eq!(blk.index(1).unwrap().offset(), 0x60);
    assert!(blk.core(2).is_err());
    assert!(
        !blk.core(1)
            .unwrap()
            .at()
            .read()
            .get(collisions::core::At::AT)
    );
    assert!(!blk.std().fmt().read().get(collisions::std::Fmt::F));

    // Fields named like keywords are constants, which keywords never are.
    blk.b()
        .write(|w| w.set(B::TYPE, true).set(B::SELF, true).set(B::LOOP, true));
    assert_eq!(
        blk.bus().read_u32(0x0).unwrap(),
        (1 << 28) | (1 << 29) | (1 << 31)
    );
    assert!(!blk.b().read().get(B::BITS));
    // Registers named like the runtime's types are the registers.
    assert_eq!(blk.value().read().bits(), 0);
    assert_eq!(<collisions::Value as Register>::RESET, 1);
    assert_eq!(<collisions::Partial as Register>::NAME, "Partial");
    assert_eq!(<collisions::Raw as Register>::NAME, "Raw");
}
