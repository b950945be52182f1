//! PCI functions through sysfs (`/sys/bus/pci/devices/DDDD:BB:DD.F`): finding
//! one by vendor:device, mapping its BARs through `resourceN`, and the command
//! register bits a user-space driver needs (bus mastering, INTx masking).

use crate::dma::DmaSpace;
use crate::error::DeviceError;
use crate::sysroot::{SysRoot, read_num};
use crate::window::{MappedWindow, Node, PageSpan, check_node, lock, open_rw, page_size};
use std::fs::File;
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Offset of the command register in config space.
const COMMAND: u64 = 0x04;
/// Command bit 2: the function may master the bus (DMA).
const BUS_MASTER: u16 = 1 << 2;
/// Command bit 10: the function's INTx interrupt is disabled.
const INTX_DISABLE: u16 = 1 << 10;

/// `IORESOURCE_MEM` in the `resource` file's flags.
const RESOURCE_MEM: u64 = 0x200;
/// `IORESOURCE_PREFETCH`.
const RESOURCE_PREFETCH: u64 = 0x2000;
/// `IORESOURCE_MEM_64`.
const RESOURCE_MEM_64: u64 = 0x0010_0000;

/// One base address register, as the kernel assigned it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarInfo {
    /// BAR number (0 to 5).
    pub index: usize,
    /// Physical (bus) address.
    pub start: u64,
    /// Size in bytes.
    pub size: u64,
    /// The kernel's resource flags.
    pub flags: u64,
}

impl BarInfo {
    /// A memory BAR (as opposed to an I/O port BAR).
    pub fn is_memory(&self) -> bool {
        self.flags & RESOURCE_MEM != 0
    }
    /// A prefetchable memory BAR.
    pub fn is_prefetchable(&self) -> bool {
        self.flags & RESOURCE_PREFETCH != 0
    }
    /// A 64-bit memory BAR.
    pub fn is_64bit(&self) -> bool {
        self.flags & RESOURCE_MEM_64 != 0
    }
}

/// A PCI function, found in sysfs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PciDevice {
    root: SysRoot,
    address: String,
    dir: PathBuf,
    vendor: u16,
    device: u16,
}

fn devices_dir(root: &SysRoot) -> PathBuf {
    root.sys.join("bus/pci/devices")
}

impl PciDevice {
    /// The first function (lowest address) with this vendor and device ID.
    pub fn find(vendor: u16, device: u16) -> Result<Self, DeviceError> {
        Self::find_in(&SysRoot::default(), vendor, device)
    }

    /// As [`PciDevice::find`], under `root`.
    pub fn find_in(root: &SysRoot, vendor: u16, device: u16) -> Result<Self, DeviceError> {
        let all = Self::list_in(root)?;
        let available = all
            .iter()
            .map(|d| format!("{} [{:04x}:{:04x}]", d.address, d.vendor, d.device))
            .collect();
        all.into_iter()
            .find(|d| d.vendor == vendor && d.device == device)
            .ok_or(DeviceError::NotFound {
                what: format!("PCI device {vendor:04x}:{device:04x}"),
                available,
            })
    }

