//! [`ModelLine`]: the interrupt output of a [`ModelBus`], raised from its
//! registers the way most IP raises one: `ISR & IER`, gated by a global enable.

use super::{ModelBus, RegisterRef};
use crate::error::DeviceError;
use crate::irq::InterruptLine;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// How often a wait looks at the registers again: the model has no thread of
/// its own, so a device model on another thread changes them unannounced.
const POLL: Duration = Duration::from_micros(200);

/// A model's interrupt output, delivered UIO-style ([`InterruptLine`]): high
/// while `status & enable != 0` (and the global enable bit is set, if one was
/// given); a wait that sees it high fires once and masks the line until
/// [`InterruptLine::enable`], as a UIO device does. Level-triggered: enabling
/// it again while the status is still set fires again at once.
///
/// ```
/// # use regmap_runtime::desc::{Access, BlockDesc, FieldDesc, RegisterDesc};
/// use regmap_runtime::model::{ModelBus, ModelLine};
/// use regmap_runtime::{Bus, InterruptLine};
/// use std::{sync::Arc, time::Duration};
/// # const fn f(access: Access) -> FieldDesc {
/// #     FieldDesc { name: "bits", lsb: 0, width: 32, access, values: &[], description: "" }
/// # }
/// # const W1C: &[FieldDesc] = &[f(Access::OneToClear)];
/// # const RW: &[FieldDesc] = &[f(Access::ReadWrite)];
/// # const fn reg(name: &'static str, offset: usize, fields: &'static [FieldDesc]) -> RegisterDesc {
/// #     RegisterDesc { name, offset, width: 4, reset: 0, description: "", fields }
/// # }
/// # static DESC: BlockDesc = BlockDesc { name: "ip", size: 0x10, description: "", registers: &[
/// #     reg("isr", 0, W1C), reg("ier", 4, RW), reg("gie", 8, RW)] };
/// let model = Arc::new(ModelBus::new(&DESC));
/// let irq = ModelLine::new(model.clone(), "isr", "ier")?.with_global_enable("gie", 1)?;
/// model.write_u32(4, 0b10)?; // the driver enables source 1 ...
/// model.write_u32(8, 1)?; // ... and the global enable
/// model.hw_update("isr", |s| s | 0b10)?; // the device model raises it
/// assert!(irq.wait(Duration::from_secs(1))?);
/// model.write_u32(0, 0b10)?; // acknowledge (w1c), then re-enable
/// irq.enable()?;
/// assert!(!irq.wait(Duration::from_millis(1))?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ModelLine {
    model: Arc<ModelBus>,
    status: usize,
    enable: usize,
    global: Option<(usize, u64)>,
    state: Arc<LineState>,
}

#[derive(Debug)]
struct LineState {
    armed: AtomicBool,
    count: AtomicU32,
}

impl ModelLine {
    /// The line raised by `status & enable` (two registers of `model`'s block,
    /// named or by offset), armed.
    pub fn new(
        model: Arc<ModelBus>,
        status: impl RegisterRef,
        enable: impl RegisterRef,
    ) -> Result<Self, DeviceError> {
        let status = model.index(&status)?;
        let enable = model.index(&enable)?;
        Ok(Self {
            model,
            status,
            enable,
            global: None,
            state: Arc::new(LineState {
                armed: AtomicBool::new(true),
                count: AtomicU32::new(0),
            }),
        })
    }

    /// Gates the line with the global enable bits `mask` of `reg` (GIE):
    /// high only while one of them is set.
    pub fn with_global_enable(
        mut self,
        reg: impl RegisterRef,
        mask: u64,
    ) -> Result<Self, DeviceError> {
        self.global = Some((self.model.index(&reg)?, mask));
        Ok(self)
    }

    /// Whether the output is high now (whether or not the line is masked).
    pub fn level(&self) -> bool {
        let v = self.model.lock();
        let gated = self.global.is_none_or(|(r, mask)| v[r] & mask != 0);
        gated && v[self.status] & v[self.enable] != 0
    }

    /// Interrupts delivered (waits that fired) so far.
    pub fn count(&self) -> u32 {
        self.state.count.load(Ordering::Relaxed)
    }

    /// Fires if armed and high: disarms and counts.
    fn try_fire(&self) -> bool {
        if self.level()
            && self
                .state
                .armed
                .compare_exchange(true, false, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            self.state.count.fetch_add(1, Ordering::Relaxed);
            return true;
        }
        false
    }
}

