//! The service's span groups per step, from its traces: perfhound's OTLP receiver runs for
//! the whole search; after each step the buffered traces are analyzed and every group's
//! calls and time are differenced against the step before, giving each group's mean
//! latency at each offered rate. Groups: each DB statement (`db`), each outbound call
//! template (`http`), and the service's own code per request (`own`: request time not spent
//! in DB, HTTP or cache spans). The DB spans' start and end times give the statements in
//! flight per step ([`crate::busy`]).

use crate::error::CapacityError;
use perfhound_audit::receiver::Receiver;
use perfhound_model::capacity::{DbBusy, SpanGroupSample};
use std::collections::HashMap;
use std::time::Duration;

/// Spans stop arriving this long after the last one → the step's spans are in.
const QUIET: Duration = Duration::from_millis(1000);
/// Longest wait for a step's spans.
const SETTLE: Duration = Duration::from_secs(5);
/// Span groups kept per step (by time spent).
const KEEP: usize = 12;

/// The receiver and the cumulative counts at the start of the step.
pub struct SpanWatch {
    receiver: Receiver,
    before: HashMap<(&'static str, String), (u64, u64)>,
}

/// The name of the own-code group.
pub const OWN_CODE: &str = "own code per request";

impl SpanWatch {
    pub fn start(listen: &str) -> Result<SpanWatch, CapacityError> {
        let receiver = Receiver::start(listen, perfhound_traces::Config::default())
            .map_err(|e| CapacityError::Receiver(e.to_string()))?;
        receiver.keep_db_intervals();
        Ok(SpanWatch { receiver, before: HashMap::new() })
    }

    /// The URL the service's OTLP/HTTP exporter must send to.
    pub fn traces_url(&self) -> String {
        self.receiver.traces_url()
    }

    pub fn begin_step(&mut self) {
        self.before = self.totals();
        self.receiver.take_db_intervals();
    }

    /// Span groups that ran during the step (by total time) and the DB statements in
    /// flight during its `wall_s` seconds.
    pub fn end_step(&mut self, wall_s: f64) -> (Vec<SpanGroupSample>, Option<DbBusy>) {
        self.receiver.settle(QUIET, SETTLE);
        let intervals = self.receiver.take_db_intervals();
        let now = self.totals();
        let mut out: Vec<(u64, SpanGroupSample)> = now
            .iter()
            .filter_map(|(label, &(calls, total_us))| {
                let (c0, t0) = self.before.get(label).copied().unwrap_or_default();
                let calls = calls.checked_sub(c0).filter(|c| *c > 0)?;
                let us = total_us.saturating_sub(t0);
                Some((
                    us,
                    SpanGroupSample {
                        kind: label.0.to_string(),
                        name: label.1.clone(),
                        calls,
                        mean_us: us as f64 / calls as f64,
                    },
                ))
            })
            .collect();
        out.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.name.cmp(&b.1.name)));
        self.before = now;
        let groups: Vec<SpanGroupSample> = out.into_iter().map(|(_, s)| s).collect();
        let busy = crate::busy::db_busy(&intervals, wall_s, &groups);
        (groups.into_iter().take(KEEP).collect(), busy)
    }

    fn totals(&self) -> HashMap<(&'static str, String), (u64, u64)> {
        self.receiver.flush_with(|m| {
            let group = |kind: &'static str, q: &perfhound_traces::measure::QueryStats| {
                ((kind, q.label.to_string()), (q.latency.count, q.latency.sum_us))
            };
            let mut out: HashMap<_, _> = m.queries.values().map(|q| group("db", q)).collect();
            out.extend(m.calls.values().map(|q| group("http", q)));
            let own = &m.service_overall;
            out.insert(("own", OWN_CODE.to_string()), (own.requests(), own.own_us));
            out
        })
    }
}
