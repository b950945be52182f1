//! The edu example driver (generated register block) on the real device.

use edu_driver::{Driver, Error, IRQ_FACTORIAL};
use regmap_runtime::{BindError, Bus, DeviceError, SubBus};
use regmap_vm_tests::{open_edu, quiesce};
use std::time::Duration;

const T: Duration = Duration::from_secs(2);

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn binds_to_bar0_and_passes_the_liveness_check() {
    let uio = open_edu();
    let edu = Driver::bind(uio.map(0).unwrap()).expect("bind");
    assert_eq!(edu.version(), (1, 0));
    edu.check_liveness().unwrap();
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn bind_refuses_a_window_that_is_not_edu() {
    let uio = open_edu();
    // 0x100 bytes of BAR0 past the registers: the device answers all ones there.
    let elsewhere = SubBus::new(uio.map(0).unwrap(), 0x1000, 0x100).unwrap();
    assert_eq!(elsewhere.read_u32(0).unwrap(), u32::MAX);
    match Driver::bind(elsewhere) {
        Err(Error::Bind(BindError::IdMismatch { found, .. })) => assert_eq!(found, 0xff00_00ff),
        other => panic!("expected IdMismatch, got {other:?}"),
    }
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn factorial_by_polling() {
    let uio = open_edu();
    let edu = Driver::bind(uio.map(0).unwrap()).unwrap();
    assert_eq!(edu.factorial(10, T).unwrap(), 3_628_800);
    assert_eq!(
        edu.factorial(13, T).unwrap(),
        (6_227_020_800u64 % (1 << 32)) as u32
    );
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn factorial_by_interrupt_through_uio() {
    let uio = open_edu();
    let w = uio.map(0).unwrap();
    quiesce(&uio, &w).unwrap();
    let edu = Driver::bind(w).unwrap();
    let mut count = None;
    let v = edu
        .factorial_with_interrupt(9, || {
            count = Some(uio.wait_irq(T)?.count);
            Ok(())
        })
        .unwrap();
    assert_eq!(v, 362_880);
    assert!(count.is_some());
    assert_eq!(edu.interrupt_status() & IRQ_FACTORIAL, 0, "acknowledged");
    uio.enable_irq().unwrap();
    // Nothing else is pending: the next wait times out.
    assert!(matches!(
        uio.wait_irq(Duration::from_millis(100)),
        Err(DeviceError::IrqTimeout { .. })
    ));
}
