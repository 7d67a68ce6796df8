//! VU loops: how each executor decides when a VU starts its next iteration.
//!
//! Open model (arrival-rate): VUs *pull* due arrivals from the scenario's schedule
//! (`i ≡ worker mod workers`), sleep until the intended time, and measure latency from
//! it — so a stalled server shows up as latency, not as a quietly lower request rate
//! (no coordinated omission). A VU that finds its arrival already late starts another
//! VU (up to `max_vus`); arrivals later than `max_lateness` are dropped and counted.
//!
//! Closed model (VUs): each VU loops as soon as its previous iteration ends.

use super::shared::{RunShared, ScenarioRt, LATE_TOLERANCE};
use super::vu::{IterationEnd, Vu};
use crate::plan::Executor;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::time::{sleep_until, Sleep};
use tokio_util::sync::WaitForCancellationFuture;
use tokio_util::task::TaskTracker;

/// Granularity of tokio's timer wheel.
const TIMER_SLACK: Duration = Duration::from_millis(1);

/// Per-worker state of an open-model scenario.
pub struct OpenSlot {
    pub next_index: AtomicU64,
    pub stride: u64,
    pub spawned: AtomicU64,
    pub max_vus: u64,
    pub worker: usize,
}

/// Starts this worker's VUs for scenario `sid`.
pub fn start_scenario(run: &Arc<RunShared>, sid: usize, worker: usize, tracker: &TaskTracker) {
    let sc = &run.scenarios[sid];
    if worker >= sc.workers {
        return;
    }
    let workers = sc.workers as u64;
    let w = worker as u64;
    match &sc.plan.executor {
        Executor::ConstantArrivalRate { pre_allocated_vus, max_vus, .. }
        | Executor::RampingArrivalRate { pre_allocated_vus, max_vus, .. } => {
            let max = crate::schedule::share_of(*max_vus, w, workers).max(1);
            let pre = crate::schedule::share_of(*pre_allocated_vus, w, workers).clamp(1, max);
            let slot = Arc::new(OpenSlot {
                next_index: AtomicU64::new(w),
                stride: workers,
                spawned: AtomicU64::new(pre),
                max_vus: max,
                worker,
            });
            for _ in 0..pre {
                spawn_open_vu(run, sid, slot.clone(), tracker);
            }
        }
        _ => {
            let vus = sc.plan.executor.max_vus();
            for vu_index in (w..vus).step_by(workers as usize) {
                let run = run.clone();
                let stats = run.workers[worker].clone();
                tracker.spawn(async move {
                    let sc = &run.scenarios[sid];
                    let vu = Vu::new(vu_index + 1, sc, stats);
                    closed_vu(&run, sc, vu, vu_index).await;
                });
            }
        }
    }
}

fn spawn_open_vu(run: &Arc<RunShared>, sid: usize, slot: Arc<OpenSlot>, tracker: &TaskTracker) {
    let run = run.clone();
    let tracker2 = tracker.clone();
    tracker.spawn(async move {
        let sc = &run.scenarios[sid];
        let id = sc.next_vu_id.fetch_add(1, Ordering::Relaxed);
        let vu = Vu::new(id, sc, run.workers[slot.worker].clone());
        open_vu(&run, sid, vu, slot, tracker2).await;
    });
}

async fn wait_for_start(run: &RunShared, sc: &ScenarioRt) -> bool {
    if Instant::now() >= sc.start {
        return !run.cancel.is_cancelled();
    }
    tokio::select! {
        _ = run.cancel.cancelled() => false,
        _ = sleep_until(sc.start.into()) => true,
    }
}

