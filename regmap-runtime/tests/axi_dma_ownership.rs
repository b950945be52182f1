//! Who owns what while the engine runs: buffers stay owned (or leak) across
//! panics, one driver per register window, device-reported lengths checked,
//! and waits without a deadline.

mod common;

use regmap_runtime::Bus;
use regmap_runtime::axi_dma::model::{
    AxiDmaModel, BusFault, ModelFaults, ModelPort, PhysMemory, TestStream,
};
use regmap_runtime::axi_dma::{
    AxiDma, AxiDmaConfig, AxiDmaError, Channel, DescriptorRing, InterruptLine,
};
use regmap_runtime::dma::{DmaAllocator, DmaBuffer, SimMemory};
use regmap_runtime::error::DeviceError;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Duration;

use common::{attach_stream, filled};

const T: Duration = Duration::from_millis(200);

fn config(sg: bool) -> AxiDmaConfig {
    AxiDmaConfig {
        sg,
        ..AxiDmaConfig::default()
    }
}

/// An interrupt line whose wait panics, standing in for anything that
/// unwinds while a transfer is in flight.
struct PanickingLine;

impl InterruptLine for PanickingLine {
    fn enable(&self) -> Result<(), DeviceError> {
        Ok(())
    }
    fn wait(&self, _: Duration) -> Result<bool, DeviceError> {
        panic!("interrupt line failed mid-wait");
    }
}

struct Rig {
    mem: SimMemory,
    model: AxiDmaModel,
    dma: AxiDma<ModelPort>,
}

fn rig(sg: bool, panicking: Option<Channel>) -> Rig {
    let cfg = config(sg);
    let mem = SimMemory::new(0x4000_0000, 1 << 20);
    let model = AxiDmaModel::new(cfg, Arc::new(mem.clone())).unwrap();
    let mut dma = model.driver().unwrap();
    if let Some(ch) = panicking {
        dma = dma.with_interrupt(ch, PanickingLine).unwrap();
    }
    dma.reset(T).unwrap();
    dma.start(Channel::Mm2s, T).unwrap();
    dma.start(Channel::S2mm, T).unwrap();
    Rig { mem, model, dma }
}

/// Allocates a few buffers of `len` from `mem` and asserts none overlaps
/// `taken` (physical start, length).
fn assert_not_handed_out_again(mem: &SimMemory, len: usize, taken: &[(u64, usize)]) {
    let mut fresh: Vec<DmaBuffer> = Vec::new();
    for _ in 0..4 {
        let b = mem.allocate(len).unwrap();
        let (start, end) = (b.phys_addr(), b.phys_addr() + len as u64);
        for &(t, n) in taken {
            assert!(
                end <= t || start >= t + n as u64,
                "{start:#x}..{end:#x} overlaps {t:#x}+{n:#x}, which the engine may still write"
            );
        }
        fresh.push(b);
    }
}

#[test]
fn a_panic_mid_wait_leaks_the_buffer_instead_of_freeing_it_under_the_engine() {
    let r = rig(false, Some(Channel::S2mm));
    let stream = attach_stream(&r.model);
    let rx = r.mem.allocate(256).unwrap();
    let rx_phys = rx.phys_addr();
    let transfer = r.dma.receive(rx).unwrap();
    let unwound = catch_unwind(AssertUnwindSafe(|| transfer.wait(T)));
    assert!(unwound.is_err(), "the interrupt line panicked");

    assert_not_handed_out_again(&r.mem, 256, &[(rx_phys, 256)]);
    // The engine is still armed on the leaked buffer, and writes there.
    stream.push(vec![0x5a; 256], true);
    let status = r.dma.status(Channel::S2mm).unwrap();
    assert!(status.idle(), "{status}");
    assert_eq!(r.mem.read_u32(rx_phys).unwrap(), 0x5a5a_5a5a);
    // The channel stays busy until a reset.
    let refused = r.dma.receive(r.mem.allocate(64).unwrap()).unwrap_err();
    assert!(matches!(
        refused.error,
        AxiDmaError::ChannelBusy(Channel::S2mm)
    ));
}

