use regmap_runtime::register_block;

// Mistakes the front end finds and mistakes the layout checks find are all
// reported in one build, in source order.
#[register_block(size = 0x10)]
mod core {
    /// Control signals
    #[register(offset = 0x0, reset = 0x4)]
    struct CTRL {
        #[bits(0)]
        AP_START: bool,
        #[bits(1, access = cor)]
        AP_DONE: bool,
        #[bits(3:2, access = ro)]
        AP_IDLE: bool,
        #[bits(4:7)]
        MODE: u4,
        #[bits(2, access = ro)]
        AP_READY: bool,
        #[bits(35:32)]
        LEVEL: u4,
    }
}

fn main() {}
