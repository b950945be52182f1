use regmap_runtime::register_block;

#[register_block(size = 0x10, id(register = KEY, value = 0x42))]
mod block {
    #[register(offset = 0x0, access = wo)]
    struct KEY;
}

fn main() {}
