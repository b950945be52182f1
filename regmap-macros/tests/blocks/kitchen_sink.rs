/// Every shape the emitter knows, for snapshot and behaviour tests.
#[register_block(size = 0x400, id(register = VERSION, value = 0x5eed_0000, mask = 0xffff_0000))]
pub mod kitchen_sink {
    /// Link speed (not every value named)
    enum Speed {
        slow = 0,
        /// Twice as fast
        fast = 2,
    }

    enum Level {
        off = 0,
        low = 1,
        mid = 2,
        high = 3,
    }

    /// Identification and revision
    #[register(offset = 0x00, access = ro, reset = 0x5eed_0102)]
    struct VERSION {
        #[bits(31:16)]
        MAGIC: u16,
        #[bits(15:8)]
        MAJOR: u8,
        #[bits(7:0)]
        MINOR: u8,
    }

    #[local]
    enum Polarity {
        active_high = 0,
        active_low = 1,
    }

    /// Control
    #[register(offset = 0x04, reset = 0x10)]
    struct CTRL {
        /// Enable the engine
        #[bits(0)]
        ENABLE: bool,
        #[bits(2:1)]
        SPEED: Speed,
        #[bits(5:4)]
        LEVEL: Level,
        /// Clock divider
        #[bits(19:8)]
        DIVIDER: u12,
        /// Start (reads as 0)
        #[bits(24, access = wo)]
        START: bool,
        #[bits(27:25, access = wo)]
        KICK: u3,
        #[bits(28)]
        POLARITY: Polarity,
    }

    /// Interrupt status and flags
    #[register(offset = 0x08)]
    struct STATUS {
        /// Transfer done
        #[bits(0, access = w1c)]
        DONE: bool,
        /// Error
        #[bits(1, access = w1c)]
        ERR: bool,
        /// Per-channel pending
        #[bits(11:4, access = w1c)]
        PENDING: u8,
        #[bits(16, access = ro)]
        BUSY: bool,
        #[bits(17, access = w1s)]
        ARM: bool,
        #[bits(18, access = w1t)]
        FLIP: bool,
        #[bits(19, access = w0c)]
        nDROP: bool,
        #[bits(20, access = w0s)]
        nHOLD: bool,
        #[bits(31:24)]
        MODE: u8,
    }

    /// Event counter, cleared by reading
    #[register(offset = 0x0c, access = rc)]
    struct EVENTS;

    /// Write-only doorbell
    #[register(offset = 0x10, access = wo)]
    struct DOORBELL;

    /// Acknowledge, a whole register of w1c bits
    #[register(offset = 0x14, access = w1c)]
    struct ACK;

    #[register(offset = 0x18, width = 8, reset = 0xa5)]
    struct BYTE;

    #[register(offset = 0x1a, width = 16)]
    struct HALF {
        #[bits(7:0)]
        LO: u8,
        #[bits(15:8)]
        HI: u8,
    }

    #[register(offset = 0x20, width = 64, reset = 0x1234_5678_9abc_def0)]
    struct WIDE {
        #[bits(31:0)]
        LOW: u32,
        #[bits(63)]
        TOP: bool,
        #[bits(62:40)]
        TAG: u23,
    }

    #[register(offset = 0x28)]
    struct FULL {
        #[bits(31:0)]
        WHOLE: Level,
    }

    /// Field names that tempt clippy's naming lints
    #[register(offset = 0x2c)]
    struct names {
        #[bits(0)]
        is_ready: bool,
        #[bits(1)]
        as_raw: bool,
        #[bits(2)]
        to_host: bool,
        #[bits(3)]
        into_fifo: bool,
        #[bits(7:4)]
        len: u4,
    }

    #[register(offset = 0x40, reset = 0xdead_beef, count = 4, stride = 4)]
    struct SCRATCH;

    /// One channel
    #[cluster(offset = 0x100, count = 4, stride = 0x40)]
    mod channel {
        #[register(offset = 0x00)]
        struct CH_CTRL {
            #[bits(0)]
            RUN: bool,
            #[bits(2:1)]
            LEVEL: Level,
        }

        #[register(offset = 0x04, access = ro)]
        struct CH_STATUS;

        #[cluster(offset = 0x10, count = 2, stride = 0x10)]
        mod queue {
            #[register(offset = 0x00)]
            struct HEAD;

            #[register(offset = 0x04, access = ro)]
            struct TAIL;
        }
    }

    #[cluster(offset = 0x300)]
    mod misc {
        #[register(offset = 0x00, reset = 1)]
        struct MISC_CTRL;

        #[cluster(offset = 0x20)]
        mod deep {
            #[register(offset = 0x08, width = 64)]
            struct LEAF;
        }
    }
}
