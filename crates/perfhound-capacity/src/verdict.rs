//! What saturates first: every watched component's utilization or latency across the
//! steps, in order of offered rate, and the one that gave out first and grew fastest.
//!
//! Rules (docs/capacity.md); those read from the traces are in [`crate::verdict_traces`]:
//! - **DB connection pool**: the sessions running a statement (`pg_stat_activity`) stop
//!   growing with load — the most ever busy at once, K, is held (mean ≥ 80 % of K) from
//!   some step up to the highest-rate one: requests wait for one of K connections.
//! - **max_connections**: open client connections reach 90 % of `max_connections`.
//! - **service CPU**: the watched process's CPU demand (on a CPU plus waiting for one)
//!   reaches 90 % of the highest level it reached and stays there up to the highest-rate
//!   step, and that level is at least 80 % of one core (a plateau).
//! - **service memory**: peak RSS grows ≥ 1.5× from the lowest step.
//!
//! Components are ranked by the offered rate at which they saturated (first; at the same
//! rate a resource at its limit before a latency that grows), then by the time they added
//! (fastest). The service's own time (send → response) is the symptom every one of them
//! shows; it is named only when no watched component explains it.

use crate::verdict_traces::{self as traces, growth};
use perfhound_model::capacity::{DbSample, Saturation};
use perfhound_model::{CapacityStep, StepPhase};
use perfhound_term::human;

/// Ranked components, the first one saturated first. The unexplained growth of the
/// service's own time is named only when the service ended the search (`service_limited`).
pub fn saturation(steps: &[CapacityStep], service_limited: bool) -> Vec<Saturation> {
    let mut curve: Vec<&CapacityStep> =
        steps.iter().filter(|s| matches!(s.phase, StepPhase::Ramp | StepPhase::Refine)).collect();
    curve.sort_by(|a, b| a.offered_rps.total_cmp(&b.offered_rps));
    if curve.is_empty() {
        return Vec::new();
    }
    let resources =
        [pool(&curve), max_connections(&curve), traces::db_connections(&curve), cpu(&curve), memory(&curve)];
    let mut out: Vec<Saturation> = resources.into_iter().flatten().collect();
    out.extend(traces::span_groups(&curve));
    traces::explain_own_code(&mut out, &curve);
    out.sort_by(|a, b| {
        let from = |s: &Saturation| s.from_rps.unwrap_or(f64::INFINITY);
        // At the same rate a resource at its limit (no added time) is the cause, a
        // latency that grows is its symptom.
        let added = |s: &Saturation| s.added_us.unwrap_or(f64::INFINITY);
        from(a).total_cmp(&from(b)).then(added(b).total_cmp(&added(a))).then(b.growth.total_cmp(&a.growth))
    });
    if out.is_empty() && service_limited {
        out.extend(traces::dominant(&curve).or_else(|| own_time(&curve)));
    }
    out
}

/// Busy sessions stop growing with load: the most ever busy at once (K) is reached and
/// held (mean ≥ 80 % of K) from some step on, up to the highest-rate step.
fn pool(curve: &[&CapacityStep]) -> Option<Saturation> {
    let dbs: Vec<(f64, &DbSample)> = curve.iter().filter_map(|s| s.db.as_ref().map(|d| (s.offered_rps, d))).collect();
    let k = dbs.iter().map(|(_, d)| d.active_peak).max().filter(|k| *k >= 1)?;
    let held = |d: &DbSample| d.active_mean >= 0.8 * f64::from(k);
    let (top_rps, top) = dbs.last()?;
    let (from_rps, _) = dbs.iter().find(|(_, d)| held(d))?;
    // Sessions held at the server's own limit are max_connections' verdict, not a pool's.
    let at_server_limit =
        top.max_connections > 0 && f64::from(top.connections_peak) >= 0.9 * f64::from(top.max_connections);
    if !held(top) || from_rps >= top_rps || at_server_limit {
        return None;
    }
    let first = dbs[0].1.active_mean.max(0.1);
    let wait = top
        .waits
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(w, n)| format!("; top wait {w} ({n} sessions)"))
        .unwrap_or_default();
    Some(Saturation {
        component: "DB connection pool".into(),
        from_rps: Some(*from_rps),
        growth: growth(first, top.active_mean),
        added_us: None,
        evidence: format!(
            "DB connection pool: {k} of {k} connections busy (mean {:.1}) from {} while the offered load rose to {}; \
             {} client connections open, max_connections {}{wait}",
            top.active_mean,
            human::rate(*from_rps),
            human::rate(*top_rps),
            top.connections_peak,
            top.max_connections
        ),
    })
}

fn max_connections(curve: &[&CapacityStep]) -> Option<Saturation> {
    let at = curve.iter().find(|s| {
        s.db.as_ref().is_some_and(|d| {
            d.max_connections > 0 && f64::from(d.connections_peak) >= 0.9 * f64::from(d.max_connections)
        })
    })?;
    let db = at.db.as_ref()?;
    Some(Saturation {
        component: "PostgreSQL max_connections".into(),
        from_rps: Some(at.offered_rps),
        growth: 1.0,
        added_us: None,
        evidence: format!(
            "PostgreSQL connections {}/{} (max_connections) from {}",
            db.connections_peak,
            db.max_connections,
            human::rate(at.offered_rps)
        ),
    })
}

