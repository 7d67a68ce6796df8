//! The live view of a running load (fed once a second by the load's observer), and
//! `/metrics`: the receiver's counters plus the last saved run's key numbers.

use super::layout::{self, esc};
use super::{with_store, Dashboard, PageError};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

/// The numbers of the last second of a running load.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct LiveSnapshot {
    pub running: bool,
    /// What is loaded (URL or scenario), as the user gave it.
    pub label: String,
    pub elapsed_s: f64,
    pub expected_s: f64,
    pub rps: f64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub total_requests: u64,
    pub total_errors: u64,
}

/// Shared between the load's observer (writer) and the server (reader).
#[derive(Default)]
pub struct Live {
    snapshot: Mutex<Option<LiveSnapshot>>,
}

impl Live {
    pub fn set(&self, s: LiveSnapshot) {
        *self.snapshot.lock().unwrap_or_else(|p| p.into_inner()) = Some(s);
    }

    pub fn get(&self) -> Option<LiveSnapshot> {
        self.snapshot.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

pub async fn page(State(d): State<Arc<Dashboard>>) -> Response {
    let label = d.live.get().map(|s| s.label).unwrap_or_default();
    let row = |name: &str, id: &str| format!("<dt>{name}</dt><dd id=\"{id}\">–</dd>");
    let body = format!(
        "<p>Load <span id=\"live-label\">{}</span>: <strong id=\"live-state\">waiting for data</strong>. \
         Updates every second.</p>\n<dl class=\"live\">{}{}{}{}{}{}</dl>\n<script src=\"/static/live.js\"></script>\n",
        esc(&label),
        row("elapsed", "live-elapsed"),
        row("throughput", "live-rps"),
        row("p50 (last second)", "live-p50"),
        row("p99 (last second)", "live-p99"),
        row("requests", "live-total"),
        row("errors", "live-errors"),
    );
    layout::page(StatusCode::OK, "Live", "/live", &body)
}

pub async fn json(State(d): State<Arc<Dashboard>>) -> Response {
    let text = serde_json::to_string(&d.live.get()).unwrap_or_else(|_| "null".into());
    layout::with_headers(StatusCode::OK, "application/json", layout::CSP, text)
}

type Gauges = Family<Vec<(String, String)>, Gauge<f64, AtomicU64>>;

/// The receiver's metrics and, per target of the newest saved run, p50/p95/p99 in seconds,
/// throughput and error rate.
pub async fn metrics(State(d): State<Arc<Dashboard>>) -> Result<Response, PageError> {
    let last = with_store(&d, |s| {
        let rows = s.list(&perfhound_store::Filter { limit: 1, ..Default::default() })?;
        rows.last().map(|r| s.run(&r.id)).transpose()
    })
    .await?;
    let mut registry = Registry::with_prefix("perfhound_last_run");
    if let Some(run) = last {
        register_run(&mut registry, &run);
    }
    let text = d.receiver.metrics.render_with(&registry);
    Ok(layout::with_headers(
        StatusCode::OK,
        "application/openmetrics-text; version=1.0.0; charset=utf-8",
        layout::CSP,
        text,
    ))
}

fn register_run(registry: &mut Registry, run: &perfhound_model::Run) {
    let latency = Gauges::default();
    let (rps, errors) = (Gauges::default(), Gauges::default());
    for t in &run.targets {
        let labels = |extra: Option<&str>| {
            let mut l = vec![("target".to_string(), t.name.clone()), ("kind".to_string(), t.kind.as_str().to_string())];
            l.extend(extra.map(|q| ("quantile".to_string(), q.to_string())));
            l
        };
        if let Some(h) = t.measurements.latency.as_ref().filter(|h| !h.is_empty()) {
            for (name, q) in [("0.5", 0.5), ("0.95", 0.95), ("0.99", 0.99)] {
                latency.get_or_create(&labels(Some(name))).set(h.quantile_us(q) as f64 / 1e6);
            }
        }
        if t.measurements.requests > 0 {
            rps.get_or_create(&labels(None)).set(t.measurements.rps);
            errors.get_or_create(&labels(None)).set(t.measurements.error_rate());
        }
    }
    registry.register("latency_seconds", "Latency quantiles of the newest saved run", latency);
    registry.register("requests_per_second", "Throughput of the newest saved run", rps);
    registry.register("error_ratio", "Failed share of requests in the newest saved run", errors);
}
