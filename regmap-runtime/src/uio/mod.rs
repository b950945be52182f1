//! UIO devices (`/dev/uioN`): found by name, number or PCI ID; their maps as
//! [`MappedWindow`]s; their interrupt waited on with a timeout.
//!
//! ```no_run
//! # fn main() -> Result<(), regmap_runtime::DeviceError> {
//! use regmap_runtime::uio::Uio;
//! use std::time::Duration;
//! let dev = Uio::open_by_name("axi_timer_0")?;
//! let regs = dev.map(0)?; // a `Bus`: bind a generated block to it
//! dev.enable_irq()?;
//! let event = dev.wait_irq(Duration::from_millis(100))?;
//! // acknowledge at the device, then re-enable:
//! dev.enable_irq()?;
//! # Ok(()) }
//! ```
//!
//! Opening takes an exclusive `flock` on the device file, held until the
//! [`Uio`] and every window mapped from it are dropped: the interrupt count is
//! shared by every opener, so two drivers of one device would steal each
//! other's interrupts.

mod discover;
mod irq;

pub use discover::{UioInfo, UioMapInfo, info, list};
pub(crate) use discover::{is_pci_address, labels};
pub use irq::{IrqControl, IrqEvent};

use crate::error::DeviceError;
use crate::exclusive::Exclusive;
use crate::pci::PciDevice;
use crate::sysroot::{SysRoot, read_num};
use crate::window::{
    MappedWindow, Node, PageSpan, check_node, lock, open_rw, page_size, real_sys_dir, try_flock,
};
use irq::{FdIrq, IrqState};
use std::fs::File;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

/// An open UIO device.
pub struct Uio {
    info: UioInfo,
    file: Arc<File>,
    /// The shared lock on the device's sysfs `name` that its live windows
    /// hold (and that goes with the last of them): see [`Uio::map_lock`].
    map_lock: Mutex<Weak<File>>,
    irq: Mutex<IrqState<FdIrq<Arc<File>>>>,
    root: SysRoot,
}

