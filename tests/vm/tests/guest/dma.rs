//! DMA through the edu engine between physically contiguous buffers and the
//! device's internal buffer: hugetlb pages (physical address from pagemap) and a
//! `memmap=` region through `/dev/mem`. The device really moves the bytes: data
//! goes out of one buffer range and comes back into another.

use edu_driver::edu::DmaCommand;
use edu_driver::{DEVICE_BUFFER, DMA_MASK, Direction, DmaFailed, Driver, Error, IRQ_DMA};
use regmap_runtime::dma::{DevMemRegion, DmaAllocator, DmaBuffer, SubAllocator};
use regmap_runtime::{DeviceError, MappedWindow, Uio};
use regmap_vm_tests::{MEMMAP_BASE, MEMMAP_SIZE, open_edu, quiesce};
use std::time::Duration;

const T: Duration = Duration::from_secs(3);

/// (length, offset in the memory buffer, offset in the device buffer). Lengths
/// and offsets that are not multiples of 4 included. No transfer ends at the
/// device buffer's last byte: QEMU 7.2 aborts on that (fixed in later versions).
const CASES: &[(usize, usize, usize)] = &[
    (4, 0, 0),
    (4000, 0, 0x10),
    (1, 1, 0x3),
    (777, 13, 0x101),
    (2048, 0x800, 0x400),
];

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(29).wrapping_add(seed))
        .collect()
}

fn driver() -> (Uio, Driver<MappedWindow>) {
    let uio = open_edu();
    let w = uio.map(0).unwrap();
    quiesce(&uio, &w).unwrap();
    uio.pci().unwrap().enable_bus_master().unwrap();
    let edu = Driver::bind(w).unwrap();
    (uio, edu)
}

