//! The UIO map of BAR0: its size, offset and physical address, and mapping it.

use regmap_runtime::{Bus, DeviceError};
use regmap_vm_tests::{EDU_BAR_SIZE, open_edu, reg};

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn map0_is_bar0_whole() {
    let uio = open_edu();
    let bar0 = uio.pci().unwrap().bar(0).expect("BAR0");
    assert!(bar0.is_memory() && !bar0.is_64bit() && !bar0.is_prefetchable());
    assert_eq!(bar0.size, EDU_BAR_SIZE as u64);
    let maps = uio.maps();
    assert_eq!(maps.len(), 1, "uio_pci_generic maps only BAR0: {maps:?}");
    let m = &maps[0];
    assert_eq!(m.index, 0);
    assert_eq!(m.size, EDU_BAR_SIZE);
    assert_eq!(m.offset, 0);
    assert_eq!(m.addr, bar0.start);
    // uio_pci_generic names maps after the PCI function.
    assert_eq!(m.name.as_deref(), uio.info().pci_address.as_deref());
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn mapped_window_has_the_map_size_and_address() {
    let uio = open_edu();
    let w = uio.map(0).expect("map 0");
    assert_eq!(w.size(), EDU_BAR_SIZE);
    assert_eq!(w.phys_addr(), Some(uio.maps()[0].addr));
    assert_eq!(w.read_u32(reg::ID).unwrap(), 0x0100_00ed);
    // The last word of the BAR is inside the window; one past it is refused.
    assert!(w.read_u32(EDU_BAR_SIZE - 4).is_ok());
    assert!(w.read_u32(EDU_BAR_SIZE).is_err());
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn bar_through_uio_and_through_resource_file_agree() {
    let uio = open_edu();
    let via_uio = uio.bar(0).expect("BAR0 via UIO");
    let via_resource = uio.pci().unwrap().map_bar(0).expect("BAR0 via resource0");
    assert_eq!(via_uio.phys_addr(), via_resource.phys_addr());
    via_uio.write_u32(reg::LIVENESS, 0x1234_5678).unwrap();
    assert_eq!(via_resource.read_u32(reg::LIVENESS).unwrap(), !0x1234_5678);
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn a_map_the_device_lacks_is_a_typed_error() {
    let uio = open_edu();
    match uio.map(1) {
        Err(DeviceError::MapOutOfRange { index, count, .. }) => assert_eq!((index, count), (1, 1)),
        other => panic!("expected MapOutOfRange, got {other:?}"),
    }
}
