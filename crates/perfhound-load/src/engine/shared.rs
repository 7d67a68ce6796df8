//! State shared by all workers of a run: the plan, the clock, cancellation, stats.

use crate::client::Connector;
use crate::data::DataSource;
use crate::plan::{DataMode, Executor, Plan, ScenarioPlan};
use crate::schedule::Shape;
use crate::stats::{SharedStats, WorkerStats};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// An iteration that starts more than this after its intended time counts as late.
pub const LATE_TOLERANCE: Duration = Duration::from_millis(10);

/// Run-wide state.
pub struct RunShared {
    pub plan: Plan,
    pub connector: Connector,
    /// Instant zero of the run.
    pub start: Instant,
    /// Cancelled on Ctrl-C or at the hard cap: in-flight requests are abandoned.
    pub cancel: CancellationToken,
    pub scenarios: Vec<ScenarioRt>,
    /// One stats block per worker thread.
    pub workers: Vec<Arc<SharedStats>>,
    pub threads: usize,
}

/// Delay between setting up the run and its instant zero, so every worker is spawned
/// before the first arrival is due.
const START_DELAY: Duration = Duration::from_millis(20);

impl RunShared {
    /// Sets up a run on `threads` workers, starting shortly from now.
    pub fn new(plan: Plan, connector: Connector, threads: usize) -> RunShared {
        let start = Instant::now() + START_DELAY;
        let scenarios = plan
            .scenarios
            .iter()
            .enumerate()
            .map(|(i, s)| ScenarioRt::new(i, s.clone(), start, &plan.data, threads))
            .collect();
        let workers = (0..threads).map(|_| Arc::new(SharedStats::new(empty_stats(&plan)))).collect();
        RunShared { plan, connector, start, cancel: CancellationToken::new(), scenarios, workers, threads }
    }

    /// Every worker's stats merged (at the end, or for the compression probe).
    pub fn merged_stats(&self) -> WorkerStats {
        let mut total = empty_stats(&self.plan);
        for w in &self.workers {
            total.merge(&w.lock());
        }
        total
    }

    /// Wall time until the last scenario stops issuing iterations.
    pub fn expected(&self) -> Duration {
        self.scenarios.iter().map(|s| s.end.duration_since(self.start)).max().unwrap_or_default()
    }

    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }
}

/// Zeroed stats with one slot per request name and scenario of `plan`.
fn empty_stats(plan: &Plan) -> WorkerStats {
    WorkerStats::new(plan.names.len(), plan.scenarios.len())
}

/// Runtime state of one scenario.
pub struct ScenarioRt {
    pub id: usize,
    pub plan: ScenarioPlan,
    pub start: Instant,
    /// No new iterations start at or after this instant.
    pub end: Instant,
    /// In-flight iterations are abandoned at this instant.
    pub deadline: Instant,
    /// Arrival-rate shape (open model) or VU shape (ramping-vus).
    pub shape: Option<Shape>,
    /// Workers this scenario runs on (`min(threads, max VUs)`).
    pub workers: usize,
    /// Shared-iterations: iterations handed out so far.
    pub claimed: AtomicU64,
    /// Next VU id (1-based) for dynamically started VUs.
    pub next_vu_id: AtomicU64,
    pub vus_active: AtomicU64,
    pub vus_started: AtomicU64,
    /// Data bindings resolved to sources, with one shared cursor each.
    pub data: Vec<(Arc<DataSource>, AtomicU64)>,
    /// Pre-parsed URI per flow step whose URL is literal and has no query (hot path).
    pub static_uris: Vec<Option<http::Uri>>,
}

impl ScenarioRt {
    pub fn new(id: usize, plan: ScenarioPlan, run_start: Instant, sources: &[Arc<DataSource>], threads: usize) -> Self {
        let start = run_start + plan.start_time;
        let max = plan.executor.max_duration();
        let end = start + max;
        let deadline = end + plan.graceful_stop;
        let shape = match &plan.executor {
            Executor::ConstantArrivalRate { rate, duration, .. } => Some(Shape::constant(*rate, *duration)),
            Executor::RampingArrivalRate { start_rate, stages, .. } => Some(Shape::ramp(*start_rate, stages)),
            Executor::RampingVus { start_vus, stages } => Some(Shape::ramp(*start_vus as f64, stages)),
            _ => None,
        };
        let workers = (plan.executor.max_vus() as usize).clamp(1, threads.max(1));
        let data = plan.data.iter().map(|b| (sources[b.source].clone(), AtomicU64::new(0))).collect();
        let static_uris = plan
            .flow
            .iter()
            .map(|step| match step {
                crate::plan::Step::Request(r) if r.query.is_empty() => r.url.as_literal().and_then(|u| u.parse().ok()),
                _ => None,
            })
            .collect();
        ScenarioRt {
            id,
            plan,
            start,
            end,
            deadline,
            shape,
            workers,
            claimed: AtomicU64::new(0),
            next_vu_id: AtomicU64::new(1),
            vus_active: AtomicU64::new(0),
            vus_started: AtomicU64::new(0),
            data,
            static_uris,
        }
    }

    /// Row index for binding `b`, for a VU at an iteration.
    pub fn row_for(&self, b: usize, vu_id: u64, iteration: u64, random: u64) -> usize {
        let (source, cursor) = &self.data[b];
        let n = source.rows.len() as u64;
        let binding = &self.plan.data[b];
        let idx = match (binding.mode, binding.order) {
            (_, crate::plan::DataOrder::Random) => random % n,
            (DataMode::PerVu, crate::plan::DataOrder::Sequential) => (vu_id.saturating_sub(1) + iteration) % n,
            (DataMode::Shared, crate::plan::DataOrder::Sequential) => cursor.fetch_add(1, Ordering::Relaxed) % n,
        };
        idx as usize
    }
}
