//! Test helpers: a seeded template database, perfhound's real OTLP receiver with a tap on
//! the decoded spans, and a small HTTP client.

use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use perfhound_demo::{DemoConfig, DemoServer, Mode, SeedReport};
use perfhound_model::Run;
use perfhound_server::{ReceiverConfig, State as ReceiverState};
use perfhound_traces::span::{Span, SpanKind};
use perfhound_traces::{Config, RunMeta};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::oneshot;

/// Serializes the tests that run a service: on a 2-core machine, two of them at once
/// would measure each other (CPU contention inflates span durations).
fn serial_lock() -> &'static tokio::sync::Mutex<()> {
    static LOCK: OnceLock<tokio::sync::Mutex<()>> = OnceLock::new();
    LOCK.get_or_init(|| tokio::sync::Mutex::new(()))
}

pub async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    serial_lock().lock().await
}

/// [`serial`] for tests without a runtime.
pub fn serial_blocking() -> tokio::sync::MutexGuard<'static, ()> {
    serial_lock().blocking_lock()
}

/// A seeded database shared by the tests of this binary (kept in Cargo's target tmp dir and
/// reused across runs while its schema version matches; each test works on a copy).
pub fn template() -> &'static (PathBuf, SeedReport) {
    static TEMPLATE: OnceLock<(PathBuf, SeedReport)> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("perfhound-demo-template.sqlite3");
        let report = perfhound_demo::prepare_database(&path).expect("seed the template database");
        (path, report)
    })
}

/// A private copy of the template database in `dir`.
pub fn db_copy(dir: &Path) -> PathBuf {
    let (template, _) = template();
    let path = dir.join("demo.sqlite3");
    std::fs::copy(template, &path).expect("copy the template database");
    path
}

/// The demo's trace thresholds.
pub fn demo_config() -> Config {
    Config::from_yaml("TRACES_CONFIG_YAML", perfhound_demo::TRACES_CONFIG_YAML).expect("demo config parses")
}

/// perfhound-server's receiver on 127.0.0.1:0; every export also lands in `spans`.
pub struct Receiver {
    pub url: String,
    state: Arc<ReceiverState>,
    spans: Arc<Mutex<Vec<Span>>>,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn tap(State(spans): State<Arc<Mutex<Vec<Span>>>>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 64 << 20).await.expect("export body");
    let mut decoded = Vec::new();
    if parts.uri.path() == "/v1/traces" {
        perfhound_traces::ingest::otlp_proto::decode(&bytes, &mut decoded).expect("OTLP protobuf from the SDK");
    }
    spans.lock().unwrap().extend(decoded);
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes))).await
}

impl Receiver {
    pub async fn start(cfg: Config) -> Receiver {
        let state = ReceiverState::new(ReceiverConfig::default(), cfg, Box::new(|_| {}));
        let spans = Arc::new(Mutex::new(Vec::new()));
        let app =
            perfhound_server::router(Arc::clone(&state)).layer(middleware::from_fn_with_state(Arc::clone(&spans), tap));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/v1/traces", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
        });
        Receiver { url, state, spans, stop, task }
    }

    /// Stops the receiver and returns its analysis and every span it received.
    pub async fn finish(self) -> (Run, Vec<Span>) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
        let meta =
            RunMeta { command: vec!["test".into()], started_at: String::new(), sources: vec![], warnings: vec![] };
        let run = self.state.finish(meta);
        let spans = std::mem::take(&mut *self.spans.lock().unwrap());
        (run, spans)
    }
}

/// Starts the demo on a copy of the template database.
pub async fn demo(mode: Mode, dir: &Path, otlp: Option<&str>) -> DemoServer {
    let mut cfg = DemoConfig::new(mode, db_copy(dir));
    cfg.otlp_endpoint = otlp.map(str::to_string);
    cfg.service_name = format!("demo-{}", mode.as_str());
    perfhound_demo::start(cfg).await.expect("demo starts")
}

/// A response, body decoded from gzip when it was compressed.
#[derive(Debug)]
pub struct Got {
    pub status: u16,
    pub headers: http::HeaderMap,
    /// Bytes on the wire.
    pub wire_len: usize,
    pub body: Vec<u8>,
}