async fn open_vu(run: &Arc<RunShared>, sid: usize, mut vu: Vu, slot: Arc<OpenSlot>, tracker: TaskTracker) {
    let sc = &run.scenarios[sid];
    let Some(shape) = sc.shape.as_ref() else { return };
    let max_lateness = run.plan.http.request_timeout;
    if !wait_for_start(run, sc).await {
        return;
    }
    // Long-lived futures, reused across iterations (no timer/waiter registration per request).
    let cancelled = run.cancel.cancelled();
    tokio::pin!(cancelled);
    let deadline = sleep_until(sc.deadline.into());
    tokio::pin!(deadline);
    let wake = sleep_until(Instant::now().into());
    tokio::pin!(wake);
    loop {
        if run.cancel.is_cancelled() {
            return;
        }
        let index = slot.next_index.fetch_add(slot.stride, Ordering::Relaxed);
        let Some(t) = shape.time_of(index) else { return };
        let intended = sc.start + Duration::from_secs_f64(t);
        let now = Instant::now();
        let mut late = false;
        if intended > now + TIMER_SLACK {
            // tokio's timer rounds deadlines up to the next millisecond: wake one tick
            // early so the send is not systematically late. An early send is measured
            // from its actual start (see `request::execute`), so latency stays unbiased.
            wake.as_mut().reset((intended - TIMER_SLACK).into());
            tokio::select! {
                _ = cancelled.as_mut() => return,
                _ = wake.as_mut() => {}
            }
        } else if intended <= now {
            let lateness = now - intended;
            if lateness > max_lateness {
                vu.stats.lock().interval.dropped += 1;
                continue;
            }
            if lateness > LATE_TOLERANCE {
                late = true;
                if slot.spawned.load(Ordering::Relaxed) < slot.max_vus {
                    slot.spawned.fetch_add(1, Ordering::Relaxed);
                    spawn_open_vu(run, sid, slot.clone(), &tracker);
                }
            }
        }
        if !iterate(run, sc, &mut vu, Some(intended), late, cancelled.as_mut(), deadline.as_mut()).await {
            return;
        }
    }
}

async fn closed_vu(run: &RunShared, sc: &ScenarioRt, mut vu: Vu, vu_index: u64) {
    if !wait_for_start(run, sc).await {
        return;
    }
    let cancelled = run.cancel.cancelled();
    tokio::pin!(cancelled);
    let deadline = sleep_until(sc.deadline.into());
    tokio::pin!(deadline);
    loop {
        let now = Instant::now();
        if run.cancel.is_cancelled() || now >= sc.end {
            return;
        }
        match &sc.plan.executor {
            Executor::RampingVus { .. } => {
                let shape = sc.shape.as_ref().expect("ramping-vus has a shape");
                let t = (now - sc.start).as_secs_f64();
                let level = (vu_index + 1) as f64;
                if shape.value_at(t) + 1e-9 < level {
                    let Some(next) = shape.first_time_at_least(level, t) else { return };
                    let wake = (sc.start + Duration::from_secs_f64(next)).max(now + Duration::from_millis(1));
                    tokio::select! {
                        _ = cancelled.as_mut() => return,
                        _ = sleep_until(wake.min(sc.end).into()) => continue,
                    }
                }
            }
            Executor::PerVuIterations { iterations, .. } if vu.iteration >= *iterations => return,
            Executor::SharedIterations { iterations, .. }
                if sc.claimed.fetch_add(1, Ordering::Relaxed) >= *iterations =>
            {
                return;
            }
            _ => {}
        }
        if !iterate(run, sc, &mut vu, None, false, cancelled.as_mut(), deadline.as_mut()).await {
            return;
        }
    }
}

/// Runs one iteration under the scenario deadline and the run's cancellation, keeping
/// the accounting. Returns `false` when the VU must stop.
async fn iterate(
    run: &RunShared,
    sc: &ScenarioRt,
    vu: &mut Vu,
    intended: Option<Instant>,
    late: bool,
    cancelled: Pin<&mut WaitForCancellationFuture<'_>>,
    deadline: Pin<&mut Sleep>,
) -> bool {
    {
        let mut s = vu.stats.lock();
        let acc = &mut s.scenarios[sc.id];
        acc.iterations_started += 1;
        acc.iterations_late += u64::from(late);
    }
    let active = sc.vus_active.fetch_add(1, Ordering::Relaxed) + 1;
    sc.vus_started.fetch_max(active, Ordering::Relaxed);
    let end = tokio::select! {
        biased;
        _ = cancelled => None,
        _ = deadline => None,
        end = vu.run_iteration(run, sc, intended) => Some(end),
    };
    sc.vus_active.fetch_sub(1, Ordering::Relaxed);
    let mut s = vu.stats.lock();
    let acc = &mut s.scenarios[sc.id];
    match end {
        Some(IterationEnd::Completed) => acc.iterations_completed += 1,
        Some(IterationEnd::Aborted) => acc.iterations_aborted += 1,
        None => {}
    }
    end.is_some()
}
