//! `PH-TRACE017 cpu-bound-own-code`
//!
//! **What it detects**: an endpoint that is slow — in absolute terms and compared with the
//! service's other endpoints — and whose time goes mostly to its own code: outside every
//! database, HTTP/RPC and cache span. Typically an algorithm that does not scale (an O(n²)
//! loop over a list), heavy serialization or templating, or compression/crypto on the
//! request path.
//!
//! **Why it matters**: no index, batch or cache on the I/O side helps; the CPU of the
//! worker is busy for the whole request, so under load requests queue behind each other
//! (one Python worker serves nothing else meanwhile) and latency grows with traffic.
//!
//! **Example**: `GET /api/similar` takes 200 ms, 95 % of it in `compute_similarity`, a
//! pure-Python pairwise comparison of 600 items; the other endpoints answer in 10 ms.
//!
//! **Fix**: profile the endpoint under load (py-spy, 0x / `node --cpu-prof`, `perf`,
//! pprof), then fix the hot function: a better algorithm (sets, dicts, sorting instead of
//! nested loops), precomputation or a cache, a native library, or moving the work off the
//! request path. Time outside I/O spans can also be waiting on something not instrumented
//! (a lock, a sleep, a client without instrumentation): the profile tells which.
//!
//! **Thresholds** (`own_code`), chosen to hold on a developer's machine and in CI, where
//! absolute times move with load but ratios between endpoints of one service do not:
//! - `min_ms` = 50 of own code in a request, `min_share` = 70 % of the request. Framework
//!   overhead, routing, templating and JSON of a typical endpoint take 1–20 ms on a laptop
//!   (serializing a 1 MB document ~10–30 ms in CPython), so 50 ms of own code is above
//!   anything ordinary, while seed 002's O(n²) loop spends ~100–200 ms. (100 ms, the first
//!   choice, was set under a loaded machine: on an idle one the Flask corpus app's O(n²)
//!   loop took 98 ms and was missed; the ratio below is what keeps ordinary endpoints out.) I/O-bound
//!   endpoints spend most of their time in I/O spans, so their own share stays well below
//!   70 %; the margin absorbs driver/ORM overhead between spans, which counts as own code.
//! - in `min_request_share` = 90 % of the endpoint's requests (at least `min_requests` =
//!   3), i.e. even its fastest requests are CPU-bound. Contention for the CPU (Python's
//!   GIL, an oversubscribed machine) adds time to requests but never removes any, so an
//!   endpoint's fastest requests show its own cost. Measured with real Flask +
//!   OpenTelemetry spans, 2 clients running every endpoint in turn, on a 2-core machine
//!   at a load average of 27: a gzip'd JSON export (22 ms alone) had a median of
//!   72–144 ms next to an O(n²) loop (250–440 ms), but its fastest requests stayed fast.
//!   With 75 % the export was also reported in 1 of 3 runs (and in 2 of 4 runs with 4
//!   clients); with 90 % only the loop was, in 6 of 6 runs (2 clients or one). With 4
//!   clients hammering the GIL the export still crossed in 1 of 2 runs: that much
//!   contention is indistinguishable from CPU work in spans.
//! - its own-code time is at least `min_ratio` = 4× the median own-code time of the
//!   service's other endpoints (when it has others): CPU-heavy *for this service*. A busy
//!   machine slows every endpoint, so the ratio holds where absolute times do not. The
//!   first version compared whole latencies; on an idle machine the corpus apps' many
//!   slow I/O-bound endpoints (a 550 ms serial dashboard, table scans) put the median
//!   near the O(n²) loop's 190 ms and hid it in both apps. Own code of I/O-bound
//!   endpoints is a few ms, so the loop stands far above it either way.
//! - critical when own code takes `critical_ms` = 1 s of the median request (past the 1 s
//!   a user tolerates without losing the flow), warning below. The estimated saving is the
//!   own-code time above `min_ms`, as for slow queries.

use super::util::{occurrence, us};
use super::{Claims, Context, Detector, Occurrence, Recurrence};
use crate::aggregate::Group;
use crate::classify::Category;
use crate::config::Config;
use crate::describe::ms;
use crate::measure::{entry_stats, EndpointStats};
use crate::trace::Trace;
use perfhound_model::{Finding, Recommendation, Rule, Severity};
use std::sync::Arc;

pub const RULE: Rule = Rule {
    code: "PH-TRACE017",
    name: "cpu-bound-own-code",
    severity: Severity::Warning,
    summary: "A slow endpoint spends most of its time in its own code, outside database, HTTP and cache calls.",
    why: "No index, batch or cache helps: the worker's CPU is busy for the whole request, so under load requests queue behind each other and latency grows with traffic.",
    fix: "Profile the endpoint under load (py-spy, 0x or node --cpu-prof, perf, pprof) and fix the hot function: a better algorithm, precomputation or a cache, a native library, or moving the work off the request path.",
};

