//! The verdict rules read from the service's traces (`--traces-listen`):
//!
//! - **DB connections**: the DB statements in flight ([`crate::busy`]) stop growing with
//!   load — the most ever in flight at once, K, is held (mean ≥ 80 % of K) from some step
//!   up to the highest-rate one: requests wait for one of K connections. Requests waiting
//!   for a connection wait outside every span, so own-code time that starts to grow at a
//!   step where all K were in flight at some instant (and half of them on average) is that
//!   wait and joins this verdict.
//! - **a span group** (a DB statement, an outbound call, own code per request) whose mean
//!   latency grows ≥ 2× (and by ≥ 1 ms) from its flat level (the lower of the two
//!   lowest-rate steps: the first step often pays cold caches), with the time it adds
//!   ≥ 10 % of the request's time, from some step up to the highest-rate one.
//! - **dominant** (only when the service ended the search and nothing above or in
//!   [`crate::verdict`] saturated): the span group holding ≥ 70 % of the request's time at
//!   the first bad step — nothing ran out, that group's time alone leaves the SLO no room.

use crate::spans::OWN_CODE;
use perfhound_model::capacity::{DbBusy, Saturation, SpanGroupSample};
use perfhound_model::CapacityStep;
use perfhound_term::human;

pub const DB_CONNECTIONS: &str = "DB connections";

/// The pool of K connections is held from some step up to the highest-rate one.
pub fn db_connections(curve: &[&CapacityStep]) -> Option<Saturation> {
    let busy: Vec<(f64, &DbBusy)> =
        curve.iter().filter_map(|s| s.db_busy.as_ref().map(|b| (s.offered_rps, b))).collect();
    let k = busy.iter().map(|(_, b)| b.peak).max().filter(|k| *k >= 1)?;
    let held = |b: &DbBusy| b.mean >= 0.8 * f64::from(k);
    let run = busy.iter().rev().take_while(|(_, b)| held(b)).count();
    if run < 2 {
        return None;
    }
    let (from_rps, _) = busy[busy.len() - run];
    let (top_rps, top) = busy.last()?;
    let statement = if top.top_statement.is_empty() {
        String::new()
    } else {
        format!(
            "; `{}` holds {} of the DB time",
            perfhound_term::clip(&top.top_statement, 80),
            human::pct(top.top_share)
        )
    };
    Some(Saturation {
        component: DB_CONNECTIONS.into(),
        from_rps: Some(from_rps),
        growth: growth(busy[0].1.mean.max(0.01), top.mean),
        added_us: None,
        evidence: format!(
            "DB connections: {k}/{k} busy {} (statements in flight: mean {:.2}, at most {k} at once, from the traces) \
             from {} while the offered load rose to {}{statement}",
            human::pct(top.mean / f64::from(k)),
            top.mean,
            human::rate(from_rps),
            human::rate(*top_rps),
        ),
    })
}

/// Own code that grew while the connections were busy is the wait for a connection: it
/// joins the DB connections verdict instead of standing as a component of its own.
pub fn explain_own_code(out: &mut Vec<Saturation>, curve: &[&CapacityStep]) {
    let Some(db) = out.iter().position(|s| s.component == DB_CONNECTIONS) else { return };
    let Some(own) = out.iter().position(|s| s.component == "own code") else { return };
    let k = curve.iter().filter_map(|s| s.db_busy.as_ref()).map(|b| b.peak).max().unwrap_or(0);
    let at = out[own].from_rps;
    let busy_then = curve.iter().find(|s| Some(s.offered_rps) == at).and_then(|s| s.db_busy.as_ref());
    // All K were in flight at some instant of that step (a request could wait for one),
    // and at least half of them on average.
    if k == 0 || !busy_then.is_some_and(|b| b.peak >= k && b.mean >= 0.5 * f64::from(k)) {
        return;
    }
    let db = if own < db { db - 1 } else { db };
    let own = out.remove(own);
    let db = &mut out[db];
    db.from_rps = match (db.from_rps, own.from_rps) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    db.evidence.push_str(&format!("; own code per request grows {}× (requests waiting for a connection)", own.growth));
}

pub fn growth(first: f64, last: f64) -> f64 {
    if first > 0.0 {
        (last / first * 10.0).round() / 10.0
    } else {
        1.0
    }
}

fn mean(s: &CapacityStep, kind: &str, name: &str) -> Option<f64> {
    s.spans.iter().find(|x| x.kind == kind && x.name == name).map(|x| x.mean_us)
}

/// Time of one request at a step: every group's time over the requests (own-code calls).
fn request_us(s: &CapacityStep) -> Option<f64> {
    let requests = s.spans.iter().find(|x| x.kind == "own")?.calls.max(1) as f64;
    Some(s.spans.iter().map(|x| x.calls as f64 * x.mean_us).sum::<f64>() / requests)
}

fn component(kind: &str, name: &str) -> String {
    let name = perfhound_term::clip(name, 80);
    match kind {
        "db" => format!("DB: {name}"),
        "http" => format!("call: {name}"),
        _ => "own code".to_string(),
    }
}

