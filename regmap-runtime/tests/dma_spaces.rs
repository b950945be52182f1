//! A buffer's address means something only in its own address space:
//! physical memory, one VFIO container's I/O addresses, one simulated memory.
//! Drivers refuse a buffer of another space than the one their device
//! masters, since the same number is other memory there.

mod common;

use regmap_runtime::Bus;
use regmap_runtime::axi_dma::model::{AxiDmaModel, ModelPort};
use regmap_runtime::axi_dma::{AxiDma, AxiDmaConfig, AxiDmaError, Channel};
use regmap_runtime::dma::{DmaAllocator, DmaSpace, SimMemory, SubAllocator};
use std::sync::Arc;
use std::time::Duration;

use common::{attach_stream, filled};

const T: Duration = Duration::from_millis(200);

fn config() -> AxiDmaConfig {
    AxiDmaConfig {
        sg: false,
        ..AxiDmaConfig::default()
    }
}

#[test]
fn every_simulated_memory_is_its_own_space_and_sub_buffers_keep_theirs() {
    let a = SimMemory::new(0x4000_0000, 1 << 20);
    let b = SimMemory::new(0x4000_0000, 1 << 20);
    assert_ne!(a.dma_space(), b.dma_space());
    assert!(matches!(a.dma_space(), DmaSpace::Simulated(_)));
    let buf = a.allocate(256).unwrap();
    assert_eq!(buf.dma_space(), a.dma_space());
    let pool = SubAllocator::new(a.allocate(4096).unwrap());
    assert_eq!(pool.allocate(128).unwrap().dma_space(), a.dma_space());
    assert_eq!(buf.into_range(8..16).unwrap().dma_space(), a.dma_space());
}

#[test]
fn a_model_takes_no_buffer_of_another_memory_even_at_its_own_addresses() {
    let mine = SimMemory::new(0x4000_0000, 1 << 20);
    let other = SimMemory::new(0x4000_0000, 1 << 20);
    let model = AxiDmaModel::new(config(), Arc::new(mine.clone())).unwrap();
    let stream = attach_stream(&model);
    let dma = model.driver().unwrap();
    dma.start(Channel::S2mm, T).unwrap();
    stream.push(vec![0x11; 64], true);
    // Both memories hand out 0x4000_0000 first: the number is the model's
    // buffer's, the bytes are not.
    let theirs = filled(&other, &[0xee; 64]);
    let decoy = filled(&mine, &[0xee; 64]);
    assert_eq!(theirs.phys_addr(), decoy.phys_addr());
    let refused = dma.receive(theirs).unwrap_err();
    match refused.error {
        AxiDmaError::WrongSpace { buffer, device, .. } => {
            assert_eq!((buffer, device), (other.dma_space(), mine.dma_space()));
        }
        e => panic!("{e}"),
    }
    // The model's own buffer is accepted.
    let done = dma.receive(decoy).unwrap().wait(T).unwrap();
    assert_eq!(done.buffer.as_bytes(), &[0x11; 64]);
}

/// A window onto a device that masters physical memory, as a UIO map is:
/// the model's registers, but not its claim to master simulated memory.
struct PhysicalDevice(ModelPort);

// SAFETY: size and accesses are the port's; the space is physical, which is
// what this stand-in is for.
unsafe impl Bus for PhysicalDevice {
    fn size(&self) -> usize {
        self.0.size()
    }
    fn dma_space(&self) -> DmaSpace {
        DmaSpace::Physical
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
        unsafe { self.0.read_u32_unchecked(o) }
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
fn a_simulated_buffer_is_never_given_to_a_device_of_physical_memory() {
    let mem = SimMemory::new(0, 1 << 20);
    let model = AxiDmaModel::new(config(), Arc::new(mem.clone())).unwrap();
    let port = PhysicalDevice(model.port().unwrap());
    assert_eq!(port.dma_space(), DmaSpace::Physical);
    // SAFETY: the port is the model's only one, and the configuration is the
    // model's; only the space claim differs, which is what is tested.
    let dma = unsafe { AxiDma::new_unchecked(port, config()) }.unwrap();
    dma.start(Channel::S2mm, T).unwrap();
    // Physical address 0 to a real engine: refused, in every path.
    let refused = dma.receive(mem.allocate(4096).unwrap()).unwrap_err();
    assert!(
        matches!(refused.error, AxiDmaError::WrongSpace { addr: 0, .. }),
        "{}",
        refused.error
    );
    let message = refused.error.to_string();
    assert!(message.contains("simulated memory"), "{message}");
    let failed = dma.send_split(mem.allocate(4096).unwrap(), T).unwrap_err();
    assert!(matches!(failed.error, AxiDmaError::WrongSpace { .. }));
    assert_eq!(model.stats().bytes, [0, 0], "the engine moved nothing");
}
