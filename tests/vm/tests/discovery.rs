//! Finding the device: by UIO name, by PCI vendor:device, and what a miss says.

use regmap_runtime::uio;
use regmap_runtime::{DeviceError, PciDevice, SysRoot, Uio};
use regmap_vm_tests::{EDU_DEVICE, EDU_VENDOR, UIO_NAME, edu_pci, open_edu};

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn by_name_and_by_pci_id_find_the_same_device() {
    let by_name = Uio::open_by_name(UIO_NAME).expect("open by name");
    let number = by_name.info().number;
    assert_eq!(by_name.name(), UIO_NAME);
    drop(by_name);
    let by_id = open_edu();
    assert_eq!(by_id.info().number, number);
    let pci = by_id.pci().expect("a PCI function behind the UIO device");
    assert_eq!((pci.vendor_id(), pci.device_id()), (EDU_VENDOR, EDU_DEVICE));
    assert_eq!(by_id.info().pci_address.as_deref(), Some(pci.address()));
    assert_eq!(pci.uio_number().unwrap(), Some(number));
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn pci_lookup_by_id_matches_the_listing() {
    let edu = edu_pci();
    let all = PciDevice::list_in(&SysRoot::default()).expect("list PCI functions");
    let matching: Vec<_> = all
        .iter()
        .filter(|d| (d.vendor_id(), d.device_id()) == (EDU_VENDOR, EDU_DEVICE))
        .collect();
    assert_eq!(matching.len(), 1, "one edu device on the bus");
    assert_eq!(matching[0].address(), edu.address());
    // The q35 host bridge is there too: the lookup picked edu, not the first device.
    assert!(all.len() > 1);
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn a_missing_name_lists_what_exists() {
    let err = Uio::open_by_name("no_such_device").unwrap_err();
    match &err {
        DeviceError::NotFound { what, available } => {
            assert!(what.contains("no_such_device"), "{what}");
            assert_eq!(available.len(), 1, "{available:?}");
            assert!(available[0].contains(UIO_NAME), "{available:?}");
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(matches!(
        PciDevice::find(0x1234, 0xdead),
        Err(DeviceError::NotFound { .. })
    ));
    let listed = uio::list(&SysRoot::default()).unwrap();
    assert_eq!(listed.len(), 1);
}
