//! Opening through a fake sysfs and /dev: the checks that run before any
//! ioctl, each with the error that says what to do.

use super::*;
use std::fs;
use std::os::unix::fs::symlink;

const ADDR: &str = "0000:00:03.0";

/// A fake tree with one edu function; `group`: its IOMMU group, `driver`:
/// what it is bound to, `vfio_dev`: whether /dev/vfio/vfio exists.
fn tree(group: Option<u32>, driver: Option<&str>, vfio_dev: bool) -> (tempfile::TempDir, SysRoot) {
    let dir = tempfile::tempdir().unwrap();
    let root = SysRoot::under(dir.path());
    let f = root.sys.join("bus/pci/devices").join(ADDR);
    fs::create_dir_all(&f).unwrap();
    fs::write(f.join("vendor"), "0x1234\n").unwrap();
    fs::write(f.join("device"), "0x11e8\n").unwrap();
    if let Some(g) = group {
        let gdir = root.sys.join(format!("kernel/iommu_groups/{g}/devices"));
        fs::create_dir_all(&gdir).unwrap();
        symlink(gdir.parent().unwrap(), f.join("iommu_group")).unwrap();
        symlink(&f, gdir.join(ADDR)).unwrap();
    }
    if let Some(d) = driver {
        let ddir = root.sys.join("bus/pci/drivers").join(d);
        fs::create_dir_all(&ddir).unwrap();
        symlink(&ddir, f.join("driver")).unwrap();
    }
    fs::create_dir_all(root.dev.join("vfio")).unwrap();
    if vfio_dev {
        fs::write(root.dev.join("vfio/vfio"), "").unwrap();
    }
    (dir, root)
}

#[test]
fn no_iommu_group_says_to_turn_the_iommu_on() {
    let (_d, root) = tree(None, Some("vfio-pci"), true);
    let e = Vfio::open_in(&root, ADDR).unwrap_err();
    assert!(matches!(e, DeviceError::VfioUnavailable { .. }), "{e:?}");
    assert!(e.to_string().contains("intel_iommu=on"), "{e}");
}

#[test]
fn a_missing_vfio_device_file_says_to_load_the_driver() {
    let (_d, root) = tree(Some(7), Some("vfio-pci"), false);
    let e = Vfio::open_in(&root, ADDR).unwrap_err();
    match &e {
        DeviceError::VfioUnavailable { path, .. } => assert!(path.ends_with("vfio/vfio")),
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("modprobe vfio-pci"), "{e}");
}

#[test]
fn another_driver_is_named_with_the_commands_that_rebind() {
    let (_d, root) = tree(Some(7), Some("uio_pci_generic"), true);
    let e = Vfio::open_in(&root, ADDR).unwrap_err();
    match &e {
        DeviceError::WrongDriver {
            device,
            driver,
            fix,
        } => {
            assert_eq!(device, ADDR);
            assert_eq!(driver, "uio_pci_generic");
            assert!(fix.contains(&format!(
                "echo {ADDR} > /sys/bus/pci/devices/{ADDR}/driver/unbind"
            )));
            assert!(fix.contains("driver_override"));
            assert!(fix.contains("drivers_probe"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unbound_function_needs_no_unbind() {
    let (_d, root) = tree(Some(7), None, true);
    match Vfio::open_in(&root, ADDR).unwrap_err() {
        DeviceError::WrongDriver { driver, fix, .. } => {
            assert_eq!(driver, "no driver");
            assert!(!fix.contains("unbind"), "{fix}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn group_members_held_by_host_drivers_are_listed() {
    let (_d, root) = tree(Some(7), Some("vfio-pci"), true);
    let gdir = root.sys.join("kernel/iommu_groups/7/devices");
    for (addr, drv) in [
        ("0000:00:04.0", "e1000e"),
        ("0000:00:05.0", "vfio-pci"),
        ("0000:00:1c.0", "pcieport"),
    ] {
        let f = root.sys.join("bus/pci/devices").join(addr);
        let ddir = root.sys.join("bus/pci/drivers").join(drv);
        fs::create_dir_all(&f).unwrap();
        fs::create_dir_all(&ddir).unwrap();
        symlink(&ddir, f.join("driver")).unwrap();
        symlink(&f, gdir.join(addr)).unwrap();
    }
    assert_eq!(group_blockers(&root, 7, ADDR), ["0000:00:04.0 (e1000e)"]);
    let e = DeviceError::GroupNotViable {
        device: ADDR.into(),
        group: 7,
        blocking: group_blockers(&root, 7, ADDR),
    };
    assert!(
        e.to_string()
            .ends_with("still bound: 0000:00:04.0 (e1000e)"),
        "{e}"
    );
}

#[test]
fn by_id_prefers_the_function_bound_to_vfio_pci() {
    let (_d, root) = tree(Some(7), Some("uio_pci_generic"), false);
    let second = "0000:00:04.0";
    let f = root.sys.join("bus/pci/devices").join(second);
    fs::create_dir_all(&f).unwrap();
    fs::write(f.join("vendor"), "0x1234\n").unwrap();
    fs::write(f.join("device"), "0x11e8\n").unwrap();
    let ddir = root.sys.join("bus/pci/drivers/vfio-pci");
    fs::create_dir_all(&ddir).unwrap();
    symlink(&ddir, f.join("driver")).unwrap();
    // The vfio-pci one is picked (it then fails for want of an IOMMU group,
    // naming itself), not the first one bound to uio_pci_generic.
    match Vfio::open_pci_in(&root, 0x1234, 0x11e8).unwrap_err() {
        DeviceError::VfioUnavailable { path, .. } => {
            assert!(path.to_string_lossy().contains(second), "{path:?}")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        Vfio::open_pci_in(&root, 0x1234, 0x1111).unwrap_err(),
        DeviceError::NotFound { .. }
    ));
}
