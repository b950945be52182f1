//! [`Vfio`]: a PCI function driven through `vfio-pci`, behind the IOMMU.
//!
//! The function's IOMMU group is attached to a private type1 container; BARs
//! map into the same [`MappedWindow`] every other backend returns; DMA buffers
//! ([`VfioDma`]) are ordinary process memory mapped into the device's I/O
//! address space with `VFIO_IOMMU_MAP_DMA`, so their bus address is an IOVA
//! and the device can reach nothing else; interrupts ([`VfioIrq`]) arrive on
//! eventfds (INTx, MSI or MSI-X). No physical addresses and no `/dev/mem`.
//!
//! Opening checks what usually goes wrong and says how to fix it: the IOMMU
//! off (no group), the VFIO modules not loaded, the function bound to another
//! driver, another device of the group still held by a host driver.
//!
//! Bring-up (binding, groups, permissions) and usage: `docs/vfio.md`.

mod dma;
mod irq;
mod sys;

/// The guide's code blocks, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/vfio.md")]
struct Guide;

pub use dma::VfioDma;
pub use irq::{VfioIrq, VfioIrqKind};

use crate::bus_master::DmaPermission;
use crate::dma::DmaSpace;
use crate::error::DeviceError;
use crate::exclusive::Exclusive;
use crate::pci::PciDevice;
use crate::sysroot::SysRoot;
use crate::window::{MappedWindow, PageSpan, open_rw, page_size};
use std::ffi::CString;
use std::fs::File;
use std::os::fd::{AsFd, FromRawFd};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The PCI command register's offset in config space, and its bus-master bit.
const COMMAND: u64 = 0x04;
const BUS_MASTER: u16 = 1 << 2;

/// The container (with the group in it) and the IOVA space: what DMA buffers
/// need for as long as any of them lives, even after the [`Vfio`] is gone.
#[derive(Debug)]
struct Container {
    file: File,
    // The group stays attached (and its IOMMU domain alive) while buffers
    // still have IOVAs mapped in it.
    _group: File,
    path: PathBuf,
    iova: Mutex<dma::IovaSpace>,
    /// The container's I/O address space, which its devices master.
    space: DmaSpace,
}

/// A PCI function opened through `vfio-pci`.
pub struct Vfio {
    address: String,
    group: u32,
    container: Arc<Container>,
    device: Arc<File>,
    // A second descriptor of the device that only windows keep: its strong
    // count says how many windows are alive.
    windows: Arc<File>,
    config_offset: u64,
}

impl std::fmt::Debug for Vfio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vfio")
            .field("address", &self.address)
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

/// The driver a PCI function is bound to, if any (`<dir>/driver` link).
fn bound_driver(dir: &Path) -> Option<String> {
    std::fs::read_link(dir.join("driver"))
        .ok()
        .and_then(|l| l.file_name().map(|n| n.to_string_lossy().into_owned()))
}

/// The shell commands (as root) that hand `address` to vfio-pci.
pub fn bind_command(address: &str, current: Option<&str>) -> String {
    let unbind = match current {
        Some(_) => format!("echo {address} > /sys/bus/pci/devices/{address}/driver/unbind; "),
        None => String::new(),
    };
    format!(
        "modprobe vfio-pci; {unbind}echo vfio-pci > /sys/bus/pci/devices/{address}/driver_override; echo {address} > /sys/bus/pci/drivers_probe"
    )
}

impl Vfio {
    /// Opens the function at PCI address `address` (`0000:00:03.0`).
    pub fn open(address: &str) -> Result<Self, DeviceError> {
        Self::open_in(&SysRoot::default(), address)
    }

    /// Opens the function with this vendor and device ID; of several, the
    /// first one bound to `vfio-pci` (else the first, to say how to bind it).
    pub fn open_pci(vendor: u16, device: u16) -> Result<Self, DeviceError> {
        Self::open_pci_in(&SysRoot::default(), vendor, device)
    }

