//! Random transfers through the model: whatever the lengths, offsets and
//! descriptor sizes, every byte arrives and the accounting adds up.

use proptest::prelude::*;
use regmap_runtime::axi_dma::model::AxiDmaModel;
use regmap_runtime::axi_dma::{AxiDmaConfig, Channel, Descriptor, DescriptorRing};
use regmap_runtime::dma::{DmaAllocator, SimMemory};
use std::sync::Arc;
use std::time::Duration;

const T: Duration = Duration::from_millis(500);

fn bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn direct_mode_loopback_at_any_offset_with_dre(
        len in 1usize..5000,
        tx_off in 0usize..64,
        rx_off in 0usize..64,
        seed: u8,
    ) {
        let config = AxiDmaConfig { sg: false, dre: true, length_width: 14, ..AxiDmaConfig::default() };
        let mem = SimMemory::new(0x4000_0000, 1 << 20);
        let model = AxiDmaModel::new(config, Arc::new(mem.clone())).unwrap();
        let dma = model.driver().unwrap();
        dma.start(Channel::Mm2s, T).unwrap();
        dma.start(Channel::S2mm, T).unwrap();
        let data = bytes(len, seed);
        let mut tx = mem.allocate(len + tx_off).unwrap();
        tx.as_bytes_mut()[tx_off..].copy_from_slice(&data);
        let rx = mem.allocate(len + rx_off).unwrap().into_range(rx_off..).unwrap();
        let r = dma.receive(rx).unwrap();
        let sent = dma.send(tx.into_range(tx_off..).unwrap()).unwrap().wait(T).unwrap();
        prop_assert_eq!(sent.bytes, len as u64);
        let got = r.wait(T).unwrap();
        prop_assert_eq!(got.bytes, len as u64);
        prop_assert_eq!(got.buffer.as_bytes(), &data[..]);
    }

    #[test]
    fn sg_loopback_with_any_descriptor_sizes(
        len in 1usize..6000,
        tx_chunk in 8usize..3000,
        rx_chunk in 8usize..3000,
        tx_skip in 0usize..4,
        rx_skip in 0usize..4,
        seed: u8,
    ) {
        let config = AxiDmaConfig { addr_width: 64, dre: true, ..AxiDmaConfig::default() };
        let mem = SimMemory::new(0x7_0000_0000, 1 << 20);
        let model = AxiDmaModel::new(config, Arc::new(mem.clone())).unwrap();
        let dma = model.driver().unwrap();
        let ring = |skip: usize, n: usize| {
            let buf = mem.allocate(DescriptorRing::bytes_for(skip + n)).unwrap();
            DescriptorRing::new(buf, skip * Descriptor::ALIGN, n).unwrap()
        };
        let data = bytes(len, seed);
        let mut tx = mem.allocate(len).unwrap();
        tx.as_bytes_mut().copy_from_slice(&data);
        let rx_len = len.div_ceil(rx_chunk) * rx_chunk;
        let r = dma
            .sg_receive(ring(rx_skip, len.div_ceil(rx_chunk)), mem.allocate(rx_len).unwrap(), rx_chunk)
            .unwrap();
        let sent = dma
            .sg_send(ring(tx_skip, len.div_ceil(tx_chunk)), tx, tx_chunk)
            .unwrap()
            .wait(T)
            .unwrap();
        prop_assert_eq!(sent.bytes, len as u64);
        let got = r.wait(T).unwrap();
        prop_assert_eq!(got.bytes, len as u64);
        prop_assert_eq!(&got.buffer.as_bytes()[..len], &data[..]);
        let last = got.descriptors.len() - 1;
        prop_assert!(got.descriptors[0].rx_sof());
        prop_assert!(got.descriptors[last].rx_eof());
        prop_assert!(got.descriptors[..last].iter().all(|s| !s.rx_eof() && s.transferred() as usize == rx_chunk));
    }
}
