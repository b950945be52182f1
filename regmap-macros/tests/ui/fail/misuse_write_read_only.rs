include!("../common/misuse_block.rs");

fn main() {
    let d = device();
    d.status().write_value(regmap_runtime::Value::from_bits(1));
}
