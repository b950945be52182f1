/// AXI GPIO v2.0 (Xilinx PG144): one or two channels of up to 32 general-purpose
/// pins each, with an optional interrupt on input changes. Register space
/// 0x000-0x1FF; offsets as in PG144 Table 2-4.
#[register_block(size = 0x200)]
pub mod axi_gpio {
    /// Channel 1 data: reads the input pins (and output pins as driven); writes drive the output pins
    #[register(offset = 0x00)]
    struct GPIO_DATA;

    /// Channel 1 three-state control: 1 makes a pin an input, 0 an output (reset value C_TRI_DEFAULT, all inputs by default)
    #[register(offset = 0x04, reset = 0xffff_ffff)]
    struct GPIO_TRI;

    /// Channel 2 data (dual-channel configurations only)
    #[register(offset = 0x08)]
    struct GPIO2_DATA;

    /// Channel 2 three-state control (reset value C_TRI_DEFAULT_2)
    #[register(offset = 0x0c, reset = 0xffff_ffff)]
    struct GPIO2_TRI;

    /// Global interrupt enable register
    #[register(offset = 0x11c)]
    struct GIER {
        /// Global interrupt enable: 1 passes the channel interrupts enabled in IP_IER to the interrupt output
        #[bits(31)]
        GIE: bool,
    }

    /// IP interrupt status register: a bit is set when an input of its channel changes; the IP toggles a bit on every write of 1 (PG144: toggle-on-write), so write 1 only to bits read as 1 to acknowledge them
    #[register(offset = 0x120)]
    struct IP_ISR {
        /// Channel 1 interrupt status
        #[bits(0, access = w1t)]
        CH1: bool,
        /// Channel 2 interrupt status
        #[bits(1, access = w1t)]
        CH2: bool,
    }

    /// IP interrupt enable register
    #[register(offset = 0x128)]
    struct IP_IER {
        /// Channel 1 interrupt enable
        #[bits(0)]
        CH1: bool,
        /// Channel 2 interrupt enable
        #[bits(1)]
        CH2: bool,
    }
}
