//! Every input format carries the same trace (an N+1 under `GET /orders/{id}`) and must
//! decode to the same spans and the same finding; malformed input is reported with its
//! line and skipped; memory is bounded by the traces in flight, not the input size.

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span as PSpan};
use perfhound_traces::assemble::{Assembler, AssemblerConfig};
use perfhound_traces::engine::FileSink;
use perfhound_traces::ingest::{self, Format, Sink};
use perfhound_traces::span::Span;
use perfhound_traces::{Config, Engine};
use prost::Message as _;
use std::io::Write as _;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
}

fn decode(name: &str, bytes: &[u8]) -> (Vec<Span>, ingest::ReadReport) {
    let mut spans: Vec<Span> = Vec::new();
    let report = ingest::read(name, bytes, None, &mut spans);
    spans.sort_by_key(|s| s.span_id);
    (spans, report)
}

/// What every format must agree on: ids, parents, timing (µs precision), service, kind,
/// the statement and the HTTP route.
fn summary(spans: &[Span]) -> Vec<String> {
    spans
        .iter()
        .map(|s| {
            format!(
                "{} {:x}<-{:x} {} {}us {} {:?} {:?} {:?}",
                s.trace_id,
                s.span_id,
                s.parent_id,
                s.service,
                s.duration_us(),
                s.start_ns / 1000,
                s.kind,
                s.attrs.db_statement,
                s.attrs.http_route.as_deref().or(s.attrs.http_target.as_deref())
            )
        })
        .collect()
}

fn findings(spans: Vec<Span>) -> Vec<perfhound_model::Finding> {
    let mut engine = Engine::new(Config::default());
    engine.analyze(spans);
    engine.findings()
}

#[test]
fn all_formats_agree() {
    let (otlp, r) = decode("otlp", &fixture("otlp_n_plus_one.json"));
    assert_eq!(r.format, Some(Format::OtlpJson));
    assert_eq!(otlp.len(), 8);
    assert_eq!(&*otlp[0].service, "orders", "resource after scopeSpans still names the service");
    let f = findings(otlp.clone());
    assert_eq!(f[0].rule.code, "PH-TRACE001");
    assert_eq!(f[0].target, "GET /orders/{id}");
    assert_eq!(f[0].evidence.location.as_deref(), Some("app/orders.py:42"));

    let (lines, r) = decode("collector.jsonl", &fixture("collector.jsonl"));
    assert_eq!(r.format, Some(Format::OtlpJsonLines));
    assert_eq!(r.failed_documents, 1);
    assert_eq!(r.errors[0].line, Some(2), "{}", r.errors[0]);
    assert!(r.errors[0].to_string().starts_with("collector.jsonl:2:"), "{}", r.errors[0]);
    let (jaeger, r) = decode("jaeger.json", &fixture("jaeger.json"));
    assert_eq!(r.format, Some(Format::Jaeger));
    let (zipkin, r) = decode("zipkin.json", &fixture("zipkin.json"));
    assert_eq!(r.format, Some(Format::Zipkin));
    // Written by Google's Python protobuf library from the OTLP/JSON fixture.
    let (pb, r) = decode("otlp_n_plus_one.pb", &fixture("otlp_n_plus_one.pb"));
    assert_eq!(r.format, Some(Format::OtlpProto));
    assert_eq!(summary(&pb), summary(&otlp), "protobuf");
    // Jaeger and Zipkin keep only the route they were given (`http.route` as a tag).
    let base = summary(&otlp);
    assert_eq!(summary(&lines), base, "collector NDJSON (base64 ids, old semconv names)");
    assert_eq!(summary(&jaeger), base, "jaeger");
    assert_eq!(summary(&zipkin), base, "zipkin");
    for spans in [lines, jaeger, zipkin] {
        assert_eq!(findings(spans)[0].rule.code, "PH-TRACE001");
    }
}

fn kv(k: &str, v: &str) -> KeyValue {
    KeyValue {
        key: k.into(),
        value: Some(AnyValue { value: Some(any_value::Value::StringValue(v.into())) }),
        ..Default::default()
    }
}

