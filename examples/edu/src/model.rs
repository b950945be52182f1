//! A behavioural model of the edu device, so the driver runs without QEMU.
//!
//! Built on the runtime's [`ModelBus`] over the generated description, with hooks
//! for what edu does beyond storing values: the inverting liveness register, the
//! factorial engine, the interrupt status word, and a DMA engine that reads and
//! writes a [`SimMemory`]. It follows QEMU's `hw/misc/edu.c` where a driver can
//! tell the difference: a factorial write while one is computing is ignored, DMA
//! registers ignore writes while a transfer runs and a command without START,
//! addresses are clamped to the 28-bit DMA mask, and a DMA with bus mastering off
//! "completes" without moving a byte.
//!
//! Time is explicit: started work (a factorial, a DMA) shows as busy to the first
//! poll of the register that reports it and is done by the next, or when
//! [`EduModel::run_pending`] is called (what waiting for an interrupt does).
//!
//! Not modelled: QEMU refuses 1- and 2-byte accesses below 0x80, where the model
//! serves the bytes; the guest tests cover that against the real device.

use crate::edu::Edu;
use crate::{DEVICE_BUFFER, DEVICE_BUFFER_LEN, DMA_MASK, IRQ_DMA, IRQ_FACTORIAL};
use regmap_runtime::dma::SimMemory;
use regmap_runtime::model::ModelBus;
use regmap_runtime::{DeviceError, DmaPermission};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

const COMPUTING: u64 = 0x1;
const IRQ_ON_FACTORIAL: u64 = 0x80;
const CMD_START: u64 = 0x1;
const CMD_TO_RAM: u64 = 0x2;
const CMD_IRQ: u64 = 0x4;

/// The edu device: a register model plus the engines behind it.
#[derive(Debug, Clone)]
pub struct EduModel {
    regs: Arc<ModelBus>,
    dev: Arc<Device>,
}

#[derive(Debug)]
struct Device {
    memory: SimMemory,
    bus_master: AtomicBool,
    interrupts: AtomicU64,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// Polls of STATUS still to see the factorial busy.
    factorial_polls: u32,
    /// Polls of DMA_COMMAND still to see the transfer running.
    dma_polls: u32,
    buffer: Box<[u8; DEVICE_BUFFER_LEN]>,
    guest_errors: Vec<String>,
}

fn hook_err(e: DeviceError) -> ! {
    // Hooks name registers of the generated description; a miss is a bug here.
    panic!("edu model: {e}")
}

impl EduModel {
    /// A freshly reset device whose DMA engine reaches `memory`. Bus mastering is
    /// off, as `uio_pci_generic` leaves it.
    pub fn new(memory: SimMemory) -> Self {
        let regs = Arc::new(ModelBus::new(Edu::<ModelBus>::DESC).mastering(memory.dma_space()));
        let dev = Arc::new(Device {
            memory,
            bus_master: AtomicBool::new(false),
            interrupts: AtomicU64::new(0),
            state: Mutex::new(State {
                factorial_polls: 0,
                dma_polls: 0,
                buffer: Box::new([0; DEVICE_BUFFER_LEN]),
                guest_errors: Vec::new(),
            }),
        });
        let model = Self { regs, dev };
        model.install_hooks().unwrap_or_else(|e| hook_err(e));
        model
    }

    fn install_hooks(&self) -> Result<(), DeviceError> {
        let r = &self.regs;
        r.on_write("LIVENESS", |m, _, new| {
            m.hw_set("LIVENESS", !new).unwrap_or_else(|e| hook_err(e));
        })?;
        let dev = Arc::clone(&self.dev);
        r.on_write("FACTORIAL", move |m, old, _| {
            let status = m.hw_get("STATUS").unwrap_or_else(|e| hook_err(e));
            if status & COMPUTING != 0 {
                m.hw_set("FACTORIAL", old).unwrap_or_else(|e| hook_err(e));
                return;
            }
            m.hw_update("STATUS", |s| s | COMPUTING)
                .unwrap_or_else(|e| hook_err(e));
            dev.state().factorial_polls = 1;
        })?;
        let dev = Arc::clone(&self.dev);
        r.on_read("STATUS", move |m| dev.poll_factorial(m))?;
        let dev = Arc::clone(&self.dev);
        r.on_write("INTERRUPT_RAISE", move |m, _, new| dev.raise(m, new))?;
        r.on_write("INTERRUPT_ACK", |m, _, new| {
            m.hw_update("INTERRUPT_STATUS", |s| s & !new)
                .unwrap_or_else(|e| hook_err(e));
        })?;
        for name in ["DMA_SOURCE", "DMA_DESTINATION", "DMA_COUNT"] {
            r.on_write(name, move |m, old, _| {
                if m.hw_get("DMA_COMMAND").unwrap_or_else(|e| hook_err(e)) & CMD_START != 0 {
                    m.hw_set(name, old).unwrap_or_else(|e| hook_err(e));
                }
            })?;
        }
        let dev = Arc::clone(&self.dev);
        r.on_write("DMA_COMMAND", move |m, old, new| {
            if old & CMD_START != 0 || new & CMD_START == 0 {
                // Running, or not a start: the write is ignored.
                m.hw_set("DMA_COMMAND", old).unwrap_or_else(|e| hook_err(e));
                return;
            }
            dev.state().dma_polls = 1;
        })?;
        let dev = Arc::clone(&self.dev);
        r.on_read("DMA_COMMAND", move |m| dev.poll_dma(m))?;
        Ok(())
    }

    /// The register window to bind the driver to.
    pub fn bus(&self) -> Arc<ModelBus> {
        Arc::clone(&self.regs)
    }

