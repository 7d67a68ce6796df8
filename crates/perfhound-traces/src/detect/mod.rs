//! The detectors: one file per rule, each owning everything about its rule through the
//! [`Detector`] trait — its `const RULE` (code, name, summary, why, fix), its docs (the
//! file's `//!` comment), detection, and how its findings read: title, severity
//! escalation, evidence, recommendation, effort and recurrence criterion.
//!
//! Detectors see one complete [`Trace`] at a time and report [`Occurrence`]s; the
//! aggregator groups them across traces and `describe` turns each group into a finding
//! by asking the rule's detector. They run in [`DETECTORS`] order and share [`Claims`]:
//! spans explained by a more specific rule (row-at-a-time writes, a repeating multi-span
//! pattern, an N+1) are claimed so that a later, more general rule (consecutive queries)
//! does not report the same spans again.
//!
//! Adding a rule: a new file here with its `pub const RULE` and a type implementing
//! [`Detector`], its `pub mod` line and one `module::Type` line in [`DETECTORS`], plus its
//! fixtures and snapshot in `tests/`.

pub mod connection_churn;
pub mod consecutive_db;
pub mod consecutive_http;
pub mod fan_out;
pub mod large_payload;
pub mod n_plus_one_cache;
pub mod n_plus_one_db;
pub mod n_plus_one_http;
pub mod own_code;
pub mod pool_exhaustion;
pub mod redundant_call;
pub mod repeated_computation;
pub mod repeated_pattern;
pub mod row_at_a_time;
pub mod slow_db;
pub mod slow_http;
pub mod uncompressed_payload;
mod util;

use crate::aggregate::Group;
use crate::config::Config;
use crate::describe;
use crate::measure::Measure;
use crate::span::{SpanId, TraceId};
use crate::trace::Trace;
use perfhound_model::{Effort, Finding, Recommendation, Rule};
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
    /// `file:line (function)` of the calling code, when instrumented (see `Span::location`).
    pub location: Option<String>,
    /// Only reported when it recurs across many requests (see the aggregator).
    pub weak: bool,
    /// Extra fact for the finding (e.g. "commit after each row").
    pub note: Option<String>,
    pub tables: Arc<[String]>,
    /// Duration of the request (entry span) the occurrence happened in.
    pub request_us: u64,
    /// Calls faster than a network round trip, projected at `Config::rtt_ms` (0: no
    /// projection): their total time, and the saving of the fix.
    pub projected_total_us: u64,
    pub projected_saved_us: u64,
    /// Repeats of a statement with bind placeholders whose values were not recorded:
    /// an N+1 or the same read repeated, the trace cannot tell.
    pub params_unknown: bool,
    /// The repeats overlapped in time (thread pool, `Promise.all`, resolvers per item).
    pub concurrent: bool,
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

/// How often weak occurrences of a rule must recur to be reported: in at least
/// `min_requests` requests, and in `min_share` of their endpoint's requests.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Recurrence {
    pub min_requests: u64,
    pub min_share: f64,
}

impl Recurrence {
    /// Weak occurrences are never reported on their own.
    pub const NEVER: Recurrence = Recurrence { min_requests: u64::MAX, min_share: 1.0 };
}

/// What a rule may consult when it describes or judges a group: the endpoint the finding
/// is about, everything measured, and the configuration.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub endpoint: &'a str,
    pub measure: &'a Measure,
    pub cfg: &'a Config,
}

/// Everything about one rule but its `RULE` constant (code, name, default severity,
/// summary, why, fix), which [`DETECTORS`] pairs with it. `describe` builds the rule-independent part of a finding
/// (counts, durations, impact, the generic severity scale) and asks the rule for the rest.
pub trait Detector: Sync {
    /// Finds the rule's occurrences in one trace.
    fn detect(&self, t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>);

    /// The finding's one-line title.
    fn title(&self, g: &Group, _cx: &Context) -> String {
        format!("{}: {}", g.rule.name, describe::short(&g.key, 100))
    }

    /// False for rules about bytes or shape rather than time (payloads, fan-out): a finding
    /// that saves no time is then not demoted to `info` for saving too little.
    fn time_based(&self) -> bool {
        true
    }

