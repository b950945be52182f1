//! The AXI DMA driver in Direct Register Mode, against the PG021 model.

mod common;

use regmap_runtime::axi_dma::model::{
    AxiDmaModel, FaultyMemory, ModelFaults, ModelPort, RamRegion, StreamPeer, TestStream,
};
use regmap_runtime::axi_dma::{
    AxiDma, AxiDmaConfig, AxiDmaError, Channel, DmaTarget, ErrorBit, InterruptLine, Transfer,
    registers,
};
use regmap_runtime::dma::{DmaAllocator, DmaBuffer, DmaError, DmaSpace, SimMemory};
use regmap_runtime::error::DeviceError;
use regmap_runtime::trace::{Direction, TraceBus};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{attach_stream, filled};

const T: Duration = Duration::from_millis(200);
const SHORT: Duration = Duration::from_millis(30);

fn cfg() -> AxiDmaConfig {
    AxiDmaConfig {
        sg: false,
        ..AxiDmaConfig::default()
    }
}

struct Rig {
    mem: SimMemory,
    model: AxiDmaModel,
    dma: AxiDma<TraceBus<ModelPort>>,
}

impl Rig {
    /// S2MM started into a fresh buffer of `len` bytes.
    fn receive_new(&self, len: usize) -> Transfer<'_, TraceBus<ModelPort>, DmaBuffer> {
        self.dma.receive(self.mem.allocate(len).unwrap()).unwrap()
    }
}

fn rig_with(config: AxiDmaConfig, base: u64) -> Rig {
    let mem = SimMemory::new(base, 64 << 20);
    let model = AxiDmaModel::new(config, Arc::new(mem.clone())).unwrap();
    let bus = TraceBus::new(model.port().unwrap()).with_capacity(4096);
    // SAFETY: the port is the model's only one, and `config` is the model's.
    let mut dma = unsafe { AxiDma::new_unchecked(bus, config) }.unwrap();
    dma.set_abort_timeout(Duration::from_millis(20));
    dma.reset(T).unwrap();
    for ch in Channel::BOTH {
        if config.has(ch) {
            dma.start(ch, T).unwrap();
        }
    }
    Rig { mem, model, dma }
}

fn rig() -> Rig {
    rig_with(cfg(), 0x4000_0000)
}

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// A buffer at any physical address, for addresses no allocator would give.
#[derive(Debug)]
struct Raw {
    phys: u64,
    len: usize,
    /// The memory the model masters, whose addresses these are.
    space: DmaSpace,
}

// SAFETY: a `Raw` is only ever sent (MM2S reads memory and never writes it),
// and only to the model, whose engine reaches nothing but simulated memory:
// no byte Rust owns is written through it. The tests need addresses no
// allocator would give (out of reach, misaligned, unmapped).
unsafe impl DmaTarget for Raw {
    fn phys_addr(&self) -> u64 {
        self.phys
    }
    fn dma_space(&self) -> DmaSpace {
        self.space
    }
    fn len(&self) -> usize {
        self.len
    }
    fn sync_for_device(&self) -> Result<(), DmaError> {
        Ok(())
    }
    fn sync_for_cpu(&mut self) -> Result<(), DmaError> {
        Ok(())
    }
}

#[test]
fn loopback_moves_the_bytes_and_gives_both_buffers_back() {
    let r = rig();
    let data = pattern(4000);
    let rx = r.receive_new(4096);
    let tx = r.dma.send(filled(&r.mem, &data)).unwrap();
    let sent = tx.wait(T).unwrap();
    let got = rx.wait(T).unwrap();
    assert_eq!(sent.bytes, 4000);
    assert_eq!(got.bytes, 4000, "S2MM reports the bytes up to TLAST");
    assert_eq!(&got.buffer.as_bytes()[..4000], &data[..]);
    assert_eq!(sent.buffer.as_bytes(), &data[..]);
    // Both channels are free again.
    let again = r.dma.send(sent.buffer).unwrap();
    let rx = r.dma.receive(got.buffer).unwrap();
    again.wait(T).unwrap();
    rx.wait(T).unwrap();
}