    /// Sets or clears the PCI command register's bus-master bit.
    pub fn set_bus_master(&self, on: bool) {
        self.dev.bus_master.store(on, Ordering::SeqCst);
    }

    /// Finishes any factorial or DMA in progress, as time passing would.
    pub fn run_pending(&self) {
        self.dev.finish_factorial(&self.regs);
        self.dev.finish_dma(&self.regs);
    }

    /// Whether the interrupt line is asserted (some interrupt status bit is set).
    pub fn irq_pending(&self) -> bool {
        self.regs
            .hw_get("INTERRUPT_STATUS")
            .unwrap_or_else(|e| hook_err(e))
            != 0
    }

    /// Lets time pass; `Ok` if an interrupt is then pending, else the timeout
    /// error a UIO wait would give.
    pub fn wait_irq(&self) -> Result<(), DeviceError> {
        self.run_pending();
        if self.irq_pending() {
            Ok(())
        } else {
            Err(DeviceError::IrqTimeout {
                device: "edu model".into(),
                timeout: std::time::Duration::ZERO,
            })
        }
    }

    /// How many times an interrupt was raised.
    pub fn interrupts(&self) -> u64 {
        self.dev.interrupts.load(Ordering::SeqCst)
    }

    /// A copy of the device's internal DMA buffer.
    pub fn buffer(&self) -> [u8; DEVICE_BUFFER_LEN] {
        *self.dev.state().buffer
    }

    /// Misuses QEMU would log as guest errors (a DMA outside the device buffer,
    /// an address clamped to the DMA mask, memory the DMA could not reach).
    pub fn guest_errors(&self) -> Vec<String> {
        self.dev.state().guest_errors.clone()
    }
}

impl DmaPermission for EduModel {
    fn check_dma_allowed(&self) -> Result<(), DeviceError> {
        if self.dev.bus_master.load(Ordering::SeqCst) {
            Ok(())
        } else {
            Err(DeviceError::BusMasterDisabled {
                device: "edu model".into(),
            })
        }
    }
}

impl Device {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn raise(&self, m: &ModelBus, bits: u64) {
        let status = m
            .hw_update("INTERRUPT_STATUS", |s| s | bits)
            .unwrap_or_else(|e| hook_err(e));
        if status != 0 {
            self.interrupts.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn poll_factorial(&self, m: &ModelBus) {
        let mut s = self.state();
        if s.factorial_polls > 0 {
            s.factorial_polls -= 1;
            return;
        }
        drop(s);
        self.finish_factorial(m);
    }

    fn finish_factorial(&self, m: &ModelBus) {
        let status = m.hw_get("STATUS").unwrap_or_else(|e| hook_err(e));
        if status & COMPUTING == 0 {
            return;
        }
        self.state().factorial_polls = 0;
        let n = m.hw_get("FACTORIAL").unwrap_or_else(|e| hook_err(e)) as u32;
        let fact = (1..=n).fold(1u32, |acc, k| acc.wrapping_mul(k));
        m.hw_set("FACTORIAL", u64::from(fact))
            .unwrap_or_else(|e| hook_err(e));
        m.hw_update("STATUS", |s| s & !COMPUTING)
            .unwrap_or_else(|e| hook_err(e));
        if status & IRQ_ON_FACTORIAL != 0 {
            self.raise(m, u64::from(IRQ_FACTORIAL));
        }
    }

    fn poll_dma(&self, m: &ModelBus) {
        let mut s = self.state();
        if s.dma_polls > 0 {
            s.dma_polls -= 1;
            return;
        }
        drop(s);
        self.finish_dma(m);
    }

    fn finish_dma(&self, m: &ModelBus) {
        let get = |name| m.hw_get(name).unwrap_or_else(|e| hook_err(e));
        let cmd = get("DMA_COMMAND");
        if cmd & CMD_START == 0 {
            return;
        }
        let (src, dst, cnt) = (get("DMA_SOURCE"), get("DMA_DESTINATION"), get("DMA_COUNT"));
        let to_ram = cmd & CMD_TO_RAM != 0;
        let (dev_addr, ram_addr) = if to_ram { (src, dst) } else { (dst, src) };
        let mut s = self.state();
        s.dma_polls = 0;
        let range = dev_addr
            .checked_sub(DEVICE_BUFFER)
            .and_then(|start| Some((start, start.checked_add(cnt)?)))
            .filter(|&(_, end)| end <= DEVICE_BUFFER_LEN as u64);
        let clamped = ram_addr & DMA_MASK;
        if clamped != ram_addr {
            s.guest_errors
                .push(format!("DMA address {ram_addr:#x} clamped to {clamped:#x}"));
        }
        match range {
            None => s.guest_errors.push(format!(
                "DMA of {cnt:#x} bytes at device address {dev_addr:#x} is outside the buffer"
            )),
            // Without bus mastering the transaction goes nowhere and nobody is told.
            Some(_) if !self.bus_master.load(Ordering::SeqCst) => {}
            Some((start, end)) => {
                let bytes = &mut s.buffer[start as usize..end as usize];
                let result = if to_ram {
                    self.memory.write(clamped, bytes)
                } else {
                    self.memory.read(clamped, bytes)
                };
                if let Err(e) = result {
                    s.guest_errors.push(format!("DMA to memory failed: {e}"));
                }
            }
        }
        drop(s);
        m.hw_set("DMA_COMMAND", cmd & !CMD_START)
            .unwrap_or_else(|e| hook_err(e));
        if cmd & CMD_IRQ != 0 {
            self.raise(m, u64::from(IRQ_DMA));
        }
    }
}
