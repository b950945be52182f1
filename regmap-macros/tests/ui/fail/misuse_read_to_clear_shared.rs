include!("../common/misuse_block.rs");

// EVENTS has a read-to-clear field: reading it needs exclusive access to the
// block, so two readers sharing one block cannot split its events.
fn main() {
    let d = device();
    let shared = &d;
    let _ = shared.events().read();
}
