//! [`TraceBus`]: a bus wrapper that logs every access and keeps a record of
//! them, with register and field names when it knows the block's description.
//!
//! Logging goes through the `log` crate at trace level, target
//! `regmap::trace`; decoding happens only when that target is enabled. The
//! record (counts and the last N accesses) is always kept, so tests and
//! benchmarks can count register accesses per operation.

use crate::bus::Bus;
use crate::desc::{Access as FieldAccess, BlockDesc, FieldDesc};
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

/// The log target of every traced access.
pub const TARGET: &str = "regmap::trace";

/// Direction of an access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// A load from the device.
    Read,
    /// A store to the device.
    Write,
}

/// One recorded access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    /// Read or write.
    pub direction: Direction,
    /// Byte offset in the window.
    pub offset: usize,
    /// Width in bytes.
    pub width: usize,
    /// Value read or written.
    pub value: u64,
}

/// Access counts since creation or the last [`TraceBus::clear`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Reads.
    pub reads: u64,
    /// Writes.
    pub writes: u64,
}

impl Counts {
    /// Reads plus writes.
    pub fn total(&self) -> u64 {
        self.reads + self.writes
    }
}

/// Wraps a bus, logging and recording every access.
#[derive(Debug)]
pub struct TraceBus<B> {
    inner: B,
    desc: Option<&'static BlockDesc>,
    reads: AtomicU64,
    writes: AtomicU64,
    capacity: usize,
    recent: Mutex<VecDeque<Access>>,
}

/// What a [`TraceBus`] recorded, read-only: counts and recent accesses, but no
/// way to reach the bus itself.
#[derive(Debug)]
pub struct TraceView<'a, B>(&'a TraceBus<B>);

impl<B: Bus> TraceView<'_, B> {
    /// Access counts ([`TraceBus::counts`]).
    pub fn counts(&self) -> Counts {
        self.0.counts()
    }
    /// The remembered accesses, oldest first ([`TraceBus::recent`]).
    pub fn recent(&self) -> Vec<Access> {
        self.0.recent()
    }
    /// The most recent access ([`TraceBus::last`]).
    pub fn last(&self) -> Option<Access> {
        self.0.last()
    }
    /// Resets the counts and forgets the accesses ([`TraceBus::clear`]).
    pub fn clear(&self) {
        self.0.clear()
    }
    /// One line describing `access` ([`TraceBus::describe`]).
    pub fn describe(&self, access: &Access) -> String {
        self.0.describe(access)
    }
}

/// How many accesses a new [`TraceBus`] remembers.
pub const DEFAULT_CAPACITY: usize = 256;

impl<B: Bus> TraceBus<B> {
    /// Wraps `inner`, remembering the last [`DEFAULT_CAPACITY`] accesses.
    pub fn new(inner: B) -> Self {
        Self {
            inner,
            desc: None,
            reads: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            capacity: DEFAULT_CAPACITY,
            recent: Mutex::new(VecDeque::new()),
        }
    }

    /// Names registers and decodes fields from `desc` (a generated block's `DESC`).
    pub fn with_desc(mut self, desc: &'static BlockDesc) -> Self {
        self.desc = Some(desc);
        self
    }

    /// Remembers the last `n` accesses (0: count only).
    pub fn with_capacity(mut self, n: usize) -> Self {
        self.capacity = n;
        self
    }

    /// The wrapped bus.
    pub fn inner(&self) -> &B {
        &self.inner
    }

    /// Unwraps the bus.
    pub fn into_inner(self) -> B {
        self.inner
    }

    /// Access counts.
    pub fn counts(&self) -> Counts {
        Counts {
            reads: self.reads.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
        }
    }

    /// The remembered accesses, oldest first.
    pub fn recent(&self) -> Vec<Access> {
        self.lock().iter().copied().collect()
    }

    /// The most recent access.
    pub fn last(&self) -> Option<Access> {
        self.lock().back().copied()
    }

