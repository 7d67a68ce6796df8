//! The detectors: one file per rule, each a `const RULE` plus `detect(trace, cfg, claims, out)`.
//!
//! Detectors see one complete [`Trace`] at a time and report [`Occurrence`]s; the
//! aggregator groups them across traces into findings. They run in [`DETECTORS`] order and
//! share [`Claims`]: spans explained by a more specific rule (row-at-a-time writes, a
//! repeating multi-span pattern, an N+1) are claimed so that a later, more general rule
//! (consecutive queries) does not report the same spans again.

pub mod connection_churn;
pub mod consecutive_db;
pub mod consecutive_http;
pub mod fan_out;
pub mod large_payload;
pub mod n_plus_one_db;
pub mod n_plus_one_http;
pub mod pool_exhaustion;
pub mod redundant_call;
pub mod repeated_computation;
pub mod repeated_pattern;
pub mod row_at_a_time;
pub mod slow_db;
pub mod slow_http;
pub mod uncompressed_payload;
mod util;

use crate::config::Config;
use crate::span::{SpanId, TraceId};
use crate::trace::Trace;
use perfhound_model::Rule;
use std::sync::Arc;

/// One instance of a problem in one trace.
#[derive(Clone, Debug, PartialEq)]
pub struct Occurrence {
    pub rule: &'static Rule,
    /// Groups occurrences across traces (a query shape, a URL template, a pattern).
    pub key: Arc<str>,
    pub endpoint: Arc<str>,
    pub service: Arc<str>,
    pub trace_id: TraceId,
    /// A few of the spans involved.
    pub spans: Vec<SpanId>,
    /// Calls (spans) involved.
    pub calls: u64,
    /// Time spent in the involved spans.
    pub total_us: u64,
    /// Estimated time a fix saves in this trace.
    pub saved_us: u64,
    /// Bytes involved (payload rules) — or bytes a fix saves, for compression.
    pub bytes: u64,
    /// `code.filepath:code.lineno` of the calling code, when instrumented.
    pub location: Option<String>,
    /// Only reported when it recurs across many requests (see the aggregator).
    pub weak: bool,
    /// Extra fact for the finding (e.g. "commit after each row").
    pub note: Option<String>,
    pub tables: Arc<[String]>,
}

/// Spans already explained by an earlier detector, by node index.
pub struct Claims(Vec<bool>);

impl Claims {
    pub fn new(n: usize) -> Claims {
        Claims(vec![false; n])
    }
    pub fn claim(&mut self, idx: &[usize]) {
        for &i in idx {
            if let Some(c) = self.0.get_mut(i) {
                *c = true;
            }
        }
    }
    pub fn is_claimed(&self, i: usize) -> bool {
        self.0.get(i).copied().unwrap_or(false)
    }
}

/// A detector function.
pub type DetectFn = fn(&Trace, &Config, &mut Claims, &mut Vec<Occurrence>);

/// Every detector, in the order they run (specific before general).
pub const DETECTORS: [(&Rule, DetectFn); 15] = [
    (&row_at_a_time::RULE, row_at_a_time::detect),
    (&repeated_pattern::RULE, repeated_pattern::detect),
    (&n_plus_one_db::RULE, n_plus_one_db::detect),
    (&n_plus_one_http::RULE, n_plus_one_http::detect),
    (&redundant_call::RULE, redundant_call::detect),
    (&consecutive_db::RULE, consecutive_db::detect),
    (&consecutive_http::RULE, consecutive_http::detect),
    (&slow_db::RULE, slow_db::detect),
    (&slow_http::RULE, slow_http::detect),
    (&connection_churn::RULE, connection_churn::detect),
    (&pool_exhaustion::RULE, pool_exhaustion::detect),
    (&large_payload::RULE, large_payload::detect),
    (&uncompressed_payload::RULE, uncompressed_payload::detect),
    (&fan_out::RULE, fan_out::detect),
    (&repeated_computation::RULE, repeated_computation::detect),
];

/// Every rule of the trace engine, ordered by code, for `perfhound rules`.
pub fn rules() -> Vec<Rule> {
    let mut r: Vec<Rule> = DETECTORS.iter().map(|(rule, _)| **rule).collect();
    r.sort_by_key(|r| r.code);
    r
}

/// Runs every detector on `trace`.
pub fn detect_all(trace: &Trace, cfg: &Config, out: &mut Vec<Occurrence>) {
    let mut claims = Claims::new(trace.nodes.len());
    for (_, f) in DETECTORS {
        f(trace, cfg, &mut claims, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let rules = rules();
        let mut codes: Vec<_> = rules.iter().map(|r| r.code).collect();
        codes.dedup();
        assert_eq!(codes.len(), 15);
        for r in &rules {
            assert!(r.code.starts_with("PH-TRACE0"), "{}", r.code);
            assert!(r.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{}", r.name);
            assert!(!r.summary.is_empty() && !r.why.is_empty() && !r.fix.is_empty());
        }
    }
}