/// CPU demand of a step: on a CPU plus runnable and waiting for one (% of one core). On a
/// shared machine a CPU-bound service gets less than a core, but its threads stay runnable.
fn demand(s: &CapacityStep) -> Option<f64> {
    s.target_cpu_pct.map(|c| c + s.target_cpu_wait_pct.unwrap_or(0.0))
}

fn cpu(curve: &[&CapacityStep]) -> Option<Saturation> {
    let values: Vec<(f64, f64, &CapacityStep)> =
        curve.iter().filter_map(|s| demand(s).map(|d| (s.offered_rps, d, *s))).collect();
    let peak = values.iter().map(|v| v.1).fold(0.0, f64::max);
    let plateau = |d: f64| d >= 0.9 * peak;
    if peak < 80.0 || !values.last().is_some_and(|v| plateau(v.1)) {
        return None;
    }
    let (at, level, step) = values.iter().find(|v| plateau(v.1))?;
    let split = match step.target_cpu_wait_pct {
        Some(w) => {
            format!(" (on a CPU {}%, waiting for one {}%)", step.target_cpu_pct.unwrap_or(0.0).round(), w.round())
        }
        None => String::new(),
    };
    Some(Saturation {
        component: "service CPU".into(),
        from_rps: Some(*at),
        growth: growth(values[0].1, peak),
        added_us: None,
        evidence: format!(
            "service CPU: demand {}% of a core{split} from {} ({}% at {})",
            level.round(),
            human::rate(*at),
            values[0].1.round(),
            human::rate(values[0].0)
        ),
    })
}

fn memory(curve: &[&CapacityStep]) -> Option<Saturation> {
    let values: Vec<(f64, u64)> = curve.iter().filter_map(|s| s.target_rss_bytes.map(|r| (s.offered_rps, r))).collect();
    let (first, last) = (values.first()?, values.last()?);
    let g = growth(first.1 as f64, last.1 as f64);
    (g >= 1.5).then(|| Saturation {
        component: "service memory".into(),
        from_rps: values.iter().find(|v| v.1 as f64 >= 1.5 * first.1 as f64).map(|v| v.0),
        growth: g,
        added_us: None,
        evidence: format!(
            "service RSS grows {g}× from {} at {} to {} at {}",
            human::bytes(first.1 as f64),
            human::rate(first.0),
            human::bytes(last.1 as f64),
            human::rate(last.0)
        ),
    })
}

fn own_time(curve: &[&CapacityStep]) -> Option<Saturation> {
    let first = curve[0];
    let last = curve.last()?;
    let g = growth(first.service_us_p99 as f64, last.service_us_p99 as f64);
    (g >= 2.0).then(|| Saturation {
        component: "service (unwatched)".into(),
        from_rps: None,
        growth: g,
        added_us: None,
        evidence: format!(
            "the service's own time (p99) grows {g}× from {} to {}; no watched resource explains it \
             (add --watch-pid, --db or --traces-listen to name the component)",
            human::rate(first.offered_rps),
            human::rate(last.offered_rps)
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spans::OWN_CODE;
    use perfhound_model::capacity::SpanGroupSample;

    fn step(rps: f64, db_ms: f64, own_ms: f64) -> CapacityStep {
        let group = |kind: &str, name: &str, ms: f64| SpanGroupSample {
            kind: kind.into(),
            name: name.into(),
            calls: 10,
            mean_us: ms * 1000.0,
        };
        CapacityStep {
            offered_rps: rps,
            spans: vec![group("db", "SELECT * FROM orders WHERE user_id = ?", db_ms), group("own", OWN_CODE, own_ms)],
            ..CapacityStep::default()
        }
    }

    #[test]
    fn the_group_adding_the_most_time_first_is_named() {
        let steps = [step(10.0, 20.0, 1.0), step(20.0, 60.0, 3.0), step(40.0, 180.0, 4.0)];
        let v = saturation(&steps, true);
        assert_eq!(v[0].component, "DB: SELECT * FROM orders WHERE user_id = ?", "{v:?}");
        assert!(v[0].evidence.contains("grows 9×") && v[0].evidence.contains("own code per request grows 4×"), "{v:?}");
        assert_eq!(v[0].from_rps, Some(20.0));
    }

    #[test]
    fn sessions_growing_with_load_are_not_a_saturated_pool() {
        let db = |active: f64, peak: u32| DbSample {
            max_connections: 100,
            connections_peak: 20,
            active_peak: peak,
            active_mean: active,
            samples: 10,
            ..DbSample::default()
        };
        let at = |rps, d| CapacityStep { offered_rps: rps, db: Some(d), ..CapacityStep::default() };
        let growing = [at(10.0, db(1.0, 2)), at(20.0, db(2.5, 4)), at(40.0, db(5.0, 8))];
        assert!(saturation(&growing, false).is_empty());
        let plateau = [at(10.0, db(1.0, 3)), at(20.0, db(7.0, 8)), at(40.0, db(7.9, 8))];
        assert_eq!(saturation(&plateau, true)[0].component, "DB connection pool");
        assert!(saturation(&[], true).is_empty());
    }
}
