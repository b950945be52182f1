use regmap_runtime::register_block;

#[register_block(size = 0x10)]
mod block {
    #[register(offset = 0x0, count = 2, stride = 2)]
    struct DATA;
}

fn main() {}
