//! Interrupts through UIO on a PCI device: uio_pci_generic has no irqcontrol, so
//! the runtime unmasks INTx through the command register; the kernel masks it
//! again on every interrupt.

use regmap_runtime::uio::IrqControl;
use regmap_runtime::{Bus, DeviceError};
use regmap_vm_tests::{eventually, open_edu, quiesce, reg};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(2);

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn each_interrupt_is_waited_for_with_its_count() {
    let uio = open_edu();
    let w = uio.map(0).unwrap();
    let pci = uio.pci().unwrap();
    quiesce(&uio, &w).unwrap();
    let mut last = None;
    for i in 0..3u32 {
        let bits = 0x10 << i;
        w.write_u32(reg::IRQ_RAISE, bits).unwrap();
        let ev = uio.wait_irq(WAIT).expect("interrupt delivered");
        if let Some(prev) = last {
            assert_eq!(ev.count, prev + 1, "one interrupt per raise");
        }
        assert_eq!(ev.missed, 0);
        last = Some(ev.count);
        assert_eq!(w.read_u32(reg::IRQ_STATUS).unwrap(), bits);
        assert!(
            pci.is_intx_disabled().unwrap(),
            "the kernel masks INTx on each interrupt"
        );
        w.write_u32(reg::IRQ_ACK, bits).unwrap();
        assert_eq!(w.read_u32(reg::IRQ_STATUS).unwrap(), 0);
        uio.enable_irq().unwrap();
        assert!(!pci.is_intx_disabled().unwrap());
    }
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn waiting_with_nothing_raised_times_out() {
    let uio = open_edu();
    let w = uio.map(0).unwrap();
    quiesce(&uio, &w).unwrap();
    let timeout = Duration::from_millis(200);
    let start = Instant::now();
    match uio.wait_irq(timeout) {
        Err(DeviceError::IrqTimeout { timeout: t, .. }) => assert_eq!(t, timeout),
        other => panic!("expected IrqTimeout, got {other:?}"),
    }
    assert!(
        start.elapsed() >= timeout,
        "returned after {:?}",
        start.elapsed()
    );
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn interrupts_between_waits_are_counted_as_missed() {
    let uio = open_edu();
    let w = uio.map(0).unwrap();
    let pci = uio.pci().unwrap();
    quiesce(&uio, &w).unwrap();
    // One ordinary round, so the next wait has a count to compare with.
    w.write_u32(reg::IRQ_RAISE, 1).unwrap();
    let first = uio.wait_irq(WAIT).expect("first interrupt");
    w.write_u32(reg::IRQ_ACK, 1).unwrap();
    uio.enable_irq().unwrap();
    // Two interrupts the program does not wait for: each is handled by the kernel
    // (which masks INTx), acknowledged and unmasked.
    for _ in 0..2 {
        w.write_u32(reg::IRQ_RAISE, 2).unwrap();
        assert!(
            eventually(WAIT, || pci.is_intx_disabled().unwrap()),
            "the kernel handled the interrupt"
        );
        w.write_u32(reg::IRQ_ACK, 2).unwrap();
        uio.enable_irq().unwrap();
    }
    let ev = uio.wait_irq(WAIT).expect("the count moved");
    assert_eq!(ev.count, first.count + 2);
    assert_eq!(ev.missed, 1, "two arrived, one is reported: one missed");
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn unmasking_before_acknowledging_fires_again() {
    // INTx is level-triggered: the line stays asserted until the device is
    // acknowledged, so unmasking first delivers the same interrupt again.
    let uio = open_edu();
    let w = uio.map(0).unwrap();
    quiesce(&uio, &w).unwrap();
    w.write_u32(reg::IRQ_RAISE, 4).unwrap();
    let first = uio.wait_irq(WAIT).expect("interrupt");
    uio.enable_irq().unwrap();
    let again = uio
        .wait_irq(WAIT)
        .expect("the still-asserted line fires again");
    assert!(again.count > first.count);
    w.write_u32(reg::IRQ_ACK, 4).unwrap();
    uio.enable_irq().unwrap();
    assert!(matches!(
        uio.wait_irq(Duration::from_millis(100)),
        Err(DeviceError::IrqTimeout { .. })
    ));
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn uio_pci_generic_is_unmasked_through_the_command_register() {
    let uio = open_edu();
    // Nothing is settled before the first use: write(1) is tried first.
    assert!(matches!(uio.irq_control(), IrqControl::Auto(Some(_))));
    uio.enable_irq().unwrap();
    // uio_pci_generic answers write(1) with ENOSYS: the runtime fell back to the
    // INTx-disable bit in the function's config space.
    match uio.irq_control() {
        IrqControl::PciIntx(config) => assert_eq!(
            config.canonicalize().unwrap(),
            uio.pci().unwrap().config_path().canonicalize().unwrap(),
            "the config space of the function behind the UIO device"
        ),
        other => panic!("expected PciIntx, got {other:?}"),
    }
    uio.disable_irq().unwrap();
    assert!(uio.pci().unwrap().is_intx_disabled().unwrap());
    uio.enable_irq().unwrap();
    assert!(!uio.pci().unwrap().is_intx_disabled().unwrap());
}
