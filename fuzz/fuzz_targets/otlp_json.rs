//! Trace ingest, JSON side: the OTLP/JSON decoder (`otlp_json::decode_slice`), format
//! detection and the streaming reader over every JSON format (OTLP documents and lines,
//! Jaeger, Zipkin), then trace assembly and every detector on whatever spans came out.
//! Nothing may panic, loop or allocate without bound on any input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfhound_traces::ingest::{self, otlp_json};
use perfhound_traces::span::Span;
use perfhound_traces::{Config, Engine};

fuzz_target!(|data: &[u8]| {
    let mut spans: Vec<Span> = Vec::new();
    let _ = otlp_json::decode_slice(data, &mut spans);
    let _ = ingest::detect(data);
    for format in [None, Some(ingest::Format::OtlpJson), Some(ingest::Format::Jaeger), Some(ingest::Format::Zipkin)] {
        let _ = ingest::read("fuzz", data, format, &mut spans);
    }
    spans.truncate(2_000);
    let mut engine = Engine::new(Config::default());
    engine.analyze(spans);
    let _ = engine.findings();
});
