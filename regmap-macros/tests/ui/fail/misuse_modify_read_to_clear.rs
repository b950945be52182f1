include!("../common/misuse_block.rs");

fn main() {
    let d = device();
    d.events().modify(|w| w.set(dev::Events::MASK, true));
}
