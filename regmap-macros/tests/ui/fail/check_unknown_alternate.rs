use regmap_runtime::register_block;

#[register_block(size = 0x40)]
mod block {
    #[register(offset = 0x0)]
    struct CCMR;

    #[register(offset = 0x0, alternate_of = CCRM)]
    struct CCMR_INPUT;
}

fn main() {}
