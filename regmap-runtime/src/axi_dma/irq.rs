//! Interrupt lines the driver can wait on: a UIO device on a board, the
//! model's [`ModelIrq`] in tests.

use super::model::ModelIrq;
use crate::error::DeviceError;
use crate::uio::Uio;
use std::sync::Arc;
use std::time::Duration;

/// One DMA channel's interrupt output, delivered UIO-style: it fires, stays
/// masked until re-enabled, and can be waited on with a timeout.
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

impl InterruptLine for ModelIrq {
    fn enable(&self) -> Result<(), DeviceError> {
        self.rearm();
        Ok(())
    }
    fn wait(&self, timeout: Duration) -> Result<bool, DeviceError> {
        Ok(ModelIrq::wait(self, timeout).is_some())
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
