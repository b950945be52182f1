/// Folded description over two lines
#[register_block(size = 0x1000)]
pub mod dma {
    #[register(offset = 0x00)]
    struct GLOBAL;

    /// One channel
    #[cluster(offset = 0x100, count = 4, stride = 0x100)]
    mod ch {
        #[register(offset = 0x00)]
        struct CTRL;

        #[cluster(offset = 0x40, count = 8, stride = 0x10)]
        mod desc {
            #[register(offset = 0x00, width = 64)]
            struct ADDR;

            #[register(offset = 0x08)]
            struct LEN;
        }

        #[register(offset = 0x10, count = 3, stride = 4)]
        struct COUNTER;
    }

    /// Register names repeat across clusters (one Rust module each)
    #[cluster(offset = 0x800)]
    mod tx {
        #[register(offset = 0x00)]
        struct CTRL;

        #[register(offset = 0x04)]
        struct GLOBAL;
    }
}
