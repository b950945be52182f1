/// AXI Timer v2.0 (Xilinx PG079): two 32-bit timer/counters with generate, capture,
/// PWM and cascade modes. Register space 0x00-0x1F; offsets as in PG079 Table 2-4.
#[register_block(size = 0x20)]
pub mod axi_timer {
    /// Timer mode (MDT)
    enum Mode {
        /// Generate mode
        generate = 0,
        /// Capture mode
        capture = 1,
    }

    /// Count direction (UDT)
    enum Direction {
        /// Timer counts up
        up = 0,
        /// Timer counts down
        down = 1,
    }

    /// Auto reload/hold (ARHT)
    enum Reload {
        /// Hold the counter (generate) or do not overwrite a capture
        hold = 0,
        /// Reload the counter (generate) or overwrite a capture
        reload = 1,
    }

    /// Control/status register 0
    #[register(offset = 0x00)]
    struct TCSR0 {
        /// Timer 0 mode
        #[bits(0)]
        MDT0: Mode,
        /// Up/down count timer 0
        #[bits(1)]
        UDT0: Direction,
        /// Enable external generate signal timer 0
        #[bits(2)]
        GENT0: bool,
        /// Enable external capture trigger timer 0
        #[bits(3)]
        CAPT0: bool,
        /// Auto reload/hold timer 0: reload the load value at the end of each count (generate mode), or overwrite the captured value (capture mode)
        #[bits(4)]
        ARHT0: Reload,
        /// Load timer 0: while 1, the counter is loaded with TLR0; clear it before enabling the timer
        #[bits(5)]
        LOAD0: bool,
        /// Enable interrupt for timer 0
        #[bits(6)]
        ENIT0: bool,
        /// Enable timer 0
        #[bits(7)]
        ENT0: bool,
        /// Timer 0 interrupt: reads 1 when the interrupt condition occurred; write 1 to clear it
        #[bits(8, access = w1c)]
        T0INT: bool,
        /// Enable pulse width modulation (set in both TCSR0 and TCSR1)
        #[bits(9)]
        PWMA0: bool,
        /// Enable all timers: 1 sets ENT0 and ENT1 together; clearing it clears ENALL in both registers, not ENT0/ENT1
        #[bits(10)]
        ENALL: bool,
        /// Cascade mode: timer 0 and timer 1 form one 64-bit counter (set in TCSR0 only)
        #[bits(11)]
        CASC: bool,
    }

    /// Load register 0, the value loaded into TCR0 (on LOAD0 or auto reload)
    #[register(offset = 0x04)]
    struct TLR0;

    /// Timer/counter register 0, the current count of timer 0
    #[register(offset = 0x08, access = ro)]
    struct TCR0;

    /// Control/status register 1
    #[register(offset = 0x10)]
    struct TCSR1 {
        /// Timer 1 mode
        #[bits(0)]
        MDT1: Mode,
        /// Up/down count timer 1
        #[bits(1)]
        UDT1: Direction,
        /// Enable external generate signal timer 1
        #[bits(2)]
        GENT1: bool,
        /// Enable external capture trigger timer 1
        #[bits(3)]
        CAPT1: bool,
        /// Auto reload/hold timer 1: reload the load value at the end of each count (generate mode), or overwrite the captured value (capture mode)
        #[bits(4)]
        ARHT1: Reload,
        /// Load timer 1: while 1, the counter is loaded with TLR1; clear it before enabling the timer
        #[bits(5)]
        LOAD1: bool,
        /// Enable interrupt for timer 1
        #[bits(6)]
        ENIT1: bool,
        /// Enable timer 1
        #[bits(7)]
        ENT1: bool,
        /// Timer 1 interrupt: reads 1 when the interrupt condition occurred; write 1 to clear it
        #[bits(8, access = w1c)]
        T1INT: bool,
        /// Enable pulse width modulation (set in both TCSR0 and TCSR1)
        #[bits(9)]
        PWMB0: bool,
        /// Enable all timers: 1 sets ENT0 and ENT1 together; clearing it clears ENALL in both registers, not ENT0/ENT1
        #[bits(10)]
        ENALL: bool,
    }

    /// Load register 1, the value loaded into TCR1 (on LOAD1 or auto reload)
    #[register(offset = 0x14)]
    struct TLR1;

    /// Timer/counter register 1, the current count of timer 1
    #[register(offset = 0x18, access = ro)]
    struct TCR1;
}