#[test]
fn transfer_takes_a_range_of_a_buffer() {
    let r = rig();
    let mut whole = r.mem.allocate(1024).unwrap();
    whole.as_bytes_mut()[256..512].copy_from_slice(&pattern(256));
    let range = whole.into_range(256..512).unwrap();
    let rx = r.receive_new(256);
    r.dma.send(range).unwrap().wait(T).unwrap();
    let got = rx.wait(T).unwrap();
    assert_eq!(got.buffer.as_bytes(), &pattern(256)[..]);
}

#[test]
fn interrupt_waits_acknowledge_and_rearm() {
    let config = cfg();
    let mem = SimMemory::new(0x4000_0000, 1 << 20);
    let model = AxiDmaModel::new(config, Arc::new(mem.clone())).unwrap();
    let (irq_tx, irq_rx) = (model.irq(Channel::Mm2s), model.irq(Channel::S2mm));
    let mut dma = model
        .driver()
        .unwrap()
        .with_interrupt(Channel::Mm2s, irq_tx.clone())
        .unwrap()
        .with_interrupt(Channel::S2mm, irq_rx.clone())
        .unwrap();
    dma.reset(T).unwrap();
    for ch in Channel::BOTH {
        let dmacr = regmap_runtime::Value::<registers::channel::Dmacr>::from_bits(
            dma.channel_registers(ch).unwrap().dmacr,
        );
        use registers::channel::Dmacr;
        assert!(
            dmacr.get(Dmacr::IOC_IRQ_EN) && dmacr.get(Dmacr::ERR_IRQ_EN) && !dmacr.get(Dmacr::RS),
            "reset cleared DMACR; the driver re-applied IOC and Err enables"
        );
    }
    dma.start(Channel::Mm2s, T).unwrap();
    dma.start(Channel::S2mm, T).unwrap();
    for round in 1..=3u32 {
        let rx = dma.receive(mem.allocate(64).unwrap()).unwrap();
        dma.send(filled(&mem, &pattern(64)))
            .unwrap()
            .wait(T)
            .unwrap();
        assert_eq!(rx.wait(T).unwrap().bytes, 64);
        assert_eq!(irq_tx.count(), round, "one interrupt per transfer");
        assert_eq!(irq_rx.count(), round);
        let sr = dma.status(Channel::S2mm).unwrap();
        assert_eq!(sr.bits() & (1 << 12), 0, "IOC_Irq acknowledged (w1c)");
    }
}

/// An interrupt line that is never connected.
struct DeadLine;
impl InterruptLine for DeadLine {
    fn enable(&self) -> Result<(), DeviceError> {
        Ok(())
    }
    fn wait(&self, timeout: Duration) -> Result<bool, DeviceError> {
        std::thread::sleep(timeout);
        Ok(false)
    }
}

#[test]
fn a_transfer_whose_interrupt_never_arrives_is_reported_as_such() {
    let config = cfg();
    let mem = SimMemory::new(0x4000_0000, 1 << 20);
    let model = AxiDmaModel::new(config, Arc::new(mem.clone())).unwrap();
    let dma = model
        .driver()
        .unwrap()
        .with_interrupt(Channel::Mm2s, DeadLine)
        .unwrap();
    dma.start(Channel::Mm2s, T).unwrap();
    dma.start(Channel::S2mm, T).unwrap();
    let failed = dma
        .send(filled(&mem, &[1; 32]))
        .unwrap()
        .wait(SHORT)
        .unwrap_err();
    assert!(
        matches!(
            failed.error,
            AxiDmaError::InterruptMissing {
                channel: Channel::Mm2s,
                ..
            }
        ),
        "{}",
        failed.error
    );
    assert!(failed.error.to_string().contains("mm2s_introut"));
    assert!(failed.buffer.is_some());
}

fn expect_engine_error(err: &AxiDmaError, channel: Channel, bit: ErrorBit) {
    assert!(
        matches!(err, AxiDmaError::Engine { channel: c, .. } if *c == channel),
        "{err}"
    );
    assert_eq!(err.error_bits(), [bit]);
    let text = err.to_string();
    assert!(text.contains(bit.name()), "{text}");
    assert!(text.contains(channel.name()), "{text}");
}

