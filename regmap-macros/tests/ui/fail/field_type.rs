use regmap_runtime::register_block;

#[register_block(size = 0x10)]
mod timer {
    #[register(offset = 0x0)]
    struct CTRL {
        #[bits(7:4)]
        PRESCALE: u3,
        #[bits(8)]
        ENABLE: u8,
    }
}

fn main() {}
