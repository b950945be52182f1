use regmap_runtime::register_block;

#[register_block(size = 0x10)]
mod block {
    #[register(offset = 0x0)]
    struct RX_DATA;

    #[register(offset = 0x4)]
    struct RxData;

    #[register(offset = 0x8)]
    struct NEW;
}

fn main() {}
