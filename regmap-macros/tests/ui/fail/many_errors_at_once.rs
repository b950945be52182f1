use regmap_runtime::register_block;

// Every mistake is reported in one build, each where it was written.
#[register_block(size = 0x10)]
mod timer {
    #[register(offset = 0x0, acess = rw)]
    struct CTRL {
        #[bits(0:1)]
        ENABLE: bool,
    }

    enum Mode {
        Oneshot = 0,
        Periodic,
    }

    #[register(offset = 0x10)]
    struct COUNT;
}

fn main() {}
