//! The README's main job keeps working: the loopback runs, checks every byte,
//! and shows the two failures with their causes.

use std::process::Command;

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_axi-dma-loopback"))
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

#[test]
fn loopback_polling_and_with_interrupts() {
    for extra in [&[][..], &["--interrupts"][..]] {
        let mut args = vec!["--bytes", "65536", "--transfers", "8"];
        args.extend_from_slice(extra);
        let text = run(&args);
        assert!(text.contains("8 transfers of 64.0 KiB"), "{text}");
        assert!(text.contains("every byte checked"), "{text}");
        assert!(text.contains("write channel[1].LENGTH"), "{text}");
        assert!(text.contains("data identical"), "{text}");
        assert!(text.contains("never asserted TLAST"), "{text}");
        assert!(text.contains("DMADecErr"), "{text}");
    }
}

#[test]
fn bad_arguments_are_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_axi-dma-loopback"))
        .args(["--bytes", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("positive number"));
}
