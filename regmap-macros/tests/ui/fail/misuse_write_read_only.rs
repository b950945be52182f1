include!("../common/misuse_block.rs");

fn main() {
    let d = device();
    d.status().write_value(dev::Status::from_bits(1));
}
