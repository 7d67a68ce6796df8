//! The load plan: what to send, when, and how to judge it — as plain data.
//!
//! Both front ends (quick mode flags and scenario YAML) build a [`Plan`]; the engine
//! only ever sees a plan. A schedule is modelled as *data* (executor = stop condition ×
//! rate or VU shape) rather than as one hand-written loop per mode, so every executor
//! shares the same measured request path.

use crate::data::DataSource;
use crate::jsonpath::JsonPath;
use crate::template::{JsonTemplate, Template};
use http::{HeaderName, Method};
use perfhound_model::{ExecutorKind, Threshold};
use std::sync::Arc;
use std::time::Duration;

/// Hard cap on any run's wall time, whatever the plan says.
pub const HARD_CAP_DEFAULT: Duration = Duration::from_secs(3600);

/// Everything the engine needs for one run.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Human description of where the plan came from (URL or scenario file).
    pub source: String,
    pub scenarios: Vec<ScenarioPlan>,
    /// Request names; a request step refers to its name by index into this list.
    pub names: Vec<String>,
    pub thresholds: Vec<ThresholdSpec>,
    pub http: HttpOptions,
    /// The run stops at this wall time even if executors would go on.
    pub hard_cap: Duration,
    /// Data files, shared by all scenarios; bindings refer to them by index.
    pub data: Vec<Arc<DataSource>>,
}

/// Transport options shared by all requests of a run.
#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// `h2c` prior knowledge for `http://`, and `h2` preferred in ALPN for `https://`.
    pub http2: bool,
    /// Accept any TLS certificate (self-signed test servers).
    pub insecure: bool,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// Redirects followed per request; 0 = do not follow.
    pub max_redirects: u32,
    /// Allow targets that do not resolve to loopback (127.0.0.0/8, ::1).
    pub allow_remote: bool,
    /// Send a W3C `traceparent` with every request whose trace id starts with this run
    /// nonce and carries the request name (see [`crate::traceparent`]), so the service's
    /// traces can be tied back to the load's request names.
    pub traceparent: Option<u64>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            http2: false,
            insecure: false,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            max_redirects: 10,
            allow_remote: false,
            traceparent: None,
        }
    }
}

/// One named scenario: an executor driving a flow.
#[derive(Clone, Debug)]
pub struct ScenarioPlan {
    pub name: String,
    pub executor: Executor,
    pub flow: Vec<Step>,
    /// Delay from the start of the run before this scenario starts.
    pub start_time: Duration,
    /// How long in-flight iterations may finish after the scenario's end.
    pub graceful_stop: Duration,
    /// Data bindings: variable prefix → data source + how rows are handed out.
    pub data: Vec<DataBinding>,
    /// Number of capture variable slots each VU needs (see [`crate::template::VarRef`]).
    pub capture_slots: usize,
}

/// A ramp stage: move linearly to `target` over `duration`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stage {
    pub duration: Duration,
    /// Iterations per second (arrival-rate executors) or VUs (ramping-vus).
    pub target: f64,
}

/// How iterations are produced and when the scenario ends.
#[derive(Clone, Debug, PartialEq)]
pub enum Executor {
    /// Open model: `rate` iterations per second for `duration`.
    ConstantArrivalRate { rate: f64, duration: Duration, pre_allocated_vus: u64, max_vus: u64 },
    /// Open model: rate ramps linearly through stages, starting at `start_rate`.
    RampingArrivalRate { start_rate: f64, stages: Vec<Stage>, pre_allocated_vus: u64, max_vus: u64 },
    /// Closed model: `vus` loop iterations for `duration`.
    ConstantVus { vus: u64, duration: Duration },
    /// Closed model: the number of VUs ramps through stages.
    RampingVus { start_vus: u64, stages: Vec<Stage> },
    /// Each VU runs `iterations` iterations.
    PerVuIterations { vus: u64, iterations: u64, max_duration: Duration },
    /// `iterations` shared among `vus`.
    SharedIterations { vus: u64, iterations: u64, max_duration: Duration },
}

impl Executor {
    pub fn kind(&self) -> ExecutorKind {
        match self {
            Executor::ConstantArrivalRate { .. } => ExecutorKind::ConstantArrivalRate,
            Executor::RampingArrivalRate { .. } => ExecutorKind::RampingArrivalRate,
            Executor::ConstantVus { .. } => ExecutorKind::ConstantVus,
            Executor::RampingVus { .. } => ExecutorKind::RampingVus,
            Executor::PerVuIterations { .. } => ExecutorKind::PerVuIterations,
            Executor::SharedIterations { .. } => ExecutorKind::SharedIterations,
        }
    }

    pub fn is_open_model(&self) -> bool {
        matches!(self, Executor::ConstantArrivalRate { .. } | Executor::RampingArrivalRate { .. })
    }