    /// Every PCI function, by address.
    pub fn list_in(root: &SysRoot) -> Result<Vec<Self>, DeviceError> {
        let dir = devices_dir(root);
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(DeviceError::io("list", &dir, e)),
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| crate::uio::is_pci_address(n))
            .collect();
        names.sort();
        names.iter().map(|n| Self::open_in(root, n)).collect()
    }

    /// The function at `address` (`0000:00:01.0`).
    pub fn open_in(root: &SysRoot, address: &str) -> Result<Self, DeviceError> {
        let dir = devices_dir(root).join(address);
        if !dir.is_dir() {
            let available = Self::list_in(root)?
                .into_iter()
                .map(|d| d.address)
                .collect();
            return Err(DeviceError::NotFound {
                what: format!("PCI device at {address}"),
                available,
            });
        }
        let id = |attr: &str| -> Result<u16, DeviceError> {
            let path = dir.join(attr);
            let v = read_num(&path)?;
            u16::try_from(v).map_err(|_| DeviceError::Parse {
                path,
                content: format!("{v:#x}"),
                expected: "a 16-bit ID",
            })
        };
        Ok(Self {
            vendor: id("vendor")?,
            device: id("device")?,
            address: address.to_string(),
            dir,
            root: root.clone(),
        })
    }

    /// The PCI address (`0000:00:01.0`).
    pub fn address(&self) -> &str {
        &self.address
    }
    /// Vendor ID.
    pub fn vendor_id(&self) -> u16 {
        self.vendor
    }
    /// Device ID.
    pub fn device_id(&self) -> u16 {
        self.device
    }
    /// The function's sysfs directory.
    pub fn sys_dir(&self) -> &Path {
        &self.dir
    }
    /// The function's config-space file.
    pub fn config_path(&self) -> PathBuf {
        self.dir.join("config")
    }

    /// The assigned BARs (unused ones left out), from the `resource` file.
    pub fn bars(&self) -> Result<Vec<BarInfo>, DeviceError> {
        let path = self.dir.join("resource");
        let text = std::fs::read_to_string(&path).map_err(|e| DeviceError::io("read", &path, e))?;
        let mut bars = Vec::new();
        // Lines 0-5 are the BARs; later ones are the ROM and bridge windows.
        for (index, line) in text.lines().take(6).enumerate() {
            let nums: Vec<u64> = line
                .split_whitespace()
                .map(|t| crate::sysroot::parse_num(&path, t))
                .collect::<Result<_, _>>()?;
            let [start, end, flags] = nums[..] else {
                return Err(DeviceError::Parse {
                    path,
                    content: line.to_string(),
                    expected: "three numbers: start end flags",
                });
            };
            if end > start {
                bars.push(BarInfo {
                    index,
                    start,
                    size: end - start + 1,
                    flags,
                });
            }
        }
        Ok(bars)
    }

    /// One BAR's description; the error lists the BARs that exist.
    pub fn bar(&self, index: usize) -> Result<BarInfo, DeviceError> {
        let mut bars = self.bars()?;
        match bars.iter().position(|b| b.index == index && b.is_memory()) {
            Some(at) => Ok(bars.swap_remove(at)),
            None => Err(DeviceError::NotFound {
                what: format!("memory BAR{index} of PCI device {}", self.address),
                available: bars
                    .iter()
                    .map(|b| format!("BAR{} ({:#x} bytes at {:#x})", b.index, b.size, b.start))
                    .collect(),
            }),
        }
    }

    /// Maps a whole memory BAR through its `resourceN` file (needs root or a
    /// udev rule; a UIO map of the BAR does not).
    ///
    /// The window holds a shared lock on `resourceN`: `Busy` while an
    /// [exclusive map](crate::Uio::into_exclusive_map) of the BAR lives (in
    /// this process or another), and no exclusive map of it is made while
    /// the window lives.
    pub fn map_bar(&self, index: usize) -> Result<MappedWindow, DeviceError> {
        self.map_bar_info(&self.bar(index)?)
    }

    /// [`PciDevice::map_bar`] for a BAR already described.
    pub(crate) fn map_bar_info(&self, bar: &BarInfo) -> Result<MappedWindow, DeviceError> {
        let index = bar.index;
        let path = self.dir.join(format!("resource{index}"));
        let file = open_rw(&path, true)?;
        check_node(&file, &path, Node::PciResource)?;
        lock(&file, &path, libc::LOCK_SH)?;
        let len = usize::try_from(bar.size).map_err(|_| DeviceError::TooLarge {
            what: "the address space".into(),
            requested: bar.size,
            available: usize::MAX as u64,
        })?;
        let span = PageSpan::enclosing(0, len, page_size())?;
        // What the function masters is read beside the file actually
        // opened (a caller's tree may link `resourceN` to another function's).
        let space = std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd()))
            .ok()
            .and_then(|real| real.parent().map(dma_space_of))
            .unwrap_or(DmaSpace::Unreachable);
        let window = MappedWindow::map(
            &file,
            &path,
            span,
            Some(bar.start),
            format!("PCI {} BAR{index}", self.address),
        )?;
        Ok(window.keeping(Arc::new(file)).mastering(space))
    }

    /// Locks BAR `index`'s `resourceN` for one owner: `Busy` while any
    /// window of it from [`map_bar`](Self::map_bar) lives. The lock lasts as
    /// long as the returned file is open. `None` when this process may not
    /// open the file (it is root's alone unless a udev rule says otherwise):
    /// then it cannot map the BAR through it either.
    pub(crate) fn lock_bar_exclusive(&self, index: usize) -> Result<Option<File>, DeviceError> {
        let path = self.dir.join(format!("resource{index}"));
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => return Ok(None),
            Err(e) => return Err(DeviceError::io("open", &path, e)),
        };
        check_node(&file, &path, Node::PciResource)?;
        lock(&file, &path, libc::LOCK_EX)?;
        Ok(Some(file))
    }

    /// The command register.
    pub fn command(&self) -> Result<u16, DeviceError> {
        let path = self.config_path();
        let file = std::fs::File::open(&path).map_err(|e| DeviceError::io("open", &path, e))?;
        let mut b = [0u8; 2];
        file.read_exact_at(&mut b, COMMAND)
            .map_err(|e| DeviceError::io("read", &path, e))?;
        Ok(u16::from_le_bytes(b))
    }

    /// Lets the function master the bus (command bit 2). Without it a DMA
    /// "completes" and memory is untouched. uio_pci_generic does not set it, and
    /// the kernel clears it again when the last mapping of the device goes away.
    pub fn enable_bus_master(&self) -> Result<(), DeviceError> {
        update_command(&self.config_path(), BUS_MASTER, 0)
    }

    /// Clears command bit 2.
    pub fn disable_bus_master(&self) -> Result<(), DeviceError> {
        update_command(&self.config_path(), 0, BUS_MASTER)
    }

    /// Whether command bit 2 is set.
    pub fn is_bus_master(&self) -> Result<bool, DeviceError> {
        Ok(self.command()? & BUS_MASTER != 0)
    }

    /// Whether INTx is masked (command bit 10).
    pub fn is_intx_disabled(&self) -> Result<bool, DeviceError> {
        Ok(self.command()? & INTX_DISABLE != 0)
    }

    /// The UIO device bound to this function (`<dir>/uio/uioN`), if any.
    pub fn uio_number(&self) -> Result<Option<u32>, DeviceError> {
        let dir = self.dir.join("uio");
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(DeviceError::io("list", &dir, e)),
        };
        Ok(entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str()?.strip_prefix("uio")?.parse().ok())
            .min())
    }

    /// Opens the UIO device bound to this function.
    pub fn open_uio(&self) -> Result<crate::uio::Uio, DeviceError> {
        match self.uio_number()? {
            Some(n) => crate::uio::Uio::open_in(&self.root, n),
            None => Err(DeviceError::NotFound {
                what: format!(
                    "UIO device for PCI {} (bind it: echo \"{:04x} {:04x}\" > /sys/bus/pci/drivers/uio_pci_generic/new_id)",
                    self.address, self.vendor, self.device
                ),
                available: crate::uio::labels(&self.root)?,
            }),
        }
    }
}