/// Span groups whose mean latency at least doubled from their flat level.
pub fn span_groups(curve: &[&CapacityStep]) -> Vec<Saturation> {
    let first = curve[0];
    let last = curve.iter().rev().find(|s| !s.spans.is_empty()).copied().unwrap_or(first);
    let flat = |kind: &str, name: &str| {
        curve.iter().take(2).filter_map(|s| mean(s, kind, name)).min_by(f64::total_cmp).unwrap_or(0.0)
    };
    let own = match (mean(first, "own", OWN_CODE), mean(last, "own", OWN_CODE)) {
        (Some(_), Some(b)) => format!("own code per request grows {}×", growth(flat("own", OWN_CODE), b)),
        _ => format!("the service's p50 grows {}×", growth(first.service_us_p50 as f64, last.service_us_p50 as f64)),
    };
    first
        .spans
        .iter()
        .filter_map(|f| {
            let base = flat(&f.kind, &f.name);
            let last_mean = mean(last, &f.kind, &f.name)?;
            let g = growth(base, last_mean);
            // From the step on which it stays grown — and its added time matters to the
            // request — up to the highest rate: a slow request at a low rate, or a group
            // doubling a few milliseconds of a long request, is not where it gave out.
            let grown = |s: &&&CapacityStep| {
                mean(s, &f.kind, &f.name).is_some_and(|m| m >= 2.0 * base && matters(s, f, m - base))
            };
            let from = curve.iter().rev().take_while(grown).last()?;
            let added = last_mean - base;
            let component = component(&f.kind, &f.name);
            let versus = if f.kind == "own" { String::new() } else { format!(" while {own}") };
            (g >= 2.0 && added >= 1000.0).then(|| Saturation {
                evidence: format!(
                    "{component}: mean grows {g}× from {} to {}{versus}",
                    human::rate(first.offered_rps),
                    human::rate(last.offered_rps)
                ),
                component,
                from_rps: Some(from.offered_rps),
                growth: g,
                added_us: Some(added),
            })
        })
        .collect()
}

/// The time a group added per call at step `s` is ≥ 10 % of the request's time there.
fn matters(s: &CapacityStep, group: &SpanGroupSample, added_us: f64) -> bool {
    let Some(request) = request_us(s) else { return true };
    let calls = s.spans.iter().find(|x| x.kind == group.kind && x.name == group.name).map_or(0, |x| x.calls);
    let requests = s.spans.iter().find(|x| x.kind == "own").map_or(calls, |o| o.calls).max(1);
    added_us * calls as f64 / requests as f64 >= 0.1 * request
}

