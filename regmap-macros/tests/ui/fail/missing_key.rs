use regmap_runtime::register_block;

#[register_block]
mod timer {
    #[register(width = 32)]
    struct CTRL;
}

fn main() {}
