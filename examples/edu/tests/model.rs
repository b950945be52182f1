//! The driver against the behavioural model: every path without QEMU.

use edu_driver::edu::{DmaCommand, Status};
use edu_driver::model::EduModel;
use edu_driver::{DEVICE_BUFFER, Direction, DmaFailed, Driver, Error, IRQ_DMA, IRQ_FACTORIAL};
use regmap_runtime::dma::{DmaAllocator, SimMemory};
use regmap_runtime::{BindError, Bus, DeviceError, MemBus};
use std::sync::Arc;
use std::time::Duration;

const T: Duration = Duration::from_secs(1);

/// Simulated RAM below edu's 28-bit DMA mask, a model, and a driver bound to it.
fn setup() -> (
    SimMemory,
    EduModel,
    Driver<Arc<regmap_runtime::model::ModelBus>>,
) {
    let mem = SimMemory::new(0x0100_0000, 0x10_0000);
    let model = EduModel::new(mem.clone());
    model.set_bus_master(true);
    let drv = Driver::bind(model.bus()).expect("bind to the model");
    (mem, model, drv)
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

#[test]
fn bind_checks_size_and_identification() {
    let (_, _, drv) = setup();
    assert_eq!(drv.version(), (1, 0));
    match Driver::bind(MemBus::new(0x100)) {
        Err(Error::Bind(BindError::IdMismatch { found, .. })) => assert_eq!(found, 0),
        other => panic!("expected IdMismatch, got {other:?}"),
    }
    match Driver::bind(MemBus::new(0x80)) {
        Err(Error::Bind(BindError::WindowTooSmall { needed, .. })) => assert_eq!(needed, 0x100),
        other => panic!("expected WindowTooSmall, got {other:?}"),
    }
}

#[test]
fn liveness_passes_on_the_device_and_fails_on_plain_memory() {
    let (_, _, drv) = setup();
    drv.check_liveness().unwrap();
    // Plain memory with the right ID binds, but reads back what was written.
    let mem = MemBus::new(0x100);
    mem.write_u32(0, 0x0100_00ed).unwrap();
    let fake = Driver::bind(mem).unwrap();
    match fake.check_liveness() {
        Err(Error::Liveness { wrote, read }) => assert_eq!((wrote, read), (0, 0)),
        other => panic!("expected a liveness failure, got {other:?}"),
    }
}

#[test]
fn factorial_by_polling_including_wraparound() {
    let (_, _, drv) = setup();
    assert_eq!(drv.factorial(0, T).unwrap(), 1);
    assert_eq!(drv.factorial(5, T).unwrap(), 120);
    assert_eq!(drv.factorial(12, T).unwrap(), 479_001_600);
    // 13! does not fit 32 bits; the device keeps the low 32.
    assert_eq!(
        drv.factorial(13, T).unwrap(),
        (6_227_020_800u64 % (1 << 32)) as u32
    );
}

#[test]
fn a_second_factorial_while_computing_is_refused() {
    let (_, _, drv) = setup();
    drv.start_factorial(6, false).unwrap();
    assert!(matches!(
        drv.start_factorial(7, false),
        Err(Error::FactorialBusy)
    ));
    // The busy poll let the model finish; the first computation's result stands.
    assert_eq!(drv.factorial_result(), Some(720));
}

#[test]
fn factorial_by_interrupt_acknowledges_it() {
    let (_, model, drv) = setup();
    let v = drv
        .factorial_with_interrupt(8, || model.wait_irq())
        .unwrap();
    assert_eq!(v, 40_320);
    assert_eq!(model.interrupts(), 1);
    assert_eq!(drv.interrupt_status(), 0, "acknowledged");
    // SAFETY: a read; nothing is started.
    let regs = unsafe { drv.regs() };
    assert!(
        !regs.status().read().get(Status::IRQ_ON_FACTORIAL),
        "left off again"
    );
    // The next polled factorial raises nothing.
    drv.factorial(3, T).unwrap();
    assert_eq!(model.interrupts(), 1);
}

#[test]
fn factorial_interrupt_errors_are_typed() {
    let (_, model, drv) = setup();
    let timeout = || {
        Err(DeviceError::IrqTimeout {
            device: "test".into(),
            timeout: T,
        })
    };
    assert!(matches!(
        drv.factorial_with_interrupt(4, timeout),
        Err(Error::Interrupt(DeviceError::IrqTimeout { .. }))
    ));
    model.run_pending();
    drv.acknowledge(u32::MAX);
    // A wake-up by some other interrupt: the factorial bit is not set.
    drv.raise_interrupt(0x40);
    match drv.factorial_with_interrupt(4, || Ok(())) {
        Err(Error::UnexpectedInterrupt { status, expected }) => {
            assert_eq!((status, expected), (0x40, IRQ_FACTORIAL))
        }
        other => panic!("expected UnexpectedInterrupt, got {other:?}"),
    }
}

#[test]
fn dma_round_trips_at_aligned_and_unaligned_lengths() {
    let (mem, model, drv) = setup();
    for (len, offset) in [
        (4, 0),
        (1, 0),
        (3, 1),
        (100, 0x10),
        (1000, 0x801),
        (4095, 0),
    ] {
        let mut src = mem.allocate(len).unwrap();
        let dst = mem.allocate(len).unwrap();
        let data = pattern(len, len as u8);
        src.as_bytes_mut().copy_from_slice(&data);
        drv.copy_to_device(&model, src, 0..len, offset, T).unwrap();
        assert_eq!(
            &model.buffer()[offset..offset + len],
            &data[..],
            "len {len}"
        );
        let dst = drv
            .copy_from_device(&model, dst, 0..len, offset, T)
            .unwrap();
        assert_eq!(dst.as_bytes(), &data[..], "len {len}");
    }
    assert_eq!(model.guest_errors(), Vec::<String>::new());
}

#[test]
fn dma_completion_interrupt() {
    let (mem, model, drv) = setup();
    let buf = mem.allocate(64).unwrap();
    buf.sync_for_device(..).unwrap();
    // SAFETY: `buf` is owned here, synced, and outlives the wait below.
    unsafe { drv.start_dma(&model, Direction::ToDevice, buf.phys_addr(), 0, 64, true) }.unwrap();
    model.wait_irq().unwrap();
    assert!(!drv.dma_busy());
    assert_eq!(drv.interrupt_status(), IRQ_DMA);
    drv.acknowledge(IRQ_DMA);
    assert!(!model.irq_pending());
}

#[test]
fn a_second_dma_while_one_runs_is_refused() {
    let (mem, model, drv) = setup();
    let buf = mem.allocate(64).unwrap();
    // SAFETY: `buf` is owned here and outlives the wait below; the second
    // start is refused before it touches the device.
    unsafe { drv.start_dma(&model, Direction::ToDevice, buf.phys_addr(), 0, 64, false) }.unwrap();
    assert!(matches!(
        // SAFETY: as above.
        unsafe { drv.start_dma(&model, Direction::ToRam, buf.phys_addr(), 0, 64, false) },
        Err(Error::DmaBusy)
    ));
    drv.wait_dma(T).unwrap();
}

#[test]
fn dma_arguments_are_checked_before_the_device_is_touched() {
    let (mem, model, drv) = setup();
    let buf = mem.allocate(64).unwrap();
    let p = buf.phys_addr();
    let outside = |offset, len| {
        matches!(
            // SAFETY: refused before the device is touched.
            unsafe { drv.start_dma(&model, Direction::ToDevice, p, offset, len, false) },
            Err(Error::OutsideDeviceBuffer { .. })
        )
    };
    assert!(outside(0, 0));
    assert!(outside(4000, 97));
    assert!(outside(usize::MAX, 2));
    assert!(matches!(
        // SAFETY: refused before the device is touched.
        unsafe { drv.start_dma(&model, Direction::ToDevice, 0x0fff_fff0, 0, 0x20, false) },
        Err(Error::BeyondDmaMask {
            start: 0x0fff_fff0,
            end: 0x1000_0010
        })
    ));
    assert!(!drv.dma_busy(), "nothing was started");
}

#[test]
fn bus_mastering_off_is_refused_instead_of_reading_stale_data() {
    let (mem, model, drv) = setup();
    let mut buf = mem.allocate(256).unwrap();
    buf.as_bytes_mut().fill(0xee); // what a stale read would show
    buf.sync_for_device(..).unwrap();
    model.set_bus_master(false);

    let mut buf = match drv.copy_from_device(&model, buf, 0..256, 0, T) {
        Err(DmaFailed {
            error: Error::DmaNotAllowed(DeviceError::BusMasterDisabled { .. }),
            buffer: Some(buf),
        }) => buf,
        other => panic!("expected DmaNotAllowed with the buffer back, got {other:?}"),
    };
    assert!(!drv.dma_busy(), "the device was never started");

    // What the check prevents: programmed directly, the device reports the
    // transfer done and memory keeps its old bytes, with no error anywhere.
    // SAFETY: `buf` is owned here, synced, and kept until the wait returns.
    let regs = unsafe { drv.regs() };
    regs.dma_source().write(|w| w.set_bits(DEVICE_BUFFER));
    regs.dma_destination()
        .write(|w| w.set_bits(buf.phys_addr()));
    regs.dma_count().write(|w| w.set_bits(256));
    regs.dma_command().write(|w| {
        w.set(DmaCommand::START, true)
            .set(DmaCommand::DIRECTION, Direction::ToRam)
    });
    drv.wait_dma(T).expect("the device says it is done");
    buf.sync_for_cpu(..).unwrap();
    assert!(
        buf.as_bytes().iter().all(|&b| b == 0xee),
        "stale data, silently"
    );
}

#[test]
fn a_copy_that_times_out_leaks_its_buffer_instead_of_handing_it_back() {
    let (mem, model, drv) = setup();
    let buf = mem.allocate(256).unwrap();
    let phys = buf.phys_addr();
    // No time at all: the model finishes a DMA only on a later poll.
    let failed = drv
        .copy_from_device(&model, buf, 0..256, 0, Duration::ZERO)
        .unwrap_err();
    assert!(matches!(failed.error, Error::DmaTimeout { .. }), "{failed}");
    assert!(failed.buffer.is_none(), "the device may still write it");
    assert!(failed.to_string().contains("leaked"), "{failed}");
    // The device finishes into the leaked buffer, which nobody else got.
    let other = mem.allocate(256).unwrap();
    assert_ne!(other.phys_addr(), phys, "leaked memory handed out again");
    drv.wait_dma(T).unwrap();
    assert_eq!(model.guest_errors(), Vec::<String>::new());
}
