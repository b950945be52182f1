//! [`DmaPermission`]: asking, before a DMA starts, whether the device may master
//! the bus at all.
//!
//! A PCI function with bus mastering off (command register bit 2) accepts a DMA
//! command, reports it done, and never touches memory: the driver then reads
//! whatever the buffer held before, as if it were the device's data. Nothing in
//! the device's own registers shows it. A DMA engine driver asks its
//! [`DmaPermission`] before each start and gets a typed error instead.

use crate::error::DeviceError;
use crate::pci::PciDevice;
use crate::uio::Uio;

/// Whether a device may start DMA right now.
pub trait DmaPermission {
    /// `Ok` if a DMA started now would reach memory; otherwise the reason, as a
    /// typed error ([`DeviceError::BusMasterDisabled`] for a PCI function).
    fn check_dma_allowed(&self) -> Result<(), DeviceError>;
}

impl DmaPermission for PciDevice {
    fn check_dma_allowed(&self) -> Result<(), DeviceError> {
        if self.is_bus_master()? {
            Ok(())
        } else {
            Err(DeviceError::BusMasterDisabled {
                device: self.address().to_string(),
            })
        }
    }
}

/// A PCI device behind UIO asks its function; a platform device has no bus-master
/// switch and may always start.
impl DmaPermission for Uio {
    fn check_dma_allowed(&self) -> Result<(), DeviceError> {
        match self.pci() {
            Some(pci) => pci.check_dma_allowed(),
            None => Ok(()),
        }
    }
}

impl<P: DmaPermission + ?Sized> DmaPermission for &P {
    fn check_dma_allowed(&self) -> Result<(), DeviceError> {
        (**self).check_dma_allowed()
    }
}

impl<P: DmaPermission + ?Sized> DmaPermission for std::sync::Arc<P> {
    fn check_dma_allowed(&self) -> Result<(), DeviceError> {
        (**self).check_dma_allowed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sysroot::SysRoot;
    use std::fs;

    /// A fake sysfs with one PCI function whose config space has `command`.
    fn fake_function(command: u16) -> (tempfile::TempDir, PciDevice) {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("sys/bus/pci/devices/0000:00:03.0");
        fs::create_dir_all(&f).unwrap();
        fs::write(f.join("vendor"), "0x1234\n").unwrap();
        fs::write(f.join("device"), "0x11e8\n").unwrap();
        let mut config = vec![0u8; 64];
        config[4..6].copy_from_slice(&command.to_le_bytes());
        fs::write(f.join("config"), config).unwrap();
        let root = SysRoot::under(dir.path());
        let pci = PciDevice::open_in(&root, "0000:00:03.0").unwrap();
        (dir, pci)
    }

    #[test]
    #[cfg_attr(miri, ignore)] // a fake PCI config-space file on disk
    fn bus_master_off_is_a_typed_error_naming_the_function() {
        let (_dir, pci) = fake_function(0x0002);
        match pci.check_dma_allowed() {
            Err(DeviceError::BusMasterDisabled { device }) => assert_eq!(device, "0000:00:03.0"),
            other => panic!("expected BusMasterDisabled, got {other:?}"),
        }
    }

    #[test]
    #[cfg_attr(miri, ignore)] // a fake PCI config-space file on disk
    fn bus_master_on_allows_dma_and_enabling_it_fixes_the_error() {
        let (_dir, pci) = fake_function(0x0006);
        pci.check_dma_allowed().unwrap();
        pci.disable_bus_master().unwrap();
        assert!(pci.check_dma_allowed().is_err());
        pci.enable_bus_master().unwrap();
        pci.check_dma_allowed().unwrap();
    }
}
