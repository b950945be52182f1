include!("../common/misuse_block.rs");

// ENABLE is an ordinary field: it has no clear action to request.
fn main() {
    let d = device();
    d.ctrl().modify(|w| w.clear(dev::Ctrl::ENABLE));
}