/// Sets and clears command-register bits. Bits 0-7 and 8-15 live in separate
/// bytes; only the bytes that change are written, so a bit the kernel flips in
/// the other byte meanwhile (INTx-disable, on every interrupt) is not undone.
pub(crate) fn update_command(config: &Path, set: u16, clear: u16) -> Result<(), DeviceError> {
    update_command_on(&open_rw(config, false)?, config, set, clear)
}

/// [`update_command`] on an already open config-space file (`config` names it
/// in errors), for callers that flip bits often.
pub(crate) fn update_command_on(
    file: &std::fs::File,
    config: &Path,
    set: u16,
    clear: u16,
) -> Result<(), DeviceError> {
    for (byte, shift) in [(COMMAND, 0u32), (COMMAND + 1, 8)] {
        let (s, c) = ((set >> shift) as u8, (clear >> shift) as u8);
        if s | c == 0 {
            continue;
        }
        let mut b = [0u8; 1];
        file.read_exact_at(&mut b, byte)
            .map_err(|e| DeviceError::io("read", config, e))?;
        let new = (b[0] | s) & !c;
        if new != b[0] {
            file.write_all_at(&[new], byte)
                .map_err(|e| DeviceError::io("write", config, e))?;
        }
    }
    Ok(())
}

/// Masks (`true`) or unmasks INTx through the command register of the open
/// config-space file `file` (named `config` in errors).
pub(crate) fn set_intx_disabled(
    file: &std::fs::File,
    config: &Path,
    disabled: bool,
) -> Result<(), DeviceError> {
    if disabled {
        update_command_on(file, config, INTX_DISABLE, 0)
    } else {
        update_command_on(file, config, 0, INTX_DISABLE)
    }
}
/// The address space a PCI function at sysfs directory `dir` masters:
/// physical unless its DMA is translated, because it is bound to a VFIO
/// driver (the I/O addresses of a container no window here knows) or sits in
/// an IOMMU group whose domain is not the identity. Then no buffer of this
/// process is known to be reachable, and drivers refuse them all.
pub(crate) fn dma_space_of(dir: &Path) -> DmaSpace {
    let vfio = std::fs::read_link(dir.join("driver"))
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().contains("vfio")))
        .unwrap_or(false);
    if vfio {
        return DmaSpace::Unreachable;
    }
    match std::fs::read_to_string(dir.join("iommu_group/type")) {
        Ok(kind) if kind.trim() != "identity" => DmaSpace::Unreachable,
        _ => DmaSpace::Physical,
    }
}
