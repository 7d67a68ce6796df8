//! The memchr JSON-lines reader (`ingest::read_json_lines`, what reads the Collector file
//! exporter's one-document-per-line output) against itself and against a plain reference:
//! the input read whole with the default 1 MiB buffer and read in small chunks into a
//! buffer of a few bytes (every refill, move and growth) must give the same spans and the
//! same report; both must match splitting on `\n` and decoding each line alone. Nothing
//! may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfhound_traces::ingest::{self, otlp_json, LineLimits};
use perfhound_traces::span::Span;

#[path = "../common/chunked.rs"]
mod chunked;
use chunked::Chunked;

/// Spans and failed lines when each `\n`-separated line is decoded on its own.
fn reference(data: &[u8], max_line: usize) -> (Vec<Span>, u64) {
    let (mut spans, mut failed) = (Vec::new(), 0);
    for line in data.split(|&b| b == b'\n') {
        if line.len() > max_line {
            failed += 1;
            continue;
        }
        let text = line.trim_ascii();
        if text.is_empty() {
            continue;
        }
        let ok = std::str::from_utf8(text).is_ok_and(|t| otlp_json::decode_str(t, &mut spans).is_ok());
        failed += u64::from(!ok);
    }
    (spans, failed)
}

fuzz_target!(|input: &[u8]| {
    let Some((&control, data)) = input.split_first() else { return };
    let max_line = if control & 1 == 1 { 40 } else { LineLimits::DEFAULT.max_line };
    let small = LineLimits { buffer: usize::from(control >> 4) + 1, max_line };
    let sizes: Vec<usize> = input.iter().take(4).map(|b| usize::from(b >> 2) + 1).collect();
    let (mut a, mut b): (Vec<Span>, Vec<Span>) = (Vec::new(), Vec::new());
    let whole = ingest::read_json_lines("fuzz", data, &mut a, LineLimits { max_line, ..LineLimits::DEFAULT });
    let chunked = ingest::read_json_lines("fuzz", Chunked { data, sizes, n: 0 }, &mut b, small);
    assert_eq!(whole.bytes, data.len() as u64);
    assert_eq!((&a, &whole), (&b, &chunked), "whole vs chunked reads differ");
    let (spans, failed) = reference(data, max_line);
    assert_eq!(whole.failed_documents, failed, "failed lines differ from the reference");
    assert_eq!(a, spans, "spans differ from the reference");
});