#[test]
fn a_panic_mid_sg_wait_leaks_the_ring_and_the_data() {
    let r = rig(true, Some(Channel::S2mm));
    let _stream = attach_stream(&r.model);
    let ring_buf = r.mem.allocate(DescriptorRing::bytes_for(4)).unwrap();
    let ring_phys = ring_buf.phys_addr();
    let ring = DescriptorRing::new(ring_buf, 0, 4).unwrap();
    let data = r.mem.allocate(256).unwrap();
    let data_phys = data.phys_addr();
    let transfer = r.dma.sg_receive(ring, data, 64).unwrap();
    let unwound = catch_unwind(AssertUnwindSafe(|| transfer.wait(T).is_ok()));
    assert!(unwound.is_err());
    assert_not_handed_out_again(
        &r.mem,
        256,
        &[(ring_phys, DescriptorRing::bytes_for(4)), (data_phys, 256)],
    );
}

#[test]
fn a_panic_inside_send_split_leaks_the_buffer() {
    let r = rig(false, Some(Channel::Mm2s));
    let _stream = attach_stream(&r.model);
    let tx = filled(&r.mem, &[7; 512]);
    let tx_phys = tx.phys_addr();
    let unwound = catch_unwind(AssertUnwindSafe(|| r.dma.send_split(tx, T)));
    assert!(unwound.is_err());
    assert_not_handed_out_again(&r.mem, 512, &[(tx_phys, 512)]);
}

#[test]
fn waits_of_duration_max_on_an_interrupt_line_mean_no_deadline() {
    let cfg = config(false);
    let mem = SimMemory::new(0x4000_0000, 1 << 20);
    let model = AxiDmaModel::new(cfg, Arc::new(mem.clone())).unwrap();
    let mut dma = model
        .driver()
        .unwrap()
        .with_interrupt(Channel::Mm2s, model.irq(Channel::Mm2s))
        .unwrap()
        .with_interrupt(Channel::S2mm, model.irq(Channel::S2mm))
        .unwrap();
    dma.reset(T).unwrap();
    dma.start(Channel::Mm2s, T).unwrap();
    dma.start(Channel::S2mm, T).unwrap();
    let rx = dma.receive(mem.allocate(128).unwrap()).unwrap();
    let tx = dma.send(filled(&mem, &[3; 128])).unwrap();
    tx.wait(Duration::MAX).unwrap();
    let done = rx.wait(Duration::MAX).unwrap();
    assert_eq!(done.bytes, 128);
    assert!(done.buffer.as_bytes().iter().all(|&b| b == 3));
}

#[test]
fn one_driver_per_model_a_second_port_is_an_error_until_the_first_is_dropped() {
    let cfg = config(false);
    let mem = SimMemory::new(0x4000_0000, 1 << 20);
    let model = AxiDmaModel::new(cfg, Arc::new(mem)).unwrap();
    let first = model.driver().unwrap();
    let err = model.port().unwrap_err();
    assert!(matches!(err, AxiDmaError::RegistersTaken(_)), "{err}");
    assert!(err.to_string().contains("already owned"), "{err}");
    // Giving the bus back keeps the port taken; dropping it frees it.
    let port = first.into_inner().unwrap();
    assert!(model.port().is_err());
    drop(port);
    let second = model.driver();
    assert!(second.is_ok());
}

#[test]
fn a_new_driver_resets_an_engine_a_dropped_driver_left_running() {
    let cfg = config(false);
    let mem = SimMemory::new(0x4000_0000, 1 << 20);
    let model = AxiDmaModel::new(cfg, Arc::new(mem.clone())).unwrap();
    let stream = attach_stream(&model);
    let first = model.driver().unwrap();
    first.start(Channel::S2mm, T).unwrap();
    let leaked = mem.allocate(64).unwrap();
    let leaked_at = leaked.phys_addr();
    std::mem::forget(first.receive(leaked).unwrap());
    drop(first);
    let probe = model.port().unwrap();
    assert_eq!(probe.read_u32(0x34).unwrap() & 1, 0, "S2MM still running");
    drop(probe);

    let resets = model.stats().resets;
    let second = model.driver().unwrap();
    assert_eq!(model.stats().resets, resets + 1);
    for ch in Channel::BOTH {
        assert!(second.status(ch).unwrap().halted(), "{ch} halted by new");
    }
    // What the stream sends now lands in the second driver's buffer, not in
    // the one the first driver's engine was still armed with.
    second.start(Channel::S2mm, T).unwrap();
    let rx = second.receive(mem.allocate(64).unwrap()).unwrap();
    stream.push(vec![0xa5; 64], true);
    let done = rx.wait(T).unwrap();
    assert_eq!(done.bytes, 64);
    assert!(done.buffer.as_bytes().iter().all(|&b| b == 0xa5));
    let mut old = [0u8; 64];
    mem.read(leaked_at, &mut old).unwrap();
    assert!(
        old.iter().all(|&b| b != 0xa5),
        "the leaked buffer was written"
    );
}

