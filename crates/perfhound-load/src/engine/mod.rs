//! The engine: worker threads running VUs, and a collector that samples every second.
//!
//! Each worker is an OS thread with its own single-threaded tokio runtime (like wrk's
//! threads), owning its VUs, their connections and one [`WorkerStats`]. The collector on
//! the calling thread wakes once a second, swaps every worker's interval histogram for
//! the time series, samples CPU/RSS, and reports progress through an [`Observer`].
//! Ctrl-C and the hard cap cancel one token that every VU and request watches.

mod checks;
mod executor;
mod preflight;
mod prepare;
mod request;
mod send;
pub mod shared;
mod vu;

use crate::client::Connector;
use crate::hygiene::ProbeResult;
use crate::plan::Plan;
use crate::resources::ProcSampler;
use crate::stats::{IntervalStats, WorkerStats};
use crate::traceparent;
use perfhound_model::{ProcessResources, SecondSample};
use shared::RunShared;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use preflight::PreflightError;

/// How to run (not what to run: that is the [`Plan`]).
#[derive(Clone, Debug, Default)]
pub struct EngineOptions {
    /// Worker threads; default: available cores, at most the number of VUs.
    pub threads: Option<usize>,
    /// Sample this process's CPU and RSS every second (the target).
    pub watch_pid: Option<u32>,
    /// Skip the reachability check before the run.
    pub skip_preflight: bool,
}

/// Why the run ended (the model's type: it is written to the run file as is).
pub use perfhound_model::EndReason;

/// Live numbers for progress output.
pub struct Tick<'a> {
    pub elapsed: Duration,
    pub expected: Duration,
    pub sample: &'a SecondSample,
    pub total_requests: u64,
    pub total_errors: u64,
}

/// Receives progress once a second.
pub trait Observer {
    fn on_tick(&mut self, tick: &Tick<'_>);
    fn on_interrupt(&mut self) {}
}

/// Everything the engine measured; turned into a model `Run` by [`crate::report`].
pub struct RunResult {
    pub plan: Plan,
    pub stats: WorkerStats,
    pub series: Vec<SecondSample>,
    pub elapsed: Duration,
    pub end_reason: EndReason,
    pub threads: usize,
    pub generator: Option<ProcessResources>,
    /// Generator CPU seconds per wall second per worker thread (0..=1+).
    pub generator_cpu_share: f64,
    pub target: Option<ProcessResources>,
    /// Per scenario: peak concurrently active VUs and the instant it stopped issuing.
    pub vus_max: Vec<u64>,
    pub cutoffs: Vec<Duration>,
    /// Per request name: result of the post-run compression probe.
    pub probes: Vec<ProbeResult>,
    pub started_at: String,
    pub ended_at: String,
}

/// Checks every target of `plan` is valid and reachable, as [`run`] does first; for callers
/// that start something alongside the load only once it can run.
pub fn preflight(plan: &Plan) -> Result<(), PreflightError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| PreflightError::Runtime(e.to_string()))?;
    let http = &plan.http;
    let connector = Connector::new(http.http2, http.insecure, http.connect_timeout, http.allow_remote);
    rt.block_on(preflight::check(plan, &connector))
}

/// Runs a plan to completion (or Ctrl-C / hard cap) on the calling thread.
pub fn run(plan: Plan, opts: &EngineOptions, observer: &mut dyn Observer) -> Result<RunResult, PreflightError> {
    let collector_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| PreflightError::Runtime(e.to_string()))?;
    let http = &plan.http;
    let connector = Connector::new(http.http2, http.insecure, http.connect_timeout, http.allow_remote);
    if !opts.skip_preflight {
        collector_rt.block_on(preflight::check(&plan, &connector))?;
    }
    let threads = worker_threads(&plan, opts);
    let started_at = perfhound_model::rfc3339_now();
    let run = Arc::new(RunShared::new(plan, connector, threads));
    let workers = Workers::spawn(&run);
    let mut collector = Collector::new(opts.watch_pid);
    collector_rt.block_on(collector.collect(&run, &workers.done, observer));
    workers.join();
    let elapsed = run.elapsed();
    let probes = if collector.end_reason == EndReason::Interrupted {
        Vec::new()
    } else {
        collector_rt.block_on(probe_uncompressed(&run))
    };
    let run = Arc::try_unwrap(run).unwrap_or_else(|_| panic!("all workers joined"));
    Ok(collector.finish(run, elapsed, probes, started_at))
}

