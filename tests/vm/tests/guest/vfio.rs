//! The second edu device through vfio-pci, behind QEMU's emulated Intel IOMMU:
//! registers through the VFIO BAR region, MSI and INTx on eventfds, DMA to
//! IOVAs, the IOMMU refusing a DMA to an address nobody mapped, and the edu
//! example driver running unchanged over UIO and VFIO.

use edu_driver::{DEVICE_BUFFER_LEN, Driver, IRQ_DMA, IRQ_FACTORIAL};
use regmap_runtime::dma::{DmaAllocator, DmaSpace, SimMemory, SubAllocator};
use regmap_runtime::{Bus, DeviceError, DmaPermission, VfioIrqKind};
use regmap_vm_tests::{eventually, open_edu, open_edu_vfio, quiesce, reg};
use std::io::Read;
use std::time::Duration;

const T: Duration = Duration::from_secs(2);

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn id_and_liveness_through_the_vfio_bar() {
    let vfio = open_edu_vfio();
    let bar = vfio.bar(0).unwrap();
    assert_eq!(bar.size(), regmap_vm_tests::EDU_BAR_SIZE);
    assert_eq!(bar.read_u32(reg::ID).unwrap(), 0x0100_00ed);
    bar.write_u32(reg::LIVENESS, 0x1234_5678).unwrap();
    assert_eq!(bar.read_u32(reg::LIVENESS).unwrap(), !0x1234_5678);
    // This is the VFIO-bound edu, not the UIO one.
    assert_ne!(
        vfio.address(),
        open_edu().pci().unwrap().address(),
        "two distinct functions"
    );
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn the_group_is_held_by_one_opener_at_a_time() {
    let vfio = open_edu_vfio();
    match regmap_runtime::Vfio::open(vfio.address()) {
        Err(DeviceError::Busy { path }) => assert!(path.starts_with("/dev/vfio")),
        other => panic!("expected Busy, got {other:?}"),
    }
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn the_uio_bound_edu_is_refused_with_the_rebind_command() {
    let uio_edu = open_edu().pci().unwrap();
    match regmap_runtime::Vfio::open(uio_edu.address()) {
        Err(DeviceError::WrongDriver { driver, fix, .. }) => {
            assert_eq!(driver, "uio_pci_generic");
            assert!(fix.contains("driver_override"), "{fix}");
        }
        other => panic!("expected WrongDriver, got {other:?}"),
    }
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn factorial_by_msi() {
    let vfio = open_edu_vfio();
    // vfio-pci hands the function over with bus mastering off, which would
    // drop every MSI (a memory write): enabling MSI turns it on.
    vfio.disable_bus_master().unwrap();
    assert!(
        vfio.irq_count(VfioIrqKind::Msi).unwrap() >= 1,
        "edu has MSI"
    );
    assert_eq!(
        vfio.irq_count(VfioIrqKind::Msix).unwrap(),
        0,
        "and no MSI-X"
    );
    let irq = vfio.best_irq().unwrap();
    assert_eq!(irq.kind(), VfioIrqKind::Msi);
    assert!(vfio.is_bus_master().unwrap());
    let edu = Driver::bind(vfio.bar(0).unwrap()).unwrap();
    edu.acknowledge(u32::MAX);
    irq.take().unwrap();
    let v = edu
        .factorial_with_interrupt(10, || irq.wait(T).map(drop))
        .unwrap();
    assert_eq!(v, 3_628_800);
    // MSI is an edge: nothing more arrives once acknowledged.
    assert!(matches!(
        irq.wait(Duration::from_millis(100)),
        Err(DeviceError::IrqTimeout { .. })
    ));
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn intx_is_masked_until_unmasked_after_the_acknowledge() {
    let vfio = open_edu_vfio();
    let irq = vfio.irq(VfioIrqKind::Intx).unwrap();
    let bar = vfio.bar(0).unwrap();
    bar.write_u32(reg::IRQ_ACK, u32::MAX).unwrap();
    irq.unmask().unwrap();
    irq.take().unwrap();
    bar.write_u32(reg::IRQ_RAISE, 0x5).unwrap();
    assert!(irq.wait(T).unwrap() >= 1);
    bar.write_u32(reg::IRQ_ACK, 0x5).unwrap();
    irq.unmask().unwrap();
    assert!(
        matches!(
            irq.wait(Duration::from_millis(200)),
            Err(DeviceError::IrqTimeout { .. })
        ),
        "acknowledged, then unmasked: quiet"
    );
    bar.write_u32(reg::IRQ_RAISE, 0x6).unwrap();
    assert!(irq.wait(T).unwrap() >= 1, "fires again once unmasked");
    bar.write_u32(reg::IRQ_ACK, 0x6).unwrap();
    irq.unmask().unwrap();
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn dma_round_trip_through_iova_buffers() {
    let vfio = open_edu_vfio();
    vfio.enable_bus_master().unwrap();
    vfio.check_dma_allowed().unwrap();
    let edu = Driver::bind(vfio.bar(0).unwrap()).unwrap();
    let dma = vfio.dma();
    // The kernel reports the IOVAs its IOMMU can map: the x86 interrupt
    // window at 0xfee00000 is not among them.
    let usable = dma.usable_ranges();
    assert_ne!(usable, [(0, u64::MAX)], "the kernel reported ranges");
    assert!(
        usable
            .iter()
            .all(|&(s, e)| e < 0xfee0_0000 || s > 0xfeef_ffff),
        "{usable:x?}"
    );
    let mut out = dma.allocate(8192).unwrap();
    let back = dma.allocate(8192).unwrap();
    // IOVAs, not physical addresses: from the allocator's low range, distinct.
    assert!(out.phys_addr() >= 0x10_0000 && out.phys_addr() < 1 << 28);
    assert_ne!(out.phys_addr(), back.phys_addr());
    for (i, b) in out.as_bytes_mut().iter_mut().enumerate() {
        *b = (i * 7 + 3) as u8;
    }
    let out = edu.copy_to_device(&vfio, out, 100..1100, 8, T).unwrap();
    let back = edu.copy_from_device(&vfio, back, 2000..3000, 8, T).unwrap();
    assert_eq!(&back.as_bytes()[2000..3000], &out.as_bytes()[100..1100]);
    assert!(
        back.as_bytes()[..2000].iter().all(|&b| b == 0),
        "nothing else written"
    );
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn bus_mastering_off_is_refused() {
    let vfio = open_edu_vfio();
    vfio.disable_bus_master().unwrap();
    assert!(matches!(
        vfio.check_dma_allowed(),
        Err(DeviceError::BusMasterDisabled { .. })
    ));
    let edu = Driver::bind(vfio.bar(0).unwrap()).unwrap();
    let buf = vfio.dma().allocate(4096).unwrap();
    let failed = edu.copy_to_device(&vfio, buf, 0..64, 0, T).unwrap_err();
    assert!(
        failed.buffer.is_some(),
        "refused before the start: buffer back"
    );
    vfio.enable_bus_master().unwrap();
}

/// The kernel log so far (`/dev/kmsg` records, read without blocking).
fn kernel_log() -> String {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open("/dev/kmsg")
        .unwrap();
    let mut out = String::new();
    let mut rec = vec![0u8; 8192];
    loop {
        match f.read(&mut rec) {
            Ok(0) => break,
            Ok(n) => out.push_str(&String::from_utf8_lossy(&rec[..n])),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
            // A record overwritten while reading: skip to the next.
            Err(e) if e.raw_os_error() == Some(libc::EPIPE) => continue,
            Err(e) => panic!("reading /dev/kmsg: {e}"),
        }
    }
    out
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn dma_to_an_unmapped_iova_is_refused_by_the_iommu() {
    let vfio = open_edu_vfio();
    vfio.enable_bus_master().unwrap();
    let edu = Driver::bind(vfio.bar(0).unwrap()).unwrap();
    let dma = vfio.dma();
    // A mapped canary: the DMA must not land in it, nor anywhere else.
    let canary = dma.allocate(4096).unwrap();
    let unmapped: u64 = 0x0f00_0000;
    assert!(canary.phys_addr() + 4096 <= unmapped || canary.phys_addr() > unmapped + 4096);
    let faults_before = kernel_log().matches("DMAR").count();
    // SAFETY: the target is an IOVA nothing is mapped at: the IOMMU refuses
    // every write there, so no memory of anyone's is written.
    unsafe { edu.start_dma(&vfio, edu_driver::Direction::ToRam, unmapped, 0, 256, false) }.unwrap();
    edu.wait_dma(T).unwrap();
    assert!(
        canary.as_bytes().iter().all(|&b| b == 0),
        "canary untouched"
    );
    // edu has no error register: the refusal shows in the IOMMU's fault log,
    // naming the address the device tried.
    assert!(
        eventually(T, || {
            let log = kernel_log();
            log.matches("DMAR").count() > faults_before && log.contains("fault addr 0xf000000")
        }),
        "no DMAR fault for IOVA {unmapped:#x} in the kernel log"
    );
}

/// The same driver code over any transport: binds, checks liveness, computes
/// a factorial by interrupt and copies a buffer through the device.
fn exercise<B: Bus>(
    edu: &Driver<B>,
    permission: &impl DmaPermission,
    alloc: &impl DmaAllocator,
    mut wait: impl FnMut() -> Result<(), DeviceError>,
) {
    assert_eq!(edu.version(), (1, 0));
    edu.check_liveness().unwrap();
    assert_eq!(edu.factorial_with_interrupt(6, &mut wait).unwrap(), 720);
    assert_eq!(edu.interrupt_status() & (IRQ_FACTORIAL | IRQ_DMA), 0);
    let mut out = alloc.allocate(4096).unwrap();
    out.as_bytes_mut()[..512].fill(0xa5);
    let back = alloc.allocate(4096).unwrap();
    let out = edu
        .copy_to_device(permission, out, 0..512, DEVICE_BUFFER_LEN - 1024, T)
        .unwrap();
    let back = edu
        .copy_from_device(permission, back, 0..512, DEVICE_BUFFER_LEN - 1024, T)
        .unwrap();
    assert_eq!(&back.as_bytes()[..512], &out.as_bytes()[..512]);
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn the_same_driver_code_runs_over_uio_and_vfio() {
    let uio = open_edu();
    let w = uio.map(0).unwrap();
    quiesce(&uio, &w).unwrap();
    let pci = uio.pci().unwrap();
    pci.enable_bus_master().unwrap();
    let pool = SubAllocator::new(regmap_vm_tests::hugetlb().allocate_region(2 << 20).unwrap());
    exercise(&Driver::bind(w).unwrap(), &pci, &pool, || {
        uio.wait_irq(T)?;
        Ok(())
    });
    uio.enable_irq().unwrap();

    let vfio = open_edu_vfio();
    vfio.enable_bus_master().unwrap();
    let irq = vfio.irq(VfioIrqKind::Msi).unwrap();
    let edu = Driver::bind(vfio.bar(0).unwrap()).unwrap();
    edu.acknowledge(u32::MAX);
    irq.take().unwrap();
    exercise(&edu, &vfio, &vfio.dma(), || irq.wait(T).map(drop));
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn uio_and_vfio_interrupts_are_awaited_together_on_one_thread() {
    let uio = open_edu();
    let uio_bar = uio.map(0).unwrap();
    quiesce(&uio, &uio_bar).unwrap();
    let vfio = open_edu_vfio();
    let msi = vfio.irq(VfioIrqKind::Msi).unwrap();
    let vfio_bar = vfio.bar(0).unwrap();
    vfio_bar.write_u32(reg::IRQ_ACK, u32::MAX).unwrap();
    msi.take().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (u, v) = rt.block_on(async {
        // Both waits are pending before either device is poked, by a third
        // task on the same thread: a blocking wait would starve it.
        let poke = async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            vfio_bar.write_u32(reg::IRQ_RAISE, 0x10).unwrap();
            uio_bar.write_u32(reg::IRQ_RAISE, 0x20).unwrap();
        };
        let (u, v, ()) = tokio::join!(uio.wait_irq_async(T), msi.wait_async(T), poke);
        (u, v)
    });
    assert!(u.unwrap().count >= 1);
    assert!(v.unwrap() >= 1);
    assert_eq!(vfio_bar.read_u32(reg::IRQ_STATUS).unwrap(), 0x10);
    assert_eq!(uio_bar.read_u32(reg::IRQ_STATUS).unwrap(), 0x20);
    vfio_bar.write_u32(reg::IRQ_ACK, 0x10).unwrap();
    uio_bar.write_u32(reg::IRQ_ACK, 0x20).unwrap();
    uio.enable_irq().unwrap();
    // And a deadline with nothing raised is a timeout, not a hang.
    assert!(matches!(
        rt.block_on(msi.wait_async(Duration::from_millis(50))),
        Err(DeviceError::IrqTimeout { .. })
    ));
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn a_buffer_of_another_address_space_is_refused_before_the_device_sees_it() {
    let vfio = open_edu_vfio();
    vfio.enable_bus_master().unwrap();
    let bar = vfio.bar(0).unwrap();
    assert!(matches!(bar.dma_space(), DmaSpace::Iommu(_)));
    let through_vfio = Driver::bind(bar).unwrap();
    let uio = open_edu();
    let w = uio.map(0).unwrap();
    // uio_pci_generic in an identity IOMMU group (`iommu=pt`): physical.
    assert_eq!(w.dma_space(), DmaSpace::Physical);
    quiesce(&uio, &w).unwrap();
    let pci = uio.pci().unwrap();
    pci.enable_bus_master().unwrap();
    let through_uio = Driver::bind(w).unwrap();
    let wrong = |failed: &edu_driver::DmaFailed| {
        matches!(failed.error, edu_driver::Error::WrongSpace { .. }) && failed.buffer.is_some()
    };

    // An IOVA is some physical page to the device behind UIO...
    let iova = vfio.dma().allocate(4096).unwrap();
    assert!(matches!(iova.dma_space(), DmaSpace::Iommu(_)));
    let failed = through_uio
        .copy_to_device(&pci, iova, 0..64, 0, T)
        .unwrap_err();
    assert!(wrong(&failed), "{}", failed.error);
    // ...a physical address is an unmapped or foreign IOVA to the one behind
    // VFIO...
    let pool = SubAllocator::new(regmap_vm_tests::hugetlb().allocate_region(2 << 20).unwrap());
    let physical = pool.allocate(4096).unwrap();
    assert_eq!(physical.dma_space(), DmaSpace::Physical);
    let failed = through_vfio
        .copy_to_device(&vfio, physical, 0..64, 0, T)
        .unwrap_err();
    assert!(wrong(&failed), "{}", failed.error);
    // ...and a simulated buffer's address is real memory to both.
    let sim = SimMemory::new(0x10_0000, 1 << 20);
    for failed in [
        through_uio.copy_from_device(&pci, sim.allocate(4096).unwrap(), 0..64, 0, T),
        through_vfio.copy_from_device(&vfio, sim.allocate(4096).unwrap(), 0..64, 0, T),
    ] {
        let failed = failed.unwrap_err();
        assert!(wrong(&failed), "{}", failed.error);
    }
}
