//! Async waits (feature `async`) on the AXI DMA model and on fake UIO
//! devices: many waits on one thread, deadlines, cancellation mid-transfer.

mod common;

use common::{attach_stream, filled};
use regmap_runtime::axi_dma::model::{AxiDmaModel, ModelPort, TestStream};
use regmap_runtime::axi_dma::{
    AxiDma, AxiDmaConfig, AxiDmaError, Channel, Descriptor, DescriptorRing, ErrorBit,
};
use regmap_runtime::dma::{DmaAllocator, SimMemory};
use regmap_runtime::error::DeviceError;
use regmap_runtime::sysroot::SysRoot;
use regmap_runtime::{InterruptLine, Uio};
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

const T: Duration = Duration::from_secs(5);

/// One thread, with tokio's reactor and timer.
fn one_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A boxed future of the tests' tasks.
type Task<'a, O> = Pin<Box<dyn Future<Output = O> + 'a>>;

/// Polls every future in turn until all are done (no extra crate needed).
async fn join_all<O>(futs: Vec<Task<'_, O>>) -> Vec<O> {
    let mut futs: Vec<_> = futs.into_iter().map(Some).collect();
    let mut out: Vec<Option<O>> = futs.iter().map(|_| None).collect();
    poll_fn(|cx| {
        for (f, o) in futs.iter_mut().zip(out.iter_mut()) {
            if let Some(fut) = f
                && let Poll::Ready(v) = fut.as_mut().poll(cx)
            {
                *o = Some(v);
                *f = None;
            }
        }
        if futs.iter().all(Option::is_none) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    out.into_iter().map(Option::unwrap).collect()
}

struct Rig {
    mem: SimMemory,
    stream: TestStream,
    dma: AxiDma<ModelPort>,
}

/// An engine in direct mode fed by a test stream, waiting on the model's
/// interrupt lines (`irq`) or by polling DMASR.
fn rig(irq: bool) -> Rig {
    let config = AxiDmaConfig {
        sg: false,
        ..AxiDmaConfig::default()
    };
    let mem = SimMemory::new(0x4000_0000, 1 << 20);
    let model = AxiDmaModel::new(config, Arc::new(mem.clone())).unwrap();
    let stream = attach_stream(&model);
    let mut dma = model.driver().unwrap();
    if irq {
        dma = dma
            .with_interrupt(Channel::Mm2s, model.irq(Channel::Mm2s))
            .unwrap()
            .with_interrupt(Channel::S2mm, model.irq(Channel::S2mm))
            .unwrap();
    }
    dma.set_abort_timeout(Duration::from_millis(20));
    dma.reset(T).unwrap();
    dma.start(Channel::Mm2s, T).unwrap();
    dma.start(Channel::S2mm, T).unwrap();
    Rig { mem, stream, dma }
}

#[test]
fn many_receives_wait_together_on_one_thread_while_others_feed_them() {
    let rigs: Vec<Rig> = (0..8).map(|i| rig(i % 2 == 0)).collect();
    let rt = one_thread();
    let results = rt.block_on(async {
        let mut futs: Vec<Task<'_, Result<Vec<u8>, AxiDmaError>>> = Vec::new();
        for (i, r) in rigs.iter().enumerate() {
            let rx = r.dma.receive(r.mem.allocate(256).unwrap()).unwrap();
            futs.push(Box::pin(async move {
                let got = rx.wait_async(T).await?;
                Ok(got.buffer.as_bytes()[..got.bytes as usize].to_vec())
            }));
            // The data comes from another task on the same thread, later: a
            // wait that blocked the thread would never see it.
            let stream = r.stream.clone();
            futs.push(Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(5 + i as u64)).await;
                stream.push(vec![i as u8; 100 + i], true);
                Ok(Vec::new())
            }));
        }
        join_all(futs).await
    });
    for (i, pair) in results.chunks(2).enumerate() {
        assert_eq!(
            pair[0].as_ref().unwrap(),
            &vec![i as u8; 100 + i],
            "rig {i}"
        );
    }
}

#[test]
fn a_send_completes_on_the_model_interrupt() {
    let r = rig(true);
    let rt = one_thread();
    let data: Vec<u8> = (0..3000).map(|i| (i * 13) as u8).collect();
    let tx = r.dma.send(filled(&r.mem, &data)).unwrap();
    let sent = rt.block_on(tx.wait_async(T)).unwrap();
    assert_eq!(sent.bytes, 3000);
    assert_eq!(r.stream.sent_bytes(), data);
}