#[test]
fn decode_error_names_dmadecerr_and_the_channel() {
    let r = rig();
    let failed = r
        .dma
        .send(Raw {
            space: r.mem.dma_space(),
            phys: 0x1000,
            len: 64,
        })
        .unwrap()
        .wait(T)
        .unwrap_err();
    expect_engine_error(&failed.error, Channel::Mm2s, ErrorBit::DmaDecErr);
    assert!(
        failed.buffer.is_some(),
        "the halted engine gives the buffer back"
    );
    // The error halts the channel until a reset.
    let refused = r.dma.send(filled(&r.mem, &[0; 8])).unwrap_err();
    assert!(
        matches!(refused.error, AxiDmaError::NotRunning { .. }),
        "{}",
        refused.error
    );
    assert!(refused.error.to_string().contains("reset()"));
}

#[test]
fn slave_error_names_dmaslverr() {
    let config = cfg();
    let sim = SimMemory::new(0x4000_0000, 1 << 20);
    let faulty = Arc::new(FaultyMemory::new(sim.clone()));
    let model = AxiDmaModel::new(config, faulty.clone()).unwrap();
    let dma = model.driver().unwrap();
    dma.start(Channel::S2mm, T).unwrap();
    let buf = sim.allocate(256).unwrap();
    faulty.add_slave_error(buf.phys_addr()..buf.phys_addr() + 256);
    let rx = dma.receive(buf).unwrap();
    // Nothing drives the stream yet: feed S2MM from the MM2S side.
    dma.start(Channel::Mm2s, T).unwrap();
    dma.send(filled(&sim, &[3; 64])).unwrap().wait(T).unwrap();
    let failed = rx.wait(T).unwrap_err();
    expect_engine_error(&failed.error, Channel::S2mm, ErrorBit::DmaSlvErr);
}

#[test]
fn packet_longer_than_the_buffer_names_dmainterr() {
    let r = rig();
    let stream = attach_stream(&r.model);
    stream.push(vec![9; 100], true);
    let failed = r.receive_new(64).wait(T).unwrap_err();
    expect_engine_error(&failed.error, Channel::S2mm, ErrorBit::DmaIntErr);
    assert!(failed.error.to_string().contains("longer than LENGTH"));
}

fn expect_timeout(err: &AxiDmaError, channel: Channel, cause: &str) -> u32 {
    let AxiDmaError::Timeout(report) = err else {
        panic!("expected a timeout, got {err}");
    };
    assert_eq!(report.channel, channel);
    assert!(
        report.causes.iter().any(|c| c.contains(cause)),
        "{:?}",
        report.causes
    );
    let text = err.to_string();
    assert!(
        text.contains("DMACR 0x") && text.contains("DMASR 0x") && text.contains("LENGTH"),
        "{text}"
    );
    report.length
}

#[test]
fn stream_without_tlast_times_out_naming_tlast() {
    let r = rig();
    let stream = attach_stream(&r.model);
    stream.push(vec![1; 64], false);
    let started = Instant::now();
    let failed = r.receive_new(64).wait(SHORT).unwrap_err();
    assert!(started.elapsed() < SHORT * 10, "the deadline holds");
    assert_eq!(expect_timeout(&failed.error, Channel::S2mm, "TLAST"), 64);
    assert!(failed.buffer.is_some(), "RS = 0 halts a waiting S2MM");
    // The driver stopped the channel; it can be started and used again.
    r.dma.start(Channel::S2mm, T).unwrap();
    stream.push(vec![2; 10], true);
    let got = r
        .dma
        .receive(failed.buffer.unwrap())
        .unwrap()
        .wait(T)
        .unwrap();
    assert_eq!(got.bytes, 10);
}

#[test]
fn short_stream_times_out_naming_fewer_bytes() {
    let r = rig();
    let stream = attach_stream(&r.model);
    stream.push(vec![1; 10], false);
    let failed = r.receive_new(256).wait(SHORT).unwrap_err();
    expect_timeout(&failed.error, Channel::S2mm, "fewer bytes");
}

#[test]
fn mm2s_stall_times_out_naming_tready_and_reset_frees_the_buffer() {
    let r = rig();
    let stream = TestStream::new();
    stream.set_accept(Some(0));
    r.model.set_stream(stream.clone());
    let resets = r.model.stats().resets;
    let failed = r
        .dma
        .send(filled(&r.mem, &[5; 128]))
        .unwrap()
        .wait(SHORT)
        .unwrap_err();
    expect_timeout(&failed.error, Channel::Mm2s, "TREADY");
    assert!(failed.buffer.is_some());
    assert_eq!(
        r.model.stats().resets,
        resets + 1,
        "RS = 0 cannot halt a stalled MM2S, so the driver soft-reset it"
    );
}