/// The OTLP fixture's spans as a protobuf request (built with the generated types).
fn proto_request(spans: &[Span]) -> ExportTraceServiceRequest {
    let pspans = spans
        .iter()
        .map(|s| {
            let mut attrs = Vec::new();
            if let Some(v) = &s.attrs.db_statement {
                attrs.push(kv("db.statement", v));
            }
            if let Some(v) = &s.attrs.http_route {
                attrs.push(kv("http.route", v));
            }
            PSpan {
                trace_id: s.trace_id.0.to_vec(),
                span_id: s.span_id.to_be_bytes().to_vec(),
                parent_span_id: if s.parent_id == 0 { Vec::new() } else { s.parent_id.to_be_bytes().to_vec() },
                name: s.name.to_string(),
                kind: match s.kind {
                    perfhound_traces::span::SpanKind::Server => 2,
                    _ => 3,
                },
                start_time_unix_nano: s.start_ns,
                end_time_unix_nano: s.end_ns,
                attributes: attrs,
                ..Default::default()
            }
        })
        .collect();
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource { attributes: vec![kv("service.name", "orders")], ..Default::default() }),
            scope_spans: vec![ScopeSpans { spans: pspans, ..Default::default() }],
            ..Default::default()
        }],
    }
}

#[test]
fn protobuf_single_and_length_prefixed_and_reference_json() {
    let (otlp, _) = decode("otlp", &fixture("otlp_n_plus_one.json"));
    let req = proto_request(&otlp);
    let bytes = req.encode_to_vec();
    let (one, r) = decode("one.pb", &bytes);
    assert_eq!(r.format, Some(Format::OtlpProto));
    assert_eq!(summary(&one), summary(&otlp));
    let mut stream = Vec::new();
    for _ in 0..2 {
        stream.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        stream.extend_from_slice(&bytes);
    }
    let (two, r) = decode("stream.pb", &stream);
    assert_eq!(r.format, Some(Format::OtlpProtoStream));
    assert_eq!(two.len(), 16);
    // opentelemetry-proto's own JSON serialization must be readable too.
    let reference = serde_json::to_vec(&req).unwrap();
    let (json, r) = decode("reference.json", &reference);
    assert_eq!(r.failed_documents, 0, "{:?}", r.errors);
    assert_eq!(summary(&json), summary(&otlp));
    let (_, r) = decode("garbage.pb", &[0x0a, 0xff, 0xff, 0xff, 0x01]);
    assert_eq!(r.failed_documents, 1);
    assert!(r.errors[0].message.contains("protobuf"), "{}", r.errors[0]);
}

#[test]
fn gzip_is_transparent() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&fixture("otlp_n_plus_one.json")).unwrap();
    let (spans, r) = decode("x.json.gz", &gz.finish().unwrap());
    assert_eq!(r.format, Some(Format::OtlpJson));
    assert_eq!(spans.len(), 8);
}

/// Hands out at most `size` bytes per read.
struct Chunked<'a> {
    data: &'a [u8],
    size: usize,
}

impl std::io::Read for Chunked<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.size.min(out.len()).min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

