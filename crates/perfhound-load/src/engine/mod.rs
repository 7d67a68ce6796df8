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
mod request;
pub mod shared;
mod vu;

use crate::client::Connector;
use crate::plan::Plan;
use crate::resources::ProcSampler;
use crate::stats::{IntervalStats, WorkerStats};
use perfhound_model::{ProcessResources, SecondSample};
use shared::{RunShared, ScenarioRt};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
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
    pub probes: Vec<crate::hygiene::ProbeResult>,
    pub started_at: String,
    pub ended_at: String,
}

/// Runs a plan to completion (or Ctrl-C / hard cap) on the calling thread.
pub fn run(plan: Plan, opts: &EngineOptions, observer: &mut dyn Observer) -> Result<RunResult, PreflightError> {
    let collector_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| PreflightError::Runtime(e.to_string()))?;
    let http = plan.http.clone();
    let connector = Connector::new(http.http2, http.insecure, http.connect_timeout, http.allow_remote);
    if !opts.skip_preflight {
        collector_rt.block_on(preflight::check(&plan, &connector))?;
    }
    let max_vus: u64 = plan.scenarios.iter().map(|s| s.executor.max_vus()).sum();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = opts.threads.unwrap_or(cores).clamp(1, max_vus.max(1) as usize);
    let started_at = perfhound_model::rfc3339_now();
    let start = Instant::now() + Duration::from_millis(20);
    let scenarios = plan
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| ScenarioRt::new(i, s.clone(), start, &plan.data, threads))
        .collect::<Vec<_>>();
    let workers =
        (0..threads).map(|_| Arc::new(Mutex::new(WorkerStats::new(plan.names.len(), plan.scenarios.len())))).collect();
    let expected = scenarios.iter().map(|s| s.end.duration_since(start)).max().unwrap_or_default();
    let hard_cap = plan.hard_cap;
    let run =
        Arc::new(RunShared { plan, connector, start, cancel: CancellationToken::new(), scenarios, workers, threads });
    let done = CancellationToken::new();
    let remaining = Arc::new(std::sync::atomic::AtomicUsize::new(threads));
    let handles: Vec<_> = (0..threads).map(|w| spawn_worker(w, run.clone(), remaining.clone(), done.clone())).collect();

    let mut gen = ProcSampler::new(std::process::id(), "perfhound (generator)");
    let mut target = opts.watch_pid.and_then(|pid| ProcSampler::new(pid, "target"));
    let mut series = Vec::new();
    let (mut total_requests, mut total_errors) = (0u64, 0u64);
    let mut end_reason = EndReason::Completed;
    collector_rt.block_on(async {
        let mut second = 1u32;
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);
        loop {
            let tick_at = start + Duration::from_secs(u64::from(second));
            tokio::select! {
                _ = done.cancelled() => break,
                _ = &mut ctrl_c, if end_reason == EndReason::Completed => {
                    end_reason = EndReason::Interrupted;
                    observer.on_interrupt();
                    run.cancel.cancel();
                }
                _ = tokio::time::sleep_until((start + hard_cap).into()), if end_reason == EndReason::Completed => {
                    end_reason = EndReason::HardCap;
                    run.cancel.cancel();
                }
                _ = tokio::time::sleep_until(tick_at.into()) => {
                    let sample = take_sample(&run, second - 1, gen.as_mut(), target.as_mut());
                    total_requests += sample.requests;
                    total_errors += sample.errors;
                    observer.on_tick(&Tick { elapsed: start.elapsed(), expected, sample: &sample, total_requests, total_errors });
                    series.push(sample);
                    second += 1;
                }
            }
        }
        let last = take_sample(&run, second - 1, gen.as_mut(), target.as_mut());
        if last.requests > 0 || last.dropped > 0 {
            series.push(last);
        }
    });
    for h in handles {
        let _ = h.join();
    }
    let elapsed = start.elapsed();
    let probes =
        if end_reason == EndReason::Interrupted { Vec::new() } else { collector_rt.block_on(probe_uncompressed(&run)) };
    let generator_cpu_share = gen.as_ref().map_or(0.0, |g| g.cpu_used_s() / (g.wall_s().max(1e-3) * threads as f64));
    let mut stats = WorkerStats::new(run.plan.names.len(), run.plan.scenarios.len());
    for w in &run.workers {
        let guard = w.lock().unwrap_or_else(|p| p.into_inner());
        stats.merge(&guard);
    }
    let cancelled_at = if end_reason == EndReason::Completed { None } else { Some(elapsed) };
    let cutoffs = run
        .scenarios
        .iter()
        .map(|s| {
            let natural = s.end.saturating_duration_since(s.start);
            let stop = cancelled_at.map(|c| c.saturating_sub(s.start.duration_since(start)));
            stop.map_or(natural, |c| c.min(natural))
        })
        .collect();
    let vus_max = run.scenarios.iter().map(|s| s.vus_started.load(Ordering::Relaxed)).collect();
    let run = Arc::try_unwrap(run).unwrap_or_else(|_| panic!("all workers joined"));
    Ok(RunResult {
        plan: run.plan,
        stats,
        series,
        elapsed,
        end_reason,
        threads,
        generator: gen.map(ProcSampler::finish),
        generator_cpu_share,
        target: target.map(ProcSampler::finish),
        vus_max,
        cutoffs,
        probes,
        started_at,
        ended_at: perfhound_model::rfc3339_now(),
    })
}

/// Probes, once per request name, URLs whose text responses came back uncompressed
/// while the load did not offer compression.
async fn probe_uncompressed(run: &RunShared) -> Vec<crate::hygiene::ProbeResult> {
    use crate::hygiene::ProbeResult;
    let mut totals = WorkerStats::new(run.plan.names.len(), run.plan.scenarios.len());
    for w in &run.workers {
        totals.merge(&w.lock().unwrap_or_else(|p| p.into_inner()));
    }
    let mut out = Vec::with_capacity(totals.names.len());
    for n in &totals.names {
        let h = &n.hygiene;
        let result = match (&h.probe_url, h.uncompressed_not_offered > 0 && h.uncompressed_offered == 0) {
            (Some(url), true) => {
                match crate::client::probe_compression(&run.connector, url, run.plan.http.request_timeout).await {
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
    remaining: Arc<std::sync::atomic::AtomicUsize>,
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
        let mut guard = w.lock().unwrap_or_else(|p| p.into_inner());
        guard.take_interval(&mut iv);
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
