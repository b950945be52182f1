//! An AXI DMA loopback, MM2S → AXI4-Stream → S2MM, through regmap's PG021
//! model of the IP over simulated physical memory: the same driver code that
//! runs on a Zynq against a UIO window, running here with no board.
//!
//! ```sh
//! cargo run --release -p axi-dma-loopback                  # 64 × 4 MiB, polling
//! cargo run --release -p axi-dma-loopback -- --interrupts  # wait on the model's interrupt lines
//! cargo run --release -p axi-dma-loopback -- --bytes 65536 --transfers 1000
//! ```
//!
//! On a board, only the first lines change: map the IP's registers with
//! `Uio::open_by_name("axi_dma")?.into_exclusive_map(0)?`, allocate buffers from u-dma-buf or
//! a dma-heap, and attach the UIO device as the interrupt line.

use regmap_runtime::axi_dma::model::{AxiDmaModel, TestStream};
use regmap_runtime::axi_dma::{
    AxiDma, AxiDmaConfig, Channel, DescriptorRing, DmaStatus, DmaTarget, registers,
};
use regmap_runtime::dma::{DmaAllocator, DmaError, DmaSpace, SimMemory};
use regmap_runtime::trace::{Direction, TraceBus};
use std::error::Error;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Args {
    bytes: usize,
    transfers: usize,
    interrupts: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        bytes: 4 << 20,
        transfers: 64,
        interrupts: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            it.next()
                .and_then(|v| v.replace('_', "").parse().ok())
                .filter(|&n: &usize| n > 0)
                .ok_or_else(|| format!("{name} needs a positive number"))
        };
        match a.as_str() {
            "--bytes" => args.bytes = number("--bytes")?,
            "--transfers" => args.transfers = number("--transfers")?,
            "--interrupts" => args.interrupts = true,
            "-h" | "--help" => {
                println!("usage: axi-dma-loopback [--bytes N] [--transfers N] [--interrupts]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}` (try --help)")),
        }
    }
    Ok(args)
}

fn mib(bytes: f64) -> String {
    if bytes >= (1u64 << 30) as f64 {
        format!("{:.2} GiB", bytes / (1u64 << 30) as f64)
    } else if bytes >= (1u64 << 20) as f64 {
        format!("{:.1} MiB", bytes / (1u64 << 20) as f64)
    } else {
        format!("{:.1} KiB", bytes / 1024.0)
    }
}

fn main() -> Result<(), Box<dyn Error + Send + Sync>> {
    let args = parse_args()?;
    let t = Duration::from_secs(2);

    // The IP as Vivado would build it for a ZynqMP: 26-bit length register,
    // 64-bit data, no DRE, Direct Register Mode, both channels.
    let config = AxiDmaConfig {
        length_width: 26,
        addr_width: 32,
        data_width: 8,
        dre: false,
        sg: false,
        mm2s: true,
        s2mm: true,
    };
    let mem = SimMemory::new(0x3000_0000, 2 * args.bytes as u64 + (16 << 20));
    let model = AxiDmaModel::new(config, Arc::new(mem.clone()))?;
    let mut dma = AxiDma::new(
        TraceBus::new(model.port()?).with_desc(registers::DESC),
        config,
    )?;
    if args.interrupts {
        dma = dma
            .with_interrupt(Channel::Mm2s, model.irq(Channel::Mm2s))?
            .with_interrupt(Channel::S2mm, model.irq(Channel::S2mm))?;
    }
    dma.reset(t)?;
    dma.start(Channel::Mm2s, t)?;
    dma.start(Channel::S2mm, t)?;

    let mut tx = mem.allocate(args.bytes)?;
    let mut rx = mem.allocate(args.bytes)?;
    println!(
        "AXI DMA loopback on the PG021 model: {}-bit length, {}-bit addresses, {}-bit data, {}",
        config.length_width,
        config.addr_width,
        config.data_width * 8,
        if args.interrupts {
            "waiting on interrupts"
        } else {
            "polling DMASR"
        }
    );
    println!(
        "  {} transfers of {} from MM2S buffer {:#x} through the stream into S2MM buffer {:#x}",
        args.transfers,
        mib(args.bytes as f64),
        tx.phys_addr(),
        rx.phys_addr()
    );

    let bus = || dma.trace();
    let mut busy = Duration::ZERO;
    let mut accesses = 0;
    for round in 0..args.transfers {
        for (i, b) in tx.as_bytes_mut().iter_mut().enumerate() {
            *b = (i as u64 * 31 + round as u64) as u8;
        }
        bus().clear();
        let started = Instant::now();
        let receiving = dma.receive(rx)?;
        let sending = dma.send(tx)?;
        let sent = sending.wait(t)?;
        let got = receiving.wait(t)?;
        busy += started.elapsed();
        accesses += bus().counts().total();
        if got.bytes != args.bytes as u64 || got.buffer.as_bytes() != sent.buffer.as_bytes() {
            return Err(format!("transfer {round}: the data came back different").into());
        }
        (tx, rx) = (sent.buffer, got.buffer);
    }
    let moved = (args.bytes * args.transfers) as f64;
    let rate = moved / busy.as_secs_f64();

    // The same bytes with a plain memcpy, for scale.
    let src = vec![1u8; args.bytes];
    let mut dst = vec![0u8; args.bytes];
    let started = Instant::now();
    for _ in 0..args.transfers {
        dst.copy_from_slice(std::hint::black_box(&src));
        std::hint::black_box(&mut dst);
    }
    let memcpy = moved / started.elapsed().as_secs_f64();
    println!(
        "  moved {} in {:.3} s: {}/s, every byte checked ({:.2}× a plain memcpy of the same bytes, {}/s)",
        mib(moved),
        busy.as_secs_f64(),
        mib(rate),
        rate / memcpy,
        mib(memcpy)
    );
    let stats = model.stats();
    println!(
        "  model: MM2S read {}, S2MM wrote {}, {} + {} transfers; {} register accesses per loopback (both channels)",
        mib(stats.bytes[0] as f64),
        mib(stats.bytes[1] as f64),
        stats.transfers[0],
        stats.transfers[1],
        accesses / args.transfers as u64
    );

    println!("  the register accesses of the last loopback, as the tracing bus recorded them:");
    for a in bus().recent() {
        let name = registers::DESC
            .register_at(a.offset)
            .map_or("?", |r| r.name);
        let dir = match a.direction {
            Direction::Read => "read ",
            Direction::Write => "write",
        };
        let note = if name.ends_with("DMASR") {
            let names: Vec<_> = DmaStatus::from_bits(a.value as u32).names().collect();
            let verb = match a.direction {
                Direction::Read => "",
                Direction::Write => "write 1 to clear: ",
            };
            format!("  ({verb}{})", names.join(" | "))
        } else {
            String::new()
        };
        println!("    {dir} {name:<20} {:#010x}{note}", a.value);
    }

    scatter_gather(&mem)?;
    when_it_goes_wrong(&mem, config)?;
    Ok(())
}

