//! perfhound's servers: the live OTLP/HTTP trace receiver, and (in [`dashboard`]) `perfhound
//! serve`'s dashboard over the run store, which mounts the same receiver.
//!
//! `perfhound traces --listen 127.0.0.1:4318` points OpenTelemetry SDKs and Collectors at
//! this receiver instead of (or besides) a tracing backend. It accepts
//! `POST /v1/traces` in protobuf and JSON, gzip-compressed or not; bad payloads get a 400
//! with the reason, oversized ones a 413, unknown media types a 415, and nothing a client
//! sends can crash it. Spans go through the trace engine's assembler: a trace is analyzed
//! once it has gone idle, findings are announced the moment they become reportable, and
//! on shutdown every buffered trace is analyzed and the run is returned. `GET /metrics`
//! exposes the receiver's own counters for Prometheus.
//!
//! Ticks of the assembler are wall-clock milliseconds here (files use span counts).

pub mod dashboard;
pub mod error;
pub mod metrics;
pub mod otlp;

use axum::routing::{get, post};
use axum::Router;
use metrics::Metrics;
use perfhound_model::{Finding, Run};
use perfhound_traces::assemble::{Assembler, AssemblerConfig};
use perfhound_traces::span::Span;
use perfhound_traces::{Config, Engine, RunMeta};
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Receiver settings.
#[derive(Clone, Debug)]
pub struct ReceiverConfig {
    /// Largest accepted request body, compressed and decompressed (default 16 MiB).
    pub max_body_bytes: usize,
    /// When traces count as complete (ticks are milliseconds).
    pub assembler: AssemblerConfig,
    /// How often idle traces are checked for.
    pub tick: Duration,
}

impl Default for ReceiverConfig {
    fn default() -> Self {
        ReceiverConfig { max_body_bytes: 16 << 20, assembler: AssemblerConfig::LIVE, tick: Duration::from_millis(250) }
    }
}

struct Inner {
    engine: Engine,
    assembler: Assembler,
}

/// Called for each finding when it becomes reportable.
pub type OnFinding = Box<dyn Fn(&Finding) + Send + Sync>;

/// Shared receiver state.
pub struct State {
    pub cfg: ReceiverConfig,
    pub metrics: Metrics,
    inner: Mutex<Inner>,
    started: Instant,
    on_finding: OnFinding,
}

impl State {
    pub fn new(cfg: ReceiverConfig, engine: Config, on_finding: OnFinding) -> Arc<State> {
        let assembler = Assembler::new(cfg.assembler);
        Arc::new(State {
            cfg,
            metrics: Metrics::default(),
            inner: Mutex::new(Inner { engine: Engine::new(engine), assembler }),
            started: Instant::now(),
            on_finding,
        })
    }

    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Names the root request of recognized traces (see `Engine::set_namer`).
    pub fn set_namer(&self, namer: perfhound_traces::engine::TraceNamer) {
        self.lock().engine.set_namer(namer);
    }

    /// Adds decoded spans; traces that complete are analyzed.
    pub fn ingest(&self, spans: Vec<Span>) {
        let now = self.now_ms();
        let mut guard = self.lock();
        let inner = &mut *guard;
        for s in spans {
            let engine = &mut inner.engine;
            inner.assembler.push(s, now, &mut |t| engine.analyze(t));
        }
        self.announce(inner);
    }

    /// Analyzes traces that have gone idle.
    pub fn tick(&self) {
        let now = self.now_ms();
        let mut guard = self.lock();
        let inner = &mut *guard;
        let engine = &mut inner.engine;
        inner.assembler.expire(now, &mut |t| engine.analyze(t));
        self.announce(inner);
    }

    fn announce(&self, inner: &mut Inner) {
        for f in inner.engine.take_new_findings() {
            self.metrics.findings.inc();
            (self.on_finding)(&f);
        }
        let analyzed = inner.engine.counters.traces;
        let seen = self.metrics.traces_analyzed.get();
        self.metrics.traces_analyzed.inc_by(analyzed.saturating_sub(seen));
        self.metrics.traces_in_flight.set(inner.assembler.in_flight() as i64);
    }

    /// Analyzes every buffered trace now (a capacity step's spans are all in), keeping
    /// the receiver open.
    pub fn flush(&self) {
        let mut guard = self.lock();
        let inner = &mut *guard;
        let engine = &mut inner.engine;
        inner.assembler.flush_all(&mut |t| engine.analyze(t));
        self.announce(inner);
    }

    /// Reads what the traces measured so far (per-step span groups of a capacity search).
    pub fn with_measure<R>(&self, f: impl FnOnce(&perfhound_traces::measure::Measure) -> R) -> R {
        f(&self.lock().engine.measure)
    }

    /// Changes what the traces measure (e.g. starts keeping DB span intervals).
    pub fn with_measure_mut<R>(&self, f: impl FnOnce(&mut perfhound_traces::measure::Measure) -> R) -> R {
        f(&mut self.lock().engine.measure)
    }

    /// Every query the traces recorded (see `Measure::query_summaries`).
    pub fn query_summaries(&self) -> Vec<perfhound_traces::measure::QuerySummary> {
        self.lock().engine.measure.query_summaries()
    }

    /// Analyzes every buffered trace and returns the run.
    pub fn finish(&self, meta: RunMeta) -> Run {
        let mut guard = self.lock();
        let inner = &mut *guard;
        let engine = &mut inner.engine;
        inner.assembler.flush_all(&mut |t| engine.analyze(t));
        self.announce(inner);
        perfhound_traces::to_run(&inner.engine, meta, &inner.assembler.stats, &[])
    }
}

/// The routes: `POST /v1/traces`, `GET /metrics`, `GET /healthz`.
pub fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/v1/traces", post(otlp::traces))
        .route("/metrics", get(metrics_handler))
        .route("/healthz", get(|| async { "ok\n" }))
        .with_state(state)
}

async fn metrics_handler(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
) -> impl axum::response::IntoResponse {
    ([("content-type", "application/openmetrics-text; version=1.0.0; charset=utf-8")], state.metrics.render())
}

/// Serves until `shutdown` resolves, checking for idle traces every `cfg.tick`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<State>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let ticker = spawn_ticker(Arc::clone(&state));
    let result = axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await;
    ticker.abort();
    result
}

/// Checks for idle traces every `cfg.tick` until aborted.
pub(crate) fn spawn_ticker(state: Arc<State>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(state.cfg.tick);
        loop {
            interval.tick().await;
            state.tick();
        }
    })
}
