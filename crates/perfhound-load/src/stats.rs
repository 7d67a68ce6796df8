//! Per-worker measurements, merged at the end (and per second for the time series).
//!
//! Every worker thread owns one [`WorkerStats`] behind a mutex that only the collector
//! ever contends for (once a second). Memory is fixed by the number of request names and
//! scenarios — HDR histograms, counters — never by the number of requests or the length
//! of the run.

use crate::hygiene::HygieneCounts;
use perfhound_model::{Accounting, CheckCount, ErrorKind, Histogram};
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// One request's result, as the VU reports it.
#[derive(Debug)]
pub struct Outcome<'a> {
    pub name_id: usize,
    pub scenario_id: usize,
    /// From the intended send time (open model) or the actual send (closed model).
    pub latency_us: u64,
    /// From the actual send to the end of the response.
    pub service_us: u64,
    pub status: Option<u16>,
    /// `None` = ok.
    pub error: Option<ErrorKind>,
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// `(check name, passed)`.
    pub checks: &'a [(&'a str, bool)],
}

/// Measurements of one request name in one worker.
#[derive(Clone, Debug, Default)]
pub struct NameStats {
    pub latency: Histogram,
    pub service: Histogram,
    pub ok: u64,
    pub failed: u64,
    pub errors: BTreeMap<ErrorKind, u64>,
    pub statuses: BTreeMap<u16, u64>,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub checks: Vec<CheckCount>,
    pub hygiene: HygieneCounts,
    /// First message seen for each error kind (shown to the user).
    pub error_examples: BTreeMap<ErrorKind, String>,
}

impl NameStats {
    pub fn merge(&mut self, o: &NameStats) {
        self.latency.merge(&o.latency);
        self.service.merge(&o.service);
        self.ok += o.ok;
        self.failed += o.failed;
        for (k, v) in &o.errors {
            *self.errors.entry(*k).or_default() += v;
        }
        for (k, v) in &o.statuses {
            *self.statuses.entry(*k).or_default() += v;
        }
        self.bytes_in += o.bytes_in;
        self.bytes_out += o.bytes_out;
        for c in &o.checks {
            match self.checks.iter_mut().find(|m| m.name == c.name) {
                Some(m) => {
                    m.passed += c.passed;
                    m.failed += c.failed;
                }
                None => self.checks.push(c.clone()),
            }
        }
        self.hygiene.merge(&o.hygiene);
        for (k, v) in &o.error_examples {
            self.error_examples.entry(*k).or_insert_with(|| v.clone());
        }
    }
}

/// What happened in the current one-second interval.
#[derive(Clone, Debug, Default)]
pub struct IntervalStats {
    pub latency: Histogram,
    pub requests: u64,
    pub errors: u64,
    pub dropped: u64,
}

impl IntervalStats {
    pub fn merge(&mut self, o: &IntervalStats) {
        self.latency.merge(&o.latency);
        self.requests += o.requests;
        self.errors += o.errors;
        self.dropped += o.dropped;
    }
}

/// Everything one worker measured.
#[derive(Clone, Debug, Default)]
pub struct WorkerStats {
    pub names: Vec<NameStats>,
    pub scenarios: Vec<Accounting>,
    pub interval: IntervalStats,
}

impl WorkerStats {
    pub fn new(names: usize, scenarios: usize) -> WorkerStats {
        WorkerStats {
            names: vec![NameStats::default(); names],
            scenarios: vec![Accounting::default(); scenarios],
            interval: IntervalStats::default(),
        }
    }