/// Worker threads: as asked, else one per core; never more than the run's VUs.
fn worker_threads(plan: &Plan, opts: &EngineOptions) -> usize {
    let max_vus: u64 = plan.scenarios.iter().map(|s| s.executor.max_vus()).sum();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    opts.threads.unwrap_or(cores).clamp(1, max_vus.max(1) as usize)
}

/// The worker threads of a run; `done` is cancelled when the last one finishes.
struct Workers {
    handles: Vec<std::thread::JoinHandle<()>>,
    done: CancellationToken,
}

impl Workers {
    fn spawn(run: &Arc<RunShared>) -> Workers {
        let done = CancellationToken::new();
        let remaining = Arc::new(AtomicUsize::new(run.threads));
        let handles = (0..run.threads).map(|w| spawn_worker(w, run.clone(), remaining.clone(), done.clone())).collect();
        Workers { handles, done }
    }

    fn join(self) {
        for h in self.handles {
            let _ = h.join();
        }
    }
}

/// The calling thread's side of a run: once a second it samples the workers and the
/// processes, reports progress, and watches Ctrl-C and the hard cap.
struct Collector {
    generator: Option<ProcSampler>,
    target: Option<ProcSampler>,
    series: Vec<SecondSample>,
    total_requests: u64,
    total_errors: u64,
    end_reason: EndReason,
}

impl Collector {
    fn new(watch_pid: Option<u32>) -> Collector {
        Collector {
            generator: ProcSampler::new(std::process::id(), "perfhound (generator)"),
            target: watch_pid.and_then(|pid| ProcSampler::new(pid, "target")),
            series: Vec::new(),
            total_requests: 0,
            total_errors: 0,
            end_reason: EndReason::Completed,
        }
    }

    /// Runs until every worker is done.
    async fn collect(&mut self, run: &RunShared, done: &CancellationToken, observer: &mut dyn Observer) {
        let expected = run.expected();
        let hard_cap_at = run.start + run.plan.hard_cap;
        let mut second = 1u32;
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);
        loop {
            let running = self.end_reason == EndReason::Completed;
            tokio::select! {
                _ = done.cancelled() => break,
                _ = &mut ctrl_c, if running => {
                    self.end_reason = EndReason::Interrupted;
                    observer.on_interrupt();
                    run.cancel.cancel();
                }
                _ = tokio::time::sleep_until(hard_cap_at.into()), if running => {
                    self.end_reason = EndReason::HardCap;
                    run.cancel.cancel();
                }
                _ = tokio::time::sleep_until((run.start + Duration::from_secs(u64::from(second))).into()) => {
                    let sample = self.sample(run, second - 1);
                    self.total_requests += sample.requests;
                    self.total_errors += sample.errors;
                    let (total_requests, total_errors) = (self.total_requests, self.total_errors);
                    observer.on_tick(&Tick { elapsed: run.elapsed(), expected, sample: &sample, total_requests, total_errors });
                    self.series.push(sample);
                    second += 1;
                }
            }
        }
        let last = self.sample(run, second - 1);
        if last.requests > 0 || last.dropped > 0 {
            self.series.push(last);
        }
    }

    fn sample(&mut self, run: &RunShared, t_s: u32) -> SecondSample {
        take_sample(run, t_s, self.generator.as_mut(), self.target.as_mut())
    }

    /// Everything measured, once the workers have stopped.
    fn finish(self, run: RunShared, elapsed: Duration, probes: Vec<ProbeResult>, started_at: String) -> RunResult {
        let threads = run.threads;
        let generator_cpu_share =
            self.generator.as_ref().map_or(0.0, |g| g.cpu_used_s() / (g.wall_s().max(1e-3) * threads as f64));
        let cancelled_at = (self.end_reason != EndReason::Completed).then_some(elapsed);
        RunResult {
            stats: run.merged_stats(),
            cutoffs: cutoffs(&run, cancelled_at),
            vus_max: run.scenarios.iter().map(|s| s.vus_started.load(Ordering::Relaxed)).collect(),
            plan: run.plan,
            series: self.series,
            elapsed,
            end_reason: self.end_reason,
            threads,
            generator: self.generator.map(ProcSampler::finish),
            generator_cpu_share,
            target: self.target.map(ProcSampler::finish),
            probes,
            started_at,
            ended_at: perfhound_model::rfc3339_now(),
        }
    }
}

