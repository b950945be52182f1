use regmap_runtime::arbitrary_int::u3;

include!("../common/misuse_block.rs");

fn main() {
    let d = device();
    d.ctrl().modify(|w| {
        w.set_prescale(const { u3::new(9) });
        w
    });
}
