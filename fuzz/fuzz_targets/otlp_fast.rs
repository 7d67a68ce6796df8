//! The OTLP/JSON fast path against the serde decoder it replaces: on any input,
//! `otlp_json::decode_str` (hand-written scanner, serde as fallback) must deliver exactly
//! the spans, invalid-span reports and error of `otlp_json::decode_str_serde`, in the
//! same order. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfhound_traces::ingest::{otlp_json, Sink};
use perfhound_traces::span::Span;

/// Every event, in order.
#[derive(Debug, Default, PartialEq)]
struct Record(Vec<Result<Span, &'static str>>);

impl Sink for Record {
    fn span(&mut self, span: Span) {
        self.0.push(Ok(span));
    }
    fn invalid(&mut self, reason: &'static str) {
        self.0.push(Err(reason));
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (mut fast, mut serde) = (Record::default(), Record::default());
    let a = otlp_json::decode_str(text, &mut fast).map_err(|e| e.to_string());
    let b = otlp_json::decode_str_serde(text, &mut serde).map_err(|e| e.to_string());
    assert_eq!(a, b, "results differ");
    assert_eq!(fast, serde, "delivered spans differ");
});
