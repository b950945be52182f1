//! Copies between memory and a device window, one aligned volatile access of the
//! chosen width at a time, against real memory behind a PCI BAR (ivshmem's BAR2
//! through its resource file): bytes keep their order at every width, and a
//! misaligned request is refused without touching the device.

use regmap_runtime::error::AccessError;
use regmap_runtime::{Bus, Uio, copy_from_device, copy_to_device};
use regmap_vm_tests::{IVSHMEM_DEVICE, IVSHMEM_VENDOR};

fn data(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(37) ^ seed)
        .collect()
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn copies_keep_byte_order_at_every_width() {
    let uio = Uio::open_pci(IVSHMEM_VENDOR, IVSHMEM_DEVICE).expect("ivshmem");
    let w = uio.bar(2).expect("BAR2");
    let len = 64;
    for (k, width) in [1usize, 2, 4, 8].into_iter().enumerate() {
        let offset = 0x1000 * (k + 1);
        let src = data(len, k as u8);
        match width {
            1 => copy_to_device::<u8, _>(&w, offset, &src),
            2 => copy_to_device::<u16, _>(&w, offset, &src),
            4 => copy_to_device::<u32, _>(&w, offset, &src),
            _ => copy_to_device::<u64, _>(&w, offset, &src),
        }
        .unwrap();
        // Byte by byte, the memory holds the source in order...
        for (i, &b) in src.iter().enumerate() {
            assert_eq!(w.read_u8(offset + i).unwrap(), b, "width {width}, byte {i}");
        }
        // ...and a copy back at another width returns it unchanged.
        let mut back = vec![0; len];
        let other = [8usize, 4, 2, 1][k];
        match other {
            1 => copy_from_device::<u8, _>(&w, offset, &mut back),
            2 => copy_from_device::<u16, _>(&w, offset, &mut back),
            4 => copy_from_device::<u32, _>(&w, offset, &mut back),
            _ => copy_from_device::<u64, _>(&w, offset, &mut back),
        }
        .unwrap();
        assert_eq!(back, src, "written {width} bytes at a time, read {other}");
    }
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn a_misaligned_copy_touches_nothing() {
    let uio = Uio::open_pci(IVSHMEM_VENDOR, IVSHMEM_DEVICE).expect("ivshmem");
    let w = uio.bar(2).expect("BAR2");
    let offset = 0x8000;
    w.write_u64(offset, 0).unwrap();
    w.write_u64(offset + 8, 0).unwrap();
    let last = w.size() - 8;
    w.write_u64(last, 0).unwrap();
    assert_eq!(
        copy_to_device::<u32, _>(&w, offset + 2, &[0xff; 8]),
        Err(AccessError::Misaligned {
            offset: offset + 2,
            width: 4
        })
    );
    assert!(matches!(
        copy_to_device::<u32, _>(&w, offset, &[0xff; 6]),
        Err(AccessError::LengthNotMultiple { .. })
    ));
    assert!(matches!(
        copy_to_device::<u64, _>(&w, last, &[0xff; 16]),
        Err(AccessError::OutOfBounds { .. })
    ));
    assert_eq!(w.read_u64(offset).unwrap(), 0);
    assert_eq!(w.read_u64(offset + 8).unwrap(), 0);
    assert_eq!(w.read_u64(last).unwrap(), 0);
}
