use regmap_runtime::register_block;

#[register_block(size = 0x10)]
mod block {
    #[register(offset = 0x0, access = ro)]
    struct STATUS {
        #[bits(0, access = w1c)]
        IRQ: bool,
    }
}

fn main() {}