impl std::fmt::Debug for Uio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Uio")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl Uio {
    /// Opens `/dev/uioN`.
    pub fn open(number: u32) -> Result<Self, DeviceError> {
        Self::open_in(&SysRoot::default(), number)
    }

    /// Opens the UIO device whose `name` attribute is `name` (the lowest-numbered
    /// one if several share it).
    pub fn open_by_name(name: &str) -> Result<Self, DeviceError> {
        Self::open_by_name_in(&SysRoot::default(), name)
    }

    /// Opens the UIO device bound to the first PCI function with this vendor
    /// and device ID.
    pub fn open_pci(vendor: u16, device: u16) -> Result<Self, DeviceError> {
        PciDevice::find(vendor, device)?.open_uio()
    }

    /// Every UIO device on the system, with its name and maps (see [`list`]
    /// for a fake tree).
    pub fn list() -> Result<Vec<UioInfo>, DeviceError> {
        list(&SysRoot::default())
    }

    /// As [`Uio::open_by_name`], under `root`.
    pub fn open_by_name_in(root: &SysRoot, name: &str) -> Result<Self, DeviceError> {
        let all = list(root)?;
        match all.iter().find(|d| d.name == name) {
            Some(d) => Self::open_in(root, d.number),
            None => Err(DeviceError::NotFound {
                what: format!("UIO device named {name:?}"),
                available: all.iter().map(UioInfo::label).collect(),
            }),
        }
    }

    /// As [`Uio::open`], under `root`.
    pub fn open_in(root: &SysRoot, number: u32) -> Result<Self, DeviceError> {
        let info = info(root, number)?;
        let file = open_rw(&info.dev_path, false)?;
        check_node(&file, &info.dev_path, Node::Uio)?;
        lock(&file, &info.dev_path, libc::LOCK_EX)?;
        // What a device node's maps are (and so where each register lies in
        // the window), its name and its PCI function come from this
        // machine's own sysfs: a caller's tree could shift a map's offset
        // and move every register a driver writes. The tree speaks only for
        // its own plain files.
        let info = match real_sys_dir(&file) {
            Some(dir) => {
                let real = dir
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| n.strip_prefix("uio"))
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| DeviceError::NotFound {
                        what: format!("the UIO device behind {}", info.dev_path.display()),
                        available: Vec::new(),
                    })?;
                UioInfo {
                    dev_path: info.dev_path,
                    ..self::info(&SysRoot::default(), real)?
                }
            }
            None => info,
        };
        let file = Arc::new(file);
        let config = info
            .pci_address
            .as_ref()
            .map(|_| info.sys_dir.join("device/config"));
        let irq = IrqState::new(
            FdIrq(Arc::clone(&file)),
            IrqControl::Auto(config),
            format!("{} ({})", info.dev_path.display(), info.name),
        );
        log::debug!(target: "regmap::uio", "opened {}", info.label());
        Ok(Self {
            info,
            file,
            map_lock: Mutex::new(Weak::new()),
            irq: Mutex::new(irq),
            root: root.clone(),
        })
    }

    /// What sysfs says about the device.
    pub fn info(&self) -> &UioInfo {
        &self.info
    }

    /// The device's name attribute.
    pub fn name(&self) -> &str {
        &self.info.name
    }

    /// The device's maps.
    pub fn maps(&self) -> &[UioMapInfo] {
        &self.info.maps
    }

    fn label(&self) -> String {
        format!("{} ({})", self.info.dev_path.display(), self.info.name)
    }

    /// Maps map `index` whole. The window starts at the region's first byte
    /// even when the region does not start a page (`maps/mapN/offset`), and
    /// records that byte's physical address. No more is mapped than the
    /// kernel allows for the map (`PAGE_ALIGN((addr % page) + size)`: a longer
    /// mapping fails with `EINVAL`), so the window may be shorter than `size`
    /// when `size` counts from the page base, as uio_pdrv_genirq's does.
    pub fn map(&self, index: usize) -> Result<MappedWindow, DeviceError> {
        let m = self
            .info
            .maps
            .iter()
            .find(|m| m.index == index)
            .ok_or_else(|| DeviceError::MapOutOfRange {
                device: self.label(),
                index,
                count: self.info.maps.len(),
            })?;
        let map_lock = self.map_lock()?;
        let page = page_size();
        let span = PageSpan::uio(index, m.addr, m.offset, m.size, page)?;
        // The kernel maps from the page holding `addr`; the registers start
        // `offset` bytes into it.
        let phys = (m.addr & !(page as u64 - 1)) + span.start as u64;
        let window = MappedWindow::map(
            &self.file,
            &self.info.dev_path,
            span,
            Some(phys),
            format!("{} map {index}", self.label()),
        )?;
        Ok(window.keeping(Arc::clone(&self.file)).keeping(map_lock))
    }

    /// Where sysfs speaks for this device: this machine's own sysfs for a
    /// device node (a caller's tree could leave things out), the tree for
    /// the plain files of test trees. Whether it is the machine's own, too.
    fn sys_dir(&self) -> (std::path::PathBuf, bool) {
        match real_sys_dir(&self.file) {
            Some(dir) => (dir, true),
            None => (self.info.sys_dir.clone(), false),
        }
    }

    /// The shared lock every window of this device holds: the device's
    /// `flock` says who has it open, this says who maps through it, so a
    /// node can stay open for its interrupt alone while another device
    /// covering the same registers is mapped exclusively. Taken on the sysfs
    /// `name`, which is one file however many device nodes a `mknod` made.
    fn map_lock(&self) -> Result<Arc<File>, DeviceError> {
        let mut held = self.map_lock.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(file) = held.upgrade() {
            return Ok(file);
        }
        let (dir, _) = self.sys_dir();
        let path = dir.join("name");
        let file = File::open(&path).map_err(|e| DeviceError::io("open", &path, e))?;
        match try_flock(&file, libc::LOCK_SH) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EWOULDBLOCK) => {
                return Err(DeviceError::RegistersShared {
                    device: self.label(),
                    detail: "another UIO device that maps these registers holds them for exclusive use (a node that repeats a device's `reg` for its interrupt, say): open this one for its interrupt only, or drop that driver first".into(),
                });
            }
            Err(e) => return Err(DeviceError::io("lock", &path, e)),
        }
        let file = Arc::new(file);
        *held = Arc::downgrade(&file);
        Ok(file)
    }

    /// Exclusive locks on the sysfs `name` of every other UIO device with a
    /// map overlapping map `index`, so none of them can map these registers
    /// while the exclusive window lives; refused if one already does.
    fn overlap_locks(&self, index: usize) -> Result<Vec<File>, DeviceError> {
        let (dir, real) = self.sys_dir();
        let (addr, size, root) = if real {
            let map = dir.join(format!("maps/map{index}"));
            let addr = read_num(&map.join("addr"))?;
            (addr, read_num(&map.join("size"))?, SysRoot::default())
        } else {
            let Some(m) = self.info.maps.iter().find(|m| m.index == index) else {
                return Ok(Vec::new());
            };
            (m.addr, m.size as u64, self.root.clone())
        };
        let end = addr.saturating_add(size);
        let mut locks = Vec::new();
        for other in list(&root)? {
            if other.sys_dir.file_name() == dir.file_name() {
                continue;
            }
            let overlaps = other
                .maps
                .iter()
                .any(|o| o.addr < end && addr < o.addr.saturating_add(o.size as u64));
            if !overlaps {
                continue;
            }
            let path = other.sys_dir.join("name");
            let file = File::open(&path).map_err(|e| DeviceError::io("open", &path, e))?;
            match try_flock(&file, libc::LOCK_EX) {
                Ok(()) => locks.push(file),
                Err(e) if e.raw_os_error() == Some(libc::EWOULDBLOCK) => {
                    return Err(DeviceError::RegistersShared {
                        device: self.label(),
                        detail: format!(
                            "{} maps registers overlapping map {index}, and a window of it is alive (here or in another process): drop it before taking these registers for exclusive use",
                            other.label()
                        ),
                    });
                }
                Err(e) => return Err(DeviceError::io("lock", &path, e)),
            }
        }
        Ok(locks)
    }

    /// Maps map `index` for one owner alone, giving up the device: the
    /// window keeps the device's lock (no other opener, here or in another
    /// process), and it is refused while any other window of this device is
    /// still mapped. For drivers that must be the only writer of the
    /// registers, such as [`AxiDma::new`](crate::axi_dma::AxiDma::new).
    pub fn into_exclusive_map(self, index: usize) -> Result<Exclusive<MappedWindow>, DeviceError> {
        let mut window = self.map(index)?;
        for lock in self.bar_locks(index)? {
            window = window.keeping(Arc::new(lock));
        }
        for lock in self.overlap_locks(index)? {
            window = window.keeping(Arc::new(lock));
        }
        // The device file's lock is per node: a second node of the same
        // device (`mknod`) opens past it. Its windows would still take the
        // shared lock on the sysfs `name`, which this makes exclusive.
        let own = self.map_lock()?;
        match try_flock(&own, libc::LOCK_EX) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EWOULDBLOCK) => {
                return Err(DeviceError::RegistersShared {
                    device: self.label(),
                    detail: "a window of this device made through another device node is alive (here or in another process): drop it before taking these registers for exclusive use".into(),
                });
            }
            Err(e) => return Err(DeviceError::io("lock", self.sys_dir().0.join("name"), e)),
        }
        let Uio {
            info, file, irq, ..
        } = self;
        // The interrupt state holds the file too; what remains are this
        // `file`, the new window, and one per other live window.
        drop(irq);
        let others = Arc::strong_count(&file) - 2;
        if others > 0 {
            return Err(DeviceError::WindowsAlive {
                device: format!("{} ({})", info.dev_path.display(), info.name),
                windows: others,
            });
        }
        // SAFETY: the lock keeps every other opener out, this `Uio` is
        // consumed so no further window can be mapped from it, and no other
        // window of it is alive (counted above): `window` is the only access
        // to these registers through this runtime.
        Ok(unsafe { Exclusive::new_unchecked(window) })
    }

    /// Exclusive locks on the `resourceN` of every PCI BAR map `index`
    /// overlaps: a BAR is reachable through that file too, so no
    /// `PciDevice::map_bar` window of these registers may live beside an
    /// exclusive map. For a real device node the PCI function and the map's
    /// range come from this machine's own sysfs (a caller's tree could leave
    /// the function out and so skip the lock); from the tree only for the
    /// plain files of test trees.
    fn bar_locks(&self, index: usize) -> Result<Vec<File>, DeviceError> {
        let (pci, addr, size) = match real_sys_dir(&self.file) {
            Some(dir) => {
                let device = dir.join("device");
                let on_pci = std::fs::read_link(device.join("subsystem"))
                    .is_ok_and(|s| s.file_name() == Some("pci".as_ref()));
                if !on_pci {
                    return Ok(Vec::new());
                }
                let real = std::fs::canonicalize(&device)
                    .map_err(|e| DeviceError::io("resolve", &device, e))?;
                let address = real
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default();
                let pci = PciDevice::open_in(&SysRoot::default(), address)?;
                let map = dir.join(format!("maps/map{index}"));
                (
                    pci,
                    read_num(&map.join("addr"))?,
                    read_num(&map.join("size"))?,
                )
            }
            None => {
                let map = self.info.maps.iter().find(|m| m.index == index);
                let (Some(pci), Some(map)) = (self.pci(), map) else {
                    return Ok(Vec::new());
                };
                (pci, map.addr, map.size as u64)
            }
        };
        let end = addr.saturating_add(size);
        let mut locks = Vec::new();
        for bar in pci.bars()? {
            if bar.start < end && addr < bar.start.saturating_add(bar.size) {
                locks.extend(pci.lock_bar_exclusive(bar.index)?);
            }
        }
        Ok(locks)
    }

    /// The device's device-tree node in sysfs (`device/of_node`), if it has
    /// one. For a device node it is read from this machine's own sysfs,
    /// never the tree the device was found in, since drivers trust what it
    /// says about the hardware; only a test tree's plain file uses the tree.
    pub fn of_node(&self) -> Option<std::path::PathBuf> {
        use std::os::unix::fs::FileTypeExt;
        let is_device = self
            .file
            .metadata()
            .is_ok_and(|m| m.file_type().is_char_device());
        let dir = if is_device {
            real_sys_dir(&self.file)?
        } else {
            self.info.sys_dir.clone()
        };
        let node = dir.join("device/of_node");
        node.is_dir().then_some(node)
    }

    /// The locked device file: a window keeping it keeps the device's lock,
    /// and counts as a window of this `Uio` for
    /// [`into_exclusive_map`](Self::into_exclusive_map).
    pub(crate) fn lock_file(&self) -> Arc<File> {
        Arc::clone(&self.file)
    }

    /// The PCI function behind the device, if it is one.
    pub fn pci(&self) -> Option<PciDevice> {
        let addr = self.info.pci_address.as_ref()?;
        PciDevice::open_in(&self.root, addr).ok()
    }

    /// Maps PCI BAR `index`: through the UIO map at the BAR's address when
    /// there is one, else through the function's `resourceN` file
    /// (uio_pci_generic maps only plain 32-bit non-prefetchable BARs).
    pub fn bar(&self, index: usize) -> Result<MappedWindow, DeviceError> {
        let pci = self.pci().ok_or_else(|| DeviceError::NotFound {
            what: format!("PCI function behind {}", self.label()),
            available: Vec::new(),
        })?;
        let bar = pci.bar(index)?;
        match self.info.maps.iter().find(|m| m.addr == bar.start) {
            Some(m) => self.map(m.index),
            None => {
                log::debug!(target: "regmap::uio", "{}: BAR{index} has no UIO map, using resource{index}", self.label());
                // Kept like a UIO map's: `into_exclusive_map` counts it.
                Ok(pci.map_bar_info(&bar)?.keeping(self.lock_file()))
            }
        }
    }

    fn irq(&self) -> std::sync::MutexGuard<'_, IrqState<FdIrq<Arc<File>>>> {
        // The state stays consistent even if a waiter panicked.
        self.irq.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Unmasks the interrupt: `write(1)` for drivers with irqcontrol, the PCI
    /// INTx-disable bit for uio_pci_generic (chosen automatically on first
    /// use). Call it before the first wait and after each interrupt, once the
    /// device has been acknowledged (INTx is level-triggered: unmasking a
    /// still-asserted interrupt fires it again).
    pub fn enable_irq(&self) -> Result<(), DeviceError> {
        self.irq().set_enabled(true)
    }

    /// Masks the interrupt.
    pub fn disable_irq(&self) -> Result<(), DeviceError> {
        self.irq().set_enabled(false)
    }

    /// How the interrupt is masked and unmasked (settled on first use).
    pub fn irq_control(&self) -> IrqControl {
        self.irq().control().clone()
    }

    /// Waits up to `timeout` for an interrupt. Returns the kernel's count and
    /// how many interrupts were missed since the previous wait;
    /// [`DeviceError::IrqTimeout`] if none came. Does not unmask: call
    /// [`Uio::enable_irq`] after handling.
    pub fn wait_irq(&self, timeout: Duration) -> Result<IrqEvent, DeviceError> {
        self.irq().wait(timeout)
    }

    /// [`wait_irq`](Self::wait_irq) as a future: waits on tokio's reactor
    /// for the device file to become readable, so many devices can be waited
    /// for on one thread. Dropping the future mid-wait loses nothing: the
    /// interrupt stays pending for the next wait. Needs a tokio runtime with
    /// I/O and time enabled.
    #[cfg(feature = "async")]
    pub async fn wait_irq_async(&self, timeout: Duration) -> Result<IrqEvent, DeviceError> {
        let label = || self.label();
        let got = crate::irq::ready_loop(
            Some(std::os::fd::AsFd::as_fd(self)),
            timeout,
            &label,
            || match self.wait_irq(Duration::ZERO) {
                Ok(ev) => Ok(Some(ev)),
                Err(DeviceError::IrqTimeout { .. }) => Ok(None),
                Err(e) => Err(e),
            },
        )
        .await?;
        got.ok_or_else(|| DeviceError::IrqTimeout {
            device: self.label(),
            timeout,
        })
    }
}

/// The device file: readable when an interrupt is pending (for an event
/// loop; take it with [`Uio::wait_irq`] and a zero timeout).
impl std::os::fd::AsFd for Uio {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.file.as_fd()
    }
}

#[cfg(test)]
mod tests;
