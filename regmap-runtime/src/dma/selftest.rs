//! A self-test for anything that copies memory by physical address: a DMA
//! engine, a device model, a provider's address translation.
//!
//! [`check_copy`] allocates a source and a destination buffer, fills the source
//! with seeded random bytes and the destination with a guard pattern, hands
//! both to the device, and asks the copy function to copy a window inset from
//! both ends, giving it nothing but physical addresses and a length. Then it
//! takes both buffers back and says exactly what went wrong, if anything:
//! which window bytes are wrong (first, last, how many), whether they still
//! hold the guard pattern (never written, or read through a stale cache),
//! whether the guard before or after the window was overwritten, whether the
//! data landed shifted (a wrong address or an off-by-one), and whether the
//! source was written.

use super::error::DmaError;
use super::{DmaAllocator, DmaBuffer};
use std::fmt;
use std::mem::ManuallyDrop;
use std::ops::Range;

/// How [`check_copy`] sets up its buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyCheck {
    /// Length of each buffer.
    pub len: usize,
    /// Bytes at each end of the buffers that the copy must leave alone.
    pub inset: usize,
    /// Seed of the source's random bytes (a failing run can be repeated).
    pub seed: u64,
}

impl Default for CopyCheck {
    fn default() -> Self {
        Self {
            len: 4096,
            inset: 64,
            seed: 0x5eed,
        }
    }
}

impl CopyCheck {
    /// The window the copy must write, as offsets in either buffer.
    pub fn window(&self) -> Range<usize> {
        self.inset..self.len - self.inset
    }
}

/// What a passed check copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyPassed {
    /// Physical address the copy read from.
    pub src_phys: u64,
    /// Physical address the copy wrote to.
    pub dst_phys: u64,
    /// Bytes copied.
    pub len: usize,
}

/// Why [`check_copy`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CopyCheckError {
    /// The options leave no window to copy.
    #[error(
        "copy check of {len}-byte buffers with a {inset}-byte inset at each end leaves nothing to copy"
    )]
    NoWindow {
        /// Buffer length asked for.
        len: usize,
        /// Inset asked for.
        inset: usize,
    },
    /// Allocating or syncing the buffers failed.
    #[error("copy check setup: {0}")]
    Setup(#[from] DmaError),
    /// The copy function reported an error. Both buffers were leaked, not
    /// freed: a failed copy may leave the engine still using them.
    #[error(
        "copy of {len} bytes from {src:#x} to {dst:#x} failed: {message} (both buffers were leaked, as the engine may still use them)"
    )]
    CopyFailed {
        /// Source physical address given.
        src: u64,
        /// Destination physical address given.
        dst: u64,
        /// Length given.
        len: usize,
        /// The copy function's error.
        message: String,
    },
    /// The copy completed but the memory is not what it should be.
    #[error("{0}")]
    Wrong(Box<CopyReport>),
}

/// A run of bad bytes, as offsets in the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadBytes {
    /// First bad offset.
    pub first: usize,
    /// Last bad offset (inclusive).
    pub last: usize,
    /// Number of bad bytes between them (inclusive).
    pub count: usize,
}

/// What was wrong inside the destination window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowFault {
    /// The wrong bytes.
    pub bad: BadBytes,
    /// How many of them still hold the guard pattern (never written, or stale).
    pub unwritten: usize,
    /// If the written bytes are the source shifted by this many bytes
    /// (`dst[i] == src[i - shift]`): positive means the data landed later
    /// than asked.
    pub shift: Option<isize>,
}

/// Exactly what a copy got wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// Source buffer's physical address (offset 0).
    pub src_phys: u64,
    /// Destination buffer's physical address (offset 0).
    pub dst_phys: u64,
    /// The window that should have been copied, as buffer offsets.
    pub window: Range<usize>,
    /// Wrong bytes inside the window.
    pub window_fault: Option<WindowFault>,
    /// Guard bytes overwritten before the window.
    pub guard_before: Option<BadBytes>,
    /// Guard bytes overwritten after the window.
    pub guard_after: Option<BadBytes>,
    /// Source bytes changed by the copy.
    pub source_modified: Option<BadBytes>,
}

/// Largest shift (in bytes, either way) the report looks for.
const MAX_SHIFT: isize = 256;

