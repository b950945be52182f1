//! [`ModelBus`]: a behavioural model of a register block, built from its
//! static description, that behaves as hardware does and lets a device model
//! react to accesses in a few lines.
//!
//! ```
//! use regmap_runtime::desc::{Access, BlockDesc, FieldDesc, RegisterDesc};
//! use regmap_runtime::{Bus, model::ModelBus};
//! # static DESC: BlockDesc = BlockDesc { name: "t", size: 8, description: "", registers: &[
//! #   RegisterDesc { name: "ctrl", offset: 0, width: 4, reset: 0, description: "", fields: &[
//! #     FieldDesc { name: "start", lsb: 0, width: 1, access: Access::WriteOnly, values: &[], description: "" }] },
//! #   RegisterDesc { name: "status", offset: 4, width: 4, reset: 0, description: "", fields: &[
//! #     FieldDesc { name: "done", lsb: 0, width: 1, access: Access::OneToClear, values: &[], description: "" }] },
//! # ] };
//! let model = ModelBus::new(&DESC);
//! // Starting the device finishes at once: raise `done` (w1c) in `status`.
//! model.on_write("ctrl", |m, _old, new| {
//!     if new & 1 != 0 {
//!         m.hw_update("status", |s| s | 1).unwrap();
//!     }
//! })?;
//! model.write_u32(0, 1)?;
//! assert_eq!(model.read_u32(4)?, 1);
//! model.write_u32(4, 1)?; // write 1 to clear
//! assert_eq!(model.read_u32(4)?, 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Semantics, per field: `rw` stores what is written; `ro`, `rc`, `rs` ignore
//! writes; `wo` stores (hooks see it) but reads as 0; `w1c`/`w1s`/`w1t` clear,
//! set or toggle where 1 is written, `w0c`/`w0s` clear or set where 0 is
//! written; reading an `rc` field clears it and an `rs` field sets it. Bits
//! outside every field keep their reset value. Accesses narrower than a
//! register touch only their bytes; accesses where no register is read 0 and
//! are ignored when written.
//!
//! The model is `Sync`: share it in an `Arc` between the code under test and a
//! device model running on another thread. Hooks run after the access has been
//! applied and with no lock held, so a hook may access the model freely.
//!
//! [`ModelLine`] is the block's interrupt output (`ISR & IER`, gated by a
//! global enable), an [`InterruptLine`](crate::InterruptLine) a driver waits
//! on as it would on UIO or VFIO.

mod line;
pub use line::ModelLine;

use crate::bus::Bus;
use crate::desc::{Access, BlockDesc, RegisterDesc};
use crate::dma::DmaSpace;
use crate::error::DeviceError;
use crate::field::Value;
use crate::reg::Register;
use crate::word::Word;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

type WriteHook = Arc<dyn Fn(&ModelBus, u64, u64) + Send + Sync>;
type ReadHook = Arc<dyn Fn(&ModelBus) + Send + Sync>;

/// A register named by its name (`"ctrl"`, `"channel[1].ctrl"`) or its byte offset.
pub trait RegisterRef {
    /// The register's index in the block's description.
    fn index_in(&self, block: &BlockDesc) -> Option<usize>;
    /// The reference as written, for messages.
    fn label(&self) -> String;
}

impl RegisterRef for &str {
    fn index_in(&self, block: &BlockDesc) -> Option<usize> {
        block
            .registers
            .iter()
            .position(|r| r.name.eq_ignore_ascii_case(self))
    }
    fn label(&self) -> String {
        format!("named {self:?}")
    }
}

impl RegisterRef for usize {
    fn index_in(&self, block: &BlockDesc) -> Option<usize> {
        block.registers.iter().position(|r| r.offset == *self)
    }
    fn label(&self) -> String {
        format!("at offset {self:#x}")
    }
}

/// A behavioural model of one register block. See the [module docs](self).
pub struct ModelBus {
    desc: &'static BlockDesc,
    space: DmaSpace,
    values: Mutex<Vec<u64>>,
    write_hooks: RwLock<Vec<(usize, WriteHook)>>,
    read_hooks: RwLock<Vec<(usize, ReadHook)>>,
}

impl std::fmt::Debug for ModelBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let values = self.lock();
        let mut m = f.debug_map();
        for (r, v) in self.desc.registers.iter().zip(values.iter()) {
            m.entry(&r.name, &format_args!("{v:#x}"));
        }
        m.finish()
    }
}

fn bytes_mask(n: usize) -> u64 {
    if n >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * n)) - 1
    }
}

