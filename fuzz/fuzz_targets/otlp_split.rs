//! The memchr OTLP/JSON walker (`ingest::otlp_split::for_each_piece`, what streams one
//! large OTLP document span by span) against itself and against serde_json: the input
//! read whole and read in small chunks of fuzzer-chosen sizes must give the same pieces,
//! lines and error; when the input is valid JSON, every piece is a valid JSON object.
//! Then the whole streaming path (`ingest::read` as an OTLP document) on the same bytes.
//! Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfhound_traces::ingest::{self, otlp_split};
use perfhound_traces::span::Span;
use std::io::Read;

#[path = "../common/chunked.rs"]
mod chunked;
use chunked::Chunked;

type Outcome = (Vec<(String, u64)>, Option<String>);

fn walk(reader: impl Read, max: usize) -> Outcome {
    let mut out = Vec::new();
    let result = otlp_split::for_each_piece(reader, max, |piece, line| {
        out.push((format!("{piece:?}"), line));
        Ok::<(), ()>(())
    });
    (out, result.err().map(|e| format!("{e:?}")))
}

fuzz_target!(|input: &[u8]| {
    let Some((&control, data)) = input.split_first() else { return };
    let max = if control & 1 == 1 { 48 } else { 1 << 20 };
    let sizes: Vec<usize> = input.iter().take(4).map(|b| usize::from(b >> 2) + 1).collect();
    let whole = walk(data, max);
    let chunked = walk(Chunked { data, sizes: sizes.clone(), n: 0 }, max);
    assert_eq!(whole, chunked, "whole vs chunked reads differ");
    if serde_json::from_slice::<serde_json::Value>(data).is_ok() {
        let _ = otlp_split::for_each_piece(data, max, |piece, _| {
            if let otlp_split::Piece::Span(text) | otlp_split::Piece::Resource(text) = piece {
                let object: Result<serde_json::Map<String, serde_json::Value>, _> = serde_json::from_str(text);
                assert!(object.is_ok(), "piece of a valid document is not an object: {text:?}");
            }
            Ok::<(), ()>(())
        });
    }
    let (mut a, mut b): (Vec<Span>, Vec<Span>) = (Vec::new(), Vec::new());
    let ra = ingest::read("fuzz", data, Some(ingest::Format::OtlpJson), &mut a);
    let rb = ingest::read("fuzz", Chunked { data, sizes, n: 0 }, Some(ingest::Format::OtlpJson), &mut b);
    assert_eq!((a, ra), (b, rb), "document read whole vs chunked differs");
});
