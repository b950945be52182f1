use regmap_runtime::arbitrary_int::u3;

include!("../common/misuse_block.rs");

fn main() {
    let d = device();
    d.ctrl().modify(|w| {
        w.set(dev::Ctrl::PRESCALE, const { u3::new(9) });
        w
    });
}
