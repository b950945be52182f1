use regmap_runtime::register_block;

#[register_block(size = 0x10)]
mod block {
    enum Mode {
        Idle = 0,
        Turbo = 4,
    }

    #[register(offset = 0x0)]
    struct CTRL {
        #[bits(1:0)]
        MODE: Mode,
    }
}

fn main() {}
