use regmap_runtime::register_block;

#[register_block(size = 0x10)]
mod timer {
    #[register(offset = 0x0)]
    struct CTRL;

    fn helper() {}
}

fn main() {}
