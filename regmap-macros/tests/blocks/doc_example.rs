/// AXI Timer v2.0 (PG079)
#[register_block(size = 0x200, id(register = VERSION, value = 0x1_0000, mask = 0xffff_0000))]
pub mod axi_timer {
    /// Timer mode
    enum Mode {
        /// Generate mode
        generate = 0,
        capture = 1,
    }

    #[local]
    enum Prescale {
        div1 = 0,
    }

    /// Control/status register 0
    #[register(offset = 0x00)]
    struct TCSR0 {
        #[bits(0)]
        MDT: Mode,
        #[bits(8, access = w1c)]
        TINT: bool,
        /// Prescaler
        #[bits(11:9)]
        PRESCALE: Prescale,
    }

    #[register(offset = 0x08, access = ro, reset = 0x1_0203)]
    struct VERSION;

    #[register(offset = 0x10, count = 2, stride = 0x10)]
    struct TLR;

    /// One DMA channel
    #[cluster(offset = 0x100, count = 4, stride = 0x20)]
    mod channel {
        #[register(offset = 0x00)]
        struct CTRL;

        #[register(offset = 0x04, access = ro)]
        struct STATUS;
    }
}
