//! Compile-time behaviour of `#[register_block]` and of the code it generates:
//! every mistake is an error at the attribute or field that caused it (pinned
//! `.stderr` files), misuse of the generated API does not compile, and the
//! pass cases build under `#![deny(warnings)]`.
//!
//! One test function, so trybuild builds every case in one project.
//! Re-bless after an intended change with `TRYBUILD=overwrite`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