    /// Records one finished (or failed) request.
    pub fn record(&mut self, o: &Outcome<'_>, error_message: Option<&str>) {
        let n = &mut self.names[o.name_id];
        n.latency.record_us(o.latency_us);
        n.service.record_us(o.service_us);
        n.bytes_in += o.bytes_in;
        n.bytes_out += o.bytes_out;
        if let Some(status) = o.status {
            *n.statuses.entry(status).or_default() += 1;
        }
        for (name, passed) in o.checks {
            let idx = match n.checks.iter().position(|c| c.name == *name) {
                Some(i) => i,
                None => {
                    n.checks.push(CheckCount { name: (*name).to_string(), passed: 0, failed: 0 });
                    n.checks.len() - 1
                }
            };
            if *passed {
                n.checks[idx].passed += 1;
            } else {
                n.checks[idx].failed += 1;
            }
        }
        let acc = &mut self.scenarios[o.scenario_id];
        acc.requests_sent += 1;
        match o.error {
            None => {
                n.ok += 1;
                acc.requests_ok += 1;
            }
            Some(kind) => {
                n.failed += 1;
                acc.requests_failed += 1;
                *n.errors.entry(kind).or_default() += 1;
                if let Some(msg) = error_message {
                    n.error_examples.entry(kind).or_insert_with(|| msg.to_string());
                }
                self.interval.errors += 1;
            }
        }
        self.interval.latency.record_us(o.latency_us);
        self.interval.requests += 1;
    }

    /// Takes the interval counters, leaving fresh ones.
    pub fn take_interval(&mut self, into: &mut IntervalStats) {
        into.merge(&self.interval);
        self.interval.latency.reset();
        self.interval.requests = 0;
        self.interval.errors = 0;
        self.interval.dropped = 0;
    }

    pub fn merge(&mut self, o: &WorkerStats) {
        for (a, b) in self.names.iter_mut().zip(&o.names) {
            a.merge(b);
        }
        for (a, b) in self.scenarios.iter_mut().zip(&o.scenarios) {
            a.add(b);
        }
        self.interval.merge(&o.interval);
    }
}

/// One worker's [`WorkerStats`], shared by its VUs and the collector.
///
/// The one poisoned-lock policy of the engine: a panic elsewhere while the lock was held
/// does not stop recording. Every update is a few additive counters, so the data stays
/// usable, and skipping an update instead would break the accounting identities
/// (`iterations_scheduled = iterations_started + iterations_dropped`,
/// `requests_sent = requests_ok + requests_failed`) that every run promises.
#[derive(Debug, Default)]
pub struct SharedStats(Mutex<WorkerStats>);

impl SharedStats {
    pub fn new(stats: WorkerStats) -> SharedStats {
        SharedStats(Mutex::new(stats))
    }

    /// Locks the stats, recovering them if another holder panicked.
    pub fn lock(&self) -> MutexGuard<'_, WorkerStats> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_keeps_identities_and_merges() {
        let mut a = WorkerStats::new(1, 1);
        let checks = [("status is 200", true)];
        let ok = Outcome {
            name_id: 0,
            scenario_id: 0,
            latency_us: 1000,
            service_us: 900,
            status: Some(200),
            error: None,
            bytes_in: 10,
            bytes_out: 5,
            checks: &checks,
        };
        a.record(&ok, None);
        let failed = Outcome { error: Some(ErrorKind::Http5xx), status: Some(500), checks: &[], ..ok };
        a.record(&failed, Some("500"));
        let mut b = a.clone();
        b.merge(&a);
        let acc = &b.scenarios[0];
        assert_eq!((acc.requests_sent, acc.requests_ok, acc.requests_failed), (4, 2, 2));
        assert_eq!(b.names[0].checks[0].passed, 2);
        assert_eq!(b.names[0].latency.count(), 4);
        let mut iv = IntervalStats::default();
        a.take_interval(&mut iv);
        assert_eq!((iv.requests, iv.errors), (2, 1));
        assert_eq!(a.interval.requests, 0);
    }

    #[test]
    fn a_poisoned_lock_still_records() {
        let shared = std::sync::Arc::new(SharedStats::new(WorkerStats::new(1, 1)));
        let holder = shared.clone();
        let panicked = std::thread::spawn(move || {
            let _guard = holder.lock();
            panic!("a VU panics while holding the stats lock");
        })
        .join();
        assert!(panicked.is_err());
        assert!(shared.0.is_poisoned());
        shared.lock().scenarios[0].iterations_started += 1;
        assert_eq!(shared.lock().scenarios[0].iterations_started, 1);
    }
}
