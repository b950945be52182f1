//! Finding UIO devices and their maps in sysfs (`/sys/class/uio/uioN`).

use crate::error::DeviceError;
use crate::sysroot::{SysRoot, read_attr, read_num};
use std::path::{Path, PathBuf};

/// One memory map of a UIO device (`maps/mapN`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UioMapInfo {
    /// Map index N: mapped at file offset `N * page_size`.
    pub index: usize,
    /// Map name, if the driver gave one (uio_pci_generic: the PCI address).
    pub name: Option<String>,
    /// Physical address as the driver reports it: the page base for drivers
    /// such as uio_pdrv_genirq (the region then starts `offset` bytes in), or
    /// the region's own address. The kernel maps from the page holding it.
    pub addr: u64,
    /// Size in bytes as the driver reports it: the kernel maps at most
    /// `PAGE_ALIGN((addr % page) + size)` bytes.
    pub size: usize,
    /// Offset of the region's first byte inside its first page.
    pub offset: u64,
}

/// What sysfs says about one UIO device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UioInfo {
    /// N in `uioN`.
    pub number: u32,
    /// The driver-given name (`name` attribute), e.g. `axi_timer_0`.
    pub name: String,
    /// The driver's version string.
    pub version: String,
    /// Memory maps, by index.
    pub maps: Vec<UioMapInfo>,
    /// The PCI address (`0000:00:01.0`) when the device is a PCI function.
    pub pci_address: Option<String>,
    /// The device's sysfs directory.
    pub sys_dir: PathBuf,
    /// The device file (`/dev/uioN`).
    pub dev_path: PathBuf,
}

impl UioInfo {
    /// `uioN (name)`, as used in messages.
    pub fn label(&self) -> String {
        format!("uio{} ({})", self.number, self.name)
    }
}

fn class_dir(root: &SysRoot) -> PathBuf {
    root.sys.join("class/uio")
}

fn numbered(name: &str, prefix: &str) -> Option<u64> {
    name.strip_prefix(prefix)?.parse().ok()
}

/// Every UIO device, by number. No UIO devices (or no UIO support) is an empty list.
pub fn list(root: &SysRoot) -> Result<Vec<UioInfo>, DeviceError> {
    let dir = class_dir(root);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(DeviceError::io("list", &dir, e)),
    };
    let mut numbers: Vec<u32> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| numbered(&e.file_name().to_string_lossy(), "uio"))
        .filter_map(|n| u32::try_from(n).ok())
        .collect();
    numbers.sort_unstable();
    numbers.into_iter().map(|n| info(root, n)).collect()
}

/// What sysfs says about `uio<number>`.
pub fn info(root: &SysRoot, number: u32) -> Result<UioInfo, DeviceError> {
    let sys_dir = class_dir(root).join(format!("uio{number}"));
    if !sys_dir.exists() {
        return Err(DeviceError::NotFound {
            what: format!("UIO device uio{number}"),
            available: labels(root)?,
        });
    }
    let name = read_attr(&sys_dir.join("name"))?;
    let version = read_attr(&sys_dir.join("version")).unwrap_or_default();
    let maps = read_maps(&sys_dir.join("maps"))?;
    Ok(UioInfo {
        number,
        name,
        version,
        maps,
        pci_address: pci_address(&sys_dir),
        dev_path: root.dev.join(format!("uio{number}")),
        sys_dir,
    })
}

/// `uioN (name)` for every device, for "not found" messages.
pub(crate) fn labels(root: &SysRoot) -> Result<Vec<String>, DeviceError> {
    Ok(list(root)?.iter().map(UioInfo::label).collect())
}

fn read_maps(dir: &Path) -> Result<Vec<UioMapInfo>, DeviceError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(DeviceError::io("list", dir, e)),
    };
    let mut indices: Vec<usize> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| numbered(&e.file_name().to_string_lossy(), "map"))
        .filter_map(|n| usize::try_from(n).ok())
        .collect();
    indices.sort_unstable();
    indices
        .into_iter()
        .map(|index| {
            let m = dir.join(format!("map{index}"));
            let size_path = m.join("size");
            let size = read_num(&size_path)?;
            Ok(UioMapInfo {
                index,
                name: read_attr(&m.join("name")).ok().filter(|n| !n.is_empty()),
                addr: read_num(&m.join("addr"))?,
                size: usize::try_from(size).map_err(|_| DeviceError::Parse {
                    path: size_path,
                    content: format!("{size:#x}"),
                    expected: "a size that fits the address space",
                })?,
                // Kernels before 4.x have no offset attribute: the region starts the page.
                offset: read_num(&m.join("offset")).unwrap_or(0),
            })
        })
        .collect()
}

/// The PCI address, when `device` links to a PCI function (it has `config`).
fn pci_address(sys_dir: &Path) -> Option<String> {
    let device = sys_dir.join("device");
    if !device.join("config").is_file() {
        return None;
    }
    let target = std::fs::read_link(&device).ok()?;
    let name = target.file_name()?.to_string_lossy().into_owned();
    is_pci_address(&name).then_some(name)
}

/// `DDDD:BB:DD.F` in hexadecimal.
pub(crate) fn is_pci_address(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 12
        && b[4] == b':'
        && b[7] == b':'
        && b[10] == b'.'
        && b.iter()
            .enumerate()
            .all(|(i, c)| matches!(i, 4 | 7 | 10) || c.is_ascii_hexdigit())
}
