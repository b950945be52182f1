use regmap_runtime::register_block;

#[register_block(size = 0x10)]
mod block {
    #[register(offset = 0x0)]
    struct CTRL {
        #[bits(0)]
        _ENABLE: bool,
    }
}

fn main() {}
