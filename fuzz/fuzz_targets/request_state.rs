//! The sealed `requestState` of multi round-trip requests: opening
//! arbitrary strings, and sealing arbitrary answers.
//!
//! Input: `MODE\nMETHOD\nTARGET\nPAYLOAD`. With `MODE` = `seal`, `PAYLOAD`
//! is the answers as JSON: they are sealed, and must open to the same
//! answers for the same request, and not for another request nor with any
//! one character changed. With any other mode, `PAYLOAD` is opened as a
//! sealed state: it must never panic, and opens only when it is one of the
//! `valid-*` seeds (sealed with this key, expiring in 2100; checked at
//! start-up).
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use mcpwire::fuzz_api::RequestStateKeys;
use mcpwire_types::InputResponses;

const KEY: &[u8] = b"fuzz-request-state-key";

/// The checked-in states that open: (method, target, state).
const VALID: &[&str] = &[
    include_str!("../seeds/request_state/valid-empty"),
    include_str!("../seeds/request_state/valid-elicit"),
    include_str!("../seeds/request_state/valid-roots"),
];

fn keys() -> &'static RequestStateKeys {
    static K: OnceLock<RequestStateKeys> = OnceLock::new();
    K.get_or_init(|| {
        let keys = RequestStateKeys::new(
            vec![b"an-older-key".to_vec(), KEY.to_vec()],
            Duration::from_secs(3600),
        );
        for seed in VALID {
            let (_, method, target, state) = fields(seed.as_bytes());
            if let Err(e) = keys.open(&state, &method, &target) {
                panic!("the seed {seed:?} must open: {e}");
            }
        }
        keys
    })
}

fn fields(data: &[u8]) -> (String, String, String, String) {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(4, '\n');
    let mut next = || parts.next().unwrap_or_default().to_owned();
    (next(), next(), next(), next())
}

fuzz_target!(|data: &[u8]| {
    let keys = keys();
    let (mode, method, target, payload) = fields(data);
    if mode == "seal" {
        let Ok(answers) = serde_json::from_str::<InputResponses>(&payload) else {
            return;
        };
        let sealer = RequestStateKeys::new(vec![KEY.to_vec()], Duration::from_secs(3600));
        let state = sealer
            .seal(&method, &target, &answers)
            .expect("answers that parsed seal");
        let opened = keys
            .open(&state, &method, &target)
            .expect("a fresh state opens");
        assert_eq!(
            serde_json::to_value(&opened).ok(),
            serde_json::to_value(&answers).ok(),
            "the answers changed on the way"
        );
        let other = format!("{target}x");
        assert!(keys.open(&state, &method, &other).is_err());
        // One character changed, at a place the payload picks.
        let at = payload.len() % state.len();
        let mut tampered = state.clone().into_bytes();
        tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).expect("states are ASCII");
        assert!(
            keys.open(&tampered, &method, &target).is_err(),
            "a changed state opened: {tampered:?}"
        );
        return;
    }
    if keys.open(&payload, &method, &target).is_ok() {
        let sealed_here = VALID.iter().any(|v| {
            let (_, m, t, state) = fields(v.as_bytes());
            (m, t, state) == (method.clone(), target.clone(), payload.clone())
        });
        assert!(
            sealed_here,
            "a state that was never sealed opened: {payload:?}"
        );
    }
});