#[test]
fn a_32_bit_driver_on_a_wider_ip_does_not_inherit_a_stale_upper_address_half() {
    let ip = AxiDmaConfig {
        addr_width: 64,
        ..config(false)
    };
    let mem = SimMemory::new(0x4000_0000, 1 << 20);
    let model = AxiDmaModel::new(ip, Arc::new(mem)).unwrap();
    let port = model.port().unwrap();
    // MM2S_SA_MSB and S2MM_DA_MSB, as an earlier user of the IP left them.
    port.write_u32(0x1C, 0xdead).unwrap();
    port.write_u32(0x4C, 0xbeef).unwrap();
    let claims_32 = config(false);
    let dma = AxiDma::new(port, claims_32).unwrap();
    let port = dma.into_inner().unwrap();
    assert_eq!(port.read_u32(0x1C).unwrap(), 0);
    assert_eq!(port.read_u32(0x4C).unwrap(), 0);
}

#[test]
fn a_reset_that_never_completes_fails_new_within_the_abort_timeout() {
    let cfg = config(true);
    let mem = SimMemory::new(0x4000_0000, 1 << 20);
    let model = AxiDmaModel::new(cfg, Arc::new(mem)).unwrap();
    model.set_faults(ModelFaults {
        reset_stuck: true,
        ..ModelFaults::default()
    });
    let t0 = std::time::Instant::now();
    let err = model.driver().unwrap_err();
    assert!(t0.elapsed() < Duration::from_secs(2));
    assert!(matches!(err, AxiDmaError::ResetTimeout { .. }), "{err}");
    // The failed `new` dropped its port: the model can be driven again.
    model.set_faults(ModelFaults::default());
    assert!(model.driver().is_ok());
}

/// A window that reports an S2MM LENGTH far beyond what was programmed, as a
/// corrupted register or a second writer would.
struct InflatedLength(ModelPort);

// SAFETY: size, alignment and the memory the device masters are the inner
// port's; reads forward to it.
unsafe impl Bus for InflatedLength {
    fn size(&self) -> usize {
        self.0.size()
    }
    fn dma_space(&self) -> regmap_runtime::dma::DmaSpace {
        self.0.dma_space()
    }
    unsafe fn read_u8_unchecked(&self, o: usize) -> u8 {
        // SAFETY: forwarded contract.
        unsafe { self.0.read_u8_unchecked(o) }
    }
    unsafe fn read_u16_unchecked(&self, o: usize) -> u16 {
        // SAFETY: forwarded contract.
        unsafe { self.0.read_u16_unchecked(o) }
    }
    unsafe fn read_u32_unchecked(&self, o: usize) -> u32 {
        // SAFETY: forwarded contract.
        let v = unsafe { self.0.read_u32_unchecked(o) };
        if o == 0x58 { v | 0x0010_0000 } else { v }
    }
    unsafe fn read_u64_unchecked(&self, o: usize) -> u64 {
        // SAFETY: forwarded contract.
        unsafe { self.0.read_u64_unchecked(o) }
    }
    unsafe fn write_u8_unchecked(&self, o: usize, v: u8) {
        // SAFETY: forwarded contract.
        unsafe { self.0.write_u8_unchecked(o, v) }
    }
    unsafe fn write_u16_unchecked(&self, o: usize, v: u16) {
        // SAFETY: forwarded contract.
        unsafe { self.0.write_u16_unchecked(o, v) }
    }
    unsafe fn write_u32_unchecked(&self, o: usize, v: u32) {
        // SAFETY: forwarded contract.
        unsafe { self.0.write_u32_unchecked(o, v) }
    }
    unsafe fn write_u64_unchecked(&self, o: usize, v: u64) {
        // SAFETY: forwarded contract.
        unsafe { self.0.write_u64_unchecked(o, v) }
    }
}

