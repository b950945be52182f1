use regmap_runtime::register_block;

#[register_block(size = 0x10)]
mod block {
    /// Parity of the frame
    #[local]
    enum Parity {
        None = 0,
        Odd = 1,
    }

    #[register(offset = 0x0)]
    struct RX {
        #[bits(1:0)]
        PARITY: Parity,
    }

    #[register(offset = 0x4)]
    struct TX {
        #[bits(1:0)]
        PARITY: Parity,
    }
}

fn main() {}
