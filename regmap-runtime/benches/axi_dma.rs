//! AXI DMA through the PG021 model: loopback throughput against a plain
//! memcpy of the same bytes, and register accesses per direct-mode transfer.
//!
//! `cargo bench -p regmap-runtime --bench axi_dma`
//!
//! The access counts are printed once at the start (they are counts, not
//! times: the tracing bus counts every register read and write).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use regmap_runtime::axi_dma::model::{AxiDmaModel, ModelPort};
use regmap_runtime::axi_dma::{AxiDma, AxiDmaConfig, Channel};
use regmap_runtime::dma::{DmaAllocator, DmaBuffer, SimMemory};
use regmap_runtime::trace::TraceBus;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

const T: Duration = Duration::from_secs(5);

fn config(addr_width: u32) -> AxiDmaConfig {
    AxiDmaConfig {
        length_width: 26,
        addr_width,
        data_width: 8,
        sg: false,
        ..AxiDmaConfig::default()
    }
}

fn setup<B: regmap_runtime::ExclusiveBus>(
    wrap: impl FnOnce(ModelPort) -> B,
    addr_width: u32,
    base: u64,
    bytes: usize,
) -> (AxiDma<B>, DmaBuffer, DmaBuffer) {
    let cfg = config(addr_width);
    let mem = SimMemory::new(base, 4 * bytes as u64 + (1 << 20));
    let model = AxiDmaModel::new(cfg, Arc::new(mem.clone())).unwrap();
    // SAFETY: the port is the model's only one, and `cfg` is the model's.
    let mut dma = unsafe { AxiDma::new_unchecked(wrap(model.port().unwrap()), cfg) }.unwrap();
    dma.reset(T).unwrap();
    dma.start(Channel::Mm2s, T).unwrap();
    dma.start(Channel::S2mm, T).unwrap();
    let tx = mem.allocate(bytes).unwrap();
    let rx = mem.allocate(bytes).unwrap();
    (dma, tx, rx)
}

fn loopback<B: regmap_runtime::Bus>(
    dma: &AxiDma<B>,
    tx: DmaBuffer,
    rx: DmaBuffer,
) -> (DmaBuffer, DmaBuffer) {
    let r = dma.receive(rx).unwrap();
    let sent = dma.send(tx).unwrap().wait(T).unwrap();
    let got = r.wait(T).unwrap();
    (sent.buffer, got.buffer)
}

fn print_access_counts() {
    for (addr_width, base) in [(32, 0x4000_0000), (64, 0x8_0000_0000)] {
        let (dma, mut tx, mut rx) = setup(TraceBus::new, addr_width, base, 4096);
        let bus = dma.trace();
        let mut per = Vec::new();
        for ch in Channel::BOTH {
            bus.clear();
            match ch {
                Channel::Mm2s => {
                    // Drain the loopback afterwards, outside the count.
                    tx = dma.send(tx).unwrap().wait(T).unwrap().buffer;
                    let c = bus.counts();
                    rx = dma.receive(rx).unwrap().wait(T).unwrap().buffer;
                    per.push((ch, c));
                }
                Channel::S2mm => {
                    let r = dma.receive(rx).unwrap();
                    let before = bus.counts();
                    tx = dma.send(tx).unwrap().wait(T).unwrap().buffer;
                    let after_send = bus.counts();
                    rx = r.wait(T).unwrap().buffer;
                    let end = bus.counts();
                    let reads = end.reads - (after_send.reads - before.reads);
                    let writes = end.writes - (after_send.writes - before.writes);
                    per.push((ch, regmap_runtime::trace::Counts { reads, writes }));
                }
            }
        }
        for (ch, c) in per {
            eprintln!(
                "register accesses per {ch} direct-mode transfer, {addr_width}-bit addresses, polling: {} ({} reads, {} writes)",
                c.total(),
                c.reads,
                c.writes
            );
        }
    }
}

fn bench(c: &mut Criterion) {
    print_access_counts();
    let mut g = c.benchmark_group("axi_dma_loopback");
    for bytes in [64 << 10, 4 << 20] {
        g.throughput(Throughput::Bytes(bytes as u64));
        let (dma, tx, rx) = setup(|m| m, 32, 0x4000_0000, bytes);
        let mut bufs = Some((tx, rx));
        g.bench_function(BenchmarkId::new("model", bytes), |b| {
            b.iter(|| {
                let (tx, rx) = bufs.take().unwrap();
                bufs = Some(loopback(&dma, tx, rx));
            })
        });
        let src = vec![1u8; bytes];
        let mut dst = vec![0u8; bytes];
        g.bench_function(BenchmarkId::new("memcpy", bytes), |b| {
            b.iter(|| {
                dst.copy_from_slice(black_box(&src));
                black_box(&mut dst);
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
