//! The model against PG021, poked through raw register offsets.

use super::*;
use std::time::Duration;

const S2MM: usize = CHANNEL_STRIDE;
const RAM: u64 = 0x8000_0000;

fn simple(cfg: AxiDmaConfig) -> (AxiDmaModel, Arc<RamRegion>) {
    let ram = Arc::new(RamRegion::new(RAM, 0x10000));
    let m = AxiDmaModel::new(AxiDmaConfig { sg: false, ..cfg }, ram.clone()).unwrap();
    (m, ram)
}

/// A stream peer wired to `m`'s ports; the handle kept feeds and drains it.
fn attach_stream(m: &AxiDmaModel) -> TestStream {
    let stream = TestStream::new();
    m.set_stream(stream.clone());
    stream
}

fn rd(m: &AxiDmaModel, off: usize) -> u32 {
    m.port().unwrap().read_u32(off).unwrap()
}
fn wr(m: &AxiDmaModel, off: usize, v: u32) {
    m.port().unwrap().write_u32(off, v).unwrap()
}

#[test]
fn reset_values_and_run_stop_transitions() {
    let (m, _) = simple(AxiDmaConfig::default());
    assert_eq!(rd(&m, DMACR), 0x0001_0002);
    assert_eq!(rd(&m, DMASR), 0x0001_0001, "Halted, threshold 1, no SG");
    wr(&m, DMACR, CR_RS);
    assert_eq!(
        rd(&m, DMASR) & (SR_HALTED | SR_IDLE),
        0,
        "running, idle only after a transfer"
    );
    wr(&m, DMACR, 0);
    assert_eq!(rd(&m, DMASR) & SR_HALTED, SR_HALTED);
    wr(&m, S2MM + DMACR, CR_RS | CR_IOC_EN);
    wr(&m, DMACR, CR_RESET);
    assert_eq!(
        rd(&m, S2MM + DMACR),
        0x0001_0002,
        "reset clears both channels"
    );
    assert_eq!(rd(&m, S2MM + DMASR) & SR_HALTED, SR_HALTED);
    assert_eq!(m.stats().resets, 1);
}

#[test]
fn length_write_moves_a_packet_through_the_loopback() {
    let (m, ram) = simple(AxiDmaConfig::default());
    let data: Vec<u8> = (0..200u8).collect();
    ram.write(RAM, &data).unwrap();
    wr(&m, S2MM + DMACR, CR_RS);
    wr(&m, S2MM + ADDR, (RAM + 0x1000) as u32);
    wr(&m, S2MM + LENGTH, 1000);
    wr(&m, DMACR, CR_RS);
    wr(&m, ADDR, RAM as u32);
    wr(&m, LENGTH, 200);
    assert_eq!(rd(&m, DMASR) & (SR_IDLE | SR_IOC), SR_IDLE | SR_IOC);
    assert_eq!(rd(&m, S2MM + DMASR) & (SR_IDLE | SR_IOC), SR_IDLE | SR_IOC);
    assert_eq!(
        rd(&m, S2MM + LENGTH),
        200,
        "S2MM LENGTH reads back bytes received"
    );
    let mut out = vec![0; 200];
    ram.read(RAM + 0x1000, &mut out).unwrap();
    assert_eq!(out, data);
    wr(&m, DMASR, SR_IOC);
    assert_eq!(rd(&m, DMASR) & SR_IOC, 0, "IOC_Irq is write-one-to-clear");
}

#[test]
fn length_write_while_halted_or_zero_does_nothing() {
    let (m, _) = simple(AxiDmaConfig::default());
    wr(&m, ADDR, RAM as u32);
    wr(&m, LENGTH, 16);
    assert_eq!(m.stats().bytes[0], 0);
    wr(&m, DMACR, CR_RS);
    wr(&m, LENGTH, 0);
    assert_eq!(rd(&m, DMASR) & SR_IDLE, 0);
    assert_eq!(m.stats().bytes[0], 0);
}

#[test]
fn only_length_width_bits_of_length_exist() {
    let (m, _) = simple(AxiDmaConfig {
        length_width: 8,
        ..AxiDmaConfig::default()
    });
    wr(&m, LENGTH, 0x1ff);
    assert_eq!(rd(&m, LENGTH), 0xff);
}

