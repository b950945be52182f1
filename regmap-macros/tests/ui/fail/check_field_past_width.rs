use regmap_runtime::register_block;

#[register_block(size = 0x10)]
mod block {
    #[register(offset = 0x0, width = 16)]
    struct CTRL {
        #[bits(19:16)]
        DIV: u4,
    }
}

fn main() {}
