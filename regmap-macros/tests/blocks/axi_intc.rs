/// AXI Interrupt Controller v4.1 (Xilinx PG099), 32-bit addressing: up to 32
/// interrupt inputs, normal and fast interrupt modes. Register space 0x000-0x1FF;
/// offsets as in PG099 Table 2-3 (IVEAR, present only with 64-bit addressing,
/// is left out).
#[register_block(size = 0x200)]
pub mod axi_intc {
    /// What IVR holds
    enum Vector {
        /// No enabled interrupt is active (any other value is the ordinal of the highest-priority active interrupt)
        no_interrupt = 0xffff_ffff,
    }

    /// Interrupt status register: bit n is 1 while interrupt input n is active; before MER.HIE is set, writes set bits (software interrupts)
    #[register(offset = 0x00)]
    struct ISR;

    /// Interrupt pending register: ISR AND IER (optional, C_HAS_IPR)
    #[register(offset = 0x04, access = ro)]
    struct IPR;

    /// Interrupt enable register: bit n enables interrupt input n
    #[register(offset = 0x08)]
    struct IER;

    /// Interrupt acknowledge register: writing 1 to bit n clears ISR bit n (and acknowledges a fast interrupt)
    #[register(offset = 0x0c, access = wo)]
    struct IAR;

    /// Set interrupt enables: writing 1 to bit n sets IER bit n, other bits unchanged (optional, C_HAS_SIE)
    #[register(offset = 0x10, access = wo)]
    struct SIE;

    /// Clear interrupt enables: writing 1 to bit n clears IER bit n, other bits unchanged (optional, C_HAS_CIE)
    #[register(offset = 0x14, access = wo)]
    struct CIE;

    /// Interrupt vector register: ordinal of the highest-priority enabled active interrupt (optional, C_HAS_IVR)
    #[register(offset = 0x18, access = ro, reset = 0xffff_ffff)]
    struct IVR {
        /// Interrupt ordinal or no_interrupt
        #[bits(31:0)]
        VECTOR: Vector,
    }

    /// Master enable register
    #[register(offset = 0x1c)]
    struct MER {
        /// Master IRQ enable: 1 lets the irq output follow the enabled active interrupts
        #[bits(0)]
        ME: bool,
        /// Hardware interrupt enable: 1 lets the inputs drive ISR and disables software interrupts; once set it cannot be cleared until reset
        #[bits(1)]
        HIE: bool,
    }

    /// Interrupt mode register: bit n = 1 puts interrupt n in fast interrupt mode (optional, C_HAS_FAST)
    #[register(offset = 0x20)]
    struct IMR;

    /// Interrupt level register: only interrupts with an ordinal below this value are presented (nested interrupts, C_HAS_ILR)
    #[register(offset = 0x24, reset = 0xffff_ffff)]
    struct ILR;

    /// Interrupt vector address register n: the handler address of interrupt n in fast interrupt mode (reset C_IVAR_RESET_VALUE)
    #[register(offset = 0x100, reset = 0x10, count = 32, stride = 4)]
    struct IVAR;
}