    /// Resets the counts and forgets the remembered accesses.
    pub fn clear(&self) {
        self.reads.store(0, Ordering::Relaxed);
        self.writes.store(0, Ordering::Relaxed);
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Access>> {
        self.recent.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// One line describing `access`, as logged: `write ctrl @0x0 = 0x00000011 {run=1, mode=0x1}`.
    pub fn describe(&self, access: &Access) -> String {
        describe(self.desc, access)
    }

    /// The record of accesses without the bus: for whoever may look at what a
    /// driver did but must not touch the registers it owns.
    pub fn view(&self) -> TraceView<'_, B> {
        TraceView(self)
    }

    fn record(&self, direction: Direction, offset: usize, width: usize, value: u64) {
        let counter = match direction {
            Direction::Read => &self.reads,
            Direction::Write => &self.writes,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let access = Access {
            direction,
            offset,
            width,
            value,
        };
        if log::log_enabled!(target: TARGET, log::Level::Trace) {
            log::trace!(target: TARGET, "{}", describe(self.desc, &access));
        }
        if self.capacity > 0 {
            let mut recent = self.lock();
            if recent.len() == self.capacity {
                recent.pop_front();
            }
            recent.push_back(access);
        }
    }
}

/// What an access did to field `f` (holding `v`) beyond moving bits: ` (clear)`
/// for a w1c bit written 1, ` (set)` for a w0s bit written 0, ` (cleared by
/// read)` for an rc field read non-zero, ... A write to a multi-bit field
/// names the bits acted on: ` (clear 0x5)`. `None` when the access had no side effect.
fn side_effect(f: &FieldDesc, direction: Direction, v: u64) -> Option<String> {
    let all = if f.width >= 64 {
        u64::MAX
    } else {
        (1u64 << f.width) - 1
    };
    let (verb, acting) = match (direction, f.access) {
        (Direction::Write, FieldAccess::OneToClear) => ("clear", v),
        (Direction::Write, FieldAccess::OneToSet) => ("set", v),
        (Direction::Write, FieldAccess::OneToToggle) => ("toggle", v),
        (Direction::Write, FieldAccess::ZeroToClear) => ("clear", !v & all),
        (Direction::Write, FieldAccess::ZeroToSet) => ("set", !v & all),
        // A read-to-clear field read as zero, or read-to-set as all ones,
        // is left as it was.
        (Direction::Read, FieldAccess::ReadToClear) => ("cleared by read", v),
        (Direction::Read, FieldAccess::ReadToSet) => ("set by read", !v & all),
        _ => return None,
    };
    match acting {
        0 => None,
        // A read side effect takes the whole field.
        _ if f.width == 1 || direction == Direction::Read => Some(format!(" ({verb})")),
        bits => Some(format!(" ({verb} {bits:#x})")),
    }
}

fn describe(desc: Option<&'static BlockDesc>, a: &Access) -> String {
    let dir = match a.direction {
        Direction::Read => "read ",
        Direction::Write => "write",
    };
    let digits = a.width * 2;
    let mut s = String::new();
    let reg = desc.and_then(|d| Some((d, d.register_at(a.offset)?)));
    match reg {
        Some((block, r)) if r.offset == a.offset && r.width == a.width => {
            let _ = write!(
                s,
                "{dir} {}.{} @{:#x} = {:#0w$x} {{",
                block.name,
                r.name,
                a.offset,
                a.value,
                w = digits + 2
            );
            let mut first = true;
            for f in r.fields {
                // A read shows what the hardware returns, a write what it
                // takes: write-only fields read back nothing meaningful, and
                // read-only ones ignore what is written.
                let shown = match a.direction {
                    Direction::Read => f.access.is_readable(),
                    Direction::Write => f.access.is_writable(),
                };
                if !shown {
                    continue;
                }
                let v = f.extract(a.value);
                let sep = if first { "" } else { ", " };
                first = false;
                match f.values.iter().find(|e| e.value == v) {
                    Some(e) => _ = write!(s, "{sep}{}={}", f.name, e.name),
                    None if f.width == 1 => _ = write!(s, "{sep}{}={v}", f.name),
                    None => _ = write!(s, "{sep}{}={v:#x}", f.name),
                }
                if let Some(effect) = side_effect(f, a.direction, v) {
                    s.push_str(&effect);
                }
            }
            s.push('}');
        }
        Some((block, r)) => {
            let _ = write!(
                s,
                "{dir} {}.{}+{} @{:#x} = {:#0w$x} ({}-bit access to a {}-bit register)",
                block.name,
                r.name,
                a.offset - r.offset,
                a.offset,
                a.value,
                a.width * 8,
                r.width * 8,
                w = digits + 2
            );
        }
        None => {
            let _ = write!(
                s,
                "{dir} @{:#x} = {:#0w$x}",
                a.offset,
                a.value,
                w = digits + 2
            );
            if let Some(d) = desc {
                let _ = write!(s, " (no register of {} here)", d.name);
            }
        }
    }
    s
}

macro_rules! traced {
    ($($read:ident, $write:ident, $t:ty;)*) => {$(
        #[inline]
        unsafe fn $read(&self, offset: usize) -> $t {
            // SAFETY: forwarded contract.
            let v = unsafe { self.inner.$read(offset) };
            self.record(Direction::Read, offset, size_of::<$t>(), v.into());
            v
        }
        #[inline]
        unsafe fn $write(&self, offset: usize, value: $t) {
            self.record(Direction::Write, offset, size_of::<$t>(), value.into());
            // SAFETY: forwarded contract.
            unsafe { self.inner.$write(offset, value) }
        }
    )*};
}

// SAFETY: size, alignment and every access forward to the wrapped bus, whose
// contract holds; recording touches only the trace.
unsafe impl<B: Bus> Bus for TraceBus<B> {
    fn size(&self) -> usize {
        self.inner.size()
    }
    fn base_alignment(&self) -> usize {
        self.inner.base_alignment()
    }
    fn dma_space(&self) -> crate::dma::DmaSpace {
        self.inner.dma_space()
    }
    traced! {
        read_u8_unchecked, write_u8_unchecked, u8;
        read_u16_unchecked, write_u16_unchecked, u16;
        read_u32_unchecked, write_u32_unchecked, u32;
        read_u64_unchecked, write_u64_unchecked, u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemBus;
    use crate::desc::{EnumValueDesc, FieldDesc, RegisterDesc};

    fn access(direction: Direction, offset: usize, width: usize, value: u64) -> Access {
        Access {
            direction,
            offset,
            width,
            value,
        }
    }

    static DESC: BlockDesc = BlockDesc {
        name: "timer",
        size: 0x20,
        description: "",
        registers: &[
            RegisterDesc {
                name: "ctrl",
                offset: 0,
                width: 4,
                reset: 0,
                description: "",
                fields: &[
                    FieldDesc {
                        name: "run",
                        lsb: 0,
                        width: 1,
                        access: FieldAccess::ReadWrite,
                        values: &[],
                        description: "",
                    },
                    FieldDesc {
                        name: "mode",
                        lsb: 4,
                        width: 2,
                        access: FieldAccess::ReadWrite,
                        values: &[EnumValueDesc {
                            name: "Capture",
                            value: 1,
                        }],
                        description: "",
                    },
                    FieldDesc {
                        name: "irq",
                        lsb: 8,
                        width: 1,
                        access: FieldAccess::OneToClear,
                        values: &[],
                        description: "",
                    },
                    FieldDesc {
                        name: "key",
                        lsb: 16,
                        width: 8,
                        access: FieldAccess::WriteOnly,
                        values: &[],
                        description: "",
                    },
                ],
            },
            RegisterDesc {
                name: "count",
                offset: 8,
                width: 8,
                reset: 0,
                description: "",
                fields: &[],
            },
            RegisterDesc {
                name: "flags",
                offset: 0x10,
                width: 4,
                reset: 0,
                description: "",
                fields: &[
                    field("c1", 0, 1, FieldAccess::OneToClear),
                    field("s1", 1, 1, FieldAccess::OneToSet),
                    field("t1", 2, 1, FieldAccess::OneToToggle),
                    field("c0", 3, 1, FieldAccess::ZeroToClear),
                    field("s0", 4, 1, FieldAccess::ZeroToSet),
                    field("st", 5, 1, FieldAccess::ReadOnly),
                    field("cn", 8, 4, FieldAccess::OneToClear),
                    field("rc", 16, 4, FieldAccess::ReadToClear),
                    field("rs", 20, 1, FieldAccess::ReadToSet),
                ],
            },
        ],
    };

    const fn field(name: &'static str, lsb: u32, width: u32, access: FieldAccess) -> FieldDesc {
        FieldDesc {
            name,
            lsb,
            width,
            access,
            values: &[],
            description: "",
        }
    }

    #[test]
    fn every_access_is_counted_and_the_last_n_remembered() {
        let bus = TraceBus::new(MemBus::new(0x10)).with_capacity(2);
        bus.write_u32(0, 1).unwrap();
        bus.read_u32(0).unwrap();
        bus.write_u8(3, 0xff).unwrap();
        assert_eq!(
            bus.counts(),
            Counts {
                reads: 1,
                writes: 2
            }
        );
        assert_eq!(
            bus.recent(),
            [
                access(Direction::Read, 0, 4, 1),
                access(Direction::Write, 3, 1, 0xff),
            ]
        );
        assert_eq!(
            bus.inner().read_u32(0).unwrap(),
            0xff00_0001,
            "writes reach the inner bus"
        );
        bus.clear();
        assert_eq!(bus.counts().total(), 0);
        assert!(bus.last().is_none());
    }

    #[test]
    fn descriptions_name_registers_and_decode_fields() {
        let bus = TraceBus::new(MemBus::new(0x10)).with_desc(&DESC);
        let w = access(Direction::Write, 0, 4, 0x2a_0111);
        assert_eq!(
            bus.describe(&w),
            "write timer.ctrl @0x0 = 0x002a0111 {run=1, mode=Capture, irq=1 (clear), key=0x2a}"
        );
        let r = access(Direction::Read, 0, 4, 0x20);
        assert_eq!(
            bus.describe(&r),
            "read  timer.ctrl @0x0 = 0x00000020 {run=0, mode=0x2, irq=0}"
        );
        let part = access(Direction::Read, 9, 1, 7);
        assert_eq!(
            bus.describe(&part),
            "read  timer.count+1 @0x9 = 0x07 (8-bit access to a 64-bit register)"
        );
        let hole = access(Direction::Write, 4, 4, 1);
        assert_eq!(
            bus.describe(&hole),
            "write @0x4 = 0x00000001 (no register of timer here)"
        );
    }

    #[test]
    fn every_action_is_annotated_and_writes_show_writable_fields_only() {
        let bus = TraceBus::new(MemBus::new(0x20)).with_desc(&DESC);
        // Every action requested: 1s for the w1x bits, 0s for the w0x bits,
        // two bits of the 4-bit w1c field; the read-only bit set.
        let w = access(Direction::Write, 0x10, 4, 0b0010_0111 | 0x500);
        assert_eq!(
            bus.describe(&w),
            "write timer.flags @0x10 = 0x00000527 \
             {c1=1 (clear), s1=1 (set), t1=1 (toggle), c0=0 (clear), s0=0 (set), cn=0x5 (clear 0x5)}"
        );
        // No action: 0s for the w1x bits, 1s for the w0x bits.
        let idle = access(Direction::Write, 0x10, 4, 0b1_1000);
        assert_eq!(
            bus.describe(&idle),
            "write timer.flags @0x10 = 0x00000018 {c1=0, s1=0, t1=0, c0=1, s0=1, cn=0x0}"
        );
        let r = access(Direction::Read, 0x10, 4, 0x3_0020);
        assert_eq!(
            bus.describe(&r),
            "read  timer.flags @0x10 = 0x00030020 \
             {c1=0, s1=0, t1=0, c0=0, s0=0, st=1, cn=0x0, rc=0x3 (cleared by read), rs=0 (set by read)}"
        );
        let quiet = access(Direction::Read, 0x10, 4, 0x10_0000);
        assert!(
            bus.describe(&quiet).ends_with("rc=0x0, rs=1}"),
            "{}",
            bus.describe(&quiet)
        );
    }

    struct Capture(Mutex<Vec<(String, String)>>);
    impl log::Log for Capture {
        fn enabled(&self, _: &log::Metadata) -> bool {
            true
        }
        fn log(&self, r: &log::Record) {
            self.0
                .lock()
                .unwrap()
                .push((r.target().to_string(), r.args().to_string()));
        }
        fn flush(&self) {}
    }
    static LOGGER: Capture = Capture(Mutex::new(Vec::new()));

    #[test]
    fn accesses_are_logged_at_trace_level_under_regmap_trace() {
        log::set_logger(&LOGGER).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
        let bus = TraceBus::new(MemBus::new(0x10)).with_desc(&DESC);
        bus.write_u32(0, 1).unwrap();
        let logged = LOGGER.0.lock().unwrap();
        assert!(
            logged.contains(&(
                TARGET.to_string(),
                "write timer.ctrl @0x0 = 0x00000001 {run=1, mode=0x0, irq=0, key=0x0}".to_string()
            )),
            "{logged:?}"
        );
    }
}