#[test]
fn waits_time_out_in_interrupt_mode_too() {
    let config = cfg();
    let mem = SimMemory::new(0x4000_0000, 1 << 20);
    let model = AxiDmaModel::new(config, Arc::new(mem.clone())).unwrap();
    let stream = attach_stream(&model);
    let dma = model
        .driver()
        .unwrap()
        .with_interrupt(Channel::S2mm, model.irq(Channel::S2mm))
        .unwrap();
    dma.start(Channel::S2mm, T).unwrap();
    stream.push(vec![1; 8], false);
    let failed = dma
        .receive(mem.allocate(64).unwrap())
        .unwrap()
        .wait(SHORT)
        .unwrap_err();
    expect_timeout(&failed.error, Channel::S2mm, "TLAST");
}

#[test]
fn a_leaked_transfer_leaves_the_buffer_allocated_and_the_channel_busy() {
    let mut r = rig();
    let stream = TestStream::new();
    stream.set_accept(Some(0));
    r.model.set_stream(stream.clone());
    let before = r.mem.stats();
    let t = r.dma.send(filled(&r.mem, &[7; 4096])).unwrap();
    std::mem::forget(t);
    // The next transfer on the channel is refused instead of racing the engine.
    let refused = r.dma.send(filled(&r.mem, &[8; 64])).unwrap_err();
    assert!(matches!(
        refused.error,
        AxiDmaError::ChannelBusy(Channel::Mm2s)
    ));
    assert_eq!(
        refused.buffer.as_bytes(),
        &[8; 64],
        "the refused buffer comes back"
    );
    drop(refused);
    // The leaked buffer is never freed.
    assert!(
        r.mem.stats().used > before.used,
        "{:?} vs {:?}",
        r.mem.stats(),
        before
    );
    // The other channel is unaffected.
    assert!(r.dma.receive(r.mem.allocate(64).unwrap()).is_ok());
    // A reset stops the engine and frees the channel.
    r.dma.reset(T).unwrap();
    r.dma.start(Channel::Mm2s, T).unwrap();
    stream.set_accept(None);
    r.dma
        .send(filled(&r.mem, &[9; 64]))
        .unwrap()
        .wait(T)
        .unwrap();
}

#[test]
fn dropping_a_transfer_stops_the_engine_before_freeing_the_buffer() {
    let r = rig();
    let stream = attach_stream(&r.model);
    let before = r.mem.stats();
    let rx = r.receive_new(4096);
    drop(rx);
    assert_eq!(r.mem.stats().used, before.used, "the buffer was freed");
    assert!(
        r.dma.status(Channel::S2mm).unwrap().halted(),
        "after the engine halted"
    );
    // Data arriving now has nowhere to go: the channel is halted, nothing is written.
    stream.push(vec![1; 16], true);
    r.model.step();
    assert_eq!(stream.pending(), 16);
}

#[test]
fn length_width_limits_reject_beyond_the_register() {
    for width in [8u32, 14, 23, 26] {
        let config = AxiDmaConfig {
            length_width: width,
            ..cfg()
        };
        let r = rig_with(config, 0x4000_0000);
        let max = (1u64 << width) - 1;
        let writes_before = r.dma.trace().counts().writes;
        let refused = r
            .dma
            .send(Raw {
                space: r.mem.dma_space(),
                phys: 0x4000_0000,
                len: max as usize + 1,
            })
            .unwrap_err();
        match &refused.error {
            AxiDmaError::TooLong {
                len,
                max: m,
                width: w,
                ..
            } => {
                assert_eq!((*len, *m, *w), (max + 1, max, width));
            }
            e => panic!("width {width}: {e}"),
        }
        assert!(refused.error.to_string().contains("send_split"));
        assert_eq!(
            r.dma.trace().counts().writes,
            writes_before,
            "a refused transfer writes no register"
        );
        // Exactly the maximum fits in one LENGTH write.
        let ok = r.dma.send(Raw {
            space: r.mem.dma_space(),
            phys: 0x4000_0000,
            len: max as usize,
        });
        assert!(ok.is_ok(), "width {width}: {:?}", ok.err());
        let last = r.dma.trace().last().unwrap();
        assert_eq!(
            (last.offset, last.value),
            (0x28, max),
            "LENGTH written last"
        );
        std::mem::forget(ok);
    }
}

