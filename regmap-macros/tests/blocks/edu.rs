/// QEMU educational PCI device (edu), BAR0 registers
#[register_block(size = 0x100, id(register = IDENTIFICATION, value = 0x100_00ed, mask = 0xff00_00ff))]
pub mod edu {
    /// Identification, 0xRRrr00ed (RR major, rr minor version)
    #[register(offset = 0x00, access = ro, reset = 0x100_00ed)]
    struct IDENTIFICATION {
        /// Always 0xed
        #[bits(7:0)]
        MAGIC: u8,
        /// Minor version
        #[bits(23:16)]
        MINOR: u8,
        /// Major version
        #[bits(31:24)]
        MAJOR: u8,
    }

    /// Card liveness check; reads back the bitwise inverse of what was written
    #[register(offset = 0x04)]
    struct LIVENESS;

    /// Write n to start computing n!; read the result once STATUS.COMPUTING is clear
    #[register(offset = 0x08)]
    struct FACTORIAL;

    /// Status
    #[register(offset = 0x20)]
    struct STATUS {
        /// A factorial is being computed
        #[bits(0, access = ro)]
        COMPUTING: bool,
        /// Raise interrupt 0x1 when a factorial computation finishes
        #[bits(7)]
        IRQ_ON_FACTORIAL: bool,
    }

    /// The values that raised the pending interrupt, ORed together
    #[register(offset = 0x24, access = ro)]
    struct INTERRUPT_STATUS;

    /// Raises an interrupt; the value is ORed into INTERRUPT_STATUS
    #[register(offset = 0x60, access = wo)]
    struct INTERRUPT_RAISE;

    /// Clears the written bits from INTERRUPT_STATUS; the line drops when none is left
    #[register(offset = 0x64, access = wo)]
    struct INTERRUPT_ACK;

    /// DMA source address (bus address, or 0x40000 + offset in the device buffer)
    #[register(offset = 0x80, width = 64)]
    struct DMA_SOURCE;

    /// DMA destination address (bus address, or 0x40000 + offset in the device buffer)
    #[register(offset = 0x88, width = 64)]
    struct DMA_DESTINATION;

    /// DMA transfer length in bytes
    #[register(offset = 0x90, width = 64)]
    struct DMA_COUNT;

    #[local]
    enum Direction {
        /// From RAM into the device buffer
        to_device = 0,
        /// From the device buffer into RAM
        to_ram = 1,
    }

    /// DMA command; writes without START are ignored, and so is every DMA register write while a transfer runs
    #[register(offset = 0x98, width = 64)]
    struct DMA_COMMAND {
        /// Start the transfer; reads 1 until it is done
        #[bits(0)]
        START: bool,
        /// Direction of the transfer
        #[bits(1)]
        DIRECTION: Direction,
        /// Raise interrupt 0x100 when the transfer is done
        #[bits(2)]
        IRQ: bool,
    }
}
