//! Quick mode: `perfhound load URL -c 50 -d 30s [-r 1000]`, like wrk/wrk2/oha.
//!
//! The flags become a one-step [`Plan`]: `-r` selects the open model
//! (constant-arrival-rate over `-c` connections, wrk2-style), no `-r` the closed model
//! (constant-vus for `-d`, shared-iterations for `-n`).

use crate::plan::{
    Body, Executor, HttpOptions, Plan, RequestStep, ScenarioPlan, Step, ThresholdSpec, HARD_CAP_DEFAULT,
};
use crate::template::Template;
use bytes::Bytes;
use http::{HeaderName, Method};
use std::time::Duration;

/// Quick-mode settings, already parsed from flags.
#[derive(Clone, Debug)]
pub struct QuickOptions {
    pub url: String,
    pub connections: u64,
    pub duration: Option<Duration>,
    pub requests: Option<u64>,
    /// Requests per second (open model).
    pub rate: Option<f64>,
    pub method: Method,
    pub headers: Vec<(String, String)>,
    pub body: Option<Bytes>,
    pub http: HttpOptions,
    pub thresholds: Vec<String>,
    pub hard_cap: Option<Duration>,
    /// Iteration executors stop at this time even if requests remain.
    pub max_duration: Duration,
}

/// A quick-mode flag problem.
#[derive(Debug, thiserror::Error)]
#[error("{flag}: {message}")]
pub struct QuickError {
    pub flag: &'static str,
    pub message: String,
}

fn err(flag: &'static str, message: impl Into<String>) -> QuickError {
    QuickError { flag, message: message.into() }
}

/// Builds the plan for quick mode.
pub fn plan(o: QuickOptions) -> Result<Plan, QuickError> {
    let uri: http::Uri = o.url.parse().map_err(|e| err("URL", format!("`{}` is not a valid URL: {e}", o.url)))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
        return Err(err(
            "URL",
            format!("`{}` must be an absolute http:// or https:// URL, e.g. http://127.0.0.1:8080/", o.url),
        ));
    }
    if o.connections == 0 || o.connections > 100_000 {
        return Err(err("-c/--connections", "must be between 1 and 100000"));
    }
    let executor = match (o.rate, o.duration, o.requests) {
        (_, None, None) => {
            return Err(err(
                "-d/-n",
                "give a duration (-d 30s) or a number of requests (-n 10000): every run is bounded",
            ))
        }
        (Some(r), _, _) if !(r > 0.0 && r.is_finite()) => {
            return Err(err("-r/--rate", "must be a positive number of requests per second"))
        }
        (Some(rate), Some(d), None) => Executor::ConstantArrivalRate {
            rate,
            duration: d,
            pre_allocated_vus: o.connections,
            max_vus: o.connections,
        },
        (Some(rate), d, Some(n)) => {
            let by_count = Duration::from_secs_f64(n as f64 / rate);
            let duration = d.map_or(by_count, |d| d.min(by_count));
            Executor::ConstantArrivalRate { rate, duration, pre_allocated_vus: o.connections, max_vus: o.connections }
        }
        (None, Some(d), None) => Executor::ConstantVus { vus: o.connections, duration: d },
        (None, d, Some(n)) => Executor::SharedIterations {
            vus: o.connections.min(n.max(1)),
            iterations: n,
            max_duration: d.unwrap_or(o.max_duration),
        },
    };
    let mut headers = Vec::new();
    for (k, v) in &o.headers {
        let name = HeaderName::from_bytes(k.trim().as_bytes())
            .map_err(|_| err("-H/--header", format!("`{k}` is not a valid header name")))?;
        http::HeaderValue::from_str(v.trim())
            .map_err(|_| err("-H/--header", format!("invalid value for header `{k}`")))?;
        headers.push((name, Template::literal(v.trim())));
    }
    let body = o.body.map_or(Body::Empty, |content| Body::Bytes { content, content_type: None });
    let name = format!("{} {}", o.method, uri.path());
    let thresholds = o
        .thresholds
        .iter()
        .map(|t| {
            let threshold = perfhound_model::Threshold::parse(t).map_err(|e| err("--threshold", e.0))?;
            crate::to_model::check_load_threshold(&threshold).map_err(|e| err("--threshold", e))?;
            Ok(ThresholdSpec { expression: t.clone(), name: None, threshold })
        })
        .collect::<Result<Vec<_>, QuickError>>()?;
    let step = RequestStep {
        name_id: 0,
        method: o.method,
        url: Template::literal(o.url.clone()),
        query: Vec::new(),
        headers,
        body,
        captures: Vec::new(),
        checks: Vec::new(),
        abort_on_fail: false,
    };
    Ok(Plan {
        source: o.url.clone(),
        scenarios: vec![ScenarioPlan {
            name: "default".into(),
            executor,
            flow: vec![Step::Request(Box::new(step))],
            start_time: Duration::ZERO,
            graceful_stop: o.http.request_timeout.min(Duration::from_secs(30)),
            data: Vec::new(),
            capture_slots: 0,
        }],
        names: vec![name],
        thresholds,
        http: o.http,
        hard_cap: o.hard_cap.unwrap_or(HARD_CAP_DEFAULT),
        data: Vec::new(),
    })
}
