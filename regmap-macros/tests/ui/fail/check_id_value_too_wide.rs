use regmap_runtime::register_block;

#[register_block(size = 0x10, id(register = VERSION, value = 0x1_0000))]
mod block {
    #[register(offset = 0x0, access = ro, width = 16)]
    struct VERSION;
}

fn main() {}
