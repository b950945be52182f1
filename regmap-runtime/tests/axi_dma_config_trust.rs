//! What the safe constructor believes of an `AxiDmaConfig`: the registers
//! cannot say whether the IP has DRE, how wide its data path is or how many
//! address bits it drives, so `AxiDma::new` relies on none of them, and a
//! configuration that overstates the IP cannot make the engine write outside
//! a buffer. `AxiDmaModel::driver` and `new_unchecked` use all of it.

mod common;

use regmap_runtime::axi_dma::model::AxiDmaModel;
use regmap_runtime::axi_dma::{
    AxiDma, AxiDmaConfig, AxiDmaError, Channel, Descriptor, DescriptorRing,
};
use regmap_runtime::dma::{DmaAllocator, SimMemory};
use regmap_runtime::trace::{Direction, TraceBus};
use std::sync::Arc;
use std::time::Duration;

use common::{attach_stream, filled};

const T: Duration = Duration::from_millis(200);

/// The IP as built: direct mode, a 64-bit data path, no DRE, 32-bit addresses.
fn ip() -> AxiDmaConfig {
    AxiDmaConfig {
        sg: false,
        data_width: 8,
        ..AxiDmaConfig::default()
    }
}

#[test]
fn a_claimed_dre_cannot_make_the_engine_write_below_the_buffer() {
    let claimed = AxiDmaConfig { dre: true, ..ip() };

    // Believed (the unsafe constructor's promise broken on purpose, on
    // simulated memory): the IP without DRE drops the address's low bits and
    // writes the bytes before the buffer.
    let mem = SimMemory::new(0x4000_0000, 1 << 20);
    let model = AxiDmaModel::new(ip(), Arc::new(mem.clone())).unwrap();
    let stream = attach_stream(&model);
    // SAFETY: not upheld (the IP has no DRE); the engine is a model writing
    // simulated memory, which is what this half of the test shows.
    let dma = unsafe { AxiDma::new_unchecked(model.port().unwrap(), claimed) }.unwrap();
    dma.start(Channel::S2mm, T).unwrap();
    stream.push(vec![0x11; 64], true);
    let whole = filled(&mem, &[0xee; 256]);
    // All of it in memory, so what the engine leaves alone reads back as 0xee.
    whole.sync_for_device(..).unwrap();
    let done = dma
        .receive(whole.into_range(3..67).unwrap())
        .unwrap()
        .wait(T)
        .unwrap();
    let mut whole = done.buffer.into_buffer();
    whole.sync_for_cpu(..).unwrap();
    assert_eq!(
        &whole.as_bytes()[..3],
        &[0x11; 3],
        "the model stands for the hazard: bytes outside the range were written"
    );
    drop(dma);

    // Not believed: the safe constructor asks the alignment of the widest
    // data path and refuses the range before the engine sees it.
    let model = AxiDmaModel::new(ip(), Arc::new(mem.clone())).unwrap();
    let stream = attach_stream(&model);
    let dma = AxiDma::new(model.port().unwrap(), claimed).unwrap();
    dma.start(Channel::S2mm, T).unwrap();
    stream.push(vec![0x11; 64], true);
    let whole = filled(&mem, &[0xee; 256]);
    let refused = dma.receive(whole.into_range(3..67).unwrap()).unwrap_err();
    match &refused.error {
        AxiDmaError::Misaligned { align, assumed, .. } => {
            assert_eq!((*align, *assumed), (128, true));
        }
        e => panic!("{e}"),
    }
    let message = refused.error.to_string();
    assert!(message.contains("AxiDma::from_uio"), "{message}");
    assert!(
        refused
            .buffer
            .buffer()
            .as_bytes()
            .iter()
            .all(|&b| b == 0xee)
    );
}

#[test]
fn a_claimed_address_width_cannot_make_the_engine_cut_an_address() {
    // Memory above 4 GiB, which a 32-bit IP reaches only with the upper bits
    // cut off, at another buffer's address.
    let mem = SimMemory::new(0x1_0000_0000, 1 << 20);
    let model = AxiDmaModel::new(ip(), Arc::new(mem.clone())).unwrap();
    let claimed = AxiDmaConfig {
        addr_width: 64,
        ..ip()
    };
    let dma = AxiDma::new(model.port().unwrap(), claimed).unwrap();
    dma.start(Channel::S2mm, T).unwrap();
    let refused = dma.receive(mem.allocate(64).unwrap()).unwrap_err();
    match &refused.error {
        AxiDmaError::AddressOutOfReach {
            addr_width,
            assumed,
            addr,
            ..
        } => {
            assert_eq!((*addr_width, *assumed), (32, true));
            assert_eq!(*addr, 0x1_0000_0000);
        }
        e => panic!("{e}"),
    }
    assert!(refused.error.to_string().contains("new_unchecked"));
}

