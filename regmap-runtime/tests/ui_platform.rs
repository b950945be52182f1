//! Misuse of the runtime's platform layer must not compile: implementing
//! [`Bus`](regmap_runtime::Bus) without taking on its contract, or mapping
//! physical memory through `/dev/mem` without vouching for the range.
//!
//! Re-bless after an intended change with `TRYBUILD=overwrite`.

#[test]
#[cfg_attr(miri, ignore)] // runs rustc
fn ui_platform() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/platform/*.rs");
}
