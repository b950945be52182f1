//! Where registers land in the block, re-derived from the IR alone.
//!
//! The runtime's accessors prove with `const` assertions that every offset a
//! generated accessor can produce is a multiple of the register width and
//! inside the block; a failed assertion there is a hard-to-read error deep in
//! the runtime. The emitter checks the same here, from the IR alone, and
//! writes a `compile_error!` naming the register instead.

use crate::ir;

/// One level of nesting on the way to a register: a cluster or the register
/// itself, at an offset from its parent, possibly repeated.
#[derive(Debug, Clone, Copy)]
pub(super) struct Placement {
    pub offset: u64,
    pub count: u64,
    pub stride: u64,
}

impl Placement {
    pub fn of(offset: u64, array: Option<&ir::Array>) -> Self {
        match array {
            Some(a) => Placement {
                offset,
                count: a.count.value,
                stride: a.stride.value,
            },
            None => Placement {
                offset,
                count: 1,
                stride: 0,
            },
        }
    }
}

/// Checks that every offset a register at the end of `path` can have is aligned
/// to `width` bytes and that the register lies inside `size` bytes. Returns
/// what is wrong otherwise.
pub(super) fn check(path: &[Placement], width: u64, size: u64) -> Result<(), String> {
    let mut first: u128 = 0;
    let mut last: u128 = 0;
    for p in path {
        if p.count == 0 {
            return Err("an array on its path has zero elements".into());
        }
        if p.count > 1 && !p.stride.is_multiple_of(width) {
            return Err(format!(
                "an array stride of {:#x} on its path is not a multiple of its width ({width} bytes)",
                p.stride
            ));
        }
        first += u128::from(p.offset);
        last += u128::from(p.offset) + u128::from(p.count - 1) * u128::from(p.stride);
    }
    if !first.is_multiple_of(u128::from(width)) {
        return Err(format!(
            "its offset {first:#x} is not a multiple of its width ({width} bytes)"
        ));
    }
    if last + u128::from(width) > u128::from(size) {
        return Err(format!(
            "it ends at {:#x}, past the end of the block ({size:#x} bytes)",
            last + u128::from(width)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(offset: u64, count: u64, stride: u64) -> Placement {
        Placement {
            offset,
            count,
            stride,
        }
    }

    #[test]
    fn accepts_aligned_registers_inside_the_block() {
        assert!(check(&[p(0x1c, 1, 0)], 4, 0x20).is_ok());
        assert!(check(&[p(0x100, 4, 0x20), p(0x1c, 1, 0)], 4, 0x180).is_ok());
        // Offsets aligned only in sum are still aligned.
        assert!(check(&[p(2, 1, 0), p(2, 1, 0)], 4, 8).is_ok());
    }

    #[test]
    fn rejects_registers_past_the_end_counting_array_elements() {
        let e = check(&[p(0x100, 4, 0x20), p(0x1c, 1, 0)], 4, 0x17f).unwrap_err();
        assert!(e.contains("past the end"), "{e}");
        assert!(check(&[p(0x20, 1, 0)], 4, 0x20).is_err());
        assert!(check(&[p(u64::MAX, 2, u64::MAX)], 8, u64::MAX).is_err());
    }

    #[test]
    fn rejects_misalignment_and_empty_arrays() {
        assert!(
            check(&[p(2, 1, 0)], 4, 0x20)
                .unwrap_err()
                .contains("multiple")
        );
        assert!(
            check(&[p(0, 2, 6)], 4, 0x20)
                .unwrap_err()
                .contains("stride")
        );
        assert!(check(&[p(0, 0, 4)], 4, 0x20).unwrap_err().contains("zero"));
    }
}
