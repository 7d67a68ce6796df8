//! The receiver on a real socket (127.0.0.1:0) with a real HTTP client: protobuf and
//! JSON exports, gzip, 400/413/415 with reasons, findings announced as traces complete,
//! `/metrics`, and the run returned on shutdown.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use perfhound_server::{ReceiverConfig, State};
use perfhound_traces::assemble::AssemblerConfig;
use perfhound_traces::{Config, RunMeta};
use prost::Message as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

fn kv(k: &str, v: &str) -> KeyValue {
    KeyValue {
        key: k.into(),
        value: Some(AnyValue { value: Some(any_value::Value::StringValue(v.into())) }),
        ..Default::default()
    }
}

/// A request trace with an N+1: 6 sequential 10 ms queries under `GET /orders`.
fn n_plus_one(trace: u8) -> ExportTraceServiceRequest {
    let t0 = 1_700_000_000_000_000_000u64;
    let mut spans = vec![Span {
        trace_id: vec![trace; 16],
        span_id: 1u64.to_be_bytes().to_vec(),
        name: "GET /orders".into(),
        kind: 2,
        start_time_unix_nano: t0,
        end_time_unix_nano: t0 + 100_000_000,
        attributes: vec![kv("http.request.method", "GET"), kv("http.route", "/orders")],
        ..Default::default()
    }];
    for i in 0..6u64 {
        let start = t0 + 1_000_000 + i * 11_000_000;
        spans.push(Span {
            trace_id: vec![trace; 16],
            span_id: (10 + i).to_be_bytes().to_vec(),
            parent_span_id: 1u64.to_be_bytes().to_vec(),
            name: "SELECT".into(),
            kind: 3,
            start_time_unix_nano: start,
            end_time_unix_nano: start + 10_000_000,
            attributes: vec![
                kv("db.system", "sqlite"),
                kv("db.statement", &format!("SELECT * FROM items WHERE order_id = {i}")),
            ],
            ..Default::default()
        });
    }
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource { attributes: vec![kv("service.name", "shop")], ..Default::default() }),
            scope_spans: vec![ScopeSpans { spans, ..Default::default() }],
            ..Default::default()
        }],
    }
}

struct Server {
    addr: SocketAddr,
    state: Arc<State>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    findings: mpsc::UnboundedReceiver<String>,
}

async fn start(max_body_bytes: usize) -> Server {
    let (tx, findings) = mpsc::unbounded_channel();
    let cfg = ReceiverConfig {
        max_body_bytes,
        // Complete traces are analyzed on the next tick.
        assembler: AssemblerConfig { idle_complete: 0, ..AssemblerConfig::LIVE },
        tick: Duration::from_millis(20),
    };
    let state = State::new(cfg, Config::default(), Box::new(move |f| drop(tx.send(f.rule.code.clone()))));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(perfhound_server::serve(listener, Arc::clone(&state), async move {
        let _ = rx.await;
    }));
    Server { addr, state, stop: Some(stop), task, findings }
}

async fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> (u16, String) {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await.unwrap();
    tokio::spawn(conn);
    let mut req = hyper::Request::builder().method(method).uri(path).header("host", addr.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = sender.send_request(req.body(Full::new(Bytes::from(body))).unwrap()).await.unwrap();
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

const PROTO: (&str, &str) = ("content-type", "application/x-protobuf");
const JSON: (&str, &str) = ("content-type", "application/json");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receives_analyzes_and_reports() {
    let mut s = start(1 << 20).await;
    let (status, _) = request(s.addr, "POST", "/v1/traces", &[PROTO], n_plus_one(1).encode_to_vec()).await;
    assert_eq!(status, 200);
    // The finding is announced once the trace is complete, without waiting for shutdown.
    let code =
        tokio::time::timeout(Duration::from_secs(10), s.findings.recv()).await.expect("no finding announced").unwrap();
    assert_eq!(code, "PH-TRACE001");

    // JSON (opentelemetry-proto's serialization), gzip-compressed.
    let json = serde_json::to_vec(&n_plus_one(2)).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&json).unwrap();
    let (status, body) =
        request(s.addr, "POST", "/v1/traces", &[JSON, ("content-encoding", "gzip")], gz.finish().unwrap()).await;
    assert_eq!((status, body.as_str()), (200, "{}"));

    let (status, metrics) = request(s.addr, "GET", "/metrics", &[], Vec::new()).await;
    assert_eq!(status, 200);
    assert!(metrics.contains("perfhound_spans_received_total 14"), "{metrics}");
    assert!(metrics.contains("perfhound_otlp_payloads_total{outcome=\"accepted\"} 2"), "{metrics}");

    s.stop.take().unwrap().send(()).unwrap();
    s.task.await.unwrap().unwrap();
    let run = s.state.finish(RunMeta::default());
    let f = run.findings.iter().find(|f| f.rule.code == "PH-TRACE001").expect("N+1 in the run");
    assert_eq!(f.evidence.counts["traces"], 2);
    assert_eq!(run.target("GET /orders").unwrap().measurements.requests, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejects_bad_payloads_with_reasons() {
    let mut s = start(4096).await;
    let (status, body) = request(s.addr, "POST", "/v1/traces", &[JSON], b"{\"resourceSpans\": [".to_vec()).await;
    assert_eq!(status, 400);
    assert!(body.contains("invalid OTLP/JSON") && body.contains("line 1"), "{body}");
    let (status, body) = request(s.addr, "POST", "/v1/traces", &[PROTO], vec![0x0a, 0xff, 0xff, 0xff]).await;
    assert_eq!(status, 400);
    assert!(body.contains("invalid OTLP/protobuf"), "{body}");
    let (status, body) = request(s.addr, "POST", "/v1/traces", &[PROTO], vec![0u8; 10_000]).await;
    assert_eq!(status, 413, "{body}");
    // A small gzip bomb: tiny on the wire, over the limit once decompressed.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![b' '; 100_000]).unwrap();
    let (status, _) =
        request(s.addr, "POST", "/v1/traces", &[JSON, ("content-encoding", "gzip")], gz.finish().unwrap()).await;
    assert_eq!(status, 413);
    let (status, body) = request(s.addr, "POST", "/v1/traces", &[("content-type", "text/plain")], b"hi".to_vec()).await;
    assert_eq!(status, 415);
    assert!(body.contains("application/x-protobuf"), "{body}");
    let (status, _) =
        request(s.addr, "POST", "/v1/traces", &[JSON, ("content-encoding", "gzip")], b"not gzip".to_vec()).await;
    assert_eq!(status, 400);
    // Still serving after all that.
    let (status, _) = request(s.addr, "POST", "/v1/traces", &[PROTO], n_plus_one(3).encode_to_vec()).await;
    assert_eq!(status, 200);
    let (_, metrics) = request(s.addr, "GET", "/metrics", &[], Vec::new()).await;
    assert!(metrics.contains("perfhound_otlp_payloads_total{outcome=\"bad_request\"} 3"), "{metrics}");
    assert!(metrics.contains("perfhound_otlp_payloads_total{outcome=\"too_large\"} 2"), "{metrics}");
    s.stop.take().unwrap().send(()).unwrap();
    s.task.await.unwrap().unwrap();
    let run = s.state.finish(RunMeta::default());
    assert!(run.findings.iter().any(|f| f.rule.code == "PH-TRACE001"), "{:?}", run.findings);
    assert_eq!(run.targets[0].measurements.requests, 1, "only the valid export was analyzed");
}