#[test]
fn decode_error_halts_until_reset() {
    let (m, _) = simple(AxiDmaConfig::default());
    wr(&m, DMACR, CR_RS | CR_ERR_EN);
    wr(&m, ADDR, 0x10);
    wr(&m, LENGTH, 64);
    let sr = rd(&m, DMASR);
    assert_eq!(
        sr & (SR_DMA_DEC | SR_ERR | SR_HALTED),
        SR_DMA_DEC | SR_ERR | SR_HALTED
    );
    assert_eq!(rd(&m, DMACR) & CR_RS, 0, "an error clears RS");
    wr(&m, DMACR, CR_RS);
    assert_eq!(
        rd(&m, DMASR) & SR_HALTED,
        SR_HALTED,
        "errors hold the channel halted"
    );
    wr(&m, DMASR, SR_ERR);
    assert_eq!(
        rd(&m, DMASR) & SR_DMA_DEC,
        SR_DMA_DEC,
        "Err_Irq ack leaves the error bit"
    );
    wr(&m, DMACR, CR_RESET);
    wr(&m, DMACR, CR_RS);
    assert_eq!(rd(&m, DMASR) & (SR_HALTED | SR_ERRORS), 0);
}

#[test]
fn slave_error_from_memory() {
    let ram = Arc::new(FaultyMemory::new(RamRegion::new(RAM, 0x1000)));
    ram.add_slave_error(RAM + 0x100..RAM + 0x200);
    let m = AxiDmaModel::new(
        AxiDmaConfig {
            sg: false,
            ..AxiDmaConfig::default()
        },
        ram,
    )
    .unwrap();
    wr(&m, DMACR, CR_RS);
    wr(&m, ADDR, RAM as u32 + 0x100);
    wr(&m, LENGTH, 4);
    assert_eq!(rd(&m, DMASR) & SR_ERRORS, SR_DMA_SLV);
}

#[test]
fn s2mm_packet_longer_than_length_is_an_internal_error() {
    let (m, _) = simple(AxiDmaConfig::default());
    let stream = attach_stream(&m);
    stream.push(vec![7; 100], true);
    wr(&m, S2MM + DMACR, CR_RS);
    wr(&m, S2MM + ADDR, RAM as u32);
    wr(&m, S2MM + LENGTH, 64);
    assert_eq!(rd(&m, S2MM + DMASR) & SR_ERRORS, SR_DMA_INT);
}

#[test]
fn s2mm_without_tlast_never_completes() {
    let (m, _) = simple(AxiDmaConfig::default());
    let stream = attach_stream(&m);
    stream.push(vec![7; 64], false);
    wr(&m, S2MM + DMACR, CR_RS);
    wr(&m, S2MM + ADDR, RAM as u32);
    wr(&m, S2MM + LENGTH, 64);
    assert_eq!(rd(&m, S2MM + DMASR) & (SR_IDLE | SR_ERRORS), 0);
    stream.push(vec![], true);
    assert_eq!(
        rd(&m, S2MM + DMASR) & SR_IDLE,
        SR_IDLE,
        "a late TLAST completes it"
    );
    assert_eq!(rd(&m, S2MM + LENGTH), 64);
}

