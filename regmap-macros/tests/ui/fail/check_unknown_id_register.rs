use regmap_runtime::register_block;

#[register_block(size = 0x10, id(register = VERSOIN, value = 0x1))]
mod block {
    #[register(offset = 0x0, access = ro)]
    struct VERSION;
}

fn main() {}
