//! Any safe impl could aim the engine at memory it does not own.
use regmap_runtime::dma::{DmaError, DmaTarget};

struct Anywhere(u64);

impl DmaTarget for Anywhere {
    fn phys_addr(&self) -> u64 {
        self.0
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

fn main() {}