/// Every case: out of one range, back into another, compared.
fn round_trips(uio: &Uio, edu: &Driver<MappedWindow>, mut out: DmaBuffer, mut back: DmaBuffer) {
    assert!(out.phys_addr() + out.len() as u64 - 1 <= DMA_MASK);
    assert!(back.phys_addr() + back.len() as u64 - 1 <= DMA_MASK);
    for (i, &(len, at, dev)) in CASES.iter().enumerate() {
        let data = pattern(len, i as u8 + 1);
        out.as_bytes_mut()[at..at + len].copy_from_slice(&data);
        back.as_bytes_mut().fill(0);
        back.sync_for_device(..).unwrap();
        out = edu.copy_to_device(uio, out, at..at + len, dev, T).unwrap();
        back = edu
            .copy_from_device(uio, back, at..at + len, dev, T)
            .unwrap();
        assert_eq!(
            &back.as_bytes()[at..at + len],
            &data[..],
            "case {i}: {len} bytes"
        );
        // Nothing around the range was written.
        assert!(
            back.as_bytes()[..at].iter().all(|&b| b == 0),
            "case {i}: before"
        );
        assert!(
            back.as_bytes()[at + len..].iter().all(|&b| b == 0),
            "case {i}: after"
        );
    }
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn round_trips_through_hugetlb_buffers() {
    let (uio, edu) = driver();
    let region = regmap_vm_tests::hugetlb()
        .allocate_region(2 << 20)
        .expect("a 2 MiB huge page");
    assert_eq!(region.phys_addr() % (2 << 20), 0, "huge pages are aligned");
    let pool = SubAllocator::new(region);
    let out = pool.allocate(8192).unwrap();
    let back = pool.allocate(8192).unwrap();
    assert_ne!(out.phys_addr(), back.phys_addr());
    round_trips(&uio, &edu, out, back);
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn round_trips_through_dev_mem_buffers() {
    let (uio, edu) = driver();
    // SAFETY: the VM boots with `memmap=` reserving exactly this range, and
    // nothing else in the guest maps it.
    let region =
        unsafe { DevMemRegion::map(MEMMAP_BASE, MEMMAP_SIZE) }.expect("the memmap= region");
    assert_eq!(region.phys_addr(), MEMMAP_BASE);
    let pool = SubAllocator::new(region);
    let out = pool.allocate(8192).unwrap();
    let back = pool.allocate(8192).unwrap();
    round_trips(&uio, &edu, out, back);
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn completion_interrupt_through_uio() {
    let (uio, edu) = driver();
    let pool = SubAllocator::new(regmap_vm_tests::hugetlb().allocate_region(2 << 20).unwrap());
    let buf = pool.allocate(512).unwrap();
    buf.sync_for_device(..).unwrap();
    // SAFETY: `buf` is owned here, synced, and outlives the interrupt wait
    // (a failed wait panics with it still alive, leaked by the exit).
    unsafe { edu.start_dma(&uio, Direction::ToDevice, buf.phys_addr(), 0, 512, true) }.unwrap();
    uio.wait_irq(T).expect("DMA completion interrupt");
    assert!(!edu.dma_busy());
    assert_eq!(edu.interrupt_status(), IRQ_DMA);
    edu.acknowledge(IRQ_DMA);
    uio.enable_irq().unwrap();
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn bus_mastering_off_is_refused_instead_of_reading_stale_data() {
    let (uio, edu) = driver();
    let pci = uio.pci().unwrap();
    let pool = SubAllocator::new(regmap_vm_tests::hugetlb().allocate_region(2 << 20).unwrap());
    let mut src = pool.allocate(256).unwrap();
    let mut dst = pool.allocate(256).unwrap();
    // Known bytes in the device buffer, moved there while bus mastering is on.
    let data = pattern(256, 0x40);
    src.as_bytes_mut().copy_from_slice(&data);
    let _src = edu.copy_to_device(&uio, src, 0..256, 0, T).unwrap();
    dst.as_bytes_mut().fill(0xee); // what a stale read would show
    dst.sync_for_device(..).unwrap();

    pci.disable_bus_master().unwrap();
    let mut dst = match edu.copy_from_device(&uio, dst, 0..256, 0, T) {
        Err(DmaFailed {
            error: Error::DmaNotAllowed(DeviceError::BusMasterDisabled { device }),
            buffer: Some(dst),
        }) => {
            assert_eq!(device, pci.address());
            dst
        }
        other => panic!("expected DmaNotAllowed with the buffer back, got {other:?}"),
    };
    assert!(!edu.dma_busy(), "the device was never started");

    // What the check prevents: programmed directly, the device reports the
    // transfer done and memory keeps its old bytes, with no error anywhere.
    // SAFETY: `dst` is owned here, synced, and kept until the wait returns.
    let regs = unsafe { edu.regs() };
    regs.dma_source().write(|w| w.set_bits(DEVICE_BUFFER));
    regs.dma_destination()
        .write(|w| w.set_bits(dst.phys_addr()));
    regs.dma_count().write(|w| w.set_bits(256));
    regs.dma_command().write(|w| {
        w.set(DmaCommand::START, true)
            .set(DmaCommand::DIRECTION, Direction::ToRam)
    });
    edu.wait_dma(T).expect("the device says it is done");
    dst.sync_for_cpu(..).unwrap();
    assert!(
        dst.as_bytes().iter().all(|&b| b == 0xee),
        "stale data, silently"
    );

    // With bus mastering back on, the same transfer delivers the device's bytes.
    pci.enable_bus_master().unwrap();
    let dst = edu.copy_from_device(&uio, dst, 0..256, 0, T).unwrap();
    assert_eq!(dst.as_bytes(), &data[..]);
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn closing_the_device_turns_bus_mastering_off_again() {
    // uio_pci_generic clears bus mastering when its device file is closed, so a
    // driver enables it after opening, every time; the permission check catches
    // a driver that forgot.
    let pci = regmap_vm_tests::edu_pci();
    let uio = open_edu();
    pci.enable_bus_master().unwrap();
    assert!(pci.is_bus_master().unwrap());
    drop(uio);
    assert!(!pci.is_bus_master().unwrap(), "cleared on close");
    let uio = open_edu();
    assert!(matches!(
        regmap_runtime::DmaPermission::check_dma_allowed(&uio),
        Err(DeviceError::BusMasterDisabled { .. })
    ));
}
