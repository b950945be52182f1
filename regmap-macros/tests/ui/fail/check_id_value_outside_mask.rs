use regmap_runtime::register_block;

#[register_block(size = 0x10, id(register = VERSION, value = 0x0001_0001, mask = 0xffff_0000))]
mod block {
    #[register(offset = 0x0, access = ro)]
    struct VERSION;
}

fn main() {}