/// Applies a bus write of `written` to the bits in `lane` of a register.
fn apply_write(reg: &RegisterDesc, old: u64, written: u64, lane: u64) -> u64 {
    let mut new = old;
    for f in reg.fields {
        let m = f.mask() & lane;
        let bits = match f.access {
            Access::ReadWrite | Access::WriteOnly => written,
            Access::OneToClear => old & !written,
            Access::OneToSet => old | written,
            Access::OneToToggle => old ^ written,
            Access::ZeroToClear => old & written,
            Access::ZeroToSet => old | !written,
            // ReadOnly, ReadToClear, ReadToSet, and kinds added later: writes do nothing.
            _ => old,
        };
        new = (new & !m) | (bits & m);
    }
    new
}

/// What a read of the bits in `lane` returns, and the register value after it.
fn apply_read(reg: &RegisterDesc, value: u64, lane: u64) -> (u64, u64) {
    let mut seen = value;
    let mut after = value;
    for f in reg.fields {
        let m = f.mask() & lane;
        match f.access {
            Access::WriteOnly => seen &= !m,
            Access::ReadToClear => after &= !m,
            Access::ReadToSet => after |= m,
            _ => {}
        }
    }
    (seen, after)
}

impl ModelBus {
    /// A model in its reset state.
    pub fn new(desc: &'static BlockDesc) -> Self {
        Self {
            desc,
            space: DmaSpace::Unreachable,
            values: Mutex::new(desc.registers.iter().map(|r| r.reset).collect()),
            write_hooks: RwLock::new(Vec::new()),
            read_hooks: RwLock::new(Vec::new()),
        }
    }

    /// The model as a device mastering `space` (a DMA engine model over a
    /// [`SimMemory`](crate::dma::SimMemory): that memory's
    /// [`dma_space`](crate::dma::SimMemory::dma_space)), which
    /// [`Bus::dma_space`] then reports, so drivers give it only buffers of
    /// that memory. Without it the model masters no memory and reports
    /// [`DmaSpace::Unreachable`].
    pub fn mastering(mut self, space: DmaSpace) -> Self {
        self.space = space;
        self
    }