#[test]
fn json_lines_survive_any_chunking() {
    // CRLF line ends, blank lines, a bad line 2 and a last line without a line end.
    let text = String::from_utf8(fixture("collector.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let doc = format!("{}\r\n{}\n\n\r\n{}\n{{\"broken\n{}", lines[0], lines[1], lines[2], lines[0]);
    let read = |size: usize| {
        let mut spans: Vec<Span> = Vec::new();
        let r = ingest::read("c", Chunked { data: doc.as_bytes(), size }, Some(Format::OtlpJsonLines), &mut spans);
        (summary(&spans), r.errors.iter().map(ToString::to_string).collect::<Vec<_>>())
    };
    let (spans, errors) = read(usize::MAX);
    let first_line = decode("l", lines[0].as_bytes()).0.len();
    assert!(first_line > 0);
    assert_eq!(spans.len(), 8 + first_line, "every span of lines 1 and 3, and line 1's again on the last line");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with("c:2:") && errors[1].starts_with("c:6:"), "{errors:?}");
    for size in [1, 2, 3, 7, 64, 1000] {
        assert_eq!(read(size), (spans.clone(), errors.clone()), "chunks of {size} bytes");
    }
}

#[test]
fn garbage_never_panics_and_is_reported() {
    for input in [
        &b""[..],
        b"{",
        b"[1,2",
        b"{\"resourceSpans\": 5}",
        b"\x00\x00\x00\x10\x0a",
        b"{\"data\": [{\"spans\": [{}]}]}",
    ] {
        let (spans, r) = decode("bad", input);
        assert!(spans.is_empty());
        assert!(input.is_empty() || r.failed_documents > 0, "{input:?} was accepted");
    }
}

/// An endless-looking NDJSON stream of sequential traces, generated on the fly.
struct Generated {
    traces: u32,
    next: u32,
    buf: Vec<u8>,
    pos: usize,
}

impl std::io::Read for Generated {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.buf.len() {
            if self.next == self.traces {
                return Ok(0);
            }
            let t = self.next;
            self.next += 1;
            let spans: Vec<String> = (1..=5u64)
                .map(|s| {
                    let parent = if s == 1 { String::new() } else { "0000000000000001".into() };
                    let start = u64::from(t) * 1_000_000 + s * 1000;
                    format!(r#"{{"traceId":"{t:032x}","spanId":"{s:016x}","parentSpanId":"{parent}","name":"op","startTimeUnixNano":{start},"endTimeUnixNano":{}}}"#, start + 500)
                })
                .collect();
            self.buf = format!("{{\"resourceSpans\":[{{\"scopeSpans\":[{{\"spans\":[{}]}}]}}]}}\n", spans.join(","))
                .into_bytes();
            self.pos = 0;
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

struct Watch<'a> {
    inner: FileSink<'a>,
    max_in_flight: usize,
}

impl Sink for Watch<'_> {
    fn span(&mut self, span: Span) {
        self.inner.span(span);
        self.max_in_flight = self.max_in_flight.max(self.inner.assembler.in_flight());
    }
}

#[test]
fn memory_is_bounded_by_traces_in_flight() {
    let cfg = AssemblerConfig {
        idle_complete: 1_000,
        idle_incomplete: 10_000,
        max_traces: 100_000,
        max_spans_per_trace: 1_000,
    };
    let mut assembler = Assembler::new(cfg);
    let mut engine = Engine::new(Config::default());
    let input = Generated { traces: 10_000, next: 0, buf: Vec::new(), pos: 0 };
    let mut watch =
        Watch { inner: FileSink { assembler: &mut assembler, engine: &mut engine, tick: 0 }, max_in_flight: 0 };
    let report = ingest::read("generated", input, None, &mut watch);
    let max = watch.max_in_flight;
    assembler.flush_all(&mut |t| engine.analyze(t));
    assert_eq!(report.failed_documents, 0, "{:?}", report.errors);
    assert_eq!(engine.counters.traces, 10_000);
    assert_eq!(engine.counters.spans, 50_000);
    assert!(max <= 300, "{max} traces in flight for a 1000-span idle window");
}

/// Found by the `otlp_json` fuzz target (session 6): a timestamp beyond u64 nanoseconds
/// (25 digits) saturates to `u64::MAX`, and the detectors' overlap tolerance added to it
/// overflowed (a panic in debug builds, wrapped comparisons in release).
#[test]
fn timestamps_at_the_end_of_time_do_not_overflow_the_detectors() {
    let span = |id: u32, parent: &str, start: &str, end: &str, sql: &str| {
        format!(
            r#"{{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"{id:016x}","parentSpanId":"{parent}","name":"q","kind":3,"startTimeUnixNano":"{start}","endTimeUnixNano":"{end}","attributes":[{{"key":"db.system","value":{{"stringValue":"postgresql"}}}},{{"key":"db.statement","value":{{"stringValue":"{sql}"}}}}]}}"#
        )
    };
    let root = r#"{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"0000000000000001","name":"GET /orders","kind":2,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"18446744073709551615","attributes":[]}"#;
    let spans = [
        root.to_string(),
        span(
            2,
            "0000000000000001",
            "1700000000000000047000000",
            "1700000000000000048000000",
            "SELECT * FROM items WHERE id = 1",
        ),
        span(3, "0000000000000001", "18446744073709551615", "18446744073709551615", "SELECT * FROM items WHERE id = 2"),
        span(4, "0000000000000001", "18446744073709551614", "18446744073709551615", "SELECT * FROM items WHERE id = 3"),
    ];
    let doc = format!(r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{}]}}]}}]}}"#, spans.join(","));
    let mut engine = Engine::new(Config::default());
    let input =
        perfhound_traces::Input { name: "end-of-time.json".into(), reader: Box::new(std::io::Cursor::new(doc)) };
    let (reports, _) = perfhound_traces::analyze_inputs(&mut engine, vec![input], None);
    assert_eq!(reports[0].failed_documents, 0, "{:?}", reports[0].errors);
    assert_eq!(engine.counters.spans, 4);
    assert_eq!(engine.counters.traces, 1);
}
