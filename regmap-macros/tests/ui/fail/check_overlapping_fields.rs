use regmap_runtime::register_block;

#[register_block(size = 0x10)]
mod block {
    #[register(offset = 0x0)]
    struct CTRL {
        #[bits(7:4)]
        PRESCALE: u4,
        #[bits(4)]
        ENABLE: bool,
    }
}

fn main() {}