#[test]
fn an_s2mm_length_beyond_the_buffer_is_a_typed_error_with_the_buffer_back() {
    let cfg = config(false);
    let mem = SimMemory::new(0x4000_0000, 1 << 20);
    let model = AxiDmaModel::new(cfg, Arc::new(mem.clone())).unwrap();
    // SAFETY: the wrapper owns the model's only port; nothing else writes it.
    let mut dma =
        unsafe { AxiDma::new_unchecked(InflatedLength(model.port().unwrap()), cfg) }.unwrap();
    dma.reset(T).unwrap();
    dma.start(Channel::Mm2s, T).unwrap();
    dma.start(Channel::S2mm, T).unwrap();
    let rx = dma.receive(mem.allocate(64).unwrap()).unwrap();
    dma.send(filled(&mem, &[9; 64])).unwrap().wait(T).unwrap();
    let failed = rx.wait(T).unwrap_err();
    match &failed.error {
        AxiDmaError::DeviceLength {
            channel: Channel::S2mm,
            reported,
            capacity: 64,
        } => assert_eq!(*reported, 0x0010_0040),
        e => panic!("{e}"),
    }
    let buffer = failed
        .buffer
        .expect("the engine stopped, the buffer comes back");
    assert_eq!(buffer.len(), 64);
}

#[test]
fn an_s2mm_buffer_from_a_failure_is_synced_for_the_cpu() {
    let r = rig(false, None);
    let stream = TestStream::new();
    r.model.set_stream(stream.clone());
    let rx = r.dma.receive(r.mem.allocate(64).unwrap()).unwrap();
    // Half a packet and no TLAST: the transfer times out with data written.
    stream.push(vec![0xc3; 32], false);
    let failed = rx.wait(Duration::from_millis(30)).unwrap_err();
    assert!(
        matches!(failed.error, AxiDmaError::Timeout(_)),
        "{}",
        failed.error
    );
    let buffer = failed.buffer.expect("the engine stopped");
    assert_eq!(
        &buffer.as_bytes()[..32],
        &[0xc3; 32],
        "what the device wrote is visible to the CPU"
    );
}

/// Memory that corrupts every descriptor STATUS word the engine writes: the
/// Transferred Bytes field claims 1 MiB more than moved.
struct InflatedStatus(SimMemory);

impl PhysMemory for InflatedStatus {
    fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), BusFault> {
        PhysMemory::read(&self.0, addr, out)
    }
    fn write(&self, addr: u64, data: &[u8]) -> Result<(), BusFault> {
        if addr % 0x40 == 0x1C && data.len() == 4 {
            let word = u32::from_le_bytes(data.try_into().unwrap()) | 0x0010_0000;
            return PhysMemory::write(&self.0, addr, &word.to_le_bytes());
        }
        PhysMemory::write(&self.0, addr, data)
    }
    fn dma_space(&self) -> regmap_runtime::dma::DmaSpace {
        self.0.dma_space()
    }
}

#[test]
fn a_descriptor_claiming_more_bytes_than_its_buffer_is_a_typed_error() {
    let cfg = config(true);
    let mem = SimMemory::new(0x4000_0000, 1 << 20);
    let model = AxiDmaModel::new(cfg, Arc::new(InflatedStatus(mem.clone()))).unwrap();
    let mut dma = model.driver().unwrap();
    dma.reset(T).unwrap();
    let ring = |n| DescriptorRing::new(mem.allocate(DescriptorRing::bytes_for(n)).unwrap(), 0, n);
    let rx = dma
        .sg_receive(ring(2).unwrap(), mem.allocate(128).unwrap(), 64)
        .unwrap();
    dma.sg_send(ring(2).unwrap(), filled(&mem, &[1; 128]), 64)
        .unwrap()
        .wait(T)
        .unwrap_err();
    let failed = rx.wait(T).unwrap_err();
    match failed.error {
        AxiDmaError::DeviceLength {
            channel: Channel::S2mm,
            reported,
            capacity: 64,
        } => assert_eq!(reported, 0x0010_0040),
        e => panic!("{e}"),
    }
    assert!(
        failed.buffer.is_some(),
        "the engine stopped; the buffers come back"
    );
}
