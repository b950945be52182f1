//! Drives the AXI Timer register block on a simulated device (the runtime's
//! behavioural model, which honours each field's access kind): programs a 1 ms
//! periodic interrupt (100 MHz clock), lets the "hardware" raise it, handles
//! it, and prints every register access with its fields decoded.

use example_axi_timer::axi_timer::{AxiTimer, DESC, Tcsr0};
use example_axi_timer::{acknowledge, start_periodic};
use regmap_runtime::{ModelBus, TraceBus};
use std::process::ExitCode;

fn main() -> ExitCode {
    let bus = TraceBus::new(ModelBus::new(DESC)).with_desc(DESC);
    let timer = match AxiTimer::new(&bus) {
        Ok(timer) => timer,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };

    println!("== start a 1 ms periodic interrupt at 100 MHz");
    start_periodic(&timer, 100_000);
    println!("TLR0  = {}", timer.tlr0().read().bits());
    println!("TCSR0 = {:?}", timer.tcsr0().read());

    println!("== the timer expires: the hardware sets T0INT");
    let raised = bus.inner().hw_update("TCSR0", |v| v | Tcsr0::T0INT.mask());
    if let Err(e) = raised {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    println!("interrupt handled: {}", acknowledge(&timer));
    let after = timer.tcsr0().read();
    println!(
        "T0INT = {}, timer still enabled: {}",
        after.get(Tcsr0::T0INT),
        after.get(Tcsr0::ENT0)
    );

    println!("== register accesses");
    for access in bus.recent() {
        println!("  {}", bus.describe(&access));
    }
    ExitCode::SUCCESS
}