    /// Rule-specific severity and confidence changes after the generic scale (which comes
    /// from the saving per request and its share of all request time); may add notes.
    fn escalate(&self, _g: &Group, _cx: &Context, _f: &mut Finding) {}

    /// The rule's own evidence: by default, what was called.
    fn evidence(&self, g: &Group, _cx: &Context, f: &mut Finding) {
        f.evidence.notes.push(format!("calls: {}", g.key));
    }

    /// How much work the fix is.
    fn effort(&self) -> Effort {
        Effort::MediumTerm
    }

    /// Extras for the recommendation (a snippet); the text is the rule's `fix`.
    fn recommend(&self, _g: &Group, _cx: &Context, _r: &mut Recommendation) {}

    /// True when the fix is in each endpoint's own code (an N+1 loop, calls made one after
    /// another, rows written one at a time): the same statement or URL repeated by two
    /// endpoints is then two findings, each on its endpoint. False when one fix serves
    /// every caller (an index for a slow statement, compression for a payload).
    fn per_endpoint(&self) -> bool {
        false
    }

    /// When weak occurrences of the rule are reported (see [`Occurrence::weak`]).
    fn recurrence(&self, _cfg: &Config) -> Recurrence {
        Recurrence::NEVER
    }

    /// A judgement that needs every trace seen, made when findings are reported (e.g. a
    /// comparison with the other endpoints). False drops the group.
    fn relevant(&self, _g: &Group, _cx: &Context) -> bool {
        true
    }
}

/// A rule of the trace engine: the `RULE` constant of its file and the file's detector.
#[derive(Clone, Copy)]
pub struct Registered {
    pub rule: &'static Rule,
    pub detector: &'static dyn Detector,
}

/// `module::Detector, …` → each module's `RULE` paired with its detector, so a rule file
/// states its rule once (in `RULE`) and its detector never repeats it.
macro_rules! registered {
    ($($module:ident::$detector:ident),* $(,)?) => {
        [$(Registered { rule: &$module::RULE, detector: &$module::$detector }),*]
    };
}

/// Every detector, in the order they run (specific before general).
pub const DETECTORS: [Registered; 17] = registered![
    row_at_a_time::RowAtATime,
    repeated_pattern::RepeatedPattern,
    n_plus_one_db::NPlusOneDb,
    n_plus_one_http::NPlusOneHttp,
    n_plus_one_cache::NPlusOneCache,
    redundant_call::RedundantCall,
    consecutive_db::ConsecutiveDb,
    consecutive_http::ConsecutiveHttp,
    slow_db::SlowDb,
    slow_http::SlowHttp,
    connection_churn::ConnectionChurn,
    pool_exhaustion::PoolExhaustion,
    large_payload::LargePayload,
    uncompressed_payload::UncompressedPayload,
    fan_out::FanOut,
    repeated_computation::RepeatedComputation,
    own_code::OwnCode,
];

/// The detector that owns `rule` (an occurrence may carry another detector's rule, e.g.
/// a repeated pattern that is a plain N+1 through a wrapper span).
pub fn owner(rule: &Rule) -> Option<&'static dyn Detector> {
    DETECTORS.iter().find(|d| d.rule.code == rule.code).map(|d| d.detector)
}

/// Every rule of the trace engine, ordered by code, for `perfhound rules`.
pub fn rules() -> Vec<Rule> {
    let mut r: Vec<Rule> = DETECTORS.iter().map(|d| *d.rule).collect();
    r.sort_by_key(|r| r.code);
    r
}

/// Runs every detector on `trace`.
pub fn detect_all(trace: &Trace, cfg: &Config, out: &mut Vec<Occurrence>) {
    let mut claims = Claims::new(trace.nodes.len());
    for d in DETECTORS {
        d.detector.detect(trace, cfg, &mut claims, out);
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
        assert_eq!(codes.len(), DETECTORS.len());
        for r in &rules {
            assert!(r.code.starts_with("PH-TRACE0"), "{}", r.code);
            assert!(r.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{}", r.name);
            assert!(!r.summary.is_empty() && !r.why.is_empty() && !r.fix.is_empty());
            assert!(owner(r).is_some(), "every rule has its detector: {}", r.code);
        }
    }
}
