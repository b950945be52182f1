//! Drives an edu device: the real one when QEMU's edu is bound to
//! `uio_pci_generic` (run as root inside such a guest), else the behavioural model.
//!
//! ```sh
//! cargo run -p edu-driver --example demo
//! ```

use edu_driver::model::EduModel;
use edu_driver::{DMA_MASK, Driver};
use regmap_runtime::dma::{DmaAllocator, DmaBuffer, Hugetlb, SimMemory, SubAllocator};
use regmap_runtime::{Bus, DmaPermission, Uio};
use std::error::Error;
use std::time::Duration;

const T: Duration = Duration::from_secs(2);

fn main() -> Result<(), Box<dyn Error>> {
    match Uio::open_pci(0x1234, 0x11e8) {
        Ok(uio) => {
            println!("edu device: {}", uio.info().label());
            // uio_pci_generic leaves bus mastering off; without it a DMA moves nothing.
            uio.pci().ok_or("no PCI function")?.enable_bus_master()?;
            let edu = Driver::bind(uio.bar(0)?)?;
            // SAFETY: the demo is for a test machine (or the test VM) that does
            // not migrate huge pages while it runs: no memory hot-unplug or
            // offlining, no page migration, no contiguous allocations.
            let hugetlb = unsafe { Hugetlb::new() };
            let pool = SubAllocator::new(hugetlb.allocate_region(2 << 20)?);
            demo(&edu, &uio, &pool)
        }
        Err(e) => {
            println!("no edu device ({e}); using the behavioural model");
            let memory = SimMemory::new(0x0100_0000, 1 << 20);
            let model = EduModel::new(memory.clone());
            model.set_bus_master(true);
            let edu = Driver::bind(model.bus())?;
            demo(&edu, &model, &memory)
        }
    }
}

fn demo<B: Bus>(
    edu: &Driver<B>,
    permission: &impl DmaPermission,
    memory: &impl DmaAllocator,
) -> Result<(), Box<dyn Error>> {
    let (major, minor) = edu.version();
    println!("version {major}.{minor}");
    edu.check_liveness()?;
    println!("liveness ok");
    println!("10! = {}", edu.factorial(10, T)?);

    let len = 1000;
    let mut out: DmaBuffer = memory.allocate(len)?;
    let back: DmaBuffer = memory.allocate(len)?;
    if back.phys_addr() + len as u64 > DMA_MASK {
        return Err("the DMA buffer is beyond edu's 28-bit DMA mask".into());
    }
    for (i, b) in out.as_bytes_mut().iter_mut().enumerate() {
        *b = (i * 7) as u8;
    }
    let out = edu.copy_to_device(permission, out, 0..len, 0, T)?;
    let back = edu.copy_from_device(permission, back, 0..len, 0, T)?;
    let same = out.as_bytes() == back.as_bytes();
    println!(
        "DMA of {len} bytes to the device and back: {}",
        if same { "identical" } else { "DIFFERENT" }
    );
    if same {
        Ok(())
    } else {
        Err("DMA round trip changed the data".into())
    }
}
