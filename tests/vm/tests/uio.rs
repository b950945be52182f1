//! The guest kernel has the UIO class.

use std::path::Path;

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn uio_class_exists() {
    assert!(
        Path::new("/sys/class/uio").is_dir(),
        "no /sys/class/uio: uio.ko not loaded"
    );
}