#[test]
fn a_receive_with_no_data_times_out_with_its_buffer_back_in_both_modes() {
    for irq in [false, true] {
        let r = rig(irq);
        let rt = one_thread();
        let rx = r.dma.receive(r.mem.allocate(512).unwrap()).unwrap();
        let failed = rt
            .block_on(rx.wait_async(Duration::from_millis(30)))
            .unwrap_err();
        match &failed.error {
            AxiDmaError::Timeout(report) => {
                assert!(report.to_string().contains("TLAST"), "{report}")
            }
            other => panic!("irq {irq}: expected a timeout, got {other:?}"),
        }
        assert!(failed.buffer.is_some(), "the engine stopped: buffer back");
    }
}

#[test]
fn an_engine_error_ends_the_wait_at_once_not_at_the_deadline() {
    let r = rig(true);
    let rt = one_thread();
    // 600 bytes into 256 before TLAST: DMAIntErr, which halts the channel.
    let rx = r.dma.receive(r.mem.allocate(256).unwrap()).unwrap();
    r.stream.push(vec![7; 600], true);
    let failed = rt
        .block_on(rx.wait_async(Duration::MAX))
        .expect_err("an error, not a wait without end");
    assert!(
        matches!(failed.error, AxiDmaError::Engine { .. }),
        "{:?}",
        failed.error
    );
}

#[test]
fn cancelling_a_wait_stops_the_engine_and_frees_the_channel() {
    let mut r = rig(false);
    let rt = one_thread();
    let rx = r.dma.receive(r.mem.allocate(512).unwrap()).unwrap();
    // The deadline drops the wait (and the transfer in it) mid-transfer.
    let cancelled = rt.block_on(async {
        tokio::time::timeout(Duration::from_millis(20), rx.wait_async(T)).await
    });
    assert!(cancelled.is_err(), "the outer deadline fired first");
    assert!(r.dma.status(Channel::S2mm).unwrap().halted());
    // The channel is free: a new receive is accepted and gets the next packet.
    r.dma.reset(T).unwrap();
    r.dma.start(Channel::S2mm, T).unwrap();
    let rx = r.dma.receive(r.mem.allocate(512).unwrap()).unwrap();
    r.stream.push(vec![9; 64], true);
    let got = rt.block_on(rx.wait_async(T)).unwrap();
    assert_eq!(&got.buffer.as_bytes()[..64], &[9; 64]);
}

#[test]
fn cancelling_a_stalled_send_stops_the_engine_before_the_buffer_goes() {
    let r = rig(false);
    let rt = one_thread();
    // The stream accepts nothing: MM2S holds its data and cannot halt by RS=0.
    r.stream.set_accept(Some(0));
    let tx = r.dma.send(filled(&r.mem, &[5; 4096])).unwrap();
    let cancelled = rt.block_on(async {
        tokio::time::timeout(Duration::from_millis(20), tx.wait_async(T)).await
    });
    assert!(cancelled.is_err());
    // The drop reset the engine before freeing the buffer: once the stream
    // accepts again, not one byte of the old buffer is read out.
    r.stream.set_accept(None);
    for _ in 0..10 {
        let _ = r.dma.status(Channel::Mm2s).unwrap();
    }
    assert!(r.stream.sent_bytes().is_empty());
    assert!(r.dma.status(Channel::Mm2s).unwrap().halted());
}

/// An engine in scatter gather mode fed by a test stream, waiting on the
/// model's interrupt lines (`irq`) or by polling DMASR.
fn sg_rig(irq: bool) -> Rig {
    let config = AxiDmaConfig::default();
    assert!(config.sg, "the default configuration is scatter gather");
    let mem = SimMemory::new(0x4000_0000, 1 << 20);
    let model = AxiDmaModel::new(config, Arc::new(mem.clone())).unwrap();
    let stream = attach_stream(&model);
    let mut dma = model.driver().unwrap();
    if irq {
        dma = dma
            .with_interrupt(Channel::Mm2s, model.irq(Channel::Mm2s))
            .unwrap()
            .with_interrupt(Channel::S2mm, model.irq(Channel::S2mm))
            .unwrap();
    }
    dma.set_abort_timeout(Duration::from_millis(20));
    dma.reset(T).unwrap();
    Rig { mem, stream, dma }
}

