use regmap_runtime::register_block;

// A field may be named `type` (its constant is `TYPE`), but a register named
// `TYPE` would get the accessor `type`, a keyword.
#[register_block(size = 0x10)]
mod block {
    #[register(offset = 0x0)]
    struct TYPE {
        #[bits(1:0)]
        r#type: u2,
    }
}

fn main() {}
