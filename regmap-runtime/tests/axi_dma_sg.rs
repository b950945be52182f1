//! The AXI DMA driver in Scatter Gather mode, against the PG021 model.

mod common;

use regmap_runtime::axi_dma::model::{AxiDmaModel, FaultyMemory, ModelPort, TestStream};
use regmap_runtime::axi_dma::{
    AxiDma, AxiDmaConfig, AxiDmaError, Channel, Descriptor, DescriptorRing, DescriptorStatus,
    ErrorBit,
};
use regmap_runtime::dma::{DmaAllocator, DmaBuffer, SimMemory};
use regmap_runtime::trace::{Direction, TraceBus};
use std::sync::Arc;
use std::time::Duration;

use common::{attach_stream, filled};

const T: Duration = Duration::from_millis(200);

struct Rig {
    mem: SimMemory,
    model: AxiDmaModel,
    dma: AxiDma<TraceBus<ModelPort>>,
}

fn rig_with(config: AxiDmaConfig, base: u64) -> Rig {
    let mem = SimMemory::new(base, 16 << 20);
    let model = AxiDmaModel::new(config, Arc::new(mem.clone())).unwrap();
    let bus = TraceBus::new(model.port().unwrap()).with_capacity(4096);
    // SAFETY: the port is the model's only one, and `config` is the model's.
    let mut dma = unsafe { AxiDma::new_unchecked(bus, config) }.unwrap();
    dma.set_abort_timeout(Duration::from_millis(20));
    dma.reset(T).unwrap();
    Rig { mem, model, dma }
}

fn rig() -> Rig {
    rig_with(AxiDmaConfig::default(), 0x4000_0000)
}

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 13 + i / 256) as u8).collect()
}

/// A ring of `count` descriptors placed `skip` descriptors into its buffer.
fn ring_at(mem: &SimMemory, skip: usize, count: usize) -> DescriptorRing {
    let buf = mem
        .allocate(DescriptorRing::bytes_for(skip + count))
        .unwrap();
    DescriptorRing::new(buf, skip * Descriptor::ALIGN, count).unwrap()
}

/// Descriptor 0 of `ring` pointing into `data`, its NXTDESC at itself.
fn self_looped(ring: &DescriptorRing, data: &DmaBuffer, control: u32) -> Descriptor {
    Descriptor {
        next: ring.phys_of(0),
        buffer: data.phys_addr(),
        control,
        ..Descriptor::default()
    }
}

#[test]
fn one_packet_over_several_descriptors_at_ring_offsets() {
    let r = rig();
    let data = pattern(300);
    let rx = r
        .dma
        .sg_receive(ring_at(&r.mem, 2, 4), r.mem.allocate(512).unwrap(), 128)
        .unwrap();
    let tx = r
        .dma
        .sg_send(ring_at(&r.mem, 3, 3), filled(&r.mem, &data), 100)
        .unwrap();
    assert_eq!(tx.descriptors(), 3);
    let sent = tx.wait(T).unwrap();
    assert_eq!(sent.bytes, 300);
    assert!(sent.descriptors.iter().all(|s| s.complete()));
    // The descriptors in memory say SOF on the first, EOF on the last.
    assert_eq!(sent.ring.get(0).control, 100 | Descriptor::TXSOF);
    assert_eq!(sent.ring.get(1).control, 100);
    assert_eq!(sent.ring.get(2).control, 100 | Descriptor::TXEOF);
    assert_eq!(sent.ring.get(2).next, sent.ring.phys_of(0));

    let got = rx.wait(T).unwrap();
    assert_eq!(got.bytes, 300);
    let s = &got.descriptors;
    assert_eq!(s.len(), 3, "the 4th descriptor was not needed");
    assert!(s[0].rx_sof() && !s[0].rx_eof() && s[0].transferred() == 128);
    assert!(!s[1].rx_sof() && !s[1].rx_eof() && s[1].transferred() == 128);
    assert!(s[2].rx_eof() && s[2].transferred() == 44);
    assert_eq!(&got.buffer.as_bytes()[..300], &data[..]);
    assert!(got.packet_complete() && sent.packet_complete());

    // The rings can be used again: the driver clears STATUS (no SGIntErr).
    let rx = r.dma.sg_receive(got.ring, got.buffer, 128).unwrap();
    let tx = r.dma.sg_send(sent.ring, sent.buffer, 100).unwrap();
    tx.wait(T).unwrap();
    assert_eq!(rx.wait(T).unwrap().bytes, 300);
}

