//! The newline-delimited frame reader (`transport::LineReader`) under
//! arbitrary chunking.
//!
//! Input: the control bytes of `mcpwire_fuzz::chunks` (limit, repetition,
//! chunk pattern), then the stream. Checks: the frames read are the same
//! whether the stream arrives whole or in the chosen chunks, they are what
//! a plain split on `\n` gives, and no frame is longer than the limit
//! (longer lines are reported as too large, with their length).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mcpwire::transport::{FrameReader, LineReader, ReadEvent};
use mcpwire_fuzz::chunks::Stream;

/// The frame limits to try: tiny ones, and ones around the reader's 64 KiB
/// initial buffer, where it compacts and grows.
const LIMITS: &[usize] = &[1, 2, 7, 64, 1000, 65_535, 65_536, 65_537, 100_000, 1 << 20];

#[derive(Debug, PartialEq, Eq)]
enum Event {
    Frame(Vec<u8>),
    TooLarge(usize),
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(mcpwire_fuzz::runtime)
}

async fn read_all<R>(reader: R, max: usize) -> Vec<Event>
where
    R: tokio::io::AsyncRead + Unpin + Send + 'static,
{
    let mut r = LineReader::new(reader, max);
    let mut out = Vec::new();
    loop {
        match r.next_frame().await.expect("in-memory reads do not fail") {
            ReadEvent::Frame(f) => out.push(Event::Frame(f.to_vec())),
            ReadEvent::TooLarge(n) => out.push(Event::TooLarge(n)),
            ReadEvent::Eof => return out,
            ReadEvent::Message(_) => panic!("a line reader hands out bytes only"),
        }
    }
}

/// What the reader should give: each `\n`-terminated line (a trailing
/// `\r` cut off), blank lines skipped, lines over the limit reported. A
/// last line without `\n` counts as it is.
fn expected(stream: &[u8], max: usize) -> Vec<Event> {
    let mut out = Vec::new();
    let mut lines: Vec<&[u8]> = stream.split(|&b| b == b'\n').collect();
    let last = lines.pop().unwrap_or_default();
    for line in lines {
        if line.len() > max {
            out.push(Event::TooLarge(line.len()));
            continue;
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !line.iter().all(u8::is_ascii_whitespace) {
            out.push(Event::Frame(line.to_vec()));
        }
    }
    if last.len() > max {
        out.push(Event::TooLarge(last.len()));
    } else if !last.iter().all(u8::is_ascii_whitespace) {
        out.push(Event::Frame(last.to_vec()));
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some(stream) = Stream::decode(data) else {
        return;
    };
    let max = LIMITS[usize::from(stream.limit) % LIMITS.len()];
    let (whole, chunked) = runtime().block_on(async {
        let whole = read_all(std::io::Cursor::new(stream.bytes.clone()), max).await;
        let chunked = read_all(stream.reader(), max).await;
        (whole, chunked)
    });
    assert_eq!(whole, chunked, "the chunking changed the frames");
    for e in &whole {
        match e {
            Event::Frame(f) => assert!(f.len() <= max, "a frame of {} > {max}", f.len()),
            Event::TooLarge(n) => assert!(*n > max, "too large at {n} <= {max}"),
        }
    }
    assert_eq!(whole, expected(&stream.bytes, max));
});