/// The guard byte at `offset`: varies with the offset, so a shifted guard is
/// not mistaken for an untouched one.
///
/// Counts in a report are exact for shifts of up to a few bytes (source bytes
/// never equal nearby guard bytes); for larger shifts a copied byte that
/// happens to equal the guard at its new place (1 in 256) is counted as
/// untouched.
pub fn guard_byte(offset: usize) -> u8 {
    0xa5 ^ (offset as u8).wrapping_mul(0x3b) ^ (offset >> 8) as u8
}

/// Random bytes, each different from the guard bytes at its own and nearby
/// offsets, so a byte copied (or copied a few bytes off) is never mistaken for
/// one left alone.
fn fill_source(bytes: &mut [u8], seed: u64) {
    let mut rng = fastrand::Rng::with_seed(seed);
    for (i, byte) in bytes.iter_mut().enumerate() {
        let near = i.saturating_sub(NEAR)..=i + NEAR;
        *byte = loop {
            let b = rng.u8(..);
            if !near.clone().any(|j| guard_byte(j) == b) {
                break b;
            }
        };
    }
}

/// Offsets on either side within which a source byte never equals a guard byte.
const NEAR: usize = 4;

/// Runs the check: allocates two buffers of `check.len` bytes from `alloc`,
/// calls `copy(src_phys, dst_phys, len)` for the inset window, and compares.
pub fn check_copy<A, F, E>(
    alloc: &A,
    check: &CopyCheck,
    copy: F,
) -> Result<CopyPassed, CopyCheckError>
where
    A: DmaAllocator + ?Sized,
    F: FnOnce(u64, u64, usize) -> Result<(), E>,
    E: fmt::Display,
{
    if check.len <= check.inset.saturating_mul(2) {
        return Err(CopyCheckError::NoWindow {
            len: check.len,
            inset: check.inset,
        });
    }
    let window = check.window();
    let mut src = alloc.allocate(check.len)?;
    let mut dst = alloc.allocate(check.len)?;
    fill_source(src.as_bytes_mut(), check.seed);
    for (i, b) in dst.as_bytes_mut().iter_mut().enumerate() {
        *b = guard_byte(i);
    }
    let source: Vec<u8> = src.as_bytes().to_vec();
    src.sync_for_device(..)?;
    dst.sync_for_device(..)?;

    let (s, d, n) = (
        src.phys_addr() + window.start as u64,
        dst.phys_addr() + window.start as u64,
        window.len(),
    );
    // From here the engine may own both buffers. Held without destructors:
    // if `copy` fails or panics, the engine may still be reading and writing
    // them, so they are leaked, never freed and handed to someone else.
    let src = ManuallyDrop::new(src);
    let dst = ManuallyDrop::new(dst);
    copy(s, d, n).map_err(|e| CopyCheckError::CopyFailed {
        src: s,
        dst: d,
        len: n,
        message: e.to_string(),
    })?;
    let (mut src, mut dst) = (ManuallyDrop::into_inner(src), ManuallyDrop::into_inner(dst));

    src.sync_for_cpu(..)?;
    dst.sync_for_cpu(..)?;
    match compare(&source, &src, &dst, window) {
        None => Ok(CopyPassed {
            src_phys: s,
            dst_phys: d,
            len: n,
        }),
        Some(report) => Err(CopyCheckError::Wrong(Box::new(report))),
    }
}

fn compare(
    source: &[u8],
    src: &DmaBuffer,
    dst: &DmaBuffer,
    window: Range<usize>,
) -> Option<CopyReport> {
    let report = analyze(
        source,
        src.as_bytes(),
        dst.as_bytes(),
        window,
        src.phys_addr(),
        dst.phys_addr(),
    );
    let clean = report.window_fault.is_none()
        && report.guard_before.is_none()
        && report.guard_after.is_none()
        && report.source_modified.is_none();
    (!clean).then_some(report)
}