#[test]
fn sg_above_4_gib_writes_upper_words() {
    let base = 0x1_2000_0000;
    let r = rig_with(
        AxiDmaConfig {
            addr_width: 40,
            ..AxiDmaConfig::default()
        },
        base,
    );
    let data = pattern(1000);
    let rx = r
        .dma
        .sg_receive(ring_at(&r.mem, 1, 4), r.mem.allocate(1024).unwrap(), 256)
        .unwrap();
    let sent = r
        .dma
        .sg_send(ring_at(&r.mem, 5, 4), filled(&r.mem, &data), 256)
        .unwrap()
        .wait(T)
        .unwrap();
    let got = rx.wait(T).unwrap();
    assert_eq!(&got.buffer.as_bytes()[..1000], &data[..]);
    // Descriptors carry the upper address words.
    let d = sent.ring.get(1);
    assert_eq!(d.next >> 32, 1);
    assert_eq!(d.buffer >> 32, 1);
    assert_eq!(d.buffer, sent.buffer.phys_addr() + 256);
    // CURDESC_MSB and TAILDESC_MSB of both channels were written with 1.
    let msb: Vec<(usize, u64)> = r
        .dma
        .trace()
        .recent()
        .iter()
        .filter(|a| a.direction == Direction::Write && [0x0C, 0x14, 0x3C, 0x44].contains(&a.offset))
        .map(|a| (a.offset, a.value))
        .collect();
    assert_eq!(msb, [(0x3C, 1), (0x44, 1), (0x0C, 1), (0x14, 1)]);
}

#[test]
fn sg_with_32_bit_addresses_writes_no_upper_words() {
    let r = rig();
    let rx = r
        .dma
        .sg_receive(ring_at(&r.mem, 0, 2), r.mem.allocate(64).unwrap(), 64)
        .unwrap();
    r.dma
        .sg_send(ring_at(&r.mem, 0, 2), filled(&r.mem, &[1; 64]), 64)
        .unwrap()
        .wait(T)
        .unwrap();
    rx.wait(T).unwrap();
    let msb = r
        .dma
        .trace()
        .recent()
        .iter()
        .filter(|a| a.direction == Direction::Write && [0x0C, 0x14, 0x3C, 0x44].contains(&a.offset))
        .count();
    assert_eq!(msb, 0);
}

#[test]
fn ring_placement_is_checked() {
    let mem = SimMemory::new(0x4000_0000, 1 << 20);
    let buf = mem.allocate(1024).unwrap();
    let e = DescriptorRing::new(buf, 0x20, 2).unwrap_err();
    assert!(
        e.error.to_string().contains("64-byte aligned"),
        "{}",
        e.error
    );
    let e = DescriptorRing::new(e.buffer, 0x40, 16).unwrap_err();
    assert!(
        e.error.to_string().contains("need 0x400 bytes"),
        "{}",
        e.error
    );
    assert!(DescriptorRing::new(e.buffer, 0x40, 15).is_ok());
}

#[test]
fn a_ring_too_small_for_the_transfer_is_refused() {
    let r = rig();
    let refused = r
        .dma
        .sg_send(ring_at(&r.mem, 0, 2), filled(&r.mem, &[0; 300]), 100)
        .unwrap_err();
    assert!(
        refused
            .error
            .to_string()
            .contains("needs 3 descriptors; the ring has 2")
    );
}

