//! The data model every perfhound engine produces and every consumer reads.
//!
//! perfhound has many sources — load tests, traces, databases, logs, source code — and
//! one end: a [`Run`] that carries **measurements** (per [`Target`]) and **findings**
//! ([`Finding`]), judged by thresholds and budgets ([`BudgetResult`]). Keeping that end in
//! one small crate with serde types only is what lets `report`, `check` and `merge` work
//! on the output of any engine, and lets runs from N sharded generators be merged exactly:
//! every histogram is an HDR histogram ([`Histogram`]) and every counter is additive.
//!
//! This crate deliberately knows nothing about HTTP, SQL, tokio or databases.

pub mod budget;
pub mod capacity;
pub mod complexity;
pub mod duration;
pub mod extra;
pub mod finding;
pub mod histogram;
pub mod kinds;
pub mod metric;
pub mod redact;
pub mod run;
pub mod sarif;
pub mod threshold;

pub use budget::{Budget, BudgetFormat, BudgetLine, BudgetSet, Origin};
pub use capacity::{CapacitySection, CapacityStep, StepPhase, StopReason};
pub use complexity::{ComplexityFit, ComplexityPoint};
pub use extra::{Extra, Extras};
pub use finding::{Confidence, Effort, Evidence, Finding, Impact, Recommendation, Rule, RuleRef, Severity};
pub use histogram::{Histogram, HistogramError, LatencySummary};
pub use kinds::{EndReason, ExecutorKind, SourceKind};
pub use metric::{Metric, MetricKind};
pub use run::{
    new_run_id, rfc3339, rfc3339_now, Accounting, CheckCount, ErrorKind, HostInfo, LoadSection, Measurements,
    ProcessResources, ProcessSample, Resources, Run, ScenarioSummary, SecondSample, Source, Target, TargetKind,
    ToolInfo, SCHEMA_VERSION,
};
pub use threshold::{BudgetResult, Comparison, Threshold, ThresholdParseError};
