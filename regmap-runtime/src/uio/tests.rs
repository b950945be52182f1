//! UIO and PCI discovery, maps, locking and interrupts against a fake sysfs/dev tree.

use super::*;
use crate::Bus;
use std::path::Path;

struct FakeMap {
    name: &'static str,
    addr: u64,
    size: u64,
    offset: u64,
}

fn write(path: &Path, content: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// Adds `uioN` named `name` with `maps`, and a `/dev/uioN` regular file whose
/// page N*page+offset holds `0x1000_0000 + N` as a marker.
fn add_uio(root: &SysRoot, n: u32, name: &str, maps: &[FakeMap]) {
    let dir = root.sys.join(format!("class/uio/uio{n}"));
    write(&dir.join("name"), format!("{name}\n"));
    write(&dir.join("version"), "0.01.0\n");
    let page = page_size() as u64;
    let mut dev = vec![0u8; (page as usize) * (maps.len() + 1)];
    for (i, m) in maps.iter().enumerate() {
        let md = dir.join(format!("maps/map{i}"));
        write(&md.join("name"), format!("{}\n", m.name));
        write(&md.join("addr"), format!("0x{:016x}\n", m.addr));
        write(&md.join("size"), format!("0x{:016x}\n", m.size));
        write(&md.join("offset"), format!("0x{:x}\n", m.offset));
        let at = (i as u64 * page + m.offset) as usize;
        dev[at..at + 4].copy_from_slice(&(0x1000_0000u32 + i as u32).to_ne_bytes());
    }
    write(&root.dev.join(format!("uio{n}")), dev);
}

/// Adds a PCI function 1234:11e8 at 0000:00:01.0 with a 1 MiB BAR0 and a
/// 64-bit prefetchable 16 KiB BAR2, bound to uio0 (which maps only BAR0).
fn add_pci(root: &SysRoot) {
    let addr = "0000:00:01.0";
    let dir = root.sys.join("bus/pci/devices").join(addr);
    write(&dir.join("vendor"), "0x1234\n");
    write(&dir.join("device"), "0x11e8\n");
    let mut config = vec![0u8; 256];
    config[0..4].copy_from_slice(&[0x34, 0x12, 0xe8, 0x11]);
    config[4] = 0x02; // memory space on, bus master off
    write(&dir.join("config"), config);
    let mut resource = String::new();
    resource += "0x00000000fea00000 0x00000000feafffff 0x0000000000040200\n";
    resource += "0x0000000000000000 0x0000000000000000 0x0000000000000000\n";
    resource += "0x00000000fe000000 0x00000000fe003fff 0x000000000014220c\n";
    for _ in 3..13 {
        resource += "0x0000000000000000 0x0000000000000000 0x0000000000000000\n";
    }
    write(&dir.join("resource"), resource);
    write(&dir.join("resource0"), vec![0u8; 0x10_0000]);
    let mut bar2 = vec![0u8; 0x4000];
    bar2[0..4].copy_from_slice(&0xb2b2_b2b2u32.to_ne_bytes());
    write(&dir.join("resource2"), bar2);
    std::fs::create_dir_all(dir.join("uio/uio0")).unwrap();
    add_uio(
        root,
        0,
        "uio_pci_generic",
        &[FakeMap {
            name: addr,
            addr: 0xfea0_0000,
            size: 0x10_0000,
            offset: 0,
        }],
    );
    std::os::unix::fs::symlink(&dir, root.sys.join("class/uio/uio0/device")).unwrap();
}

fn tree() -> (tempfile::TempDir, SysRoot) {
    let dir = tempfile::tempdir().unwrap();
    let root = SysRoot::under(dir.path());
    std::fs::create_dir_all(&root.dev).unwrap();
    (dir, root)
}

fn platform_tree() -> (tempfile::TempDir, SysRoot) {
    let (dir, root) = tree();
    add_uio(
        &root,
        0,
        "axi_timer_0",
        &[FakeMap {
            name: "regs",
            addr: 0x4280_0000,
            size: 0x1000,
            offset: 0,
        }],
    );
    // A map whose physical address is not page-aligned, behind an aligned one.
    add_uio(
        &root,
        3,
        "axi_dma",
        &[
            FakeMap {
                name: "ctrl",
                addr: 0x4040_0000,
                size: 0x100,
                offset: 0,
            },
            FakeMap {
                name: "sub",
                addr: 0x4041_1100,
                size: 0x100,
                offset: 0x100,
            },
        ],
    );
    (dir, root)
}

#[test]
#[cfg_attr(miri, ignore)] // a fake sysfs/dev tree on disk, mmap of a file, flock
fn list_reports_every_device_with_names_and_maps() {
    let (_d, root) = platform_tree();
    let all = list(&root).unwrap();
    assert_eq!(all.iter().map(|d| d.number).collect::<Vec<_>>(), [0, 3]);
    assert_eq!(all[0].name, "axi_timer_0");
    assert_eq!(all[0].version, "0.01.0");
    assert_eq!(all[1].pci_address, None);
    assert_eq!(
        all[1].maps[1],
        UioMapInfo {
            index: 1,
            name: Some("sub".into()),
            addr: 0x4041_1100,
            size: 0x100,
            offset: 0x100
        }
    );
    assert_eq!(all[1].dev_path, root.dev.join("uio3"));
}

#[test]
#[cfg_attr(miri, ignore)] // a fake sysfs/dev tree on disk, mmap of a file, flock
fn no_uio_class_means_no_devices() {
    let (_d, root) = tree();
    assert!(list(&root).unwrap().is_empty());
    let err = Uio::open_by_name_in(&root, "x").unwrap_err();
    assert_eq!(
        err.to_string(),
        "UIO device named \"x\" not found; none exist"
    );
}

#[test]
#[cfg_attr(miri, ignore)] // a fake sysfs/dev tree on disk, mmap of a file, flock
fn open_by_name_finds_the_device_and_not_found_lists_the_others() {
    let (_d, root) = platform_tree();
    let dev = Uio::open_by_name_in(&root, "axi_dma").unwrap();
    assert_eq!(dev.info().number, 3);
    let err = Uio::open_by_name_in(&root, "axi_gpio").unwrap_err();
    assert_eq!(
        err.to_string(),
        "UIO device named \"axi_gpio\" not found; these exist: uio0 (axi_timer_0), uio3 (axi_dma)"
    );
    assert!(matches!(
        Uio::open_in(&root, 7),
        Err(DeviceError::NotFound { .. })
    ));
}

#[test]
#[cfg_attr(miri, ignore)] // a fake sysfs/dev tree on disk, mmap of a file, flock
fn maps_are_mmapped_at_index_times_page_size_plus_their_offset() {
    let (_d, root) = platform_tree();
    let dev = Uio::open_in(&root, 3).unwrap();
    let ctrl = dev.map(0).unwrap();
    assert_eq!((ctrl.size(), ctrl.phys_addr()), (0x100, Some(0x4040_0000)));
    assert_eq!(ctrl.read_u32(0).unwrap(), 0x1000_0000);
    let sub = dev.map(1).unwrap();
    assert_eq!(sub.size(), 0x100);
    assert_eq!(sub.phys_addr(), Some(0x4041_1100));
    assert_eq!(sub.base_alignment(), 0x100);
    assert_eq!(
        sub.read_u32(0).unwrap(),
        0x1000_0001,
        "window starts at the region, not the page"
    );
    sub.write_u32(0xfc, 0xabcd).unwrap();
    drop((sub, ctrl, dev));
    let file = std::fs::read(root.dev.join("uio3")).unwrap();
    let at = page_size() + 0x1fc;
    assert_eq!(file[at..at + 4], 0xabcdu32.to_ne_bytes());
}

/// uio_pdrv_genirq for registers at a sub-page address: `addr` is the page
/// base, `offset` the start inside the page, `size` counted from the page base.
#[test]
#[cfg_attr(miri, ignore)] // a fake sysfs/dev tree on disk, mmap of a file, flock
fn a_sub_page_map_stays_inside_what_the_kernel_allows_and_reports_its_own_address() {
    let (_d, root) = tree();
    let page = page_size() as u64;
    let offset = page / 2;
    add_uio(
        &root,
        5,
        "axi_gpio",
        &[FakeMap {
            name: "regs",
            addr: 0x4120_0000,
            size: page,
            offset,
        }],
    );
    let dev = Uio::open_in(&root, 5).unwrap();
    let w = dev.map(0).unwrap();
    // The kernel refuses a mapping longer than PAGE_ALIGN(size) here (EINVAL).
    assert_eq!(w.mapping_len() as u64, page);
    assert_eq!(w.size() as u64, page - offset);
    assert_eq!(w.phys_addr(), Some(0x4120_0000 + offset));
    assert_eq!(
        w.read_u32(0).unwrap(),
        0x1000_0000,
        "window starts at offset"
    );
    assert!(w.read_u32((page - offset) as usize).is_err());
}

#[test]
#[cfg_attr(miri, ignore)] // a fake sysfs/dev tree on disk, mmap of a file, flock
fn map_index_out_of_range_says_how_many_exist() {
    let (_d, root) = platform_tree();
    let dev = Uio::open_in(&root, 3).unwrap();
    let err = dev.map(2).unwrap_err();
    assert!(matches!(
        err,
        DeviceError::MapOutOfRange {
            index: 2,
            count: 2,
            ..
        }
    ));
    assert!(
        err.to_string()
            .ends_with("has no map 2: it has 2 map(s), numbered 0 to 1"),
        "{err}"
    );
}

#[test]
#[cfg_attr(miri, ignore)] // a fake sysfs/dev tree on disk, mmap of a file, flock
fn a_second_open_is_refused_while_the_device_or_a_window_lives() {
    let (_d, root) = platform_tree();
    let dev = Uio::open_in(&root, 0).unwrap();
    let err = Uio::open_by_name_in(&root, "axi_timer_0").unwrap_err();
    assert!(
        matches!(err, DeviceError::Busy { ref path } if path == &root.dev.join("uio0")),
        "{err}"
    );
    let window = dev.map(0).unwrap();
    drop(dev);
    assert!(
        matches!(Uio::open_in(&root, 0), Err(DeviceError::Busy { .. })),
        "window holds the lock"
    );
    drop(window);
    assert!(Uio::open_in(&root, 0).is_ok());
    // Other devices are not affected.
    let _a = Uio::open_in(&root, 3).unwrap();
}

#[test]
#[cfg_attr(miri, ignore)] // a fake sysfs/dev tree on disk, mmap of a file, flock
fn pci_device_is_found_by_vendor_and_device_and_its_uio_opened() {
    let (_d, root) = tree();
    add_pci(&root);
    let pci = PciDevice::find_in(&root, 0x1234, 0x11e8).unwrap();
    assert_eq!(pci.address(), "0000:00:01.0");
    let err = PciDevice::find_in(&root, 0x10ee, 0x7024).unwrap_err();
    assert_eq!(
        err.to_string(),
        "PCI device 10ee:7024 not found; these exist: 0000:00:01.0 [1234:11e8]"
    );
    let dev = pci.open_uio().unwrap();
    assert_eq!(dev.info().pci_address.as_deref(), Some("0000:00:01.0"));
    assert_eq!(dev.pci().unwrap().device_id(), 0x11e8);
    let bars = pci.bars().unwrap();
    assert_eq!(bars.len(), 2);
    assert_eq!((bars[0].start, bars[0].size), (0xfea0_0000, 0x10_0000));
    assert!(bars[1].is_64bit() && bars[1].is_prefetchable() && bars[1].is_memory());
}

#[test]
#[cfg_attr(miri, ignore)] // a fake sysfs/dev tree on disk, mmap of a file, flock
fn a_bar_without_a_uio_map_falls_back_to_its_resource_file() {
    let (_d, root) = tree();
    add_pci(&root);
    let dev = Uio::open_in(&root, 0).unwrap();
    let bar0 = dev.bar(0).unwrap();
    assert!(bar0.origin().contains("map 0"), "{}", bar0.origin());
    assert_eq!(bar0.read_u32(0).unwrap(), 0x1000_0000);
    let bar2 = dev.bar(2).unwrap();
    assert!(bar2.origin().contains("BAR2"), "{}", bar2.origin());
    assert_eq!((bar2.size(), bar2.phys_addr()), (0x4000, Some(0xfe00_0000)));
    assert_eq!(bar2.read_u32(0).unwrap(), 0xb2b2_b2b2);
    let err = dev.bar(1).unwrap_err();
    assert!(
        err.to_string()
            .contains("BAR0 (0x100000 bytes at 0xfea00000)"),
        "{err}"
    );
}

#[test]
#[cfg_attr(miri, ignore)] // a fake sysfs/dev tree on disk, mmap of a file, flock
fn bus_master_enable_sets_only_command_bit_2() {
    let (_d, root) = tree();
    add_pci(&root);
    let pci = PciDevice::find_in(&root, 0x1234, 0x11e8).unwrap();
    assert!(!pci.is_bus_master().unwrap());
    pci.enable_bus_master().unwrap();
    assert_eq!(pci.command().unwrap(), 0x0006);
    assert!(pci.is_bus_master().unwrap());
    let config = std::fs::read(pci.config_path()).unwrap();
    assert_eq!(config[..4], [0x34, 0x12, 0xe8, 0x11], "IDs untouched");
    pci.disable_bus_master().unwrap();
    assert_eq!(pci.command().unwrap(), 0x0002);
}

#[test]
#[cfg_attr(miri, ignore)] // a fake sysfs/dev tree on disk, mmap of a file, flock
fn pci_uio_irq_is_re_armed_through_the_config_space() {
    // The fake /dev/uio0 is a regular file, so write(1) succeeds there; force
    // the PCI path as Auto would settle on it after ENOSYS (tested in irq.rs).
    let (_d, root) = tree();
    add_pci(&root);
    let dev = Uio::open_in(&root, 0).unwrap();
    let pci = dev.pci().unwrap();
    let config = pci.config_path();
    dev.irq().set_control_for_test(IrqControl::PciIntx(config));
    dev.disable_irq().unwrap();
    assert!(pci.is_intx_disabled().unwrap());
    assert_eq!(pci.command().unwrap(), 0x0402);
    dev.enable_irq().unwrap();
    assert!(!pci.is_intx_disabled().unwrap());
    assert_eq!(dev.irq_control(), IrqControl::PciIntx(pci.config_path()));
}

#[test]
#[cfg_attr(miri, ignore)] // a fake sysfs/dev tree on disk, mmap of a file, flock
fn irq_wait_through_the_device_file_counts_and_times_out() {
    use std::io::Write;
    let (_d, root) = tree();
    add_uio(&root, 1, "irq_only", &[]);
    let dev_path = root.dev.join("uio1");
    std::fs::remove_file(&dev_path).unwrap();
    let c = std::ffi::CString::new(dev_path.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let dev = Uio::open_in(&root, 1).unwrap();
    let err = dev.wait_irq(Duration::from_millis(20)).unwrap_err();
    assert!(matches!(err, DeviceError::IrqTimeout { .. }), "{err}");
    assert!(err.to_string().contains("uio1 (irq_only)"), "{err}");
    let mut kernel = std::fs::OpenOptions::new()
        .write(true)
        .open(&dev_path)
        .unwrap();
    kernel.write_all(&5u32.to_ne_bytes()).unwrap();
    assert_eq!(
        dev.wait_irq(Duration::from_secs(5)).unwrap(),
        IrqEvent {
            count: 5,
            missed: 0
        }
    );
    kernel.write_all(&9u32.to_ne_bytes()).unwrap();
    assert_eq!(
        dev.wait_irq(Duration::from_secs(5)).unwrap(),
        IrqEvent {
            count: 9,
            missed: 3
        }
    );
}

#[test]
fn an_exclusive_map_is_refused_while_another_window_lives_and_keeps_the_lock() {
    let (_d, root) = platform_tree();
    let dev = Uio::open_in(&root, 3).unwrap();
    let other = dev.map(1).unwrap();
    let err = dev.into_exclusive_map(0).unwrap_err();
    assert!(
        matches!(err, DeviceError::WindowsAlive { windows: 1, .. }),
        "{err}"
    );
    // The refused attempt gave up the device; the surviving window still
    // holds the lock.
    assert!(matches!(
        Uio::open_in(&root, 3),
        Err(DeviceError::Busy { .. })
    ));
    drop(other);
    let regs = Uio::open_in(&root, 3)
        .unwrap()
        .into_exclusive_map(0)
        .unwrap();
    assert_eq!(regs.read_u32(0).unwrap(), 0x1000_0000);
    assert!(
        matches!(Uio::open_in(&root, 3), Err(DeviceError::Busy { .. })),
        "nobody else can open the device while the exclusive window lives"
    );
    drop(regs);
    assert!(Uio::open_in(&root, 3).is_ok());
}

/// A tree that points a UIO node or a BAR's resource file at another
/// driver's device (here `/dev/null`; `/dev/mem` or a DMA buffer's node in
/// an attack) is refused before anything is mapped.
#[test]
#[cfg_attr(miri, ignore)] // a fake sysfs/dev tree on disk
fn a_node_of_another_driver_is_never_mapped() {
    let (_dir, root) = tree();
    add_pci(&root);
    let uio_node = root.dev.join("uio0");
    std::fs::remove_file(&uio_node).unwrap();
    std::os::unix::fs::symlink("/dev/null", &uio_node).unwrap();
    let err = Uio::open_in(&root, 0).unwrap_err();
    assert!(
        matches!(
            &err,
            DeviceError::NotTheDevice {
                expected: "a UIO device node",
                ..
            }
        ),
        "{err}"
    );

    let pci = PciDevice::find_in(&root, 0x1234, 0x11e8).unwrap();
    let resource = pci.sys_dir().join("resource0");
    std::fs::remove_file(&resource).unwrap();
    std::os::unix::fs::symlink("/dev/null", &resource).unwrap();
    let err = pci.map_bar(0).unwrap_err();
    assert!(
        matches!(
            &err,
            DeviceError::NotTheDevice {
                expected: "a PCI BAR's sysfs resource file",
                ..
            }
        ),
        "{err}"
    );
    // The untouched BAR of the same fake function still maps: plain files pass.
    assert_eq!(pci.map_bar(2).unwrap().read_u32(0).unwrap(), 0xb2b2_b2b2);
}

/// `AxiDma` over an exclusive UIO map trusts that nothing else reaches those
/// registers: not a window of the same BAR through its resource file either.
#[test]
#[cfg_attr(miri, ignore)] // a fake sysfs/dev tree on disk, mmap of a file, flock
fn a_bar_never_maps_beside_an_exclusive_map_of_it() {
    let (_d, root) = tree();
    add_pci(&root);
    let pci = PciDevice::find_in(&root, 0x1234, 0x11e8).unwrap();
    let exclusive = Uio::open_in(&root, 0)
        .unwrap()
        .into_exclusive_map(0)
        .unwrap();
    let err = pci.map_bar(0).unwrap_err();
    assert!(matches!(err, DeviceError::Busy { .. }), "{err}");
    // Another BAR is other registers.
    assert_eq!(pci.map_bar(2).unwrap().read_u32(0).unwrap(), 0xb2b2_b2b2);
    drop(exclusive);

    // And the other way round: no exclusive map while a BAR window lives.
    let bar0 = pci.map_bar(0).unwrap();
    let err = Uio::open_in(&root, 0)
        .unwrap()
        .into_exclusive_map(0)
        .unwrap_err();
    assert!(matches!(err, DeviceError::Busy { .. }), "{err}");
    drop(bar0);

    // A BAR the Uio maps through its resource file is one of its windows.
    let dev = Uio::open_in(&root, 0).unwrap();
    let bar2 = dev.bar(2).unwrap();
    let err = dev.into_exclusive_map(0).unwrap_err();
    assert!(
        matches!(err, DeviceError::WindowsAlive { windows: 1, .. }),
        "{err}"
    );
    drop(bar2);
    assert!(
        Uio::open_in(&root, 0)
            .unwrap()
            .into_exclusive_map(0)
            .is_ok()
    );
}

/// A platform device `axi_dma_0` whose device-tree node describes an AXI DMA
/// with DRE on both channels and 40 address bits, or no node at all.
fn dma_tree(with_node: bool) -> (tempfile::TempDir, SysRoot) {
    let (dir, root) = tree();
    add_uio(
        &root,
        0,
        "axi_dma_0",
        &[FakeMap {
            name: "dma",
            addr: 0x4040_0000,
            size: 0x1_0000,
            offset: 0,
        }],
    );
    if with_node {
        let node = root.sys.join("class/uio/uio0/device/of_node");
        write(&node.join("xlnx,addrwidth"), 40u32.to_be_bytes());
        for (child, kind) in [
            ("dma-channel@40400000", "mm2s"),
            ("dma-channel@40400030", "s2mm"),
        ] {
            let child = node.join(child);
            write(
                &child.join("compatible"),
                format!("xlnx,axi-dma-{kind}-channel\0"),
            );
            write(&child.join("xlnx,datawidth"), 32u32.to_be_bytes());
            write(&child.join("xlnx,include-dre"), b"");
        }
    }
    (dir, root)
}

#[test]
fn of_node_is_the_devices_device_tree_node() {
    let (_d, root) = dma_tree(true);
    let uio = Uio::open_in(&root, 0).unwrap();
    let node = uio.of_node().unwrap();
    assert_eq!(node, root.sys.join("class/uio/uio0/device/of_node"));
    let config = crate::axi_dma::AxiDmaConfig::from_device_tree(&node).unwrap();
    assert!(config.dre && config.mm2s && config.s2mm);
    assert_eq!(config.addr_width, 40);

    let (_d, root) = dma_tree(false);
    assert_eq!(Uio::open_in(&root, 0).unwrap().of_node(), None);
}

#[test]
fn axi_dma_from_uio_needs_a_device_tree_node_and_then_drives_the_registers() {
    use crate::axi_dma::{AxiDma, AxiDmaError};
    let (_d, root) = dma_tree(false);
    let err = AxiDma::from_uio(Uio::open_in(&root, 0).unwrap()).unwrap_err();
    assert!(
        matches!(&err, AxiDmaError::DeviceTree { reason, .. } if reason.contains("no device-tree node")),
        "{err}"
    );

    // With a node, the driver maps the registers alone and resets the IP. A
    // plain file never clears DMACR.Reset, so that is as far as it gets, and
    // shows it got there: past the tree, holding the exclusive map.
    let (_d, root) = dma_tree(true);
    let err = AxiDma::from_uio(Uio::open_in(&root, 0).unwrap()).unwrap_err();
    assert!(matches!(err, AxiDmaError::ResetTimeout { .. }), "{err}");
    let dev = std::fs::read(root.dev.join("uio0")).unwrap();
    assert_eq!(dev[0] & 0b100, 0b100, "MM2S DMACR.Reset was written");
}

/// `axi_dma` (uio0) and `axi_dma_mm2s_irq` (uio1), a node that repeats the
/// DMA's `reg` for its interrupt, cover the same registers; `axi_timer`
/// (uio2) covers others.
fn overlapping_tree() -> (tempfile::TempDir, SysRoot) {
    let (dir, root) = tree();
    let map = |addr| FakeMap {
        name: "regs",
        addr,
        size: 0x1_0000,
        offset: 0,
    };
    add_uio(&root, 0, "axi_dma", &[map(0x4040_0000)]);
    add_uio(&root, 1, "axi_dma_mm2s_irq", &[map(0x4040_0000)]);
    add_uio(&root, 2, "axi_timer", &[map(0x4280_0000)]);
    (dir, root)
}

#[test]
fn an_exclusive_map_keeps_every_device_covering_its_registers_from_mapping_them() {
    let (_d, root) = overlapping_tree();
    let dma = Uio::open_by_name_in(&root, "axi_dma")
        .unwrap()
        .into_exclusive_map(0)
        .unwrap();
    // The interrupt node still opens, for its interrupt, but maps nothing.
    let irq_node = Uio::open_by_name_in(&root, "axi_dma_mm2s_irq").unwrap();
    let err = irq_node.map(0).unwrap_err();
    assert!(
        matches!(&err, DeviceError::RegistersShared { detail, .. } if detail.contains("exclusive use")),
        "{err}"
    );
    // A device covering other registers is untouched.
    let timer = Uio::open_by_name_in(&root, "axi_timer").unwrap();
    timer.map(0).unwrap();
    // Once the exclusive window is gone, the node maps again.
    drop(dma);
    irq_node.map(0).unwrap();
}

#[test]
fn an_exclusive_map_is_refused_while_a_device_covering_its_registers_is_mapped() {
    let (_d, root) = overlapping_tree();
    let irq_node = Uio::open_by_name_in(&root, "axi_dma_mm2s_irq").unwrap();
    let window = irq_node.map(0).unwrap();
    drop(irq_node); // the window alone keeps the registers mapped
    let err = Uio::open_by_name_in(&root, "axi_dma")
        .unwrap()
        .into_exclusive_map(0)
        .unwrap_err();
    assert!(
        matches!(&err, DeviceError::RegistersShared { detail, .. } if detail.contains("uio1 (axi_dma_mm2s_irq) maps registers map 0 reaches")),
        "{err}"
    );
    drop(window);
    Uio::open_by_name_in(&root, "axi_dma")
        .unwrap()
        .into_exclusive_map(0)
        .unwrap();
}

#[test]
fn an_exclusive_map_excludes_windows_made_through_a_second_node_of_the_device() {
    // A copy of the tree whose `/dev/uio0` is another file (a second node
    // of the same device, as `mknod` would make): the device file's lock
    // does not see it, the sysfs `name` lock does.
    let (_d, root) = overlapping_tree();
    let other_dev = tempfile::tempdir().unwrap();
    std::fs::copy(root.dev.join("uio0"), other_dev.path().join("uio0")).unwrap();
    let second = SysRoot {
        dev: other_dev.path().to_owned(),
        ..root.clone()
    };
    let via_second = Uio::open_in(&second, 0).unwrap();
    let window = via_second.map(0).unwrap();
    let err = Uio::open_in(&root, 0)
        .unwrap()
        .into_exclusive_map(0)
        .unwrap_err();
    assert!(
        matches!(&err, DeviceError::RegistersShared { detail, .. } if detail.contains("another device node")),
        "{err}"
    );
    drop(window);
    let exclusive = Uio::open_in(&root, 0)
        .unwrap()
        .into_exclusive_map(0)
        .unwrap();
    let err = via_second.map(0).unwrap_err();
    assert!(matches!(err, DeviceError::RegistersShared { .. }), "{err}");
    drop(exclusive);
}

#[test]
fn a_refused_exclusive_map_leaves_the_windows_it_found_their_shared_lock() {
    let (_d, root) = overlapping_tree();
    let dma = Uio::open_by_name_in(&root, "axi_dma").unwrap();
    let window = dma.map(0).unwrap();
    // Someone else holds the shared lock too (a window through another node).
    let name = root.sys.join("class/uio/uio0/name");
    let other = std::fs::File::open(&name).unwrap();
    other.try_lock_shared().unwrap();
    let err = dma.into_exclusive_map(0).unwrap_err();
    assert!(
        matches!(err, DeviceError::WindowsAlive { windows: 1, .. }),
        "{err}"
    );
    drop(other);
    // The live window still holds its shared lock: the interrupt node, which
    // reaches the same registers, cannot take them for itself...
    let err = Uio::open_by_name_in(&root, "axi_dma_mm2s_irq")
        .unwrap()
        .into_exclusive_map(0)
        .unwrap_err();
    assert!(matches!(err, DeviceError::RegistersShared { .. }), "{err}");
    // ...and nothing was left exclusive: another shared holder still gets in.
    let again = std::fs::File::open(&name).unwrap();
    again.try_lock_shared().unwrap();
    drop(window);
}

#[test]
fn overlap_is_judged_by_what_a_window_reaches_not_by_the_reported_address() {
    // An older driver reports an unaligned address with offset 0: its window
    // starts at the page base, over the other device's registers, though the
    // reported ranges do not meet.
    let (_d, root) = tree();
    let at = |addr, offset| FakeMap {
        name: "regs",
        addr,
        size: 0x100,
        offset,
    };
    add_uio(&root, 0, "ctrl", &[at(0x4040_0000, 0)]);
    add_uio(&root, 1, "older_driver", &[at(0x4040_0100, 0)]);
    let ctrl = Uio::open_in(&root, 0)
        .unwrap()
        .into_exclusive_map(0)
        .unwrap();
    let older = Uio::open_in(&root, 1).unwrap();
    let err = older.map(0).unwrap_err();
    assert!(matches!(err, DeviceError::RegistersShared { .. }), "{err}");
    drop(ctrl);
    // With the offset the kernel reports today, the window starts at the
    // address, and the two do not meet.
    let (_d, root) = tree();
    add_uio(&root, 0, "ctrl", &[at(0x4040_0000, 0)]);
    add_uio(&root, 1, "newer_driver", &[at(0x4040_0100, 0x100)]);
    let _ctrl = Uio::open_in(&root, 0)
        .unwrap()
        .into_exclusive_map(0)
        .unwrap();
    Uio::open_in(&root, 1).unwrap().map(0).unwrap();
}

#[test]
fn a_pci_function_masters_physical_memory_unless_sysfs_shows_its_dma_translated() {
    use crate::dma::DmaSpace;
    let (_d, root) = tree();
    add_pci(&root);
    let dir = root.sys.join("bus/pci/devices/0000:00:01.0");
    let pci = PciDevice::open_in(&root, "0000:00:01.0").unwrap();
    let space = || pci.map_bar(0).unwrap().dma_space();
    // No IOMMU group at all, or an identity domain (`iommu=pt`): physical.
    assert_eq!(space(), DmaSpace::Physical);
    write(&dir.join("iommu_group/type"), "identity\n");
    assert_eq!(space(), DmaSpace::Physical);
    // A translating domain: bus addresses are IOVAs no buffer here has.
    write(&dir.join("iommu_group/type"), "DMA-FQ\n");
    assert_eq!(space(), DmaSpace::Unreachable);
    // Bound to vfio-pci: the IOVAs of a container this window knows nothing of.
    write(&dir.join("iommu_group/type"), "identity\n");
    let drivers = root.sys.join("bus/pci/drivers/vfio-pci");
    std::fs::create_dir_all(&drivers).unwrap();
    std::os::unix::fs::symlink(&drivers, dir.join("driver")).unwrap();
    assert_eq!(space(), DmaSpace::Unreachable);
}