#[test]
fn misaligned_address_without_dre_uses_the_aligned_down_address() {
    let (m, ram) = simple(AxiDmaConfig::default());
    ram.write(RAM, &[1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
    let stream = attach_stream(&m);
    wr(&m, DMACR, CR_RS);
    wr(&m, ADDR, RAM as u32 + 2);
    wr(&m, LENGTH, 4);
    assert_eq!(stream.sent_bytes(), [1, 2, 3, 4]);

    let (m, ram) = simple(AxiDmaConfig {
        dre: true,
        ..AxiDmaConfig::default()
    });
    ram.write(RAM, &[1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
    let stream = attach_stream(&m);
    wr(&m, DMACR, CR_RS);
    wr(&m, ADDR, RAM as u32 + 2);
    wr(&m, LENGTH, 4);
    assert_eq!(stream.sent_bytes(), [3, 4, 5, 6]);
}

#[test]
fn msb_registers_exist_only_above_32_address_bits() {
    let (m, _) = simple(AxiDmaConfig::default());
    wr(&m, ADDR_MSB, 0x12);
    assert_eq!(rd(&m, ADDR_MSB), 0);
    let (m, _) = simple(AxiDmaConfig {
        addr_width: 40,
        ..AxiDmaConfig::default()
    });
    wr(&m, ADDR_MSB, 0x12);
    assert_eq!(rd(&m, ADDR_MSB), 0x12);
}

#[test]
fn stalled_mm2s_cannot_halt_but_reset_recovers() {
    let (m, _) = simple(AxiDmaConfig::default());
    let stream = TestStream::new();
    stream.set_accept(Some(0));
    m.set_stream(stream.clone());
    wr(&m, DMACR, CR_RS);
    wr(&m, ADDR, RAM as u32);
    wr(&m, LENGTH, 64);
    wr(&m, DMACR, 0);
    assert_eq!(rd(&m, DMASR) & SR_HALTED, 0, "data in flight, TREADY low");
    wr(&m, DMACR, CR_RESET);
    assert_eq!(rd(&m, DMACR) & CR_RESET, 0, "reset completes");
    assert_eq!(rd(&m, DMASR) & SR_HALTED, SR_HALTED);
}

#[test]
fn injected_faults() {
    let (m, _) = simple(AxiDmaConfig::default());
    m.set_faults(ModelFaults {
        never_start: true,
        ..ModelFaults::default()
    });
    wr(&m, DMACR, CR_RS);
    assert_eq!(rd(&m, DMASR) & SR_HALTED, SR_HALTED);
    m.set_faults(ModelFaults {
        reset_stuck: true,
        ..ModelFaults::default()
    });
    wr(&m, DMACR, CR_RESET);
    assert_eq!(rd(&m, DMACR) & CR_RESET, CR_RESET);
    m.set_faults(ModelFaults::default());
    wr(&m, DMACR, CR_RESET);
    assert_eq!(rd(&m, DMACR) & CR_RESET, 0);
}

#[test]
fn interrupt_fires_once_until_rearmed() {
    let (m, _) = simple(AxiDmaConfig::default());
    let irq = m.irq(Channel::Mm2s);
    assert_eq!(irq.wait(Duration::from_millis(5)), None);
    wr(&m, DMACR, CR_RS | CR_IOC_EN);
    wr(&m, ADDR, RAM as u32);
    wr(&m, LENGTH, 8);
    assert_eq!(irq.wait(Duration::from_millis(5)), Some(1));
    assert_eq!(
        irq.wait(Duration::from_millis(5)),
        None,
        "disabled until re-armed"
    );
    irq.rearm();
    assert_eq!(
        irq.wait(Duration::from_millis(5)),
        Some(2),
        "the line is still high: it fires again at re-arm"
    );
    wr(&m, DMASR, SR_IOC);
    irq.rearm();
    assert_eq!(irq.wait(Duration::from_millis(5)), None);
}

fn sg_model(cfg: AxiDmaConfig) -> (AxiDmaModel, Arc<RamRegion>) {
    let ram = Arc::new(RamRegion::new(RAM, 0x10000));
    let m = AxiDmaModel::new(AxiDmaConfig { sg: true, ..cfg }, ram.clone()).unwrap();
    (m, ram)
}

fn put_desc(ram: &RamRegion, at: u64, next: u64, buf: u64, control: u32) {
    let mut d = [0u8; 0x40];
    d[0..4].copy_from_slice(&(next as u32).to_le_bytes());
    d[4..8].copy_from_slice(&((next >> 32) as u32).to_le_bytes());
    d[8..12].copy_from_slice(&(buf as u32).to_le_bytes());
    d[12..16].copy_from_slice(&((buf >> 32) as u32).to_le_bytes());
    d[0x18..0x1c].copy_from_slice(&control.to_le_bytes());
    ram.write(at, &d).unwrap();
}

fn status(ram: &RamRegion, at: u64) -> u32 {
    let mut b = [0; 4];
    ram.read(at + 0x1c, &mut b).unwrap();
    u32::from_le_bytes(b)
}

#[test]
fn sg_packet_split_over_descriptors() {
    let (m, ram) = sg_model(AxiDmaConfig::default());
    let data: Vec<u8> = (0..=255u8).cycle().take(300).collect();
    ram.write(RAM + 0x4000, &data).unwrap();
    // MM2S: one packet over two descriptors (SOF on the first, EOF on the second).
    put_desc(&ram, RAM, RAM + 0x40, RAM + 0x4000, 100 | 1 << 27);
    put_desc(&ram, RAM + 0x40, RAM, RAM + 0x4064, 200 | CTRL_TXEOF);
    // S2MM: three 128-byte buffers.
    for i in 0..3u64 {
        let at = RAM + 0x1000 + i * 0x40;
        let next = RAM + 0x1000 + ((i + 1) % 3) * 0x40;
        put_desc(&ram, at, next, RAM + 0x8000 + i * 128, 128);
    }
    wr(&m, S2MM + CURDESC, RAM as u32 + 0x1000);
    wr(&m, S2MM + DMACR, CR_RS);
    wr(&m, S2MM + TAILDESC, RAM as u32 + 0x1080);
    wr(&m, CURDESC, RAM as u32);
    wr(&m, DMACR, CR_RS);
    wr(&m, TAILDESC, RAM as u32 + 0x40);
    assert_eq!(status(&ram, RAM), ST_CMPLT | 100);
    assert_eq!(status(&ram, RAM + 0x40), ST_CMPLT | 200);
    assert_eq!(status(&ram, RAM + 0x1000), ST_CMPLT | ST_RXSOF | 128);
    assert_eq!(status(&ram, RAM + 0x1040), ST_CMPLT | 128);
    assert_eq!(status(&ram, RAM + 0x1080), ST_CMPLT | ST_RXEOF | 44);
    assert_eq!(rd(&m, S2MM + DMASR) & (SR_IDLE | SR_IOC), SR_IDLE | SR_IOC);
    assert_eq!(rd(&m, CURDESC), RAM as u32 + 0x40);
    let mut out = vec![0; 300];
    ram.read(RAM + 0x8000, &mut out).unwrap();
    assert_eq!(out, data);
    // Fetching a completed descriptor again is SGIntErr.
    wr(&m, TAILDESC, RAM as u32);
    assert_eq!(rd(&m, DMASR) & SR_ERRORS, SR_SG_INT);
}

#[test]
fn sg_errors() {
    let (m, ram) = sg_model(AxiDmaConfig::default());
    put_desc(&ram, RAM, RAM, RAM + 0x4000, 0);
    wr(&m, CURDESC, RAM as u32);
    wr(&m, DMACR, CR_RS);
    wr(&m, TAILDESC, RAM as u32);
    assert_eq!(rd(&m, DMASR) & SR_ERRORS, SR_DMA_INT, "zero length");
    assert_eq!(status(&ram, RAM), ST_INT_ERR);

    wr(&m, DMACR, CR_RESET);
    wr(&m, CURDESC, 0x40);
    wr(&m, DMACR, CR_RS);
    wr(&m, TAILDESC, 0x40);
    assert_eq!(
        rd(&m, DMASR) & SR_ERRORS,
        SR_SG_DEC,
        "descriptor outside memory"
    );

    wr(&m, DMACR, CR_RESET);
    put_desc(&ram, RAM, RAM, 0x100, 16 | CTRL_TXEOF);
    wr(&m, CURDESC, RAM as u32);
    wr(&m, DMACR, CR_RS);
    wr(&m, TAILDESC, RAM as u32);
    assert_eq!(
        rd(&m, DMASR) & SR_ERRORS,
        SR_DMA_DEC,
        "buffer outside memory"
    );
    assert_eq!(status(&ram, RAM), ST_DEC_ERR);
}

#[test]
fn cyclic_mode_keeps_going_past_the_tail() {
    let (m, ram) = sg_model(AxiDmaConfig::default());
    for i in 0..2u64 {
        put_desc(
            &ram,
            RAM + i * 0x40,
            RAM + ((i + 1) % 2) * 0x40,
            RAM + 0x4000,
            16 | CTRL_TXEOF,
        );
    }
    attach_stream(&m);
    wr(&m, CURDESC, RAM as u32);
    wr(&m, DMACR, CR_RS | CR_CYCLIC);
    wr(&m, TAILDESC, RAM as u32 + 0x40);
    let after_first = m.stats().descriptors[0];
    assert_eq!(after_first, CYCLIC_BUDGET as u64, "bounded work per access");
    rd(&m, DMASR);
    assert_eq!(m.stats().descriptors[0], 2 * CYCLIC_BUDGET as u64);
    wr(&m, DMACR, CR_CYCLIC);
    assert_eq!(
        rd(&m, DMASR) & SR_HALTED,
        SR_HALTED,
        "stopping a cyclic channel halts it"
    );
}

#[test]
fn keyhole_reads_one_address_over_and_over() {
    let (m, ram) = simple(AxiDmaConfig::default());
    ram.write(RAM, &[1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
    let stream = attach_stream(&m);
    wr(&m, DMACR, CR_RS | CR_KEYHOLE);
    wr(&m, ADDR, RAM as u32);
    wr(&m, LENGTH, 12);
    assert_eq!(stream.sent_bytes(), [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
}

#[test]
fn irq_threshold_coalesces_ioc_over_eof_descriptors() {
    let (m, ram) = sg_model(AxiDmaConfig::default());
    for i in 0..4u64 {
        put_desc(
            &ram,
            RAM + i * 0x40,
            RAM + ((i + 1) % 4) * 0x40,
            RAM + 0x4000,
            8 | CTRL_TXEOF,
        );
    }
    wr(&m, CURDESC, RAM as u32);
    wr(&m, DMACR, CR_RS | 2 << 16);
    assert_eq!(
        rd(&m, DMASR) >> 16 & 0xff,
        2,
        "IRQThresholdSts starts at the threshold"
    );
    wr(&m, TAILDESC, RAM as u32);
    assert_eq!(rd(&m, DMASR) & SR_IOC, 0, "one EOF descriptor of two");
    assert_eq!(rd(&m, DMASR) >> 16 & 0xff, 1);
    wr(&m, TAILDESC, RAM as u32 + 0x40);
    assert_eq!(rd(&m, DMASR) & SR_IOC, SR_IOC, "the second one raises IOC");
    assert_eq!(rd(&m, DMASR) >> 16 & 0xff, 2, "and reloads the counter");
}