/// How to profile a running service, per runtime (the finding's snippet).
const PROFILE: &str = "\
# Python: sample the running worker, then open profile.svg
py-spy record -o profile.svg --pid <PID> --duration 30
# Node.js: flame graph of a run (or: node --cpu-prof app.js)
npx 0x app.js
# Go: 30 s CPU profile from net/http/pprof
go tool pprof -http=: http://localhost:6060/debug/pprof/profile?seconds=30
# Any process on Linux (JVM: add -XX:+PreserveFramePointer and perf-map-agent)
perf record -F 99 -g -p <PID> -- sleep 30 && perf report";

pub fn detect(t: &Trace, cfg: &Config, _claims: &mut Claims, out: &mut Vec<Occurrence>) {
    let c = &cfg.own_code;
    let min = us(c.min_ms).max(1);
    for e in t.entries() {
        // A root that is itself a call (an orphan client span) is I/O, not own code.
        if t.nodes[e].span.duration_us() < min || t.nodes[e].class.category.is_io() {
            continue;
        }
        let stats = entry_stats(t, e);
        let share = stats.shares()[3];
        if stats.own_us < min || share < c.min_share {
            continue;
        }
        let mut o = occurrence(&RULE, t, &[e], Arc::clone(&t.nodes[e].endpoint));
        o.saved_us = stats.own_us - min;
        o.weak = true;
        o.location = hottest_location(t, e).or(o.location);
        out.push(o);
    }
}

/// The code location of the longest internal span of the request that records one.
fn hottest_location(t: &Trace, e: usize) -> Option<String> {
    t.owned_by(e)
        .filter(|&i| t.nodes[i].class.category == Category::Internal)
        .filter_map(|i| Some((t.nodes[i].span.duration_ns(), t.nodes[i].span.location()?)))
        .max_by_key(|(d, _)| *d)
        .map(|(_, l)| l)
}

/// The endpoint's stats in the group's service.
fn stats<'m>(g: &Group, cx: &Context<'m>) -> Option<&'m EndpointStats> {
    let service = g.services.first()?;
    cx.measure.endpoints.iter().find(|((e, s), _)| **e == *cx.endpoint && s == service).map(|(_, st)| st)
}

/// Median latency of the service's other endpoints, by endpoint (None without others).
fn others_median_us(g: &Group, cx: &Context) -> Option<u64> {
    let service = g.services.first()?;
    let mut p50s: Vec<u64> = cx
        .measure
        .endpoints
        .iter()
        .filter(|((e, s), _)| s == service && **e != *cx.endpoint)
        .map(|(_, st)| (st.shares()[3] * st.latency.quantile_us(0.5) as f64) as u64)
        .collect();
    p50s.sort_unstable();
    p50s.get(p50s.len() / 2).copied()
}

/// Own-code share and median latency of the endpoint.
fn own(g: &Group, cx: &Context) -> (f64, u64) {
    stats(g, cx).map_or((0.0, 0), |s| (s.shares()[3], s.latency.quantile_us(0.5)))
}

/// The rule's detector (registered in [`super::DETECTORS`]).
pub struct OwnCode;

impl Detector for OwnCode {
    fn detect(&self, t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
        detect(t, cfg, claims, out);
    }

    fn title(&self, g: &Group, cx: &Context) -> String {
        let (share, p50) = own(g, cx);
        format!("CPU-bound in own code: {:.0} % of {} in {}", share * 100.0, ms(p50), cx.endpoint)
    }

    fn escalate(&self, g: &Group, cx: &Context, f: &mut Finding) {
        let (share, p50) = own(g, cx);
        let own_us = (share * p50 as f64) as u64;
        f.severity = if own_us >= us(cx.cfg.own_code.critical_ms) { Severity::Critical } else { Severity::Warning };
    }

    fn evidence(&self, g: &Group, cx: &Context, f: &mut Finding) {
        let (share, p50) = own(g, cx);
        let others = others_median_us(g, cx)
            .map_or(String::new(), |o| format!("; own code of the service's other endpoints: {} (median)", ms(o)));
        let notes = &mut f.evidence.notes;
        notes.push(format!(
            "median request {}, {:.0} % of it outside database, HTTP and cache spans{others}",
            ms(p50),
            share * 100.0
        ));
        notes.push(
            "time outside I/O spans is CPU work, or waiting on something not instrumented (a lock, a sleep, an uninstrumented client): a profile tells which"
                .to_string(),
        );
    }

    fn recommend(&self, _g: &Group, _cx: &Context, r: &mut Recommendation) {
        r.snippet = Some(PROFILE.to_string());
        r.snippet_lang = Some("sh".into());
    }

    /// Nine requests in ten must be CPU-bound, not some that waited for the CPU.
    fn recurrence(&self, cfg: &Config) -> Recurrence {
        let c = &cfg.own_code;
        Recurrence { min_requests: u64::from(c.min_requests.max(1)), min_share: c.min_request_share }
    }

    /// Slow relative to the service's other endpoints, when it has any.
    fn relevant(&self, g: &Group, cx: &Context) -> bool {
        // Own code against the other endpoints' own code: a service full of slow I/O-bound
        // endpoints (serial calls, scans) does not hide one that burns the CPU.
        let (share, p50) = own(g, cx);
        others_median_us(g, cx).is_none_or(|o| share * p50 as f64 >= cx.cfg.own_code.min_ratio * o as f64)
    }
}
