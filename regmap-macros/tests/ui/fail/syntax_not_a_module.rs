use regmap_runtime::register_block;

#[register_block(size = 0x10)]
pub struct Timer {
    ctrl: u32,
}

fn main() {}