    /// As [`Vfio::open_pci`], under `root`.
    pub fn open_pci_in(root: &SysRoot, vendor: u16, device: u16) -> Result<Self, DeviceError> {
        let all = PciDevice::list_in(root)?;
        let matching: Vec<_> = all
            .iter()
            .filter(|d| d.vendor_id() == vendor && d.device_id() == device)
            .collect();
        let pick = matching
            .iter()
            .find(|d| bound_driver(d.sys_dir()).as_deref() == Some("vfio-pci"))
            .or(matching.first());
        match pick {
            Some(d) => Self::open_in(root, d.address()),
            None => Err(DeviceError::NotFound {
                what: format!("PCI device {vendor:04x}:{device:04x}"),
                available: all
                    .iter()
                    .map(|d| {
                        format!(
                            "{} [{:04x}:{:04x}]",
                            d.address(),
                            d.vendor_id(),
                            d.device_id()
                        )
                    })
                    .collect(),
            }),
        }
    }

    /// As [`Vfio::open`], with sysfs and `/dev` under `root`.
    pub fn open_in(root: &SysRoot, address: &str) -> Result<Self, DeviceError> {
        let pci = PciDevice::open_in(root, address)?;
        let group = iommu_group(pci.sys_dir(), address)?;
        let vfio_dir = root.dev.join("vfio");
        let container_path = vfio_dir.join("vfio");
        if !container_path.exists() {
            return Err(DeviceError::VfioUnavailable {
                path: container_path,
                fix: "load the VFIO driver: modprobe vfio-pci (kernel options VFIO, VFIO_PCI, VFIO_IOMMU_TYPE1)",
            });
        }
        let driver = bound_driver(pci.sys_dir());
        if driver.as_deref() != Some("vfio-pci") {
            return Err(DeviceError::WrongDriver {
                device: address.to_string(),
                driver: driver.clone().unwrap_or_else(|| "no driver".into()),
                fix: bind_command(address, driver.as_deref()),
            });
        }
        let blocking = group_blockers(root, group, address);

        let container = open_rw(&container_path, false)?;
        let version = sys::ioctl_val(container.as_fd(), sys::GET_API_VERSION, 0)
            .map_err(|e| DeviceError::io("VFIO_GET_API_VERSION", &container_path, e))?;
        if version != sys::API_VERSION {
            return Err(DeviceError::io(
                "VFIO_GET_API_VERSION",
                &container_path,
                std::io::Error::other(format!(
                    "kernel VFIO API version {version}, this runtime speaks {}",
                    sys::API_VERSION
                )),
            ));
        }
        let iommu_type = [sys::TYPE1V2_IOMMU, sys::TYPE1_IOMMU]
            .into_iter()
            .find(|&t| matches!(sys::ioctl_val(container.as_fd(), sys::CHECK_EXTENSION, t), Ok(1)))
            .ok_or_else(|| DeviceError::VfioUnavailable {
                path: container_path.clone(),
                fix: "the kernel offers no type1 IOMMU backend: modprobe vfio_iommu_type1, and enable the IOMMU (intel_iommu=on or amd_iommu=on)",
            })?;

        let group_path = vfio_dir.join(group.to_string());
        let group_file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&group_path)
            .map_err(|e| {
                if e.raw_os_error() == Some(libc::EBUSY) {
                    DeviceError::Busy {
                        path: group_path.clone(),
                    }
                } else {
                    DeviceError::io("open", &group_path, e)
                }
            })?;
        let mut status = sys::GroupStatus {
            argsz: sys::argsz::<sys::GroupStatus>(),
            flags: 0,
        };
        // SAFETY: VFIO_GROUP_GET_STATUS takes a `struct vfio_group_status`.
        unsafe { sys::ioctl_ptr(group_file.as_fd(), sys::GROUP_GET_STATUS, &mut status) }
            .map_err(|e| DeviceError::io("VFIO_GROUP_GET_STATUS", &group_path, e))?;
        if status.flags & sys::GROUP_FLAGS_VIABLE == 0 {
            return Err(DeviceError::GroupNotViable {
                device: address.to_string(),
                group,
                blocking,
            });
        }
        let mut container_fd = std::os::fd::AsRawFd::as_raw_fd(&container);
        // SAFETY: VFIO_GROUP_SET_CONTAINER takes a pointer to the container's fd (an int).
        unsafe {
            sys::ioctl_ptr(
                group_file.as_fd(),
                sys::GROUP_SET_CONTAINER,
                &mut container_fd,
            )
        }
        .map_err(|e| DeviceError::io("VFIO_GROUP_SET_CONTAINER", &group_path, e))?;
        sys::ioctl_val(container.as_fd(), sys::SET_IOMMU, iommu_type)
            .map_err(|e| DeviceError::io("VFIO_SET_IOMMU", &container_path, e))?;
        let mut iova = dma::IovaSpace::default();
        if let Some(usable) = usable_iova(&container) {
            log::debug!(target: "regmap::vfio", "{address}: usable IOVA ranges {usable:x?}");
            iova.usable = usable;
        }

