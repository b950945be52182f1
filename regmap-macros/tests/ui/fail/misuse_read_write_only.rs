include!("../common/misuse_block.rs");

fn main() {
    let d = device();
    let _ = d.cmd().read();
}