    /// The block's description.
    pub fn desc(&self) -> &'static BlockDesc {
        self.desc
    }

    /// Puts every register back to its reset value (hooks stay).
    pub fn reset(&self) {
        let mut values = self.lock();
        for (v, r) in values.iter_mut().zip(self.desc.registers) {
            *v = r.reset;
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<u64>> {
        self.values.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn index(&self, reg: &impl RegisterRef) -> Result<usize, DeviceError> {
        reg.index_in(self.desc)
            .ok_or_else(|| DeviceError::UnknownRegister {
                block: self.desc.name,
                register: reg.label(),
            })
    }

    /// Calls `hook(model, old, new)` after every bus write that touches `reg`,
    /// with the register's stored value before and after the write (write-only
    /// fields included, as written).
    pub fn on_write(
        &self,
        reg: impl RegisterRef,
        hook: impl Fn(&ModelBus, u64, u64) + Send + Sync + 'static,
    ) -> Result<(), DeviceError> {
        let i = self.index(&reg)?;
        self.write_hooks
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .push((i, Arc::new(hook)));
        Ok(())
    }

    /// The instances of register type `R` in the description: registers
    /// named `R::NAME` (whatever their cluster path and array index) with
    /// `R`'s width and field table.
    fn instances_of<R: Register>(&self) -> Result<Vec<usize>, DeviceError> {
        let found: Vec<usize> = self
            .desc
            .registers
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                let leaf = r.name.rsplit('.').next().unwrap_or(r.name);
                let leaf = leaf.split('[').next().unwrap_or(leaf);
                leaf.eq_ignore_ascii_case(R::NAME)
                    && r.width == R::Word::BYTES
                    && r.fields == R::FIELDS
            })
            .map(|(i, _)| i)
            .collect();
        if found.is_empty() {
            return Err(DeviceError::UnknownRegister {
                block: self.desc.name,
                register: format!("of type `{}`", R::NAME),
            });
        }
        Ok(found)
    }

    /// Typed [`ModelBus::on_write`]: calls `hook(model, old, new)` with
    /// register values after every bus write to any instance of the
    /// generated register type `R` (every element of an array or cluster):
    /// `model.on_register_write::<Ctrl>(|m, _, new| if new.get(Ctrl::START) { .. })`.
    pub fn on_register_write<R: Register>(
        &self,
        hook: impl Fn(&ModelBus, Value<R>, Value<R>) + Send + Sync + 'static,
    ) -> Result<(), DeviceError> {
        let hook: WriteHook = Arc::new(move |m, old, new| {
            hook(
                m,
                Value::from_bits(R::Word::truncate(old)),
                Value::from_bits(R::Word::truncate(new)),
            );
        });
        let found = self.instances_of::<R>()?;
        let mut hooks = self
            .write_hooks
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        hooks.extend(found.into_iter().map(|i| (i, Arc::clone(&hook))));
        Ok(())
    }

    /// Typed [`ModelBus::hw_update`] for a register type with one instance:
    /// changes its stored value from the hardware side with `f` on register
    /// values, and returns the new value.
    ///
    /// # Errors
    /// [`DeviceError::UnknownRegister`] when the block has no instance of `R`,
    /// or more than one (use the name-based `hw_update` to pick one).
    pub fn hw_update_register<R: Register>(
        &self,
        f: impl FnOnce(Value<R>) -> Value<R>,
    ) -> Result<Value<R>, DeviceError> {
        let found = self.instances_of::<R>()?;
        let [i] = found[..] else {
            return Err(DeviceError::UnknownRegister {
                block: self.desc.name,
                register: format!("of type `{}` (it has {} instances)", R::NAME, found.len()),
            });
        };
        let mut values = self.lock();
        let new = f(Value::from_bits(R::Word::truncate(values[i])));
        values[i] = new.bits().into();
        Ok(new)
    }

    /// Calls `hook(model)` before every bus read of `reg` is served, so it can
    /// update the value the read will see (a free-running counter, say).
    pub fn on_read(
        &self,
        reg: impl RegisterRef,
        hook: impl Fn(&ModelBus) + Send + Sync + 'static,
    ) -> Result<(), DeviceError> {
        let i = self.index(&reg)?;
        self.read_hooks
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .push((i, Arc::new(hook)));
        Ok(())
    }

    /// The register's stored value as the hardware holds it: no read side
    /// effects, no hooks, write-only fields as last written.
    pub fn hw_get(&self, reg: impl RegisterRef) -> Result<u64, DeviceError> {
        let i = self.index(&reg)?;
        Ok(self.lock()[i])
    }

    /// Sets the register's stored value from the hardware side (a device
    /// raising a status bit), bypassing access rules and hooks.
    pub fn hw_set(&self, reg: impl RegisterRef, value: u64) -> Result<(), DeviceError> {
        self.hw_update(reg, |_| value).map(|_| ())
    }

    /// Changes the register's stored value atomically from the hardware side;
    /// returns the new value.
    pub fn hw_update(
        &self,
        reg: impl RegisterRef,
        f: impl FnOnce(u64) -> u64,
    ) -> Result<u64, DeviceError> {
        let i = self.index(&reg)?;
        let mask = bytes_mask(self.desc.registers[i].width);
        let mut values = self.lock();
        values[i] = f(values[i]) & mask;
        Ok(values[i])
    }

    /// Registers overlapping `width` bytes at `offset`, with the overlap as
    /// (register index, byte mask in the register, shift into the register,
    /// shift into the access).
    fn lanes(
        &self,
        offset: usize,
        width: usize,
    ) -> impl Iterator<Item = (usize, u64, u32, u32)> + '_ {
        let regs = self.desc.registers;
        let first = regs.partition_point(|r| r.offset + r.width <= offset);
        regs[first..]
            .iter()
            .enumerate()
            .take_while(move |(_, r)| r.offset < offset + width)
            .map(move |(k, r)| {
                let start = r.offset.max(offset);
                let end = (r.offset + r.width).min(offset + width);
                let reg_shift = (8 * (start - r.offset)) as u32;
                let acc_shift = (8 * (start - offset)) as u32;
                (
                    first + k,
                    bytes_mask(end - start) << reg_shift,
                    reg_shift,
                    acc_shift,
                )
            })
    }

    fn read(&self, offset: usize, width: usize) -> u64 {
        let hooks: Vec<ReadHook> = {
            let all = self
                .read_hooks
                .read()
                .unwrap_or_else(PoisonError::into_inner);
            let touched: Vec<usize> = self.lanes(offset, width).map(|l| l.0).collect();
            all.iter()
                .filter(|(i, _)| touched.contains(i))
                .map(|(_, h)| Arc::clone(h))
                .collect()
        };
        for h in hooks {
            h(self);
        }
        let mut values = self.lock();
        let mut out = 0;
        for (i, lane, reg_shift, acc_shift) in self.lanes(offset, width) {
            let (seen, after) = apply_read(&self.desc.registers[i], values[i], lane);
            values[i] = after;
            out |= ((seen & lane) >> reg_shift) << acc_shift;
        }
        out
    }

    fn write(&self, offset: usize, width: usize, value: u64) {
        let mut events = Vec::new();
        {
            let mut values = self.lock();
            for (i, lane, reg_shift, acc_shift) in self.lanes(offset, width) {
                let written = ((value >> acc_shift) << reg_shift) & lane;
                let old = values[i];
                let new = apply_write(&self.desc.registers[i], old, written, lane);
                values[i] = new;
                events.push((i, old, new));
            }
        }
        let hooks = self
            .write_hooks
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for (i, old, new) in events {
            for (_, h) in hooks.iter().filter(|(r, _)| *r == i) {
                h(self, old, new);
            }
        }
    }
}