/// Compares buffers after a copy of `window` (pure: testable without memory).
pub fn analyze(
    source_before: &[u8],
    source_after: &[u8],
    dst: &[u8],
    window: Range<usize>,
    src_phys: u64,
    dst_phys: u64,
) -> CopyReport {
    let bad_in = |range: Range<usize>, ok: &dyn Fn(usize) -> bool| -> Option<BadBytes> {
        let mut it = range.filter(|&i| !ok(i));
        let first = it.next()?;
        let (last, count) = it.fold((first, 1), |(_, c), i| (i, c + 1));
        Some(BadBytes { first, last, count })
    };
    let guard_ok = |i: usize| dst[i] == guard_byte(i);
    let guard_before = bad_in(0..window.start, &guard_ok);
    let guard_after = bad_in(window.end..dst.len(), &guard_ok);
    let source_modified = bad_in(0..source_before.len(), &|i| {
        source_before[i] == source_after[i]
    });

    let window_fault = bad_in(window.clone(), &|i| dst[i] == source_before[i]).map(|bad| {
        let written: Vec<usize> = (bad.first..=bad.last)
            .filter(|&i| dst[i] != source_before[i] && !guard_ok(i))
            .collect();
        let shift = (1..=MAX_SHIFT).flat_map(|k| [k, -k]).find(|&k| {
            !written.is_empty()
                && written.iter().all(|&i| {
                    let from = i as isize - k;
                    from >= 0
                        && (from as usize) < source_before.len()
                        && dst[i] == source_before[from as usize]
                })
        });
        let shifted_source = |i: usize| {
            shift.is_some_and(|k| {
                let from = i as isize - k;
                from >= 0
                    && (from as usize) < source_before.len()
                    && dst[i] == source_before[from as usize]
            })
        };
        let unwritten = (bad.first..=bad.last)
            .filter(|&i| dst[i] != source_before[i] && guard_ok(i) && !shifted_source(i))
            .count();
        WindowFault {
            bad,
            unwritten,
            shift,
        }
    });
    CopyReport {
        src_phys,
        dst_phys,
        window,
        window_fault,
        guard_before,
        guard_after,
        source_modified,
    }
}

fn bytes(n: usize) -> String {
    if n == 1 {
        "1 byte".into()
    } else {
        format!("{n} bytes")
    }
}

