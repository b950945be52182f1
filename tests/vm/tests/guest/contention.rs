//! One driver per device: the runtime's exclusive lock on the UIO device file.

use regmap_runtime::{DeviceError, Uio};
use regmap_vm_tests::open_edu;

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn a_second_open_is_refused_until_the_first_is_dropped() {
    let first = open_edu();
    let n = first.info().number;
    match Uio::open(n) {
        Err(DeviceError::Busy { path }) => assert_eq!(path, first.info().dev_path),
        other => panic!("expected Busy, got {other:?}"),
    }
    drop(first);
    Uio::open(n).expect("free again once the first opener is gone");
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn a_mapped_window_keeps_the_device_locked() {
    let uio = open_edu();
    let n = uio.info().number;
    let window = uio.map(0).unwrap();
    drop(uio);
    assert!(matches!(Uio::open(n), Err(DeviceError::Busy { .. })));
    drop(window);
    Uio::open(n).expect("free once the window is gone too");
}
