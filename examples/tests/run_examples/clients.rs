//! `typed_client` and `asking_client`: each run as users run it, starting
//! its example server as a child process on stdio, and checked by what it
//! prints.

use super::common;

fn stdout_of(name: &str) -> String {
    let out = common::run(name, &[], &[]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{name} ended with {}; stdout: {stdout}; stderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn typed_client_streams_the_tools_reads_typed_results_and_sees_progress() {
    let printed = stdout_of("typed_client");
    assert_eq!(
        printed.lines().collect::<Vec<_>>(),
        [
            "connected to builder-server (protocol 2026-07-28)",
            // The stream, item by item, with each tool's title.
            "tool add (Add)",
            "tool count (-)",
            // The same listing, awaited.
            "2 tools in all",
            // `typed::<Sum>()` read the structured content.
            "add 2 + 40 = 42",
            // The tool's `ToolError` text, as `StructuredError::Tool`.
            "add overflow refused: the sum does not fit in 64 bits",
            // One callback per progress notification, before the result.
            "progress 1/3",
            "progress 2/3",
            "progress 3/3",
            "count: counted to 3",
        ],
        "{printed}"
    );
}

#[test]
fn asking_client_answers_sampling_and_elicitation_in_both_eras() {
    let printed = stdout_of("asking_client");
    let (legacy, auto) = printed
        .split_once("auto: ")
        .unwrap_or_else(|| panic!("no auto run in {printed}"));
    let result = "  plan_trip: Lisbon in May; example-model says: Take the tram up the hill \
                  early in the morning.";
    for (run, era) in [
        (legacy, "legacy: protocol 2025-11-25"),
        (auto, "protocol 2026-07-28"),
    ] {
        let mut lines: Vec<&str> = run.lines().collect();
        assert_eq!(lines.first().copied(), Some(era), "{printed}");
        // The tool's answer carries what both handlers gave it.
        assert_eq!(lines.last().copied(), Some(result), "{printed}");
        // Both handlers were asked, in whichever order the asks arrived.
        let mut asked = lines.drain(1..lines.len() - 1).collect::<Vec<_>>();
        asked.sort();
        assert_eq!(
            asked,
            [
                "  elicitation asked: When do you travel to Lisbon?",
                "  sampling asked: One tip for a visit to Lisbon, in one sentence.",
            ],
            "{printed}"
        );
    }
}