/// One 1 MiB packet over 16 descriptors each way, with SG included in the IP.
fn scatter_gather(mem: &SimMemory) -> Result<(), Box<dyn Error + Send + Sync>> {
    let config = AxiDmaConfig {
        sg: true,
        length_width: 26,
        data_width: 8,
        ..AxiDmaConfig::default()
    };
    let model = AxiDmaModel::new(config, Arc::new(mem.clone()))?;
    let mut dma = model.driver()?;
    let t = Duration::from_secs(2);
    dma.reset(t)?;
    let len = 1 << 20;
    let mut tx = mem.allocate(len)?;
    tx.as_bytes_mut()
        .iter_mut()
        .enumerate()
        .for_each(|(i, b)| *b = (i / 4096) as u8);
    let ring = |n| -> Result<DescriptorRing, Box<dyn Error + Send + Sync>> {
        Ok(DescriptorRing::new(
            mem.allocate(DescriptorRing::bytes_for(n))?,
            0,
            n,
        )?)
    };
    let rx = dma.sg_receive(ring(16)?, mem.allocate(len)?, len / 16)?;
    let sent = dma.sg_send(ring(16)?, tx, len / 16)?.wait(t)?;
    let got = rx.wait(t)?;
    let first = got.descriptors.first().map(|s| s.rx_sof()).unwrap_or(false);
    let last = got.descriptors.last().map(|s| s.rx_eof()).unwrap_or(false);
    println!(
        "Scatter gather: one {} packet in {} descriptors each way; S2MM descriptors RXSOF first: {first}, RXEOF last: {last}; data {}",
        mib(got.bytes as f64),
        sent.descriptors.len(),
        if got.buffer.as_bytes() == sent.buffer.as_bytes() {
            "identical"
        } else {
            "DIFFERENT"
        }
    );
    Ok(())
}

/// A stream source that sends 1000 bytes and never asserts TLAST: the driver
/// times out, stops the channel, hands the buffer back and says why.
fn when_it_goes_wrong(
    mem: &SimMemory,
    config: AxiDmaConfig,
) -> Result<(), Box<dyn Error + Send + Sync>> {
    let model = AxiDmaModel::new(config, Arc::new(mem.clone()))?;
    let stream = TestStream::new();
    stream.push(vec![0xab; 1000], false);
    model.set_stream(stream);
    let dma = model.driver()?;
    dma.start(Channel::S2mm, Duration::from_millis(100))?;
    let failed = dma
        .receive(mem.allocate(4096)?)?
        .wait(Duration::from_millis(50))
        .expect_err("a packet without TLAST cannot complete");
    println!("When it goes wrong (a stream source that never asserts TLAST), the error reads:");
    for line in failed.error.to_string().lines() {
        println!("  | {line}");
    }
    println!(
        "  and the buffer came back: {}",
        if failed.buffer.is_some() {
            "yes"
        } else {
            "no (leaked)"
        }
    );

    // A buffer address nothing answers at (a virtual address passed by mistake, say).
    dma.start(Channel::Mm2s, Duration::from_millis(100))?;
    let failed = dma
        .send(Misplaced(0x7f3a_2000, mem.dma_space()))?
        .wait(Duration::from_millis(50))
        .expect_err("nothing is mapped there");
    println!("A buffer at an address nothing answers at:");
    for line in failed.error.to_string().lines() {
        println!("  | {line}");
    }
    Ok(())
}

/// A "buffer" at an address of the model's memory where no buffer is.
#[derive(Debug)]
struct Misplaced(u64, DmaSpace);

// SAFETY: only sent (MM2S reads memory, never writes it), and only to the
// model, whose engine reaches nothing but simulated memory; the address is
// one no allocation covers, which is the point of the demonstration.
unsafe impl DmaTarget for Misplaced {
    fn phys_addr(&self) -> u64 {
        self.0
    }
    fn dma_space(&self) -> DmaSpace {
        self.1
    }
    fn len(&self) -> usize {
        4096
    }
    fn sync_for_device(&self) -> Result<(), DmaError> {
        Ok(())
    }
    fn sync_for_cpu(&mut self) -> Result<(), DmaError> {
        Ok(())
    }
}