/// Counts the stream's bytes and packets without keeping them.
#[derive(Default, Clone)]
struct CountingSink(Arc<std::sync::Mutex<(u64, Vec<u64>)>>);
impl StreamPeer for CountingSink {
    fn ready(&mut self) -> usize {
        usize::MAX
    }
    fn send(&mut self, data: Vec<u8>, last: bool) {
        let mut s = self.0.lock().unwrap();
        s.0 += data.len() as u64;
        if last {
            let total = s.0;
            s.1.push(total);
        }
    }
    fn peek(&mut self) -> Option<(&[u8], bool)> {
        None
    }
    fn consume(&mut self, _: usize) {}
}

#[test]
fn length_width_limits_split_into_full_pieces_never_truncated() {
    for width in [8u32, 14, 23, 26] {
        let max = (1u64 << width) - 1;
        let config = AxiDmaConfig {
            length_width: width,
            ..cfg()
        };
        let piece = max & !3; // data width 4, no DRE: pieces stay aligned
        let len = if width <= 14 {
            2 * piece + 5
        } else {
            piece + 5
        };
        let ram = Arc::new(RamRegion::new(0x1000_0000, len as usize));
        let space = ram.dma_space();
        let model = AxiDmaModel::new(config, ram).unwrap();
        let sink = CountingSink::default();
        model.set_stream(sink.clone());
        // SAFETY: the port is the model's only one, and `config` is the model's.
        let dma =
            unsafe { AxiDma::new_unchecked(TraceBus::new(model.port().unwrap()), config) }.unwrap();
        dma.start(Channel::Mm2s, T).unwrap();
        let done = dma
            .send_split(
                Raw {
                    space,
                    phys: 0x1000_0000,
                    len: len as usize,
                },
                Duration::from_secs(5),
            )
            .unwrap();
        assert_eq!(done.bytes, len);
        let lengths: Vec<u64> = dma
            .trace()
            .recent()
            .iter()
            .filter(|a| a.direction == Direction::Write && a.offset == 0x28)
            .map(|a| a.value)
            .collect();
        let mut expect = vec![piece; (len / piece) as usize];
        expect.push(len % piece);
        assert_eq!(lengths, expect, "width {width}");
        let (bytes, packet_ends) = sink.0.lock().unwrap().clone();
        assert_eq!(bytes, len, "width {width}: every byte sent");
        assert_eq!(packet_ends.len(), expect.len(), "one packet per piece");
    }
}

#[test]
fn misaligned_buffer_is_refused_without_dre_and_moves_with_dre() {
    let r = rig();
    let whole = filled(&r.mem, &pattern(128));
    let refused = r.dma.send(whole.into_range(2..66).unwrap()).unwrap_err();
    match &refused.error {
        AxiDmaError::Misaligned { align, addr, .. } => {
            assert_eq!(*align, 4);
            assert_eq!(addr % 4, 2);
        }
        e => panic!("{e}"),
    }
    let r = rig_with(AxiDmaConfig { dre: true, ..cfg() }, 0x4000_0000);
    let whole = filled(&r.mem, &pattern(128));
    let rx = r.receive_new(64);
    r.dma
        .send(whole.into_range(2..66).unwrap())
        .unwrap()
        .wait(T)
        .unwrap();
    assert_eq!(rx.wait(T).unwrap().buffer.as_bytes(), &pattern(128)[2..66]);
}

fn msb_writes(r: &Rig) -> Vec<(usize, u64)> {
    r.dma
        .trace()
        .recent()
        .iter()
        .filter(|a| a.direction == Direction::Write && (a.offset == 0x1C || a.offset == 0x4C))
        .map(|a| (a.offset, a.value))
        .collect()
}