/// A ring of `count` descriptors from `mem`.
fn ring(mem: &SimMemory, count: usize) -> DescriptorRing {
    let buf = mem.allocate(DescriptorRing::bytes_for(count)).unwrap();
    DescriptorRing::new(buf, 0, count).unwrap()
}

/// What an SG receive got: bytes, descriptors used, the data.
type Received = (u64, usize, Vec<u8>);

#[test]
fn sg_receives_over_many_descriptors_wait_together_on_one_thread() {
    let rigs: Vec<Rig> = (0..6).map(|i| sg_rig(i % 2 == 0)).collect();
    let rt = one_thread();
    let results = rt.block_on(async {
        let mut futs: Vec<Task<'_, Result<Received, AxiDmaError>>> = Vec::new();
        for (i, r) in rigs.iter().enumerate() {
            // 64-byte descriptors: each packet spans several of them.
            let rx = r
                .dma
                .sg_receive(ring(&r.mem, 8), r.mem.allocate(512).unwrap(), 64)
                .unwrap();
            futs.push(Box::pin(async move {
                let got = rx.wait_async(T).await?;
                assert!(got.packet_complete());
                let data = got.buffer.as_bytes()[..got.bytes as usize].to_vec();
                Ok((got.bytes, got.descriptors.len(), data))
            }));
            let stream = r.stream.clone();
            futs.push(Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(5 + i as u64)).await;
                stream.push(vec![i as u8 + 1; 150 + 40 * i], true);
                Ok((0, 0, Vec::new()))
            }));
        }
        join_all(futs).await
    });
    for (i, pair) in results.chunks(2).enumerate() {
        let (bytes, descriptors, data) = pair[0].as_ref().unwrap();
        let len = 150 + 40 * i;
        assert_eq!(*bytes, len as u64, "rig {i}");
        assert_eq!(*descriptors, len.div_ceil(64), "rig {i}");
        assert_eq!(data, &vec![i as u8 + 1; len], "rig {i}");
    }
}

#[test]
fn an_sg_send_completes_asynchronously_in_both_modes() {
    for irq in [false, true] {
        let r = sg_rig(irq);
        let rt = one_thread();
        let data: Vec<u8> = (0..1000).map(|i| (i * 7) as u8).collect();
        let tx = r
            .dma
            .sg_send(ring(&r.mem, 4), filled(&r.mem, &data), 256)
            .unwrap();
        let sent = rt.block_on(tx.wait_async(T)).unwrap();
        assert_eq!(sent.bytes, 1000, "irq {irq}");
        assert_eq!(sent.descriptors.len(), 4, "irq {irq}");
        assert_eq!(r.stream.sent_bytes(), data, "irq {irq}");
    }
}

#[test]
fn an_sg_receive_without_tlast_times_out_with_its_buffers_back_in_both_modes() {
    for irq in [false, true] {
        let r = sg_rig(irq);
        let rt = one_thread();
        r.stream.push(vec![1; 100], false);
        let rx = r
            .dma
            .sg_receive(ring(&r.mem, 2), r.mem.allocate(256).unwrap(), 128)
            .unwrap();
        let failed = rt
            .block_on(rx.wait_async(Duration::from_millis(30)))
            .unwrap_err();
        match &failed.error {
            AxiDmaError::Timeout(report) => {
                assert!(report.to_string().contains("TLAST"), "{report}")
            }
            other => panic!("irq {irq}: expected a timeout, got {other:?}"),
        }
        let (_ring, data) = failed.buffer.expect("the engine stopped: buffers back");
        assert_eq!(&data.as_bytes()[..100], &[1; 100], "irq {irq}");
    }
}

#[test]
fn an_sg_engine_error_ends_an_unbounded_wait() {
    for irq in [false, true] {
        let r = sg_rig(irq);
        let rt = one_thread();
        // A zero-length descriptor: DMAIntErr, which halts the channel.
        let mut ring = ring(&r.mem, 1);
        let data = filled(&r.mem, &[1; 64]);
        ring.set(
            0,
            &Descriptor {
                next: ring.phys_of(0),
                buffer: data.phys_addr(),
                control: Descriptor::TXSOF | Descriptor::TXEOF,
                ..Descriptor::default()
            },
        );
        // SAFETY: the only descriptor points into `data` and chains to itself.
        let tx = unsafe { r.dma.sg_start_prepared(Channel::Mm2s, ring, data, 1) }.unwrap();
        let failed = rt
            .block_on(tx.wait_async(Duration::MAX))
            .expect_err("an error, not a wait without end");
        assert_eq!(
            failed.error.error_bits(),
            [ErrorBit::DmaIntErr],
            "irq {irq}"
        );
    }
}

