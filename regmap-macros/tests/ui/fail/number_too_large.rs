use regmap_runtime::register_block;

#[register_block(size = 0x10)]
mod timer {
    #[register(offset = 0x0, reset = 0x1_0000_0000_0000_0000)]
    struct CTRL;
}

fn main() {}
