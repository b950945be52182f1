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
    /// The window's base address is not aligned to the access width, so no
    /// offset in it gives an aligned access of that width.
    #[error(
        "misaligned window: its base is aligned to {alignment} bytes, a {width}-byte access needs {width}"
    )]
    MisalignedBase {
        /// Largest power of two dividing the window's base address.
        alignment: usize,
        /// Access width in bytes.
        width: usize,
    },
    /// A copy's length is not a multiple of its access width.
    #[error("length {len} is not a multiple of the {width}-byte access width")]
    LengthNotMultiple {
        /// Length asked for.
        len: usize,
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

/// Opening, mapping or driving a device failed: the error of every hardware
/// backend (mapped files, `/dev/mem`, UIO, PCI) and of the behavioural model.
///
/// Each message says what was asked for, what was found, and where it helps,
/// what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceError {
    /// No device matched; `available` lists what does exist.
    #[error("{what} not found; {}", list_available(.available))]
    NotFound {
        /// What was looked for (`UIO device named "axi_dma"`).
        what: String,
        /// What exists instead, one entry per device.
        available: Vec<String>,
    },
    /// A map index past the device's maps.
    #[error(
        "{device} has no map {index}: it has {count} map(s){}",
        if *.count == 0 { String::new() } else { format!(", numbered 0 to {}", .count - 1) }
    )]
    MapOutOfRange {
        /// Device (`/dev/uio0 (axi_dma)`).
        device: String,
        /// Index asked for.
        index: usize,
        /// Number of maps the device has.
        count: usize,
    },
    /// A window asked for is larger than what backs it.
    #[error(
        "{what} has {available:#x} bytes, but {requested:#x} were asked for; ask for less or check the size"
    )]
    TooLarge {
        /// What would back the window (a file, a map, a BAR).
        what: String,
        /// Bytes asked for.
        requested: u64,
        /// Bytes available.
        available: u64,
    },
    /// An address or offset is not aligned as it must be.
    #[error("{what} {value:#x} is not a multiple of {alignment}")]
    Misaligned {
        /// What the value is (`DMA length`, `copy offset`).
        what: &'static str,
        /// The value.
        value: u64,
        /// The alignment it needs.
        alignment: u64,
    },
    /// The operating system refused access to a file.
    #[error("permission denied opening {path}: {hint}")]
    PermissionDenied {
        /// The file.
        path: std::path::PathBuf,
        /// What to do about it.
        hint: &'static str,
    },
    /// Another open file (this process or another) holds the device's lock.
    #[error(
        "{path} is in use: another driver holds its lock; stop it first (two drivers of one device steal each other's interrupts)"
    )]
    Busy {
        /// The device file.
        path: std::path::PathBuf,
    },
    /// Two UIO devices map overlapping registers (a node that repeats
    /// another's `reg` for its interrupt, say) and one of them is held for
    /// exclusive use.
    #[error("{device}: {detail}")]
    RegistersShared {
        /// The device asked to map (`/dev/uio1 (axi_dma_mm2s_irq)`).
        device: String,
        /// Which side holds what, and what to do.
        detail: String,
    },
    /// Exclusive ownership of a device's registers was asked for while other
    /// windows of the device are still mapped.
    #[error(
        "{device}: {windows} other window(s) of this device are still mapped; drop them before taking its registers for exclusive use"
    )]
    WindowsAlive {
        /// Device (`/dev/uio0 (axi_dma)`).
        device: String,
        /// How many other windows are alive.
        windows: usize,
    },
    /// A file window was asked for over something that is not a plain file:
    /// a device node or DMA memory that a safe mapping would alias.
    #[error(
        "{} is {kind}, not a plain file: a FileWindow over it could change memory that a DMA buffer hands out as a slice. {hint}",
        path.display()
    )]
    NotAPlainFile {
        /// The file asked for.
        path: std::path::PathBuf,
        /// What it is (`"a character device"`, `"a hugetlbfs file"`, ...).
        kind: &'static str,
        /// What to use instead.
        hint: &'static str,
    },
    /// A register node is not the device its path names (a tree pointing
    /// `/dev/uio0` at `/dev/mem`, say): mapping it could alias memory the
    /// program owns.
    #[error("{} is {found}, not {expected}: mapping it could alias memory the program owns", path.display())]
    NotTheDevice {
        /// The node asked for.
        path: std::path::PathBuf,
        /// What it should be (`"a UIO device node"`).
        expected: &'static str,
        /// What it is.
        found: &'static str,
    },
    /// No interrupt arrived in time.
    #[error("no interrupt from {device} within {timeout:?}")]
    IrqTimeout {
        /// Device (`/dev/uio0 (axi_dma)`).
        device: String,
        /// How long was waited.
        timeout: std::time::Duration,
    },
    /// The device cannot re-enable or mask its interrupt.
    #[error("{device}: cannot {action} its interrupt: {reason}")]
    IrqControl {
        /// Device.
        device: String,
        /// `enable` or `disable`.
        action: &'static str,
        /// Why.
        reason: String,
    },
    /// A sysfs attribute held something unexpected.
    #[error("{path}: cannot parse {content:?} as {expected}")]
    Parse {
        /// The attribute file.
        path: std::path::PathBuf,
        /// What it held (trimmed).
        content: String,
        /// What was expected (`a hexadecimal number`).
        expected: &'static str,
    },
    /// A register name or offset the model's description does not have.
    #[error("block `{block}` has no register {register}")]
    UnknownRegister {
        /// Block name.
        block: &'static str,
        /// Name or offset asked for.
        register: String,
    },
    /// A PCI function was about to start a DMA with bus mastering off: the
    /// transfer would "complete" without moving a byte, and nothing would say so.
    #[error(
        "PCI {device}: bus mastering is off (command register bit 2), so a DMA would complete without moving a byte; enable it first (PciDevice::enable_bus_master). uio_pci_generic leaves it off, and the kernel clears it when the device file is last closed"
    )]
    BusMasterDisabled {
        /// The PCI address of the function.
        device: String,
    },
    /// VFIO cannot be used: no IOMMU group, no VFIO driver, no type1 IOMMU.
    #[error("VFIO unavailable ({}): {fix}", .path.display())]
    VfioUnavailable {
        /// What is missing (`/dev/vfio/vfio`, a function's `iommu_group` link).
        path: std::path::PathBuf,
        /// What to do about it.
        fix: &'static str,
    },
    /// A PCI function to be opened through VFIO is bound to another driver.
    #[error("PCI {device} is bound to {driver}, not vfio-pci; as root: {fix}")]
    WrongDriver {
        /// The function's PCI address.
        device: String,
        /// Its driver (`uio_pci_generic`, or `no driver`).
        driver: String,
        /// The commands that bind it to vfio-pci.
        fix: String,
    },
    /// The function's IOMMU group holds devices a host driver still uses, so
    /// the kernel will not hand the group to userspace.
    #[error(
        "IOMMU group {group} of PCI {device} is not viable: every device in it must be bound to vfio-pci or to no driver{}",
        if .blocking.is_empty() { String::new() } else { format!("; still bound: {}", .blocking.join(", ")) }
    )]
    GroupNotViable {
        /// The function's PCI address.
        device: String,
        /// The group number.
        group: u32,
        /// Other devices of the group and their drivers (`0000:00:04.0 (e1000e)`).
        blocking: Vec<String>,
    },
    /// Any other I/O error, with the file and the operation.
    #[error("{op} {path}: {source}")]
    Io {
        /// The operation (`open`, `mmap`, `read`).
        op: &'static str,
        /// The file.
        path: std::path::PathBuf,
        /// The system error.
        #[source]
        source: std::io::Error,
    },
}

