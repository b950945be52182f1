//! The generated AXI GPIO block on the in-memory bus and on a device model:
//! reset values, read, write, modify, toggle-on-write interrupt status.
#![deny(warnings)]

use example_axi_gpio::axi_gpio::*;
use example_axi_gpio::{acknowledge, configure};
use regmap_runtime::{BindError, Bus, MemBus, ModelBus};

fn gpio() -> AxiGpio<MemBus> {
    AxiGpio::new(MemBus::new(0x200)).expect("a 0x200-byte window fits")
}

#[test]
fn register_offsets_and_resets_follow_pg144() {
    // The data registers have no fields: their accessors hand out the
    // runtime's `Raw` register, so their offsets are the handles'.
    let g = gpio();
    assert_eq!(
        [
            g.gpio_data().offset(),
            GpioTri::OFFSET,
            g.gpio2_data().offset(),
            Gpio2Tri::OFFSET
        ],
        [0x000, 0x004, 0x008, 0x00c]
    );
    assert_eq!(
        [Gier::OFFSET, IpIsr::OFFSET, IpIer::OFFSET],
        [0x11c, 0x120, 0x128]
    );
    assert_eq!(
        (
            <GpioTri as regmap_runtime::Register>::RESET,
            <Gpio2Tri as regmap_runtime::Register>::RESET,
        ),
        (0xffff_ffff, 0xffff_ffff)
    );
    assert_eq!(Gier::GIE.mask(), 1 << 31);
}

#[test]
fn window_too_small_is_refused() {
    assert!(matches!(
        AxiGpio::new(MemBus::new(0x128)),
        Err(BindError::WindowTooSmall { needed: 0x200, .. })
    ));
}

#[test]
fn write_starts_from_reset_so_tri_defaults_to_inputs() {
    let g = gpio();
    // Writing the data register leaves the three-state register alone, and a
    // write of TRI built from reset makes every untouched pin an input.
    g.gpio_tri().write(|w| w);
    assert_eq!(g.bus().read_u32(0x004).unwrap(), 0xffff_ffff);
    configure(&g, 0x0f);
    assert_eq!(g.bus().read_u32(0x004).unwrap(), 0xffff_fff0);
    assert_eq!(g.bus().read_u32(0x11c).unwrap(), 1 << 31);
    assert_eq!(g.bus().read_u32(0x128).unwrap(), 0b10);
}

#[test]
fn read_and_modify_fields() {
    let g = gpio();
    g.bus().write_u32(0x128, 0b01).unwrap();
    assert!(g.ip_ier().read().get(IpIer::CH1));
    g.ip_ier().modify(|w| w.set(IpIer::CH2, true));
    assert_eq!(g.bus().read_u32(0x128).unwrap(), 0b11);
    g.bus().write_u32(0x008, 0x1234).unwrap();
    assert_eq!(g.gpio2_data().read().bits(), 0x1234);
}

#[test]
fn toggle_on_write_status_is_never_written_back_by_accident() {
    let g = gpio();
    g.bus().write_u32(0x120, 0b11).unwrap();
    let isr = g.ip_isr().read();
    assert!(isr.get(IpIsr::CH1) && isr.get(IpIsr::CH2));
    // Writing back what was read writes 0s: toggles nothing.
    g.ip_isr().write_value(isr);
    assert_eq!(g.bus().read_u32(0x120).unwrap(), 0);
    g.ip_isr().write(|w| w.toggle(IpIsr::CH2));
    assert_eq!(g.bus().read_u32(0x120).unwrap(), 0b10);
}

#[test]
fn acknowledge_on_a_device_model_leaves_the_other_channel_pending() {
    let model = ModelBus::new(DESC);
    let g = AxiGpio::new(&model).unwrap();
    model.hw_update("IP_ISR", |v| v | 0b10).unwrap();
    assert_eq!(acknowledge(&g), (false, true));
    assert_eq!(g.ip_isr().read().bits(), 0);
    model.hw_update("IP_ISR", |v| v | 0b11).unwrap();
    g.ip_isr().write(|w| w.toggle(IpIsr::CH1));
    let isr = g.ip_isr().read();
    assert!(
        !isr.get(IpIsr::CH1) && isr.get(IpIsr::CH2),
        "channel 2 still pending: {isr:?}"
    );
}