impl fmt::Display for CopyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = &self.window;
        let at = |base: u64, b: &BadBytes| {
            format!(
                "offsets {:#x}..={:#x} (physical {:#x}..={:#x})",
                b.first,
                b.last,
                base + b.first as u64,
                base + b.last as u64
            )
        };
        write!(
            f,
            "copy of {} bytes from {:#x} to {:#x} went wrong:",
            w.len(),
            self.src_phys + w.start as u64,
            self.dst_phys + w.start as u64
        )?;
        if let Some(wf) = &self.window_fault {
            write!(
                f,
                "\n  - window: {} of {} bytes wrong, {}",
                wf.bad.count,
                w.len(),
                at(self.dst_phys, &wf.bad)
            )?;
            if wf.bad.first == w.start {
                f.write_str(", from the first byte")?;
            }
            if wf.bad.last + 1 == w.end {
                f.write_str(", up to the last byte")?;
            }
            if wf.unwritten == wf.bad.count {
                f.write_str("; all still hold the guard pattern: never written (the copy stopped short or did not run, or the CPU read stale cache lines: missing sync_for_cpu?)")?;
            } else if wf.unwritten > 0 {
                write!(
                    f,
                    "; {} still hold the guard pattern (never written)",
                    wf.unwritten
                )?;
            }
        }
        if let Some(b) = &self.guard_before {
            write!(
                f,
                "\n  - guard before the window overwritten: {}, {} (the copy started early)",
                bytes(b.count),
                at(self.dst_phys, b)
            )?;
        }
        if let Some(b) = &self.guard_after {
            write!(
                f,
                "\n  - guard after the window overwritten: {}, {} (the copy ran past its end)",
                bytes(b.count),
                at(self.dst_phys, b)
            )?;
        }
        if let Some(k) = self.window_fault.and_then(|wf| wf.shift) {
            let (n, way) = if k > 0 { (k, "later") } else { (-k, "earlier") };
            write!(
                f,
                "\n  - the data landed {n} bytes {way} than asked: destination[i] = source[i {} {n}] (a wrong address, or an off-by-one in an offset)",
                if k > 0 { '-' } else { '+' }
            )?;
        }
        if let Some(b) = &self.source_modified {
            write!(
                f,
                "\n  - the source was written: {}, {} (source and destination swapped?)",
                bytes(b.count),
                at(self.src_phys, b)
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dma::SimMemory;
    use crate::dma::error::SimAccessError;

    fn mem() -> SimMemory {
        SimMemory::new(0x8000_0000, 1 << 20)
    }

    /// A device that copies by physical address through simulated memory.
    fn device_copy(mem: &SimMemory, src: u64, dst: u64, len: usize) -> Result<(), SimAccessError> {
        let mut tmp = vec![0; len];
        mem.read(src, &mut tmp)?;
        mem.write(dst, &tmp)
    }

    fn wrong(err: CopyCheckError) -> CopyReport {
        match err {
            CopyCheckError::Wrong(r) => *r,
            other => panic!("expected a wrong-data report, got: {other}"),
        }
    }

    #[test]
    fn a_correct_copy_passes() {
        let m = mem();
        let passed = check_copy(&m, &CopyCheck::default(), |s, d, n| {
            device_copy(&m, s, d, n)
        })
        .unwrap();
        assert_eq!(passed.len, 4096 - 128);
        // Both buffers were freed.
        assert_eq!(m.stats().allocations, 0);
    }

    #[test]
    fn one_byte_short_is_reported_at_the_last_byte_as_unwritten() {
        let m = mem();
        let err = check_copy(&m, &CopyCheck::default(), |s, d, n| {
            device_copy(&m, s, d, n - 1)
        })
        .unwrap_err();
        let r = wrong(err);
        let wf = r.window_fault.unwrap();
        assert_eq!(
            wf.bad,
            BadBytes {
                first: 4031,
                last: 4031,
                count: 1
            }
        );
        assert_eq!(wf.unwritten, 1);
        assert_eq!(wf.shift, None);
        assert_eq!(r.guard_after, None);
        let text = r.to_string();
        assert!(
            text.contains("1 of 3968 bytes wrong, offsets 0xfbf..=0xfbf"),
            "{text}"
        );
        assert!(text.contains("up to the last byte"), "{text}");
        assert!(text.contains("never written"), "{text}");
    }

    #[test]
    fn one_byte_long_overwrites_exactly_one_guard_byte_after() {
        let m = mem();
        let err = check_copy(&m, &CopyCheck::default(), |s, d, n| {
            device_copy(&m, s, d, n + 1)
        })
        .unwrap_err();
        let r = wrong(err);
        assert_eq!(r.window_fault, None);
        assert_eq!(r.guard_before, None);
        assert_eq!(
            r.guard_after,
            Some(BadBytes {
                first: 4032,
                last: 4032,
                count: 1
            })
        );
        let text = r.to_string();
        assert!(
            text.contains(
                "guard after the window overwritten: 1 byte, offsets 0xfc0..=0xfc0 (physical 0x"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_destination_off_by_four_is_diagnosed_as_a_shift() {
        let m = mem();
        let err = check_copy(&m, &CopyCheck::default(), |s, d, n| {
            device_copy(&m, s, d + 4, n)
        })
        .unwrap_err();
        let r = wrong(err);
        let wf = r.window_fault.unwrap();
        assert_eq!(wf.shift, Some(4));
        assert_eq!(wf.bad.first, 64);
        assert_eq!(
            wf.unwritten, 4,
            "the first four window bytes were never written"
        );
        assert_eq!(
            r.guard_after,
            Some(BadBytes {
                first: 4032,
                last: 4035,
                count: 4
            })
        );
        let text = r.to_string();
        assert!(
            text.contains("landed 4 bytes later than asked: destination[i] = source[i - 4]"),
            "{text}"
        );
    }

    #[test]
    fn a_source_address_too_high_is_a_negative_shift() {
        let m = mem();
        let err = check_copy(&m, &CopyCheck::default(), |s, d, n| {
            device_copy(&m, s + 8, d, n)
        })
        .unwrap_err();
        let r = wrong(err);
        assert_eq!(r.window_fault.unwrap().shift, Some(-8));
        assert_eq!(r.guard_before, None);
        assert_eq!(r.guard_after, None);
        assert!(r.to_string().contains("8 bytes earlier"), "{r}");
    }

    #[test]
    fn a_copy_that_never_ran_is_all_unwritten() {
        let m = mem();
        let err = check_copy(&m, &CopyCheck::default(), |_, _, _| {
            Ok::<(), SimAccessError>(())
        })
        .unwrap_err();
        let wf = wrong(err).window_fault.unwrap();
        assert_eq!(
            wf.bad,
            BadBytes {
                first: 64,
                last: 4031,
                count: 3968
            }
        );
        assert_eq!(wf.unwritten, 3968);
    }

    #[test]
    fn swapped_arguments_show_a_modified_source() {
        let m = mem();
        let err = check_copy(&m, &CopyCheck::default(), |s, d, n| {
            device_copy(&m, d, s, n)
        })
        .unwrap_err();
        let r = wrong(err);
        assert_eq!(
            r.source_modified.map(|b| (b.first, b.last)),
            Some((64, 4031))
        );
        assert!(
            r.to_string().contains("source and destination swapped?"),
            "{r}"
        );
    }

    #[test]
    fn a_device_error_is_passed_through_with_the_addresses() {
        let m = mem();
        let err = check_copy(&m, &CopyCheck::default(), |s, d, n| {
            device_copy(&m, s, d + (1 << 20), n)
        })
        .unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, CopyCheckError::CopyFailed { len: 3968, .. }),
            "{text}"
        );
        assert!(text.contains("outside simulated memory"), "{text}");
    }

    #[test]
    fn a_failed_copy_leaks_both_buffers_instead_of_freeing_them() {
        let m = mem();
        let check = CopyCheck::default();
        let err = check_copy(&m, &check, |_, _, _| Err("engine timed out")).unwrap_err();
        assert!(err.to_string().contains("leaked"), "{err}");
        let CopyCheckError::CopyFailed { src, dst, .. } = err else {
            panic!("{err}");
        };
        let inset = check.window().start as u64;
        let taken = [src - inset, dst - inset];
        // The engine may still write them: nothing else may get those bytes.
        for _ in 0..4 {
            let b = m.allocate(check.len).unwrap();
            let range = b.phys_addr()..b.phys_addr() + check.len as u64;
            assert!(
                taken.iter().all(|t| !range.contains(t)),
                "{:#x} handed out again",
                b.phys_addr()
            );
            std::mem::forget(b);
        }
    }

    #[test]
    fn a_window_of_nothing_is_refused() {
        let m = mem();
        let check = CopyCheck {
            len: 128,
            inset: 64,
            seed: 1,
        };
        let err = check_copy(&m, &check, |_, _, _| Ok::<(), String>(())).unwrap_err();
        assert!(matches!(
            err,
            CopyCheckError::NoWindow {
                len: 128,
                inset: 64
            }
        ));
    }

    #[test]
    fn source_bytes_never_equal_nearby_guard_bytes() {
        let mut src = vec![0; 4096];
        fill_source(&mut src, 7);
        for (i, &b) in src.iter().enumerate() {
            for j in i.saturating_sub(NEAR)..=i + NEAR {
                assert_ne!(b, guard_byte(j), "source byte {i} equals the guard at {j}");
            }
        }
        // Still varied: most byte values appear.
        let mut seen = [false; 256];
        src.iter().for_each(|&b| seen[b as usize] = true);
        assert!(seen.iter().filter(|&&s| s).count() > 200);
    }

    #[test]
    fn the_guard_pattern_differs_under_small_shifts() {
        for k in 1..=MAX_SHIFT as usize {
            let same = (0..4096)
                .filter(|&i| guard_byte(i) == guard_byte(i + k))
                .count();
            assert!(same < 4096 / 2, "shift {k} keeps {same} guard bytes equal");
        }
    }

    mod exact {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
            /// A copy landing `d` bytes off with a length `e` bytes off is
            /// reported with exact counts, and a correct one is clean.
            #[test]
            fn off_by_a_few_is_reported_exactly(d in -4isize..=4, e in -4isize..=4, seed: u64) {
                let (len, inset) = (256usize, 16usize);
                let window = inset..len - inset;
                let mut src = vec![0; len];
                fill_source(&mut src, seed);
                let mut dst: Vec<u8> = (0..len).map(guard_byte).collect();
                let n = (window.len() as isize + e) as usize;
                let to = (window.start as isize + d) as usize;
                dst[to..to + n].copy_from_slice(&src[window.start..window.start + n]);

                let r = analyze(&src, &src, &dst, window.clone(), 0x1000, 0x2000);
                let count = |b: Option<BadBytes>| b.map_or(0, |b| b.count);
                prop_assert_eq!(count(r.guard_before), (-d).max(0) as usize);
                prop_assert_eq!(count(r.guard_after), (d + e).max(0) as usize);
                prop_assert_eq!(r.source_modified, None);
                let unwritten = d.max(0) + (-(d + e)).max(0);
                match r.window_fault {
                    None => prop_assert!(d == 0 && e >= 0),
                    Some(wf) => {
                        prop_assert_eq!(wf.unwritten, unwritten as usize);
                        prop_assert_eq!(wf.shift, (d != 0).then_some(d));
                    }
                }
            }
        }
    }
}