    /// Upper bound of the scenario's duration (excluding graceful stop).
    pub fn max_duration(&self) -> Duration {
        match self {
            Executor::ConstantArrivalRate { duration, .. } | Executor::ConstantVus { duration, .. } => *duration,
            Executor::RampingArrivalRate { stages, .. } | Executor::RampingVus { stages, .. } => {
                stages.iter().map(|s| s.duration).sum()
            }
            Executor::PerVuIterations { max_duration, .. } | Executor::SharedIterations { max_duration, .. } => {
                *max_duration
            }
        }
    }

    /// Most VUs this executor can ever use.
    pub fn max_vus(&self) -> u64 {
        match self {
            Executor::ConstantArrivalRate { max_vus, .. } | Executor::RampingArrivalRate { max_vus, .. } => *max_vus,
            Executor::ConstantVus { vus, .. }
            | Executor::PerVuIterations { vus, .. }
            | Executor::SharedIterations { vus, .. } => *vus,
            Executor::RampingVus { start_vus, stages } => {
                stages.iter().map(|s| s.target.ceil() as u64).fold(*start_vus, u64::max)
            }
        }
    }
}

/// One step of a flow.
#[derive(Clone, Debug)]
pub enum Step {
    Request(Box<RequestStep>),
    /// Pause uniformly between `min` and `max` (equal for a fixed pause).
    Think {
        min: Duration,
        max: Duration,
    },
}

/// An HTTP request with its checks and captures.
#[derive(Clone, Debug)]
pub struct RequestStep {
    /// Index into [`Plan::names`].
    pub name_id: usize,
    pub method: Method,
    /// Absolute URL template (base URL already joined).
    pub url: Template,
    /// Query parameters appended to the URL.
    pub query: Vec<(Template, Template)>,
    pub headers: Vec<(HeaderName, Template)>,
    pub body: Body,
    pub captures: Vec<Capture>,
    pub checks: Vec<Check>,
    /// Stop this iteration when a check of this step fails.
    pub abort_on_fail: bool,
}

/// A request body.
#[derive(Clone, Debug, Default)]
pub enum Body {
    #[default]
    Empty,
    /// Raw bytes with an optional content type (templated text).
    Raw { content: Template, content_type: Option<String> },
    /// Bytes loaded from a file, sent as is.
    Bytes { content: bytes::Bytes, content_type: Option<String> },
    /// JSON, `Content-Type: application/json`.
    Json(JsonTemplate),
    /// `application/x-www-form-urlencoded`.
    Form(Vec<(String, Template)>),
}

/// Extract a value from a response into a capture slot.
#[derive(Clone, Debug)]
pub struct Capture {
    /// Variable name as written (`token`), for messages.
    pub var: String,
    /// Slot index in the VU's capture variables.
    pub slot: usize,
    pub source: CaptureSource,
}

#[derive(Clone, Debug)]
pub enum CaptureSource {
    JsonPath(JsonPath),
    Header(HeaderName),
    /// A regex over the body; the value is capture group `group` (0 = whole match).
    Regex {
        regex: regex::Regex,
        group: usize,
    },
}

/// One named check on a response.
#[derive(Clone, Debug)]
pub struct Check {
    /// Display name, e.g. `status is 200`.
    pub name: String,
    pub kind: CheckKind,
}

#[derive(Clone, Debug)]
pub enum CheckKind {
    /// Status must be one of these codes.
    Status(Vec<u16>),
    /// Header must exist, and equal / contain a value when given.
    Header {
        name: HeaderName,
        equals: Option<String>,
        contains: Option<String>,
    },
    BodyContains(String),
    /// JSON value at a path must equal `equals` (or merely exist when `None`).
    Json {
        path: JsonPath,
        equals: Option<serde_json::Value>,
    },
    /// End-to-end latency of the request must be below this.
    LatencyBelow(Duration),
}

/// How a data source's rows are handed to VUs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataMode {
    /// Every VU walks the rows itself, starting at a VU-specific offset.
    PerVu,
    /// One cursor shared by all VUs.
    Shared,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataOrder {
    Sequential,
    Random,
}

/// A data source bound to a variable prefix in a scenario.
#[derive(Clone, Debug)]
pub struct DataBinding {
    /// Variable prefix (`user` in `{{ user.name }}`).
    pub var: String,
    /// Index into [`Plan::data`].
    pub source: usize,
    pub mode: DataMode,
    pub order: DataOrder,
}

/// A threshold, global or for one request name.
#[derive(Clone, Debug)]
pub struct ThresholdSpec {
    /// The expression as written, e.g. `products: p99 < 800ms`.
    pub expression: String,
    /// `None` = all requests.
    pub name: Option<String>,
    pub threshold: Threshold,
}