#[test]
fn cancelling_an_sg_wait_mid_packet_stops_the_engine_and_frees_the_channel() {
    let mut r = sg_rig(true);
    let rt = one_thread();
    // Part of a packet arrives, its end never does: the first descriptor is
    // written, the engine holds the second when the wait is dropped.
    r.stream.push(vec![3; 100], false);
    let rx = r
        .dma
        .sg_receive(ring(&r.mem, 4), r.mem.allocate(256).unwrap(), 64)
        .unwrap();
    let cancelled = rt.block_on(async {
        tokio::time::timeout(Duration::from_millis(20), rx.wait_async(T)).await
    });
    assert!(cancelled.is_err(), "the outer deadline fired first");
    assert!(r.dma.status(Channel::S2mm).unwrap().halted());
    // The channel is free again: after a reset a new receive is accepted
    // and gets the next whole packet.
    r.dma.reset(T).unwrap();
    let rx = r
        .dma
        .sg_receive(ring(&r.mem, 4), r.mem.allocate(256).unwrap(), 64)
        .unwrap();
    r.stream.push(vec![9; 80], true);
    let got = rt.block_on(rx.wait_async(T)).unwrap();
    assert_eq!(got.bytes, 80);
    assert_eq!(&got.buffer.as_bytes()[..80], &[9; 80]);
}

#[test]
fn cyclic_periods_are_awaited_as_another_task_feeds_them() {
    for irq in [false, true] {
        let r = sg_rig(irq);
        let rt = one_thread();
        let mut rx = r
            .dma
            .start_cyclic(
                Channel::S2mm,
                ring(&r.mem, 4),
                r.mem.allocate(256).unwrap(),
                64,
            )
            .unwrap();
        // A wait dropped before anything arrived reports nothing: the same
        // period comes next.
        let dropped = rt.block_on(async {
            tokio::time::timeout(Duration::from_millis(10), rx.next_period_async(T)).await
        });
        assert!(dropped.is_err(), "irq {irq}: nothing arrived yet");
        let seen = rt.block_on(async {
            let stream = r.stream.clone();
            let feed = async move {
                for packet in 0..6u8 {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    stream.push(vec![packet; 64], true);
                }
            };
            let take = async {
                let mut seen = Vec::new();
                for _ in 0..6 {
                    let index = rx.next_period_async(T).await.unwrap();
                    seen.push((index, rx.period_to_vec(index).unwrap()));
                }
                seen
            };
            let (seen, ()) = tokio::join!(take, feed);
            seen
        });
        for (packet, (index, data)) in seen.iter().enumerate() {
            assert_eq!(*index, packet % 4, "irq {irq}: periods in ring order");
            assert_eq!(data, &vec![packet as u8; 64], "irq {irq}");
        }
        let (_, data) = rx.stop().unwrap();
        assert_eq!(&data.as_bytes()[64..128], &[5; 64], "irq {irq}");
    }
}

#[test]
fn a_cyclic_period_wait_times_out_and_then_sees_the_next_period() {
    let r = sg_rig(true);
    let rt = one_thread();
    let mut rx = r
        .dma
        .start_cyclic(
            Channel::S2mm,
            ring(&r.mem, 2),
            r.mem.allocate(128).unwrap(),
            64,
        )
        .unwrap();
    let e = rt
        .block_on(rx.wait_period_async(Duration::from_millis(20)))
        .unwrap_err();
    assert!(matches!(e, AxiDmaError::Timeout(_)), "{e}");
    r.stream.push(vec![4; 64], true);
    rt.block_on(rx.wait_period_async(T)).unwrap();
    assert_eq!(rx.period_to_vec(0).unwrap(), [4; 64]);
    rx.stop().unwrap();
}

/// A fake UIO device whose device file is a FIFO: writing a count to it is
/// an interrupt.
fn fake_uio(root: &SysRoot, n: u32) -> (Uio, std::fs::File) {
    let class = root.sys.join(format!("class/uio/uio{n}"));
    std::fs::create_dir_all(&class).unwrap();
    std::fs::create_dir_all(&root.dev).unwrap();
    std::fs::write(class.join("name"), format!("dev{n}\n")).unwrap();
    std::fs::write(class.join("version"), "0.01.0\n").unwrap();
    let path = root.dev.join(format!("uio{n}"));
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let uio = Uio::open_in(root, n).unwrap();
    let kernel = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    (uio, kernel)
}