#[test]
fn descriptor_length_is_capped_by_the_length_width() {
    let r = rig_with(
        AxiDmaConfig {
            length_width: 8,
            ..AxiDmaConfig::default()
        },
        0x4000_0000,
    );
    let data = pattern(1000);
    let rx = r
        .dma
        .sg_receive(ring_at(&r.mem, 0, 8), r.mem.allocate(1000).unwrap(), 4096)
        .unwrap();
    let tx = r
        .dma
        .sg_send(ring_at(&r.mem, 0, 8), filled(&r.mem, &data), 4096)
        .unwrap();
    assert_eq!(
        tx.descriptors(),
        4,
        "252-byte descriptors (255 aligned down to 4)"
    );
    tx.wait(T).unwrap();
    let got = rx.wait(T).unwrap();
    assert_eq!(got.buffer.as_bytes(), &data[..]);
}

#[test]
fn cyclic_mode_loops_until_stopped() {
    let r = rig();
    let data = pattern(256);
    let mut rx = r
        .dma
        .start_cyclic(
            Channel::S2mm,
            ring_at(&r.mem, 1, 4),
            r.mem.allocate(256).unwrap(),
            64,
        )
        .unwrap();
    let mut tx = r
        .dma
        .start_cyclic(
            Channel::Mm2s,
            ring_at(&r.mem, 0, 4),
            filled(&r.mem, &data),
            64,
        )
        .unwrap();
    for _ in 0..3 {
        tx.wait_period(T).unwrap();
        rx.wait_period(T).unwrap();
    }
    let laps = r.model.stats().descriptors;
    assert!(laps[0] > 8 && laps[1] > 8, "went round the rings: {laps:?}");
    let (_, sent) = tx.stop().unwrap();
    let (ring, got) = rx.stop().unwrap();
    assert_eq!(
        got.as_bytes(),
        sent.as_bytes(),
        "each period landed in its slot"
    );
    assert!(r.dma.status(Channel::Mm2s).unwrap().halted());
    assert!(r.dma.status(Channel::S2mm).unwrap().halted());
    // Cyclic descriptors have SOF and EOF on each period (MM2S side written by the driver).
    assert!(DescriptorStatus(ring.get(0).status).complete());
    let stats = r.model.stats().descriptors;
    r.model.step();
    assert_eq!(
        r.model.stats().descriptors,
        stats,
        "nothing moves after stop"
    );
}

#[test]
fn sg_slave_and_decode_errors_on_descriptor_fetch() {
    for (decode, bit) in [(false, ErrorBit::SgSlvErr), (true, ErrorBit::SgDecErr)] {
        let config = AxiDmaConfig::default();
        let sim = SimMemory::new(0x4000_0000, 1 << 20);
        let faulty = Arc::new(FaultyMemory::new(sim.clone()));
        let model = AxiDmaModel::new(config, faulty.clone()).unwrap();
        let dma = model.driver().unwrap();
        let ring = ring_at(&sim, 0, 2);
        let at = ring.phys_of(0);
        if decode {
            faulty.add_decode_error(at..at + 0x80);
        } else {
            faulty.add_slave_error(at..at + 0x80);
        }
        let failed = dma
            .sg_send(ring, filled(&sim, &[1; 64]), 64)
            .unwrap()
            .wait(T)
            .unwrap_err();
        assert_eq!(failed.error.error_bits(), [bit], "{}", failed.error);
        assert_eq!(failed.error.channel(), Some(Channel::Mm2s));
        assert!(failed.error.to_string().contains(bit.name()));
        assert!(failed.buffer.is_some());
    }
}

#[test]
fn sg_data_errors_are_written_into_the_descriptor() {
    let config = AxiDmaConfig::default();
    let sim = SimMemory::new(0x4000_0000, 1 << 20);
    let faulty = Arc::new(FaultyMemory::new(sim.clone()));
    let model = AxiDmaModel::new(config, faulty.clone()).unwrap();
    let dma = model.driver().unwrap();
    let data = filled(&sim, &[1; 64]);
    faulty.add_slave_error(data.phys_addr()..data.phys_addr() + 64);
    let failed = dma
        .sg_send(ring_at(&sim, 0, 1), data, 64)
        .unwrap()
        .wait(T)
        .unwrap_err();
    assert_eq!(failed.error.error_bits(), [ErrorBit::DmaSlvErr]);
    let (mut ring, _) = failed.buffer.unwrap();
    ring.sync_for_cpu().unwrap();
    assert_eq!(
        DescriptorStatus(ring.get(0).status).errors(),
        [ErrorBit::DmaSlvErr]
    );
}