impl Got {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn encoding(&self) -> Option<&str> {
        self.headers.get("content-encoding").and_then(|v| v.to_str().ok())
    }
}

#[derive(Clone)]
pub struct Http(Client<HttpConnector, Full<Bytes>>);

impl Http {
    pub fn new() -> Http {
        Http(Client::builder(TokioExecutor::new()).build_http())
    }

    pub async fn send(&self, method: &str, url: &str, gzip: bool, body: Option<&serde_json::Value>) -> Got {
        let mut req = http::Request::builder().method(method).uri(url);
        if gzip {
            req = req.header("accept-encoding", "gzip");
        }
        let payload = match body {
            Some(v) => {
                req = req.header("content-type", "application/json");
                Bytes::from(serde_json::to_vec(v).unwrap())
            }
            None => Bytes::new(),
        };
        let resp = self.0.request(req.body(Full::new(payload)).unwrap()).await.expect("request");
        let (parts, body) = resp.into_parts();
        let wire = body.collect().await.unwrap().to_bytes();
        let gz = parts.headers.get("content-encoding").is_some_and(|v| v == "gzip");
        let decoded = if gz { perfhound_demo::gunzip(&wire).unwrap() } else { wire.to_vec() };
        Got { status: parts.status.as_u16(), headers: parts.headers, wire_len: wire.len(), body: decoded }
    }

    pub async fn get(&self, url: &str) -> Got {
        self.send("GET", url, true, None).await
    }
}

/// Spans grouped by trace, with lookups by id.
pub struct Traces {
    pub spans: Vec<Span>,
    by_id: HashMap<u64, usize>,
}

impl Traces {
    pub fn new(spans: Vec<Span>) -> Traces {
        let by_id = spans.iter().enumerate().map(|(i, s)| (s.span_id, i)).collect();
        Traces { spans, by_id }
    }

    /// SERVER spans of `route`.
    pub fn servers(&self, route: &str) -> Vec<&Span> {
        self.spans
            .iter()
            .filter(|s| s.kind == SpanKind::Server && s.attrs.http_route.as_deref() == Some(route))
            .collect()
    }

    pub fn children(&self, parent: &Span) -> Vec<&Span> {
        let mut c: Vec<&Span> = self
            .spans
            .iter()
            .filter(|s| s.trace_id == parent.trace_id && s.parent_id == parent.span_id && s.span_id != parent.span_id)
            .collect();
        c.sort_by_key(|s| s.start_ns);
        c
    }

    pub fn parent(&self, s: &Span) -> Option<&Span> {
        self.by_id.get(&s.parent_id).map(|&i| &self.spans[i])
    }

    /// Every span below `root`, depth first.
    pub fn descendants(&self, root: &Span) -> Vec<&Span> {
        let mut out = Vec::new();
        let mut stack = vec![root];
        while let Some(s) = stack.pop() {
            for c in self.children(s) {
                out.push(c);
                stack.push(c);
            }
        }
        out
    }

    /// The spans of each trace, for feeding an engine.
    pub fn by_trace(&self) -> Vec<Vec<Span>> {
        let mut map: HashMap<_, Vec<Span>> = HashMap::new();
        for s in &self.spans {
            map.entry(s.trace_id).or_default().push(s.clone());
        }
        map.into_values().collect()
    }
}

/// Rule codes of a run's findings at warning or above, per endpoint.
pub fn warnings(run: &Run) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = run
        .findings
        .iter()
        .filter(|f| f.severity >= perfhound_model::Severity::Warning)
        .map(|f| (f.rule.code.clone(), f.target.clone()))
        .collect();
    v.sort();
    v
}

/// Findings of the trace engine with `cfg` over `traces`.
pub fn analyze(traces: &Traces, cfg: Config) -> Vec<perfhound_model::Finding> {
    let mut engine = perfhound_traces::Engine::new(cfg);
    for t in traces.by_trace() {
        engine.analyze(t);
    }
    engine.findings()
}
