//! The UIO map of BAR0: its size, offset and physical address, and mapping it.

use regmap_runtime::Uio;
use regmap_runtime::{Bus, DeviceError};
use regmap_vm_tests::{EDU_BAR_SIZE, IVSHMEM_DEVICE, IVSHMEM_VENDOR, open_edu, reg};

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

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn a_bar_without_a_uio_map_falls_back_to_its_resource_file() {
    let uio = Uio::open_pci(IVSHMEM_VENDOR, IVSHMEM_DEVICE).expect("ivshmem");
    let bar2 = uio.pci().unwrap().bar(2).expect("BAR2");
    assert!(bar2.is_memory() && bar2.is_64bit() && bar2.is_prefetchable());
    assert_eq!(bar2.size, 1 << 20);
    assert!(
        uio.maps().iter().all(|m| m.addr != bar2.start),
        "uio_pci_generic does not map a 64-bit prefetchable BAR: {:?}",
        uio.maps()
    );
    let w = uio.bar(2).expect("BAR2 through resource2");
    assert_eq!(w.size(), 1 << 20);
    assert_eq!(w.phys_addr(), Some(bar2.start));
    // It is shared RAM: what one window writes, another mapping of it reads.
    let other = uio.pci().unwrap().map_bar(2).unwrap();
    for (i, off) in [0usize, 8, 0x8_0000, (1 << 20) - 8].into_iter().enumerate() {
        let v = 0x5a5a_0000_0000_0000 | (i as u64) << 32 | off as u64;
        w.write_u64(off, v).unwrap();
        assert_eq!(other.read_u64(off).unwrap(), v);
    }
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn a_bar_smaller_than_a_page_is_mapped_as_a_page() {
    let uio = Uio::open_pci(IVSHMEM_VENDOR, IVSHMEM_DEVICE).expect("ivshmem");
    let bar0 = uio.pci().unwrap().bar(0).expect("BAR0");
    assert_eq!(bar0.size, 256);
    let m = &uio.maps()[0];
    assert_eq!((m.addr, m.offset), (bar0.start, 0));
    assert_eq!(m.size, 4096, "the kernel rounds a UIO map up to a page");
    let w = uio.map(0).unwrap();
    assert_eq!(w.size(), 4096);
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn an_exclusive_map_of_a_bar_and_a_resource_window_of_it_exclude_each_other() {
    let pci = regmap_vm_tests::edu_pci();
    let exclusive = open_edu().into_exclusive_map(0).expect("exclusive BAR0");
    match pci.map_bar(0) {
        Err(DeviceError::Busy { .. }) => {}
        other => panic!("expected Busy beside the exclusive map, got {other:?}"),
    }
    drop(exclusive);
    let bar0 = pci
        .map_bar(0)
        .expect("BAR0 via resource0 once the exclusive map is gone");
    assert_eq!(bar0.read_u32(reg::ID).unwrap(), 0x0100_00ed);
    match open_edu().into_exclusive_map(0) {
        Err(DeviceError::Busy { .. }) => {}
        other => panic!("expected Busy beside a resource0 window, got {other:?}"),
    }
}

/// A directory to build a caller's tree in, emptied first.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("regmap-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn a_tree_that_hides_the_pci_function_or_shifts_a_map_is_not_believed_for_a_real_node() {
    let pci = regmap_vm_tests::edu_pci();
    let info = open_edu().info().clone();
    // The real node, under a tree that leaves out the `device` link and
    // says map 0 starts 0x40 into its page (every register would move).
    let fake = scratch("hidden-pci");
    let uio = fake.join("sys/class/uio/uio0");
    std::fs::create_dir_all(uio.join("maps/map0")).unwrap();
    std::fs::write(uio.join("name"), format!("{}\n", info.name)).unwrap();
    for attr in ["addr", "size"] {
        let real = std::fs::read(info.sys_dir.join("maps/map0").join(attr)).unwrap();
        std::fs::write(uio.join("maps/map0").join(attr), real).unwrap();
    }
    std::fs::write(uio.join("maps/map0/offset"), "0x40\n").unwrap();
    std::fs::create_dir_all(fake.join("dev")).unwrap();
    std::os::unix::fs::symlink(&info.dev_path, fake.join("dev/uio0")).unwrap();

    let root = regmap_runtime::SysRoot::under(&fake);
    let through_tree = Uio::open_in(&root, 0).expect("the real node through the tree");
    assert_eq!(
        through_tree.info().pci_address,
        info.pci_address,
        "the function comes from this machine's sysfs"
    );
    assert_eq!(through_tree.maps()[0].offset, 0, "so does the map");
    let exclusive = through_tree.into_exclusive_map(0).expect("exclusive map");
    assert_eq!(exclusive.read_u32(reg::ID).unwrap(), 0x0100_00ed);
    match pci.map_bar(0) {
        Err(DeviceError::Busy { .. }) => {}
        other => panic!("expected Busy: the lock follows the node, got {other:?}"),
    }
    drop(exclusive);
    std::fs::remove_dir_all(&fake).unwrap();
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn a_tree_naming_a_write_combining_resource_file_resourcen_is_refused() {
    let real = Uio::open_pci(IVSHMEM_VENDOR, IVSHMEM_DEVICE)
        .expect("ivshmem")
        .pci()
        .unwrap();
    let wc = real.sys_dir().join("resource2_wc");
    assert!(wc.exists(), "a 64-bit prefetchable BAR has a resource2_wc");
    let fake = scratch("wc");
    let dir = fake.join("sys/bus/pci/devices").join(real.address());
    std::fs::create_dir_all(&dir).unwrap();
    for attr in ["vendor", "device", "resource"] {
        let text = std::fs::read(real.sys_dir().join(attr)).unwrap();
        std::fs::write(dir.join(attr), text).unwrap();
    }
    std::os::unix::fs::symlink(&wc, dir.join("resource2")).unwrap();
    let pci =
        regmap_runtime::PciDevice::open_in(&regmap_runtime::SysRoot::under(&fake), real.address())
            .unwrap();
    match pci.map_bar(2) {
        Err(DeviceError::NotTheDevice { .. }) => {}
        other => panic!("expected NotTheDevice for resource2_wc, got {other:?}"),
    }
    // The real resource2 itself still maps.
    assert!(real.map_bar(2).is_ok());
    std::fs::remove_dir_all(&fake).unwrap();
}