impl InterruptLine for ModelLine {
    fn enable(&self) -> Result<(), DeviceError> {
        self.state.armed.store(true, Ordering::Release);
        Ok(())
    }

    fn wait(&self, timeout: Duration) -> Result<bool, DeviceError> {
        // A timeout too long for an `Instant` (`Duration::MAX`) means no deadline.
        let deadline = Instant::now().checked_add(timeout);
        loop {
            if self.try_fire() {
                return Ok(true);
            }
            let now = Instant::now();
            if deadline.is_some_and(|d| now >= d) {
                return Ok(false);
            }
            let step = deadline.map_or(POLL, |d| (d - now).min(POLL));
            std::thread::sleep(step);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::Bus;
    use crate::desc::{Access, BlockDesc, FieldDesc, RegisterDesc};

    const fn bits(access: Access) -> FieldDesc {
        FieldDesc {
            name: "bits",
            lsb: 0,
            width: 32,
            access,
            values: &[],
            description: "",
        }
    }
    const W1C: &[FieldDesc] = &[bits(Access::OneToClear)];
    const RW: &[FieldDesc] = &[bits(Access::ReadWrite)];

    const fn reg(name: &'static str, offset: usize, fields: &'static [FieldDesc]) -> RegisterDesc {
        RegisterDesc {
            name,
            offset,
            width: 4,
            reset: 0,
            description: "",
            fields,
        }
    }

    static DESC: BlockDesc = BlockDesc {
        name: "ip",
        size: 0x10,
        description: "",
        registers: &[reg("isr", 0, W1C), reg("ier", 4, RW), reg("gie", 8, RW)],
    };

    fn line() -> (Arc<ModelBus>, ModelLine) {
        let m = Arc::new(ModelBus::new(&DESC));
        let l = ModelLine::new(m.clone(), "isr", "ier")
            .unwrap()
            .with_global_enable("gie", 1 << 31)
            .unwrap();
        (m, l)
    }

    const SHORT: Duration = Duration::from_millis(2);

    #[test]
    fn the_output_is_isr_and_ier_gated_by_gie() {
        let (m, l) = line();
        m.hw_set("isr", 0b101).unwrap();
        assert!(!l.level(), "nothing enabled");
        m.write_u32(4, 0b010).unwrap();
        m.write_u32(8, 1 << 31).unwrap();
        assert!(!l.level(), "the pending sources are not the enabled one");
        m.write_u32(4, 0b100).unwrap();
        assert!(l.level());
        m.write_u32(8, 0).unwrap();
        assert!(!l.level(), "global enable off");
        assert!(!l.wait(SHORT).unwrap());
        m.write_u32(8, 1 << 31).unwrap();
        assert!(l.wait(SHORT).unwrap());
        assert_eq!(l.count(), 1);
    }

    #[test]
    fn it_fires_once_until_enabled_and_again_while_still_high() {
        let (m, l) = line();
        m.write_u32(4, 1).unwrap();
        m.write_u32(8, 1 << 31).unwrap();
        m.hw_set("isr", 1).unwrap();
        assert!(l.wait(SHORT).unwrap());
        assert!(!l.wait(SHORT).unwrap(), "masked until enabled");
        l.enable().unwrap();
        assert!(
            l.wait(SHORT).unwrap(),
            "level-triggered: still high fires again"
        );
        m.write_u32(0, 1).unwrap(); // w1c acknowledge
        l.enable().unwrap();
        assert!(!l.wait(SHORT).unwrap(), "acknowledged and enabled: quiet");
        assert_eq!(l.count(), 2);
    }

    #[test]
    fn a_device_model_on_another_thread_wakes_a_waiter() {
        let (m, l) = line();
        m.write_u32(4, 1).unwrap();
        m.write_u32(8, 1 << 31).unwrap();
        let device = {
            let m = m.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(10));
                m.hw_update("isr", |s| s | 1).unwrap();
            })
        };
        assert!(l.wait(Duration::from_secs(5)).unwrap());
        device.join().unwrap();
    }

    #[test]
    fn unknown_registers_are_errors() {
        let m = Arc::new(ModelBus::new(&DESC));
        assert!(matches!(
            ModelLine::new(m.clone(), "isr", "nope"),
            Err(DeviceError::UnknownRegister { .. })
        ));
        assert!(
            ModelLine::new(m, "isr", "ier")
                .unwrap()
                .with_global_enable(0x40usize, 1)
                .is_err()
        );
    }
}
