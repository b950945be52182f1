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
use crate::sysroot::SysRoot;
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
        let is_device = file
            .metadata()
            .is_ok_and(|m| std::os::unix::fs::FileTypeExt::is_char_device(&m.file_type()));
        let root = if is_device {
            SysRoot::default()
        } else {
            root.clone()
        };
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
                    ..self::info(&root, real)?
                }
            }
            None if is_device => {
                return Err(DeviceError::NotFound {
                    what: format!("this machine's sysfs entry of {}", info.dev_path.display()),
                    available: Vec::new(),
                });
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
            root,
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
    ///
    /// Refused (`RegistersShared`) while another UIO device whose map reaches
    /// the same registers holds them for exclusive use
    /// ([`into_exclusive_map`](Self::into_exclusive_map)).
    pub fn map(&self, index: usize) -> Result<MappedWindow, DeviceError> {
        let map_lock = self.map_lock()?;
        Ok(self.map_window(index)?.keeping(map_lock))
    }

    /// The map's window, keeping the device file, with no sysfs lock.
    fn map_window(&self, index: usize) -> Result<MappedWindow, DeviceError> {
        let m = self.map_info(index)?;
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
        // A PCI function's DMA may be translated (see `dma_space_of`); a
        // platform device masters physical memory.
        let space = match &self.info.pci_address {
            Some(_) => crate::pci::dma_space_of(&self.info.sys_dir.join("device")),
            None => crate::dma::DmaSpace::Physical,
        };
        Ok(window.keeping(Arc::clone(&self.file)).mastering(space))
    }

    fn map_info(&self, index: usize) -> Result<&UioMapInfo, DeviceError> {
        self.info
            .maps
            .iter()
            .find(|m| m.index == index)
            .ok_or_else(|| DeviceError::MapOutOfRange {
                device: self.label(),
                index,
                count: self.info.maps.len(),
            })
    }

    /// The shared lock every window of this device holds, on its sysfs
    /// `name`, for as long as any window lives. The device file's `flock`
    /// says who has the device open; this says who maps through it, so a
    /// node can stay open for its interrupt alone while another device
    /// covering the same registers is mapped exclusively, and so a second
    /// node of the device (`mknod`), which the device file's lock cannot
    /// see, still meets it: sysfs has one `name` per device.
    fn map_lock(&self) -> Result<Arc<File>, DeviceError> {
        let mut held = self.map_lock.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(file) = held.upgrade() {
            return Ok(file);
        }
        let file = lock_name(&self.info, libc::LOCK_SH)?.ok_or_else(|| {
            DeviceError::RegistersShared {
                device: self.label(),
                detail: "another UIO device whose map reaches these registers holds them for exclusive use (a node that repeats a device's `reg` for its interrupt, say), or an exclusive map of this device was made through another node: open this one for its interrupt only, or drop that driver first".into(),
            }
        })?;
        let file = Arc::new(file);
        *held = Arc::downgrade(&file);
        Ok(file)
    }

    /// Exclusive locks on the sysfs `name` of every other UIO device whose
    /// map reaches registers map `index` reaches, so none of them can map
    /// them while the exclusive window lives; refused if one already does.
    fn overlap_locks(&self, index: usize) -> Result<Vec<File>, DeviceError> {
        let Some((lo, hi)) = reach(self.map_info(index)?) else {
            return Ok(Vec::new());
        };
        let mut locks = Vec::new();
        for other in list(&self.root)? {
            if other.number == self.info.number {
                continue;
            }
            let overlaps = other
                .maps
                .iter()
                .filter_map(reach)
                .any(|(olo, ohi)| olo < hi && lo < ohi);
            if !overlaps {
                continue;
            }
            let file = lock_name(&other, libc::LOCK_EX)?.ok_or_else(|| {
                DeviceError::RegistersShared {
                    device: self.label(),
                    detail: format!(
                        "{} maps registers map {index} reaches, and a window of it is alive (here or in another process): drop it before taking these registers for exclusive use",
                        other.label()
                    ),
                }
            })?;
            locks.push(file);
        }
        Ok(locks)
    }

    /// Maps map `index` for one owner alone, giving up the device: the
    /// window keeps the device's lock (no other opener, here or in another
    /// process), and it is refused while any other window of this device is
    /// still mapped, or while another UIO device whose map reaches the same
    /// registers has a window. For drivers that must be the only writer of
    /// the registers, such as [`AxiDma::new`](crate::axi_dma::AxiDma::new).
    pub fn into_exclusive_map(self, index: usize) -> Result<Exclusive<MappedWindow>, DeviceError> {
        // Checked before anything is locked: a window of this device holds
        // the shared `name` lock, and a refused lock change must not take
        // it from that window. The interrupt state holds the file too.
        let others = Arc::strong_count(&self.file) - 2;
        if others > 0 {
            return Err(DeviceError::WindowsAlive {
                device: self.label(),
                windows: others,
            });
        }
        // A fresh exclusive lock on this device's `name`, never shared with
        // a window: windows made through another node of the device take
        // the shared one and are kept out (or keep this out).
        let own = lock_name(&self.info, libc::LOCK_EX)?.ok_or_else(|| {
            DeviceError::RegistersShared {
                device: self.label(),
                detail: "a window of this device made through another device node is alive (here or in another process): drop it before taking these registers for exclusive use".into(),
            }
        })?;
        let overlaps = self.overlap_locks(index)?;
        let bars = self.bar_locks(index)?;
        let mut window = self.map_window(index)?.keeping(Arc::new(own));
        for lock in overlaps.into_iter().chain(bars) {
            window = window.keeping(Arc::new(lock));
        }
        // SAFETY: the device file's lock keeps every other opener out, the
        // `name` locks keep out windows through other nodes of this device
        // and through other devices reaching these registers, the BAR locks
        // keep out `resourceN` windows, this `Uio` is consumed so no further
        // window can be mapped from it, and no other window of it is alive
        // (counted above): `window` is the only access to these registers
        // through this runtime.
        Ok(unsafe { Exclusive::new_unchecked(window) })
    }

    /// Exclusive locks on the `resourceN` of every PCI BAR map `index`
    /// overlaps: a BAR is reachable through that file too, so no
    /// `PciDevice::map_bar` window of these registers may live beside an
    /// exclusive map. For a device node, the function and the map come from
    /// this machine's sysfs (see [`Uio::open_in`]).
    fn bar_locks(&self, index: usize) -> Result<Vec<File>, DeviceError> {
        let Some(pci) = self.pci() else {
            return Ok(Vec::new());
        };
        let m = self.map_info(index)?;
        let (addr, end) = (m.addr, m.addr.saturating_add(m.size as u64));
        let mut locks = Vec::new();
        for bar in pci.bars()? {
            if bar.start < end && addr < bar.start.saturating_add(bar.size) {
                locks.extend(pci.lock_bar_exclusive(bar.index)?);
            }
        }
        Ok(locks)
    }

    /// The device's device-tree node in sysfs (`device/of_node`), if it has
    /// one. For a device node it is this machine's own sysfs (see
    /// [`Uio::open_in`]), since drivers trust what it says about the
    /// hardware; only a test tree's plain file uses the tree.
    pub fn of_node(&self) -> Option<std::path::PathBuf> {
        let node = self.info.sys_dir.join("device/of_node");
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

/// The physical range a window of map `m` reaches: from the page base plus
/// the map's offset, as [`Uio::map`] maps it (a driver that reports an
/// unaligned address with offset 0 gives a window that starts below the
/// address). `None` for a map that cannot be mapped.
fn reach(m: &UioMapInfo) -> Option<(u64, u64)> {
    let page = page_size();
    let span = PageSpan::uio(m.index, m.addr, m.offset, m.size, page).ok()?;
    let lo = (m.addr & !(page as u64 - 1)) + span.start as u64;
    Some((lo, lo.saturating_add(span.len as u64)))
}

/// A `flock` of kind `how` on the sysfs `name` of `device`: `None` if a
/// conflicting lock is held.
fn lock_name(device: &UioInfo, how: libc::c_int) -> Result<Option<File>, DeviceError> {
    let path = device.sys_dir.join("name");
    let file = File::open(&path).map_err(|e| DeviceError::io("open", &path, e))?;
    match try_flock(&file, how) {
        Ok(()) => Ok(Some(file)),
        Err(e) if e.raw_os_error() == Some(libc::EWOULDBLOCK) => Ok(None),
        Err(e) => Err(DeviceError::io("lock", &path, e)),
    }
}

#[cfg(test)]
mod tests;
