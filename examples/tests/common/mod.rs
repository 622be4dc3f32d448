//! Helpers shared by the example tests: where the built examples are.

use std::path::PathBuf;

/// The path of a built example: cargo builds examples before it runs the
/// integration tests of their package, next to the test binaries.
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let path = dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is not built; run the tests through cargo",
        path.display()
    );
    path
}