#[test]
fn uio_interrupts_of_many_devices_are_awaited_on_one_thread() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let root = SysRoot::under(dir.path());
    let devs: Vec<_> = (0..6).map(|n| fake_uio(&root, n)).collect();
    let rt = one_thread();
    let counts = rt.block_on(async {
        let mut futs: Vec<Task<'_, Result<u32, DeviceError>>> = Vec::new();
        for (n, (uio, kernel)) in devs.iter().enumerate() {
            futs.push(Box::pin(
                async move { Ok(uio.wait_irq_async(T).await?.count) },
            ));
            let mut kernel = kernel.try_clone().unwrap();
            futs.push(Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(3 * n as u64)).await;
                kernel.write_all(&(10 + n as u32).to_ne_bytes()).unwrap();
                Ok(0)
            }));
        }
        join_all(futs).await
    });
    for (n, pair) in counts.chunks(2).enumerate() {
        assert_eq!(*pair[0].as_ref().unwrap(), 10 + n as u32);
    }
}

#[test]
fn an_async_uio_wait_times_out_and_a_dropped_one_loses_nothing() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let root = SysRoot::under(dir.path());
    let (uio, mut kernel) = fake_uio(&root, 0);
    let rt = one_thread();
    match rt.block_on(uio.wait_irq_async(Duration::from_millis(10))) {
        Err(DeviceError::IrqTimeout { timeout, .. }) => {
            assert_eq!(timeout, Duration::from_millis(10))
        }
        other => panic!("expected IrqTimeout, got {other:?}"),
    }
    // A wait dropped before the interrupt comes leaves it for the next one.
    let dropped = rt.block_on(async {
        tokio::time::timeout(Duration::from_millis(5), uio.wait_irq_async(T)).await
    });
    assert!(dropped.is_err());
    kernel.write_all(&3u32.to_ne_bytes()).unwrap();
    assert_eq!(rt.block_on(uio.wait_irq_async(T)).unwrap().count, 3);
    // The generic future over any line sees the next one too.
    kernel.write_all(&4u32.to_ne_bytes()).unwrap();
    assert!(
        rt.block_on(regmap_runtime::irq::wait_async(&uio, T))
            .unwrap()
    );
    assert!(
        !rt.block_on(regmap_runtime::irq::wait_async(
            &uio,
            Duration::from_millis(5)
        ))
        .unwrap()
    );
    let _: &dyn InterruptLine = &uio;
}

#[test]
fn a_model_bus_line_is_awaited_while_a_device_task_raises_it() {
    use regmap_runtime::Bus;
    use regmap_runtime::desc::{Access, BlockDesc, FieldDesc, RegisterDesc};
    use regmap_runtime::model::{ModelBus, ModelLine};
    const fn f(access: Access) -> FieldDesc {
        FieldDesc {
            name: "bits",
            lsb: 0,
            width: 32,
            access,
            values: &[],
            description: "",
        }
    }
    const W1C: &[FieldDesc] = &[f(Access::OneToClear)];
    const RW: &[FieldDesc] = &[f(Access::ReadWrite)];
    const fn reg(name: &'static str, offset: usize, fields: &'static [FieldDesc]) -> RegisterDesc {
        RegisterDesc {
            name,
            offset,
            width: 4,
            reset: 0,
            description: "",
            fields,
        }
    }
    static DESC: BlockDesc = BlockDesc {
        name: "ip",
        size: 8,
        description: "",
        registers: &[reg("isr", 0, W1C), reg("ier", 4, RW)],
    };
    let model = Arc::new(ModelBus::new(&DESC));
    let line = ModelLine::new(model.clone(), "isr", "ier").unwrap();
    model.write_u32(4, 1).unwrap();
    let rt = one_thread();
    let (fired, ()) = rt.block_on(async {
        let device = async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            model.hw_update("isr", |s| s | 1).unwrap();
        };
        let wait = regmap_runtime::irq::wait_async(&line, T);
        let (fired, ()) = tokio::join!(wait, device);
        (fired, ())
    });
    assert!(fired.unwrap());
    assert_eq!(line.count(), 1);
    assert!(
        !rt.block_on(regmap_runtime::irq::wait_async(
            &line,
            Duration::from_millis(5)
        ))
        .unwrap(),
        "masked until enabled"
    );
}
