//! [`InterruptLine`]: one interrupt, whatever delivers it: a UIO device
//! ([`Uio`]), a VFIO eventfd ([`VfioIrq`](crate::vfio::VfioIrq)), a model's
//! output in tests (the AXI DMA model's `ModelIrq`, a [`ModelBus`](crate::ModelBus)
//! line). Drivers of any block take `impl InterruptLine` and run unchanged
//! on a board, a PCIe card and a model.

use crate::error::DeviceError;
use crate::uio::Uio;
use std::sync::Arc;
use std::time::Duration;

/// One interrupt output, delivered UIO-style: it fires, stays masked until
/// re-enabled, and can be waited on with a timeout.
pub trait InterruptLine: Send + Sync {
    /// Unmasks the interrupt (UIO: writes 1). Called before each wait, after
    /// the device has been acknowledged.
    fn enable(&self) -> Result<(), DeviceError>;
    /// Waits up to `timeout`: `Ok(true)` if the interrupt fired, `Ok(false)` on timeout.
    fn wait(&self, timeout: Duration) -> Result<bool, DeviceError>;
}

impl InterruptLine for Uio {
    fn enable(&self) -> Result<(), DeviceError> {
        self.enable_irq()
    }
    fn wait(&self, timeout: Duration) -> Result<bool, DeviceError> {
        match self.wait_irq(timeout) {
            Ok(_) => Ok(true),
            Err(DeviceError::IrqTimeout { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// VFIO: `enable` unmasks INTx (nothing to do for MSI/MSI-X).
impl InterruptLine for crate::vfio::VfioIrq {
    fn enable(&self) -> Result<(), DeviceError> {
        self.unmask()
    }
    fn wait(&self, timeout: Duration) -> Result<bool, DeviceError> {
        match crate::vfio::VfioIrq::wait(self, timeout) {
            Ok(_) => Ok(true),
            Err(DeviceError::IrqTimeout { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

impl<I: InterruptLine + ?Sized> InterruptLine for &I {
    fn enable(&self) -> Result<(), DeviceError> {
        (**self).enable()
    }
    fn wait(&self, timeout: Duration) -> Result<bool, DeviceError> {
        (**self).wait(timeout)
    }
}

impl<I: InterruptLine + ?Sized> InterruptLine for Arc<I> {
    fn enable(&self) -> Result<(), DeviceError> {
        (**self).enable()
    }
    fn wait(&self, timeout: Duration) -> Result<bool, DeviceError> {
        (**self).wait(timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sysroot::SysRoot;
    use std::io::Write;

    #[test]
    fn a_uio_device_is_an_interrupt_line_that_times_out_with_false() {
        let dir = tempfile::tempdir().unwrap();
        let root = SysRoot::under(dir.path());
        let class = root.sys.join("class/uio/uio2");
        std::fs::create_dir_all(&class).unwrap();
        std::fs::create_dir_all(&root.dev).unwrap();
        std::fs::write(class.join("name"), "axi_dma_s2mm\n").unwrap();
        std::fs::write(class.join("version"), "0.01.0\n").unwrap();
        let dev_path = root.dev.join("uio2");
        let c = std::ffi::CString::new(dev_path.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let uio = Uio::open_by_name_in(&root, "axi_dma_s2mm").unwrap();
        let line: &dyn InterruptLine = &uio;
        assert!(!line.wait(Duration::from_millis(10)).unwrap());
        // The kernel side: the count an interrupt leaves in the device file.
        let mut kernel = std::fs::OpenOptions::new()
            .write(true)
            .open(&dev_path)
            .unwrap();
        kernel.write_all(&1u32.to_ne_bytes()).unwrap();
        assert!(line.wait(Duration::from_secs(5)).unwrap());
    }
}
