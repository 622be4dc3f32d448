//! The client's `text/event-stream` parser under arbitrary chunking.
//!
//! Input: the control bytes of `mcpwire_fuzz::chunks` (limit, repetition,
//! chunk pattern), then the stream. Checks: no event carries more data than
//! the limit; and while no line is longer than the parser buffers (the
//! limit plus 16 bytes), the events, the last event id and the retry time
//! are the same whether the stream arrives whole, in the chosen chunks or
//! a byte at a time, and match a plain, non-incremental reading of the
//! HTML standard's event stream rules.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use mcpwire::fuzz_api::{SseItem, SseParser};
use mcpwire_fuzz::chunks::Stream;

const LIMITS: &[usize] = &[0, 1, 8, 64, 1024, 65_536];

/// What a parser gave: its items, last event id and retry time.
type Outcome = (Vec<SseItem>, Option<String>, Option<Duration>);

fn parse<'a>(max: usize, chunks: impl IntoIterator<Item = &'a [u8]>) -> Outcome {
    let mut p = SseParser::new(max);
    let mut items = Vec::new();
    for c in chunks {
        items.extend(p.push(c));
    }
    (items, p.last_event_id().map(str::to_owned), p.retry())
}

/// The lines of a stream (CRLF, LF or CR ends one), and the bytes after
/// the last line end.
fn lines(stream: &[u8]) -> (Vec<&[u8]>, &[u8]) {
    let mut out = Vec::new();
    let mut rest = stream;
    while let Some(i) = rest.iter().position(|&b| b == b'\r' || b == b'\n') {
        out.push(&rest[..i]);
        let skip = if rest[i] == b'\r' && rest.get(i + 1) == Some(&b'\n') {
            2
        } else {
            1
        };
        rest = &rest[i + skip..];
    }
    (out, rest)
}

/// The standard's rules, read line by line from the whole stream.
fn model(stream: &[u8], max: usize) -> Outcome {
    let (lines, _) = lines(stream);
    let mut items = Vec::new();
    let (mut data, mut has_data, mut oversize) = (Vec::new(), false, 0usize);
    let mut event = String::new();
    let (mut id_buffer, mut last_id, mut retry) = (None::<String>, None, None);
    for (n, line) in lines.into_iter().enumerate() {
        let line = if n == 0 {
            line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line)
        } else {
            line
        };
        if line.is_empty() {
            last_id.clone_from(&id_buffer);
            if oversize > 0 {
                items.push(SseItem::TooLarge(oversize));
            } else if has_data {
                items.push(SseItem::Event {
                    event: std::mem::take(&mut event),
                    data: std::mem::take(&mut data),
                });
            }
            (data, has_data, oversize) = (Vec::new(), false, 0);
            event.clear();
            continue;
        }
        if line[0] == b':' {
            continue;
        }
        let (name, value) = match line.iter().position(|&b| b == b':') {
            Some(p) => {
                let v = &line[p + 1..];
                (&line[..p], v.strip_prefix(b" ").unwrap_or(v))
            }
            None => (line, &[][..]),
        };
        match name {
            b"data" if oversize > 0 => oversize += value.len() + 1,
            b"data" => {
                let extra = value.len() + usize::from(has_data);
                if data.len() + extra > max {
                    oversize = data.len() + extra;
                    data.clear();
                } else {
                    if has_data {
                        data.push(b'\n');
                    }
                    data.extend_from_slice(value);
                    has_data = true;
                }
            }
            b"event" => event = String::from_utf8_lossy(value).into_owned(),
            b"id" if !value.contains(&0) => {
                id_buffer = Some(String::from_utf8_lossy(value).into_owned());
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                let ms = std::str::from_utf8(value)
                    .ok()
                    .and_then(|s| s.parse::<u64>().ok())
                    .unwrap_or(u64::MAX);
                retry = Some(Duration::from_millis(ms));
            }
            _ => {}
        }
    }
    (items, last_id, retry)
}

fuzz_target!(|data: &[u8]| {
    let Some(stream) = Stream::decode(data) else {
        return;
    };
    let max = LIMITS[usize::from(stream.limit) % LIMITS.len()];
    let whole = parse(max, [&stream.bytes[..]]);
    let chunked = parse(max, stream.chunks());
    for (items, _, _) in [&whole, &chunked] {
        for item in items {
            if let SseItem::Event { data, .. } = item {
                assert!(
                    data.len() <= max,
                    "an event of {} bytes > {max}",
                    data.len()
                );
            }
        }
    }
    let (all, rest) = lines(&stream.bytes);
    let buffered = max.saturating_add(16);
    if all.iter().chain([&rest]).any(|l| l.len() > buffered) {
        // Lines past the buffer are skipped as they arrive, so where the
        // chunks fall decides what is seen of them.
        return;
    }
    assert_eq!(whole, chunked, "the chunking changed the events");
    assert_eq!(
        whole,
        model(&stream.bytes, max),
        "the parser and the model differ"
    );
    if stream.bytes.len() <= 512 {
        let bytes = parse(max, stream.bytes.chunks(1));
        assert_eq!(whole, bytes, "a byte at a time changed the events");
    }
});