        let name = CString::new(address).map_err(|_| DeviceError::NotFound {
            what: format!("PCI device at {address:?}"),
            available: Vec::new(),
        })?;
        // SAFETY: VFIO_GROUP_GET_DEVICE_FD takes a NUL-terminated device name,
        // which the kernel only reads; `name` outlives the call.
        let fd = unsafe {
            libc::ioctl(
                std::os::fd::AsRawFd::as_raw_fd(&group_file),
                sys::GROUP_GET_DEVICE_FD as _,
                name.as_ptr(),
            )
        };
        if fd < 0 {
            return Err(DeviceError::io(
                "VFIO_GROUP_GET_DEVICE_FD",
                &group_path,
                std::io::Error::last_os_error(),
            ));
        }
        // SAFETY: the ioctl returned a new descriptor that nothing else owns.
        let device = unsafe { File::from_raw_fd(fd) };
        let windows = device
            .try_clone()
            .map_err(|e| DeviceError::io("dup", &group_path, e))?;
        let config = region_info(&device, &group_path, sys::PCI_CONFIG_REGION_INDEX)?;
        log::debug!(target: "regmap::vfio", "opened {address} (IOMMU group {group}, type {iommu_type})");
        Ok(Self {
            address: address.to_string(),
            group,
            container: Arc::new(Container {
                file: container,
                _group: group_file,
                path: group_path,
                iova: Mutex::new(iova),
                space: DmaSpace::unique(DmaSpace::Iommu),
            }),
            device: Arc::new(device),
            windows: Arc::new(windows),
            config_offset: config.offset,
        })
    }

    /// The function's PCI address.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The function's IOMMU group number.
    pub fn iommu_group(&self) -> u32 {
        self.group
    }

    fn label(&self) -> String {
        format!("VFIO {}", self.address)
    }

    /// Maps memory BAR `index` whole, through the device's VFIO region.
    pub fn bar(&self, index: usize) -> Result<MappedWindow, DeviceError> {
        let region = u32::try_from(index)
            .ok()
            .filter(|&i| i < 6)
            .ok_or_else(|| DeviceError::MapOutOfRange {
                device: self.label(),
                index,
                count: 6,
            })?;
        let info = region_info(&self.device, &self.container.path, region)?;
        if info.size == 0 || info.flags & sys::REGION_INFO_FLAG_MMAP == 0 {
            return Err(DeviceError::NotFound {
                what: format!(
                    "{}: a memory-mappable BAR{index} (size {:#x}, flags {:#x})",
                    self.label(),
                    info.size,
                    info.flags
                ),
                available: Vec::new(),
            });
        }
        let len = usize::try_from(info.size).map_err(|_| DeviceError::TooLarge {
            what: "the address space".into(),
            requested: info.size,
            available: usize::MAX as u64,
        })?;
        let span = PageSpan::enclosing(info.offset, len, page_size())?;
        let window = MappedWindow::map(
            &self.windows,
            &self.container.path,
            span,
            None,
            format!("{} BAR{index}", self.label()),
        )?;
        Ok(window
            .keeping(Arc::clone(&self.windows))
            .mastering(self.container.space))
    }

    /// Maps BAR `index` for one owner alone, giving up the device: refused
    /// while another window of it is alive. The kernel lets one process at
    /// a time hold the group; the BAR's sysfs `resourceN` stays mappable
    /// beside it, so the window also holds that file's exclusive lock
    /// (`Busy` while a [`PciDevice::map_bar`] window of the BAR lives, and
    /// none is made while this one does).
    /// Take [`dma`](Self::dma) and interrupts ([`irq`](Self::irq)) first.
    pub fn into_exclusive_bar(self, index: usize) -> Result<Exclusive<MappedWindow>, DeviceError> {
        let mut window = self.bar(index)?;
        // The kernel checked `address` when it gave out the device, so this
        // machine's own sysfs names the same function.
        let pci = PciDevice::open_in(&SysRoot::default(), &self.address)?;
        if let Some(lock) = pci.lock_bar_exclusive(index)? {
            window = window.keeping(Arc::new(lock));
        }
        // This value's handle, the new window's: anything more is another window.
        let others = Arc::strong_count(&self.windows) - 2;
        if others > 0 {
            return Err(DeviceError::WindowsAlive {
                device: self.label(),
                windows: others,
            });
        }
        // SAFETY: the group is held open by this process only (the kernel
        // refuses a second open), this `Vfio` is consumed so no further window
        // can be mapped, and no other window of it is alive (counted above).
        Ok(unsafe { Exclusive::new_unchecked(window) })
    }

    /// Reads `N` bytes of config space at `offset`.
    fn config_read<const N: usize>(&self, offset: u64) -> Result<[u8; N], DeviceError> {
        let mut b = [0u8; N];
        self.device
            .read_exact_at(&mut b, self.config_offset + offset)
            .map_err(|e| DeviceError::io("read config space of", &self.container.path, e))?;
        Ok(b)
    }

    /// The PCI command register.
    pub fn command(&self) -> Result<u16, DeviceError> {
        Ok(u16::from_le_bytes(self.config_read(COMMAND)?))
    }

    fn set_command(&self, set: u16, clear: u16) -> Result<(), DeviceError> {
        let v = (self.command()? | set) & !clear;
        self.device
            .write_all_at(&v.to_le_bytes(), self.config_offset + COMMAND)
            .map_err(|e| DeviceError::io("write config space of", &self.container.path, e))
    }

    /// Lets the function master the bus (command bit 2): vfio-pci leaves it
    /// off, and without it a DMA "completes" without moving a byte. The
    /// IOMMU still confines the device to the IOVAs mapped for it.
    pub fn enable_bus_master(&self) -> Result<(), DeviceError> {
        self.set_command(BUS_MASTER, 0)
    }

    /// Clears command bit 2.
    pub fn disable_bus_master(&self) -> Result<(), DeviceError> {
        self.set_command(0, BUS_MASTER)
    }

    /// Whether command bit 2 is set.
    pub fn is_bus_master(&self) -> Result<bool, DeviceError> {
        Ok(self.command()? & BUS_MASTER != 0)
    }

    /// An allocator of DMA buffers in this device's I/O address space. The
    /// buffers keep the container alive, so they may outlive the `Vfio`.
    pub fn dma(&self) -> VfioDma {
        VfioDma::new(Arc::clone(&self.container))
    }

    /// How many vectors of `kind` the function has (0: none).
    pub fn irq_count(&self, kind: VfioIrqKind) -> Result<u32, DeviceError> {
        Ok(irq::info(&self.device, &self.container.path, kind)?.count)
    }

    /// Routes vector 0 of `kind` to a new eventfd and returns it to wait on.
    /// Enabling one kind replaces another (vfio-pci runs one at a time).
    ///
    /// MSI and MSI-X turn bus mastering on: a message-signalled interrupt is
    /// a memory write by the device, and with mastering off it is silently
    /// dropped (the wait would only ever time out).
    pub fn irq(&self, kind: VfioIrqKind) -> Result<VfioIrq, DeviceError> {
        if kind != VfioIrqKind::Intx {
            self.enable_bus_master()?;
        }
        VfioIrq::enable(
            Arc::clone(&self.device),
            self.container.path.clone(),
            self.label(),
            kind,
        )
    }

    /// The best interrupt the function has: MSI-X, else MSI, else INTx.
    pub fn best_irq(&self) -> Result<VfioIrq, DeviceError> {
        for kind in [VfioIrqKind::Msix, VfioIrqKind::Msi] {
            if self.irq_count(kind)? > 0 {
                return self.irq(kind);
            }
        }
        self.irq(VfioIrqKind::Intx)
    }
}