#[test]
fn a_descriptor_fetched_with_cmplt_set_is_sg_int_err() {
    let r = rig();
    let mut ring = ring_at(&r.mem, 0, 1);
    let data = filled(&r.mem, &[1; 64]);
    ring.set(
        0,
        &Descriptor {
            // Left over from an earlier use: PG021 refuses to run it again.
            status: 1 << 31 | 64,
            ..self_looped(&ring, &data, 64 | Descriptor::TXSOF | Descriptor::TXEOF)
        },
    );
    // SAFETY: the one descriptor points into `data`, which the transfer owns,
    // and its NXTDESC is itself.
    let t = unsafe { r.dma.sg_start_prepared(Channel::Mm2s, ring, data, 1) }.unwrap();
    let failed = t.wait(T).unwrap_err();
    assert_eq!(failed.error.error_bits(), [ErrorBit::SgIntErr]);
    assert!(failed.error.to_string().contains("already had Cmplt set"));
}

#[test]
fn zero_length_descriptor_is_dmainterr() {
    let r = rig();
    let mut ring = ring_at(&r.mem, 0, 1);
    let data = filled(&r.mem, &[1; 64]);
    ring.set(
        0,
        &self_looped(&ring, &data, Descriptor::TXSOF | Descriptor::TXEOF),
    );
    // SAFETY: as above.
    let t = unsafe { r.dma.sg_start_prepared(Channel::Mm2s, ring, data, 1) }.unwrap();
    assert_eq!(
        t.wait(T).unwrap_err().error.error_bits(),
        [ErrorBit::DmaIntErr]
    );
}

#[test]
fn sg_receive_without_tlast_times_out() {
    let r = rig();
    let stream = attach_stream(&r.model);
    stream.push(vec![1; 100], false);
    let failed = r
        .dma
        .sg_receive(ring_at(&r.mem, 0, 2), r.mem.allocate(256).unwrap(), 128)
        .unwrap()
        .wait(Duration::from_millis(30))
        .unwrap_err();
    let AxiDmaError::Timeout(report) = &failed.error else {
        panic!("{}", failed.error)
    };
    assert!(report.causes.iter().any(|c| c.contains("TLAST")));
    assert!(failed.buffer.is_some());
}

#[test]
fn sg_waits_on_interrupts() {
    let config = AxiDmaConfig::default();
    let mem = SimMemory::new(0x4000_0000, 1 << 20);
    let model = AxiDmaModel::new(config, Arc::new(mem.clone())).unwrap();
    let irq = model.irq(Channel::S2mm);
    let dma = model
        .driver()
        .unwrap()
        .with_interrupt(Channel::S2mm, irq.clone())
        .unwrap();
    let data = pattern(200);
    let rx = dma
        .sg_receive(ring_at(&mem, 0, 2), mem.allocate(256).unwrap(), 128)
        .unwrap();
    dma.sg_send(ring_at(&mem, 0, 2), filled(&mem, &data), 128)
        .unwrap()
        .wait(T)
        .unwrap();
    let got = rx.wait(T).unwrap();
    assert_eq!(&got.buffer.as_bytes()[..200], &data[..]);
    assert!(irq.count() >= 1);
}

#[test]
fn direct_mode_operations_are_refused_in_sg_mode_and_vice_versa() {
    let r = rig();
    let e = r.dma.send(r.mem.allocate(64).unwrap()).unwrap_err();
    assert!(matches!(
        e.error,
        AxiDmaError::WrongMode {
            needs_sg: false,
            ..
        }
    ));
    let d = rig_with(
        AxiDmaConfig {
            sg: false,
            ..AxiDmaConfig::default()
        },
        0x4000_0000,
    );
    let e = d
        .dma
        .sg_send(ring_at(&d.mem, 0, 1), d.mem.allocate(64).unwrap(), 64)
        .unwrap_err();
    assert!(matches!(
        e.error,
        AxiDmaError::WrongMode { needs_sg: true, .. }
    ));
}

