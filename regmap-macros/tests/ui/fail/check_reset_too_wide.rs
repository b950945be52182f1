use regmap_runtime::register_block;

#[register_block(size = 0x10)]
mod block {
    #[register(offset = 0x0, width = 16, reset = 0x1_0000)]
    struct CTRL;
}

fn main() {}