/// VFIO: bus mastering is the only switch between the device and its IOVAs.
impl DmaPermission for Vfio {
    fn check_dma_allowed(&self) -> Result<(), DeviceError> {
        if self.is_bus_master()? {
            Ok(())
        } else {
            Err(DeviceError::BusMasterDisabled {
                device: self.address.clone(),
            })
        }
    }
}

/// The IOVA ranges the container's IOMMU can map, if the kernel says
/// (`VFIO_IOMMU_GET_INFO`'s IOVA range capability, Linux 5.4 on).
fn usable_iova(container: &File) -> Option<Vec<(u64, u64)>> {
    // u64s, so the buffer is aligned for the struct the kernel fills in.
    let mut buf = vec![0u64; 512];
    let argsz = (buf.len() * 8) as u32;
    // argsz is the first u32 of `struct vfio_iommu_type1_info`: its bytes
    // go first in memory, whatever the byte order.
    let a = argsz.to_ne_bytes();
    buf[0] = u64::from_ne_bytes([a[0], a[1], a[2], a[3], 0, 0, 0, 0]);
    // SAFETY: VFIO_IOMMU_GET_INFO writes at most `argsz` bytes (the whole
    // buffer) of `struct vfio_iommu_type1_info` and its capabilities.
    let r = unsafe {
        libc::ioctl(
            std::os::fd::AsRawFd::as_raw_fd(container),
            sys::IOMMU_GET_INFO as _,
            buf.as_mut_ptr(),
        )
    };
    if r < 0 {
        return None;
    }
    let bytes: Vec<u8> = buf.iter().flat_map(|w| w.to_ne_bytes()).collect();
    dma::parse_iova_ranges(&bytes)
}