#[test]
fn a_packet_longer_than_the_ring_is_reported_incomplete_not_dropped() {
    let r = rig();
    let stream = attach_stream(&r.model);
    stream.push(pattern(300), true);
    let got = r
        .dma
        .sg_receive(ring_at(&r.mem, 0, 2), r.mem.allocate(256).unwrap(), 128)
        .unwrap()
        .wait(T)
        .unwrap();
    assert_eq!(got.bytes, 256);
    assert!(!got.packet_complete());
    assert_eq!(got.buffer.as_bytes(), &pattern(300)[..256]);
    assert_eq!(stream.pending(), 44, "the rest is still in the stream");
}

#[test]
fn an_interrupt_before_the_end_is_acknowledged_not_spun_on() {
    let config = AxiDmaConfig::default();
    let mem = SimMemory::new(0x4000_0000, 1 << 20);
    let model = AxiDmaModel::new(config, Arc::new(mem.clone())).unwrap();
    let stream = TestStream::new();
    stream.set_accept(Some(64)); // the first packet only, for now
    model.set_stream(stream.clone());
    let irq = model.irq(Channel::Mm2s);
    let dma = model
        .driver()
        .unwrap()
        .with_interrupt(Channel::Mm2s, irq.clone())
        .unwrap();
    let data = filled(&mem, &pattern(128));
    let mut ring = ring_at(&mem, 0, 2);
    for i in 0..2 {
        ring.set(
            i,
            &Descriptor {
                next: ring.phys_of(i + 1),
                buffer: data.phys_addr() + 64 * i as u64,
                control: 64 | Descriptor::TXSOF | Descriptor::TXEOF,
                ..Descriptor::default()
            },
        );
    }
    // SAFETY: both descriptors point into `data`; the chain stays in the ring.
    let t = unsafe { dma.sg_start_prepared(Channel::Mm2s, ring, data, 2) }.unwrap();
    let opener = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(40));
        stream.set_accept(None);
    });
    let done = t.wait(Duration::from_secs(2)).unwrap();
    opener.join().unwrap();
    assert_eq!(done.bytes, 128);
    // One interrupt per packet (plus at most one for the wake-up race), not one
    // per re-arm while the first IOC was still pending.
    assert!(irq.count() <= 3, "{} interrupts", irq.count());
}

#[test]
fn cyclic_receive_hands_out_each_period_as_it_completes() {
    let r = rig();
    let stream = attach_stream(&r.model);
    let mut rx = r
        .dma
        .start_cyclic(
            Channel::S2mm,
            ring_at(&r.mem, 1, 4),
            r.mem.allocate(256).unwrap(),
            64,
        )
        .unwrap();
    let e = rx.next_period(Duration::from_millis(20)).unwrap_err();
    assert!(
        matches!(e, AxiDmaError::Timeout(_)),
        "nothing arrived yet: {e}"
    );
    for packet in 0..10u8 {
        stream.push(vec![packet; 64], true);
        let index = rx.next_period(T).unwrap();
        assert_eq!(index, packet as usize % 4, "periods come in ring order");
        assert_eq!(rx.period_to_vec(index).unwrap(), [packet; 64]);
    }
    assert!(rx.period_to_vec(4).is_err());
    let mut short = [0u8; 63];
    assert!(
        rx.copy_period(0, &mut short).is_err(),
        "a destination shorter than a period"
    );
    let mut long = [0xeeu8; 100];
    assert_eq!(rx.copy_period(3, &mut long).unwrap(), 64);
    assert!(
        long[64..].iter().all(|&b| b == 0xee),
        "only one period is written"
    );
    let (_, data) = rx.stop().unwrap();
    assert_eq!(
        &data.as_bytes()[..64],
        &[8; 64],
        "period 0 last held packet 8"
    );
}
