include!("../common/misuse_block.rs");

fn main() {
    let d = device();
    d.ctrl().modify(|w| w.set_irq(true));
}