fn region_info(device: &File, path: &Path, index: u32) -> Result<sys::RegionInfo, DeviceError> {
    let mut info = sys::RegionInfo {
        argsz: sys::argsz::<sys::RegionInfo>(),
        index,
        ..Default::default()
    };
    // SAFETY: VFIO_DEVICE_GET_REGION_INFO takes a `struct vfio_region_info`
    // whose argsz says how much the kernel may fill in.
    unsafe { sys::ioctl_ptr(device.as_fd(), sys::DEVICE_GET_REGION_INFO, &mut info) }
        .map_err(|e| DeviceError::io("VFIO_DEVICE_GET_REGION_INFO", path, e))?;
    Ok(info)
}

/// The function's IOMMU group number, or why it has none.
fn iommu_group(dir: &Path, address: &str) -> Result<u32, DeviceError> {
    let link = dir.join("iommu_group");
    let target = std::fs::read_link(&link).map_err(|_| DeviceError::VfioUnavailable {
        path: link.clone(),
        fix: "the function has no IOMMU group: turn the IOMMU on (intel_iommu=on or amd_iommu=on on the kernel command line, VT-d/AMD-Vi in the firmware)",
    })?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.parse().map_err(|_| DeviceError::Parse {
        path: link,
        content: format!("{} (for {address})", target.display()),
        expected: "a link to an IOMMU group number",
    })
}

/// The other devices of `group` that a host driver holds (anything but
/// vfio-pci, pcieport or no driver), as `address (driver)`.
fn group_blockers(root: &SysRoot, group: u32, address: &str) -> Vec<String> {
    let dir = root
        .sys
        .join("kernel/iommu_groups")
        .join(group.to_string())
        .join("devices");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let driver = bound_driver(&e.path())?;
            (name != address && driver != "vfio-pci" && driver != "pcieport")
                .then(|| format!("{name} ({driver})"))
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests;