/// The span group that holds most of the request's time at the first bad step.
pub fn dominant(curve: &[&CapacityStep]) -> Option<Saturation> {
    let at = curve.iter().find(|s| !s.passed && !s.spans.is_empty()).or_else(|| curve.last())?;
    let request = request_us(at)?;
    let requests = at.spans.iter().find(|x| x.kind == "own")?.calls.max(1) as f64;
    let top = at.spans.iter().max_by(|a, b| (a.calls as f64 * a.mean_us).total_cmp(&(b.calls as f64 * b.mean_us)))?;
    let share = top.calls as f64 * top.mean_us / requests / request.max(1.0);
    (share >= 0.7).then(|| {
        let component = component(&top.kind, &top.name);
        Saturation {
            evidence: format!(
                "{component}: {} of the request's time at {} ({} per call, {:.1} calls per request); no watched \
                 resource ran out — this time alone leaves the SLO no room for queueing",
                human::pct(share),
                human::rate(at.offered_rps),
                human::duration_us(top.mean_us),
                top.calls as f64 / requests
            ),
            component,
            from_rps: None,
            growth: 1.0,
            added_us: None,
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::verdict::saturation;
    use perfhound_model::capacity::{DbBusy, SpanGroupSample};
    use perfhound_model::CapacityStep;

    const SELECT: &str = "SELECT id FROM order_items WHERE product_id = ?";

    /// A step of the demo's search endpoint: one statement and own code per request.
    fn step(rps: f64, passed: bool, db_ms: f64, own_ms: f64, busy: Option<(f64, u32)>) -> CapacityStep {
        let calls = (rps * 5.0) as u64 + 1;
        let group = |kind: &str, name: &str, ms: f64| SpanGroupSample {
            kind: kind.into(),
            name: name.into(),
            calls,
            mean_us: ms * 1000.0,
        };
        CapacityStep {
            offered_rps: rps,
            passed,
            spans: vec![group("db", SELECT, db_ms), group("own", crate::spans::OWN_CODE, own_ms)],
            db_busy: busy.map(|(mean, peak)| DbBusy { mean, peak, top_statement: SELECT.into(), top_share: 1.0 }),
            ..CapacityStep::default()
        }
    }

    #[test]
    fn a_full_pool_is_named_with_its_statement_and_the_wait_for_it_joins_it() {
        // The demo's unindexed search on an idle machine (2026-12-06): 4 connections, the
        // first step pays cold caches, requests then wait for a connection outside every span.
        let steps = [
            step(1.0, true, 120.7, 2.0, Some((0.17, 1))),
            step(2.0, true, 95.4, 2.3, Some((0.23, 2))),
            step(8.0, true, 65.1, 1.2, Some((0.54, 3))),
            step(16.0, true, 75.8, 2.0, Some((1.22, 4))),
            step(20.0, true, 165.3, 27.7, Some((3.20, 4))),
            step(22.0, true, 173.9, 81.9, Some((3.75, 4))),
            step(24.0, false, 181.4, 365.8, Some((3.73, 4))),
            step(32.0, false, 201.7, 1404.0, Some((3.94, 4))),
        ];
        let v = saturation(&steps, true);
        assert_eq!(v[0].component, "DB connections", "{v:#?}");
        assert_eq!(v[0].from_rps, Some(20.0));
        let e = &v[0].evidence;
        assert!(e.starts_with("DB connections: 4/4 busy 9") && e.contains("mean 3.94, at most 4 at once"), "{e}");
        assert!(e.contains(SELECT) && e.contains("requests waiting for a connection"), "{e}");
        assert!(v.iter().all(|s| s.component != "own code"), "own code's growth is the wait: {v:#?}");
    }

    #[test]
    fn own_code_doubling_a_few_milliseconds_before_the_pool_fills_is_not_named_first() {
        // A loaded run: own code goes from 4 to 20 ms at 6/s (5 % of a 320 ms request), then
        // requests queue for the 4 connections from 6.6/s.
        let steps = [
            step(1.0, true, 250.0, 4.0, Some((0.3, 1))),
            step(2.0, true, 260.0, 4.5, Some((0.55, 2))),
            step(4.0, true, 280.0, 6.0, Some((1.2, 3))),
            step(6.0, true, 300.0, 20.0, Some((1.9, 4))),
            step(6.6, false, 450.0, 300.0, Some((3.3, 4))),
            step(7.0, false, 480.0, 500.0, Some((3.5, 4))),
            step(8.0, false, 500.0, 935.0, Some((3.9, 4))),
        ];
        let v = saturation(&steps, true);
        assert_eq!((v[0].component.as_str(), v[0].from_rps), ("DB connections", Some(6.6)), "{v:#?}");
        assert!(v.iter().all(|s| s.component != "own code"), "{v:#?}");
    }

    #[test]
    fn a_statement_that_fills_the_request_is_named_when_nothing_ran_out() {
        // The same endpoint on a loaded machine: the statement takes 0.8 s of a 1 s SLO,
        // connections are far from full, nothing grows 2×.
        let steps = [
            step(1.0, true, 718.0, 12.7, Some((0.9, 2))),
            step(1.4, true, 595.0, 20.5, Some((0.96, 3))),
            step(1.6, false, 776.0, 18.7, Some((1.29, 3))),
            step(2.0, false, 786.0, 15.0, Some((1.64, 4))),
        ];
        let v = saturation(&steps, true);
        assert_eq!(v.len(), 1, "{v:#?}");
        assert_eq!(v[0].component, format!("DB: {SELECT}"));
        assert!(v[0].evidence.contains("98% of the request's time at 1.6/s"), "{}", v[0].evidence);
        assert!(saturation(&steps, false).is_empty(), "named only when the service ended the search");
    }

    #[test]
    fn one_slow_request_at_a_low_rate_is_not_where_a_group_gave_out() {
        // The fixed demo on a loaded machine: a 48 ms request at 2/s, own code grows for good from 256/s.
        let steps = [
            step(1.0, true, 12.9, 5.7, None),
            step(2.0, true, 6.5, 47.7, None),
            step(4.0, true, 3.0, 7.3, None),
            step(256.0, true, 3.6, 33.6, None),
            step(400.0, false, 3.4, 89.4, None),
        ];
        let v = saturation(&steps, true);
        assert_eq!(v.len(), 1, "the statement stays flat: {v:#?}");
        assert_eq!((v[0].component.as_str(), v[0].from_rps), ("own code", Some(256.0)));
    }

    #[test]
    fn cpu_demand_counts_the_wait_for_a_cpu() {
        let at = |rps: f64, cpu: f64, wait: f64| CapacityStep {
            offered_rps: rps,
            target_cpu_pct: Some(cpu),
            target_cpu_wait_pct: Some(wait),
            ..CapacityStep::default()
        };
        // One busy thread on a shared machine: a third of a core, runnable the rest.
        let steps = [at(10.0, 10.0, 5.0), at(20.0, 22.0, 30.0), at(30.0, 33.0, 64.0), at(40.0, 34.0, 63.0)];
        let v = saturation(&steps, true);
        assert_eq!(v[0].component, "service CPU", "{v:#?}");
        assert_eq!(v[0].from_rps, Some(30.0));
        assert!(
            v[0].evidence.contains("demand 97% of a core (on a CPU 33%, waiting for one 64%)"),
            "{}",
            v[0].evidence
        );
        let falling = [at(10.0, 50.0, 40.0), at(20.0, 30.0, 10.0)];
        assert!(saturation(&falling, true).iter().all(|s| s.component != "service CPU"), "no plateau at the top");
    }
}
