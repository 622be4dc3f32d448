//! Compile-time behaviour: what must build, and the errors users get for
//! common mistakes (regenerate the `.stderr` files with
//! `TRYBUILD=overwrite cargo test -p mcpwire-ui-tests --test ui`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