macro_rules! modelled {
    ($($read:ident, $write:ident, $t:ty;)*) => {$(
        unsafe fn $read(&self, offset: usize) -> $t {
            self.read(offset, size_of::<$t>()) as $t
        }
        unsafe fn $write(&self, offset: usize, value: $t) {
            self.write(offset, size_of::<$t>(), value.into())
        }
    )*};
}

// SAFETY: the size is the static description's; accesses go to the register
// values under a lock, never to raw memory.
unsafe impl Bus for ModelBus {
    fn size(&self) -> usize {
        self.desc.size
    }
    fn dma_space(&self) -> DmaSpace {
        self.space
    }
    modelled! {
        read_u8_unchecked, write_u8_unchecked, u8;
        read_u16_unchecked, write_u16_unchecked, u16;
        read_u32_unchecked, write_u32_unchecked, u32;
        read_u64_unchecked, write_u64_unchecked, u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desc::FieldDesc;

    const fn f(name: &'static str, lsb: u32, width: u32, access: Access) -> FieldDesc {
        FieldDesc {
            name,
            lsb,
            width,
            access,
            values: &[],
            description: "",
        }
    }

    static DESC: BlockDesc = BlockDesc {
        name: "dev",
        size: 0x20,
        description: "",
        registers: &[
            RegisterDesc {
                name: "ctrl",
                offset: 0,
                width: 4,
                reset: 0x8000_0000,
                description: "",
                fields: &[
                    f("run", 0, 1, Access::ReadWrite),
                    f("mode", 4, 4, Access::ReadWrite),
                    f("start", 8, 1, Access::WriteOnly),
                    f("ver", 28, 4, Access::ReadOnly),
                ],
            },
            RegisterDesc {
                name: "status",
                offset: 4,
                width: 4,
                reset: 0,
                description: "",
                fields: &[
                    f("done", 0, 1, Access::OneToClear),
                    f("err", 1, 1, Access::OneToClear),
                    f("busy", 2, 1, Access::ReadOnly),
                    f("ovf", 8, 8, Access::ReadToClear),
                    f("seen", 16, 1, Access::ReadToSet),
                ],
            },
            RegisterDesc {
                name: "bits",
                offset: 8,
                width: 4,
                reset: 0x00ff_00f0,
                description: "",
                fields: &[
                    f("set", 0, 4, Access::OneToSet),
                    f("tog", 4, 4, Access::OneToToggle),
                    f("clr0", 16, 4, Access::ZeroToClear),
                    f("set0", 20, 4, Access::ZeroToSet),
                ],
            },
            RegisterDesc {
                name: "wide",
                offset: 0x10,
                width: 8,
                reset: 0,
                description: "",
                fields: &[f("wide", 0, 64, Access::ReadWrite)],
            },
        ],
    };

    #[test]
    fn reset_values_and_read_only_bits_ignore_writes() {
        let m = ModelBus::new(&DESC);
        assert_eq!(m.read_u32(0).unwrap(), 0x8000_0000);
        m.write_u32(0, 0xffff_ffff).unwrap();
        // run + mode stored; start is write-only (reads 0); ver read-only; reserved bits keep reset.
        assert_eq!(m.read_u32(0).unwrap(), 0x8000_00f1);
        assert_eq!(
            m.hw_get("ctrl").unwrap(),
            0x8000_01f1,
            "hardware side sees the write-only bit"
        );
        m.write_u32(4, 0x0000_0004).unwrap();
        assert_eq!(m.hw_get("status").unwrap() & 4, 0, "busy is read-only");
    }

    #[test]
    fn write_one_and_write_zero_actions_behave_as_hardware() {
        let m = ModelBus::new(&DESC);
        m.hw_set("status", 0b011).unwrap();
        m.write_u32(4, 0b001).unwrap();
        assert_eq!(
            m.read_u32(4).unwrap() & 3,
            0b010,
            "w1c cleared only where 1 was written"
        );
        // Ones in the w0 fields do nothing; w1s sets 5, w1t toggles 3 of 0xf.
        m.write_u32(8, 0x00ff_0035).unwrap();
        assert_eq!(m.hw_get("bits").unwrap(), 0x00ff_00c5);
        // Zeros: w1s/w1t do nothing, w0c clears its field, w0s sets its field.
        m.hw_update("bits", |b| b & !0x00f0_0000).unwrap();
        m.write_u32(8, 0).unwrap();
        assert_eq!(m.hw_get("bits").unwrap(), 0x00f0_00c5);
    }

    #[test]
    fn read_side_effects_clear_and_set() {
        let m = ModelBus::new(&DESC);
        m.hw_set("status", 0x0000_4200).unwrap();
        assert_eq!(m.read_u32(4).unwrap(), 0x0000_4200);
        assert_eq!(
            m.read_u32(4).unwrap(),
            0x0001_0000,
            "rc cleared, rs set by the first read"
        );
    }

    #[test]
    fn narrow_accesses_touch_only_their_bytes() {
        let m = ModelBus::new(&DESC);
        m.hw_set("status", 0x0000_ff03).unwrap();
        // An 8-bit write of 1 to byte 0 clears `done`; `ovf` in byte 1 is not read, so not cleared.
        m.write_u8(4, 1).unwrap();
        assert_eq!(m.hw_get("status").unwrap(), 0x0000_ff02);
        assert_eq!(m.read_u8(4).unwrap(), 2);
        assert_eq!(
            m.hw_get("status").unwrap(),
            0x0000_ff02,
            "byte 0 read left ovf alone"
        );
        assert_eq!(m.read_u8(5).unwrap(), 0xff);
        assert_eq!(m.hw_get("status").unwrap(), 0x0000_0002);
        // A 64-bit access spanning two 32-bit registers; holes read 0.
        m.write_u64(0x10, 0x1122_3344_5566_7788).unwrap();
        assert_eq!(m.read_u32(0x14).unwrap(), 0x1122_3344);
        assert_eq!(m.read_u32(0xc).unwrap(), 0);
        m.write_u32(0xc, 5).unwrap();
        assert_eq!(
            m.read_u64(0).unwrap() >> 32,
            2,
            "status read through a 64-bit access"
        );
    }

    #[test]
    fn hooks_see_old_and_new_values_and_may_access_the_model() {
        let m = ModelBus::new(&DESC);
        m.on_write("ctrl", |m, old, new| {
            if new & 0x100 != 0 && old & 0x100 == 0 {
                m.hw_update("status", |s| s | 1).unwrap();
                // A hook may use the bus itself: no lock is held.
                m.write_u32(0x10, 0xabc).unwrap();
            }
        })
        .unwrap();
        let reads = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let r2 = Arc::clone(&reads);
        m.on_read(0x10usize, move |m| {
            let n = r2.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            m.hw_set(0x10usize, u64::from(n) << 32).unwrap();
        })
        .unwrap();
        m.write_u32(0, 0x100).unwrap();
        assert_eq!(m.read_u32(4).unwrap(), 1);
        assert_eq!(m.hw_get("wide").unwrap(), 0xabc);
        assert_eq!(
            m.read_u64(0x10).unwrap(),
            1 << 32,
            "read hook ran before sampling"
        );
        assert_eq!(m.read_u64(0x10).unwrap(), 2 << 32);
        assert_eq!(reads.load(std::sync::atomic::Ordering::SeqCst), 2);
    }

    #[test]
    fn unknown_registers_are_errors_not_panics() {
        let m = ModelBus::new(&DESC);
        let err = m.on_write("nope", |_, _, _| {}).unwrap_err();
        assert_eq!(
            err.to_string(),
            "block `dev` has no register named \"nope\""
        );
        assert!(matches!(
            m.hw_get(0x3usize),
            Err(DeviceError::UnknownRegister { .. })
        ));
    }

    #[test]
    fn the_model_is_shared_across_threads() {
        let m = Arc::new(ModelBus::new(&DESC));
        let device = {
            let m = Arc::clone(&m);
            std::thread::spawn(move || {
                for _ in 0..1000 {
                    m.hw_update("status", |s| s | 1).unwrap();
                }
            })
        };
        for _ in 0..1000 {
            m.write_u32(4, 1).unwrap();
        }
        device.join().unwrap();
        m.write_u32(4, 1).unwrap();
        assert_eq!(m.read_u32(4).unwrap() & 1, 0);
        m.reset();
        assert_eq!(m.hw_get("ctrl").unwrap(), 0x8000_0000);
    }
}
