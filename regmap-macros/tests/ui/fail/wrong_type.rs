use regmap_runtime::register_block;

#[register_block(size = "16")]
mod timer {
    #[register(offset = 0x0)]
    struct CTRL;
}

fn main() {}
