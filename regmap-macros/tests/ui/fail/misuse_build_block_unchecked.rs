// A block emitted into the caller's module (`EmitOptions::with_module(false)`):
// its private field is visible here, and still no block can be built around
// an unchecked bus, because the field holds a `Bound`, which only its
// checking constructor makes.
include!("../common/unwrapped_block.rs");

fn main() {
    let _ = Dev { bus: regmap_runtime::MemBus::new(4) };
}