fn list_available(available: &[String]) -> String {
    if available.is_empty() {
        "none exist".to_string()
    } else {
        format!("these exist: {}", available.join(", "))
    }
}

impl DeviceError {
    /// Wraps an I/O error on `path`, turning "permission denied" into
    /// [`DeviceError::PermissionDenied`] with advice that fits the file.
    pub fn io(
        op: &'static str,
        path: impl Into<std::path::PathBuf>,
        source: std::io::Error,
    ) -> Self {
        let path = path.into();
        if source.kind() == std::io::ErrorKind::PermissionDenied {
            let hint = permission_hint(&path);
            return DeviceError::PermissionDenied { path, hint };
        }
        DeviceError::Io { op, path, source }
    }
}

fn permission_hint(path: &std::path::Path) -> &'static str {
    let s = path.to_string_lossy();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if name == "mem" {
        "/dev/mem needs root (CAP_SYS_RAWIO), and with STRICT_DEVMEM only regions the kernel does not use as RAM can be mapped; a UIO driver for the device avoids both"
    } else if name.starts_with("uio") {
        "run as root, or add a udev rule such as SUBSYSTEM==\"uio\", GROUP=\"uio\", MODE=\"0660\" and join that group"
    } else if s.contains("/pci") || name.starts_with("resource") || name == "config" {
        "PCI resource and config files are root-only by default: run as root, or add a udev rule that changes their group and mode"
    } else if s.contains("hugepages") {
        "reserve and grant huge pages: echo N > /proc/sys/vm/nr_hugepages as root, and check the hugetlbfs mount's permissions"
    } else {
        "check the file's owner and mode, or run as a user that may open it"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_lists_what_exists() {
        let e = DeviceError::NotFound {
            what: "UIO device named \"dma\"".into(),
            available: vec!["uio0 (timer)".into(), "uio1 (gpio)".into()],
        };
        assert_eq!(
            e.to_string(),
            "UIO device named \"dma\" not found; these exist: uio0 (timer), uio1 (gpio)"
        );
        let none = DeviceError::NotFound {
            what: "x".into(),
            available: vec![],
        };
        assert_eq!(none.to_string(), "x not found; none exist");
    }

    #[test]
    fn permission_denied_says_what_to_do_for_each_kind_of_file() {
        let denied = || std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let msg = |p: &str| DeviceError::io("open", p, denied()).to_string();
        assert!(msg("/dev/mem").contains("CAP_SYS_RAWIO"));
        assert!(msg("/dev/uio3").contains("udev rule"));
        assert!(msg("/sys/bus/pci/devices/0000:00:01.0/resource0").contains("PCI"));
        let other = DeviceError::io(
            "open",
            "/x",
            std::io::Error::from(std::io::ErrorKind::NotFound),
        );
        assert!(matches!(other, DeviceError::Io { op: "open", .. }));
    }
}
