include!("../common/misuse_block.rs");

fn main() {
    let d = device();
    d.ctrl().modify(|w| w.set(dev::Ctrl::IRQ, true));
}
