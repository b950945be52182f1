//! Errors of the register layer. Hardware backends add their own error types.

/// An access at a run-time offset that the window cannot serve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccessError {
    /// The offset is not a multiple of the access width.
    #[error(
        "misaligned access: offset {offset:#x} is not a multiple of the {width}-byte access width"
    )]
    Misaligned {
        /// Byte offset asked for.
        offset: usize,
        /// Access width in bytes.
        width: usize,
    },
    /// The access does not lie inside the window.
    #[error("access of {width} bytes at offset {offset:#x} is outside the {size:#x}-byte window")]
    OutOfBounds {
        /// Byte offset asked for.
        offset: usize,
        /// Access width (or sub-window size) in bytes.
        width: usize,
        /// Size of the window.
        size: usize,
    },
}

/// Binding a register block to a window failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BindError {
    /// The window is smaller than the block.
    #[error(
        "window too small for block `{block}`: it needs {needed:#x} bytes, the window has {available:#x}; map a larger region or check the base address"
    )]
    WindowTooSmall {
        /// Block name.
        block: &'static str,
        /// Size of the block in bytes.
        needed: usize,
        /// Size of the window in bytes.
        available: usize,
    },
    /// The window's base address is not aligned for the block's widest register.
    #[error(
        "window for block `{block}` is aligned to {alignment} bytes, its widest register needs {needed}"
    )]
    MisalignedBase {
        /// Block name.
        block: &'static str,
        /// Alignment of the window base.
        alignment: usize,
        /// Width of the widest register.
        needed: usize,
    },
    /// The identification register did not hold the expected value.
    #[error(
        "block `{block}`: identification register `{register}` reads {found:#x}, expected {expected:#x} (under mask {mask:#x}); is this the right device or base address?"
    )]
    IdMismatch {
        /// Block name.
        block: &'static str,
        /// Name of the identification register.
        register: &'static str,
        /// Value expected (after masking).
        expected: u64,
        /// Value read (after masking).
        found: u64,
        /// Mask applied before comparing.
        mask: u64,
    },
}

/// An index into a register or cluster array was out of range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("index {index} out of range for `{array}`, which has {count} elements")]
pub struct IndexError {
    /// Name of the array.
    pub array: &'static str,
    /// Index asked for.
    pub index: usize,
    /// Number of elements.
    pub count: usize,
}