#[test]
fn upper_address_words_are_written_only_when_the_address_width_needs_them() {
    let r = rig();
    let rx = r.receive_new(64);
    r.dma
        .send(filled(&r.mem, &[1; 64]))
        .unwrap()
        .wait(T)
        .unwrap();
    rx.wait(T).unwrap();
    assert_eq!(
        msb_writes(&r),
        [],
        "32-bit addresses: no MSB register exists"
    );

    let base = 0x12_3400_0000;
    let r = rig_with(
        AxiDmaConfig {
            addr_width: 64,
            ..cfg()
        },
        base,
    );
    let data = pattern(512);
    let rx = r.receive_new(512);
    r.dma.send(filled(&r.mem, &data)).unwrap().wait(T).unwrap();
    assert_eq!(rx.wait(T).unwrap().buffer.as_bytes(), &data[..]);
    assert_eq!(msb_writes(&r), [(0x4C, 0x12), (0x1C, 0x12)]);
}

#[test]
fn buffer_beyond_the_address_width_is_refused() {
    let r = rig();
    let refused = r
        .dma
        .send(Raw {
            space: r.mem.dma_space(),
            phys: 0x1_0000_0000,
            len: 64,
        })
        .unwrap_err();
    assert!(
        matches!(
            refused.error,
            AxiDmaError::AddressOutOfReach { addr_width: 32, .. }
        ),
        "{}",
        refused.error
    );
    let straddling = r
        .dma
        .send(Raw {
            space: r.mem.dma_space(),
            phys: 0xffff_ffc0,
            len: 128,
        })
        .unwrap_err();
    assert!(matches!(
        straddling.error,
        AxiDmaError::AddressOutOfReach { .. }
    ));
}

