use regmap_runtime::register_block;

#[register_block(size = 0x40)]
mod block {
    #[register(offset = 0x10, count = 4)]
    struct LOAD;

    #[register(offset = 0x18)]
    struct CTRL;
}

fn main() {}
