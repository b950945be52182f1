//! Copies between ordinary memory and device memory.
//!
//! Never `memcpy` into device memory: it may use unaligned or vector accesses,
//! or widths the device does not decode (a bus error on arm64, silently dropped
//! bytes on others). These copies are loops of aligned volatile accesses of one
//! width, chosen by the caller to match what the device supports.

use crate::bus::Bus;
use crate::error::AccessError;
use crate::word::Word;

fn check_range<B: Bus + ?Sized>(
    bus: &B,
    offset: usize,
    len: usize,
    width: usize,
) -> Result<(), AccessError> {
    if !offset.is_multiple_of(width) {
        return Err(AccessError::Misaligned { offset, width });
    }
    if bus.base_alignment() < width {
        return Err(AccessError::MisalignedBase {
            alignment: bus.base_alignment(),
            width,
        });
    }
    if !len.is_multiple_of(width) {
        return Err(AccessError::LengthNotMultiple { len, width });
    }
    match offset.checked_add(len) {
        Some(end) if end <= bus.size() => Ok(()),
        _ => Err(AccessError::OutOfBounds {
            offset,
            width: len,
            size: bus.size(),
        }),
    }
}

fn word_from_bytes<W: Word>(bytes: &[u8]) -> W {
    let fold = |acc: u64, b: &u8| (acc << 8) | u64::from(*b);
    // Native byte order: byte k of `bytes` lands at byte k of device memory.
    let v = if cfg!(target_endian = "little") {
        bytes.iter().rev().fold(0, fold)
    } else {
        bytes.iter().fold(0, fold)
    };
    W::truncate(v)
}

fn word_to_bytes<W: Word>(word: W, out: &mut [u8]) {
    let v: u64 = word.into();
    let n = out.len();
    for (k, b) in out.iter_mut().enumerate() {
        let lane = if cfg!(target_endian = "little") {
            k
        } else {
            n - 1 - k
        };
        *b = (v >> (8 * lane)) as u8;
    }
}

/// Copies `src` into the window at `offset`, one aligned volatile write of
/// width `W` at a time (`copy_to_device::<u32>(&win, 0x100, &data)`).
///
/// `offset` and `src.len()` must be multiples of the width, and the range must
/// lie inside the window; nothing is written otherwise.
pub fn copy_to_device<W: Word, B: Bus + ?Sized>(
    bus: &B,
    offset: usize,
    src: &[u8],
) -> Result<(), AccessError> {
    check_range(bus, offset, src.len(), W::BYTES)?;
    for (i, chunk) in src.chunks_exact(W::BYTES).enumerate() {
        let word: W = word_from_bytes(chunk);
        // SAFETY: the whole range was checked in bounds and aligned above.
        unsafe { word.write_to(bus, offset + i * W::BYTES) };
    }
    Ok(())
}

/// Copies from the window at `offset` into `dst`, one aligned volatile read of
/// width `W` at a time. Same rules as [`copy_to_device`].
pub fn copy_from_device<W: Word, B: Bus + ?Sized>(
    bus: &B,
    offset: usize,
    dst: &mut [u8],
) -> Result<(), AccessError> {
    check_range(bus, offset, dst.len(), W::BYTES)?;
    for (i, chunk) in dst.chunks_exact_mut(W::BYTES).enumerate() {
        // SAFETY: the whole range was checked in bounds and aligned above.
        let word = unsafe { W::read_from(bus, offset + i * W::BYTES) };
        word_to_bytes(word, chunk);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemBus;

    #[test]
    fn round_trip_keeps_byte_order_at_every_width() {
        let data: Vec<u8> = (1..=16).collect();
        let bus = MemBus::new(64);
        copy_to_device::<u32, _>(&bus, 8, &data).unwrap();
        assert_eq!(bus.read_u8(8).unwrap(), 1);
        assert_eq!(bus.read_u8(23).unwrap(), 16);
        for width in [1, 2, 4, 8] {
            let mut back = vec![0u8; 16];
            match width {
                1 => copy_from_device::<u8, _>(&bus, 8, &mut back),
                2 => copy_from_device::<u16, _>(&bus, 8, &mut back),
                4 => copy_from_device::<u32, _>(&bus, 8, &mut back),
                _ => copy_from_device::<u64, _>(&bus, 8, &mut back),
            }
            .unwrap();
            assert_eq!(back, data, "width {width}");
        }
    }

    #[test]
    fn misaligned_short_or_oversized_copies_write_nothing() {
        let bus = MemBus::new(16);
        assert_eq!(
            copy_to_device::<u32, _>(&bus, 2, &[1; 4]),
            Err(AccessError::Misaligned {
                offset: 2,
                width: 4
            })
        );
        assert_eq!(
            copy_to_device::<u32, _>(&bus, 0, &[1; 6]),
            Err(AccessError::LengthNotMultiple { len: 6, width: 4 })
        );
        assert!(matches!(
            copy_to_device::<u32, _>(&bus, 8, &[1; 12]),
            Err(AccessError::OutOfBounds { .. })
        ));
        assert_eq!(bus.read_u64(0).unwrap() | bus.read_u64(8).unwrap(), 0);
    }
}