#[test]
fn reset_start_and_stop_honour_their_deadlines() {
    let config = cfg();
    let mem = SimMemory::new(0x4000_0000, 1 << 20);
    let model = AxiDmaModel::new(config, Arc::new(mem)).unwrap();
    let mut dma = model.driver().unwrap();

    model.set_faults(ModelFaults {
        never_start: true,
        ..ModelFaults::default()
    });
    let t0 = Instant::now();
    let e = dma.start(Channel::Mm2s, SHORT).unwrap_err();
    assert!(t0.elapsed() >= SHORT && t0.elapsed() < SHORT * 10);
    assert!(
        matches!(e, AxiDmaError::RunStopTimeout { starting: true, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("Halted stays 1"));

    model.set_faults(ModelFaults {
        never_halt: true,
        ..ModelFaults::default()
    });
    dma.start(Channel::S2mm, SHORT).unwrap();
    let e = dma.stop(Channel::S2mm, SHORT).unwrap_err();
    assert!(
        matches!(
            e,
            AxiDmaError::RunStopTimeout {
                starting: false,
                channel: Channel::S2mm,
                ..
            }
        ),
        "{e}"
    );

    model.set_faults(ModelFaults {
        reset_stuck: true,
        ..ModelFaults::default()
    });
    let t0 = Instant::now();
    let e = dma.reset(SHORT).unwrap_err();
    assert!(t0.elapsed() < SHORT * 10);
    assert!(matches!(e, AxiDmaError::ResetTimeout { .. }), "{e}");
    assert!(e.to_string().contains("DMACR.Reset still reads 1"));

    model.set_faults(ModelFaults::default());
    dma.reset(T).unwrap();
    dma.start(Channel::S2mm, T).unwrap();
    dma.stop(Channel::S2mm, T).unwrap();
}

#[test]
fn an_engine_that_cannot_be_stopped_leaks_the_buffer_instead_of_freeing_it() {
    let r = rig();
    let stream = TestStream::new();
    stream.set_accept(Some(0));
    r.model.set_stream(stream);
    let before = r.mem.stats();
    let t = r.dma.send(filled(&r.mem, &[1; 1024])).unwrap();
    r.model.set_faults(ModelFaults {
        never_halt: true,
        reset_stuck: true,
        ..ModelFaults::default()
    });
    let failed = t.wait(SHORT).unwrap_err();
    assert!(failed.buffer.is_none());
    assert!(
        matches!(failed.error, AxiDmaError::BufferLeaked { .. }),
        "{}",
        failed.error
    );
    assert!(r.mem.stats().used > before.used, "still allocated");
    assert!(matches!(
        r.dma.send(filled(&r.mem, &[1; 8])).unwrap_err().error,
        AxiDmaError::ChannelBusy(Channel::Mm2s)
    ));
}

#[test]
fn configuration_mismatches_and_absent_channels_are_reported() {
    let mem = SimMemory::new(0x4000_0000, 1 << 20);
    let model = AxiDmaModel::new(AxiDmaConfig::default(), Arc::new(mem.clone())).unwrap();
    let e = AxiDma::new(model.port().unwrap(), cfg()).unwrap_err();
    assert!(
        matches!(
            e.error,
            AxiDmaError::SgMismatch {
                configured: false,
                hardware: true,
                ..
            }
        ),
        "{e}"
    );
    // The refusal gives the port back: the model has one, and it binds with
    // the configuration corrected.
    let dma = AxiDma::new(e.bus, AxiDmaConfig::default()).unwrap();
    drop(dma);

    let only_rx = AxiDmaConfig {
        mm2s: false,
        ..cfg()
    };
    let model = AxiDmaModel::new(only_rx, Arc::new(mem.clone())).unwrap();
    let dma = AxiDma::new(model.port().unwrap(), only_rx).unwrap();
    let refused = dma.send(mem.allocate(8).unwrap()).unwrap_err();
    assert!(matches!(
        refused.error,
        AxiDmaError::ChannelAbsent(Channel::Mm2s)
    ));

    let sg = AxiDmaConfig::default();
    let model = AxiDmaModel::new(sg, Arc::new(mem.clone())).unwrap();
    let dma = AxiDma::new(model.port().unwrap(), sg).unwrap();
    let refused = dma.send(mem.allocate(8).unwrap()).unwrap_err();
    assert!(matches!(
        refused.error,
        AxiDmaError::WrongMode {
            needs_sg: false,
            ..
        }
    ));
    let empty = dma.config().validate();
    assert!(empty.is_ok());
}

#[test]
fn zero_length_transfer_is_refused() {
    let r = rig();
    let e = r
        .dma
        .send(Raw {
            space: r.mem.dma_space(),
            phys: 0x4000_0000,
            len: 0,
        })
        .unwrap_err();
    assert!(matches!(e.error, AxiDmaError::Empty(Channel::Mm2s)));
}

#[test]
fn channels_can_be_waited_on_from_different_threads() {
    let r = rig();
    let data = pattern(10_000);
    let rx = r.receive_new(10_000);
    let got = std::thread::scope(|s| {
        let receiver = s.spawn(move || rx.wait(T).unwrap());
        r.dma.send(filled(&r.mem, &data)).unwrap().wait(T).unwrap();
        receiver.join().unwrap()
    });
    assert_eq!(got.buffer.as_bytes(), &data[..]);
}

#[test]
fn a_stream_fed_later_from_another_thread_completes_an_interrupt_wait() {
    let config = cfg();
    let mem = SimMemory::new(0x4000_0000, 1 << 20);
    let model = AxiDmaModel::new(config, Arc::new(mem.clone())).unwrap();
    let stream = attach_stream(&model);
    let dma = model
        .driver()
        .unwrap()
        .with_interrupt(Channel::S2mm, model.irq(Channel::S2mm))
        .unwrap();
    dma.start(Channel::S2mm, T).unwrap();
    let rx = dma.receive(mem.allocate(64).unwrap()).unwrap();
    let feeder = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        stream.push(vec![4; 48], true);
    });
    let got = rx.wait(Duration::from_secs(2)).unwrap();
    feeder.join().unwrap();
    assert_eq!(got.bytes, 48);
    assert_eq!(&got.buffer.as_bytes()[..48], &[4; 48]);
}

#[test]
fn a_window_smaller_than_the_register_block_is_refused() {
    // SAFETY: plain memory, no engine behind it; nothing else has the bus.
    let e = unsafe { AxiDma::new_unchecked(regmap_runtime::MemBus::new(0x40), cfg()) }.unwrap_err();
    assert!(matches!(e.error, AxiDmaError::Bind(_)), "{e}");
    assert!(e.to_string().contains("needs 0x5c bytes"), "{e}");
    assert_eq!(
        regmap_runtime::Bus::size(&e.bus),
        0x40,
        "the bus comes back"
    );
    // SAFETY: as above.
    let e = unsafe {
        AxiDma::new_unchecked(
            regmap_runtime::MemBus::new(0x100),
            AxiDmaConfig {
                length_width: 30,
                ..cfg()
            },
        )
    }
    .unwrap_err();
    assert!(matches!(e.error, AxiDmaError::Config(_)), "{e}");
}
