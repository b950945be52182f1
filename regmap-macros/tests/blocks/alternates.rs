#[register_block(size = 0x40)]
pub mod timer_modes {
    /// Capture/compare mode, output view
    #[register(offset = 0x00)]
    struct CCMR {
        #[bits(6:4)]
        OCM: u3,
        #[bits(1:0)]
        CCS: u2,
    }

    /// Capture/compare mode, input view
    #[register(offset = 0x00, alternate_of = CCMR)]
    struct CCMR_INPUT {
        #[bits(7:4)]
        ICF: u4,
        #[bits(3:2)]
        ICPSC: u2,
        #[bits(1:0)]
        CCS: u2,
    }

    /// The low half as a 16-bit view
    #[register(offset = 0x00, width = 16, alternate_of = CCMR)]
    struct CCMR_LOW;

    #[register(offset = 0x04)]
    struct CNT;

    #[cluster(offset = 0x10, count = 2, stride = 8)]
    mod ch {
        #[register(offset = 0x00)]
        struct CFG;

        #[register(offset = 0x00, access = ro, alternate_of = CFG)]
        struct CFG_STATUS;

        #[register(offset = 0x04)]
        struct DATA;
    }
}