/// Per scenario: how long it issued iterations (its natural length, or until cancelled).
fn cutoffs(run: &RunShared, cancelled_at: Option<Duration>) -> Vec<Duration> {
    run.scenarios
        .iter()
        .map(|s| {
            let natural = s.end.saturating_duration_since(s.start);
            let stop = cancelled_at.map(|c| c.saturating_sub(s.start.duration_since(run.start)));
            stop.map_or(natural, |c| c.min(natural))
        })
        .collect()
}

/// Probes, once per request name, URLs whose text responses came back uncompressed
/// while the load did not offer compression.
async fn probe_uncompressed(run: &RunShared) -> Vec<ProbeResult> {
    let totals = run.merged_stats();
    let mut out = Vec::with_capacity(totals.names.len());
    for n in &totals.names {
        let h = &n.hygiene;
        let result = match (&h.probe_url, h.uncompressed_not_offered > 0 && h.uncompressed_offered == 0) {
            (Some(url), true) => {
                let tp = run.plan.http.traceparent.map(|n| traceparent::header(n, traceparent::PROBE_NAME_ID));
                match crate::client::probe_compression(&run.connector, url, run.plan.http.request_timeout, tp).await {
                    Some(true) => ProbeResult::Compressed,
                    Some(false) => ProbeResult::Uncompressed,
                    None => ProbeResult::Unknown,
                }
            }
            _ => ProbeResult::Unknown,
        };
        out.push(result);
    }
    out
}

fn spawn_worker(
    w: usize,
    run: Arc<RunShared>,
    remaining: Arc<AtomicUsize>,
    done: CancellationToken,
) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name(format!("perfhound-worker-{w}"))
        .spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                rt.block_on(async {
                    let tracker = TaskTracker::new();
                    for sid in 0..run.scenarios.len() {
                        executor::start_scenario(&run, sid, w, &tracker);
                    }
                    tracker.close();
                    tracker.wait().await;
                });
            }
            if remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
                done.cancel();
            }
        })
        .expect("spawning a worker thread")
}

fn take_sample(
    run: &RunShared,
    t_s: u32,
    gen: Option<&mut ProcSampler>,
    target: Option<&mut ProcSampler>,
) -> SecondSample {
    let mut iv = IntervalStats::default();
    for w in &run.workers {
        w.lock().take_interval(&mut iv);
    }
    if let Some(g) = gen {
        g.sample(t_s);
    }
    if let Some(t) = target {
        t.sample(t_s);
    }
    SecondSample {
        t_s,
        requests: iv.requests,
        errors: iv.errors,
        p50_us: iv.latency.quantile_us(0.5),
        p99_us: iv.latency.quantile_us(0.99),
        max_us: iv.latency.max_us(),
        dropped: iv.dropped,
        vus_active: run.scenarios.iter().map(|s| s.vus_active.load(Ordering::Relaxed)).sum(),
    }
}
