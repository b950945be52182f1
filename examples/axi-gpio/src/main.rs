//! Drives the AXI GPIO register block on a simulated device: LEDs on channel 1
//! (low byte outputs), buttons on channel 2 with an input-change interrupt.
//! Prints every register access with its fields decoded.

use example_axi_gpio::axi_gpio::{AxiGpio, DESC, IpIsr};
use example_axi_gpio::{acknowledge, configure};
use regmap_runtime::{ModelBus, TraceBus};
use std::process::ExitCode;

fn main() -> ExitCode {
    let bus = TraceBus::new(ModelBus::new(DESC)).with_desc(DESC);
    let gpio = match AxiGpio::new(&bus) {
        Ok(gpio) => gpio,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };

    println!("== LEDs: pins 7:0 of channel 1 as outputs; button interrupt on");
    configure(&gpio, 0xff);
    gpio.gpio_data().write(|w| w.set_bits(0b1010_0101));
    println!("GPIO_TRI  = {:#010x}", gpio.gpio_tri().read().bits());
    println!("GPIO_DATA = {:#010x}", gpio.gpio_data().read().bits());

    println!("== a button is pressed: the hardware latches channel 2's interrupt");
    let raised = bus
        .inner()
        .hw_update("IP_ISR", |v| v | IpIsr::CH2.mask())
        .and_then(|_| bus.inner().hw_set("GPIO2_DATA", 0b0001));
    if let Err(e) = raised {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let (ch1, ch2) = acknowledge(&gpio);
    println!(
        "pending: channel 1 {ch1}, channel 2 {ch2}; buttons {:#06b}",
        gpio.gpio2_data().read().bits()
    );
    println!("IP_ISR after acknowledge = {:?}", gpio.ip_isr().read());

    println!("== register accesses");
    for access in bus.recent() {
        println!("  {}", bus.describe(&access));
    }
    ExitCode::SUCCESS
}
