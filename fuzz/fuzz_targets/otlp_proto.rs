//! Trace ingest, protobuf side: `otlp_proto::decode` (prost `ExportTraceServiceRequest`)
//! and the length-prefixed stream reader, then trace assembly and every detector on the
//! spans. Nothing may panic on any input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfhound_traces::ingest::{self, otlp_proto};
use perfhound_traces::span::Span;
use perfhound_traces::{Config, Engine};

fuzz_target!(|data: &[u8]| {
    let mut spans: Vec<Span> = Vec::new();
    let _ = otlp_proto::decode(data, &mut spans);
    let _ = ingest::read("fuzz", data, Some(ingest::Format::OtlpProtoStream), &mut spans);
    spans.truncate(2_000);
    let mut engine = Engine::new(Config::default());
    engine.analyze(spans);
    let _ = engine.findings();
});
