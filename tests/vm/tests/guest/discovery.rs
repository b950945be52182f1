//! Finding devices: by UIO name, by PCI vendor:device, and what a miss says.

use regmap_runtime::uio;
use regmap_runtime::{DeviceError, PciDevice, SysRoot, Uio};
use regmap_vm_tests::{
    EDU_DEVICE, EDU_VENDOR, IVSHMEM_DEVICE, IVSHMEM_VENDOR, UIO_DEVICES, UIO_NAME, edu_pci,
    open_edu,
};

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn by_name_opens_the_lowest_numbered_device_of_that_name() {
    let all = uio::list(&SysRoot::default()).expect("list UIO devices");
    assert_eq!(all.len(), UIO_DEVICES, "{all:?}");
    assert!(all.iter().all(|d| d.name == UIO_NAME));
    let lowest = all.iter().map(|d| d.number).min().unwrap();
    let by_name = Uio::open_by_name(UIO_NAME).expect("open by name");
    assert_eq!(by_name.info().number, lowest);
    assert_eq!(by_name.name(), UIO_NAME);
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn by_pci_id_opens_that_function_among_several() {
    let edu = open_edu();
    let pci = edu.pci().expect("a PCI function behind the UIO device");
    assert_eq!((pci.vendor_id(), pci.device_id()), (EDU_VENDOR, EDU_DEVICE));
    assert_eq!(edu.info().pci_address.as_deref(), Some(pci.address()));
    assert_eq!(pci.uio_number().unwrap(), Some(edu.info().number));

    let shm = Uio::open_pci(IVSHMEM_VENDOR, IVSHMEM_DEVICE).expect("open ivshmem by PCI ID");
    let shm_pci = shm.pci().unwrap();
    assert_eq!(
        (shm_pci.vendor_id(), shm_pci.device_id()),
        (IVSHMEM_VENDOR, IVSHMEM_DEVICE)
    );
    assert_ne!(shm.info().number, edu.info().number);
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
    // Two edu devices: the first for UIO, the second for VFIO.
    assert_eq!(matching.len(), 2, "two edu devices on the bus");
    assert_eq!(matching[0].address(), edu.address());
    let first = PciDevice::find(EDU_VENDOR, EDU_DEVICE).unwrap();
    assert_eq!(
        first.address(),
        edu.address(),
        "the lookup takes the lowest address"
    );
    // The q35 host bridge and ivshmem are there too: the lookup picked edu.
    assert!(all.len() > 2);
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn a_miss_lists_what_exists() {
    let err = Uio::open_by_name("no_such_device").unwrap_err();
    match &err {
        DeviceError::NotFound { what, available } => {
            assert!(what.contains("no_such_device"), "{what}");
            assert_eq!(available.len(), UIO_DEVICES, "{available:?}");
            assert!(
                available.iter().all(|a| a.contains(UIO_NAME)),
                "{available:?}"
            );
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(matches!(
        PciDevice::find(EDU_VENDOR, 0xdead),
        Err(DeviceError::NotFound { .. })
    ));
}
