//! Drives the AXI INTC register block on a simulated device: enables three
//! inputs, lets the "hardware" raise two, dispatches them by IVR and
//! acknowledges each through IAR. Prints every register access decoded.

use example_axi_intc::axi_intc::{AxiIntc, DESC};
use example_axi_intc::{set_fast_vector, start, take_next};
use regmap_runtime::{ModelBus, TraceBus};
use std::process::ExitCode;

/// Raises `irq` the way the controller does: ISR bit set, IPR and IVR follow.
fn raise(model: &ModelBus, irq: u32) -> Result<(), regmap_runtime::DeviceError> {
    let isr = model.hw_update("ISR", |v| v | (1 << irq))?;
    let ier = model.hw_get("IER")?;
    let pending = isr & ier;
    model.hw_set("IPR", pending)?;
    let vector = if pending == 0 {
        0xffff_ffff
    } else {
        u64::from(pending.trailing_zeros())
    };
    model.hw_set("IVR", vector)
}

fn main() -> ExitCode {
    let model = ModelBus::new(DESC);
    // The device side: SIE sets enables, IAR clears status, as PG099 says.
    let hooks = model
        .on_write("SIE", |m, _, new| {
            let _ = m.hw_update("IER", |v| v | new);
        })
        .and_then(|()| {
            model.on_write("IAR", |m, _, new| {
                let _ = m.hw_update("ISR", |v| v & !new);
                let isr = m.hw_get("ISR").unwrap_or(0);
                let pending = isr & m.hw_get("IER").unwrap_or(0);
                let _ = m.hw_set("IPR", pending);
                let vector = if pending == 0 {
                    0xffff_ffff
                } else {
                    u64::from(pending.trailing_zeros())
                };
                let _ = m.hw_set("IVR", vector);
            })
        });
    if let Err(e) = hooks {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let bus = TraceBus::new(&model).with_desc(DESC);
    let intc = match AxiIntc::new(&bus) {
        Ok(intc) => intc,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };

    println!("== enable inputs 1, 3 and 5; input 5 in fast mode");
    start(&intc, 0b10_1010);
    if let Err(e) = set_fast_vector(&intc, 5, 0x8000_0100) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    println!(
        "IER = {:#x}, MER = {:?}",
        intc.ier().read().bits(),
        intc.mer().read()
    );
    println!(
        "IVAR[5] = {:#x}",
        intc.ivar(5).map(|r| r.read().bits()).unwrap_or(0)
    );

    println!("== inputs 3 and 5 fire");
    for irq in [5, 3] {
        if let Err(e) = raise(&model, irq) {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    }
    while let Some(irq) = take_next(&intc) {
        println!("handled interrupt {irq}");
    }
    println!("ISR after handling = {:#x}", intc.isr().read().bits());

    println!("== register accesses");
    for access in bus.recent() {
        println!("  {}", bus.describe(&access));
    }
    ExitCode::SUCCESS
}