#[test]
fn what_the_configuration_knows_is_used_once_it_is_known_to_be_the_ips() {
    // The model knows its configuration, so its driver moves an unaligned
    // range with DRE, and reaches above 4 GiB with 40 address bits.
    let config = AxiDmaConfig {
        dre: true,
        addr_width: 40,
        ..ip()
    };
    let mem = SimMemory::new(0x1_0000_0000, 1 << 20);
    let model = AxiDmaModel::new(config, Arc::new(mem.clone())).unwrap();
    let stream = attach_stream(&model);
    let dma = model.driver().unwrap();
    dma.start(Channel::S2mm, T).unwrap();
    stream.push((0..64).collect(), true);
    let whole = filled(&mem, &[0xee; 256]);
    // All of it in memory, so what the engine leaves alone reads back as 0xee.
    whole.sync_for_device(..).unwrap();
    let done = dma
        .receive(whole.into_range(3..67).unwrap())
        .unwrap()
        .wait(T)
        .unwrap();
    let mut whole = done.buffer.into_buffer();
    whole.sync_for_cpu(..).unwrap();
    let bytes = whole.as_bytes();
    assert_eq!(&bytes[3..67], (0..64).collect::<Vec<u8>>().as_slice());
    assert!(bytes[..3].iter().chain(&bytes[67..]).all(|&b| b == 0xee));
}

#[test]
fn the_safe_constructor_splits_long_sends_at_128_byte_boundaries() {
    // An 8-bit length register moves at most 255 bytes; every piece after
    // the first starts where the last ended, so each is a multiple of the
    // alignment the driver relies on.
    let config = AxiDmaConfig {
        length_width: 8,
        ..ip()
    };
    let mem = SimMemory::new(0x4000_0000, 1 << 20);
    let model = AxiDmaModel::new(config, Arc::new(mem.clone())).unwrap();
    let stream = attach_stream(&model);
    let dma = AxiDma::new(TraceBus::new(model.port().unwrap()), config).unwrap();
    dma.start(Channel::Mm2s, T).unwrap();
    let data: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
    let done = dma.send_split(filled(&mem, &data), T).unwrap();
    assert_eq!(done.bytes, 1000);
    let lengths: Vec<u64> = dma
        .trace()
        .recent()
        .iter()
        .filter(|a| a.direction == Direction::Write && a.offset == 0x28)
        .map(|a| a.value)
        .collect();
    assert_eq!(lengths, [128, 128, 128, 128, 128, 128, 128, 104]);
    assert_eq!(stream.sent_bytes(), data);
    assert_eq!(stream.sent().len(), 8, "one packet per piece");
}

#[test]
fn scatter_gather_under_the_safe_constructor_keeps_periods_whole_and_rings_at_64_bytes() {
    let config = AxiDmaConfig { sg: true, ..ip() };
    let mem = SimMemory::new(0x4000_0000, 1 << 20);
    let model = AxiDmaModel::new(config, Arc::new(mem.clone())).unwrap();
    let stream = attach_stream(&model);
    let dma = AxiDma::new(model.port().unwrap(), config).unwrap();
    dma.start(Channel::Mm2s, T).unwrap();
    // A ring one descriptor into its buffer: 64-byte aligned, which is all
    // descriptors need (they come over the SG port, not the data path).
    let ring = |count| {
        let buf = mem.allocate(DescriptorRing::bytes_for(count + 1)).unwrap();
        DescriptorRing::new(buf, Descriptor::ALIGN, count).unwrap()
    };
    let data: Vec<u8> = (0..512u32).map(|i| i as u8).collect();
    let done = dma
        .sg_send(ring(4), filled(&mem, &data), 128)
        .unwrap()
        .wait(T)
        .unwrap();
    assert_eq!(done.bytes, 512);
    assert_eq!(stream.sent_bytes(), data);

    // A 192-byte period would start every other period off the 128-byte
    // alignment: refused, not rounded into descriptors that are not periods.
    let refused = dma
        .start_cyclic(Channel::Mm2s, ring(4), filled(&mem, &[0; 768]), 192)
        .unwrap_err();
    let message = refused.error.to_string();
    assert!(
        message
            .contains("a cyclic period of 192 bytes is not a multiple of the 128-byte alignment"),
        "{message}"
    );
}
