//! Potential improvement: how much measured time fixing the findings could save, for the
//! whole run and per target. The one place the report turns findings into time (the
//! summary's "up to", each bottleneck's share and each recommendation's impact all come
//! from here, so they agree).
//!
//! For each finding with `impact.time_saved_per_request_us` (s) and each target it
//! affects (`affected`, else its `target`) that has a measured time:
//!
//! - affected requests `n` = the finding's affected-request count (`evidence.counts.traces`,
//!   else `impact.occurrences`), at most the target's requests; all of the target's
//!   requests when the finding does not say;
//! - raw saving on that target = `s × n`.
//!
//! A target cannot save more than its own time (mean latency × requests): when the raw
//! savings of its findings add up to more, each is scaled down in proportion. A finding
//! that names no measured target counts globally: `impact.share_of_total × total time`
//! when the engine computed it, else `s × occurrences`. The overall potential is the sum of
//! every finding's saving over the run's total measured time, capped at 100%; a target's
//! potential is its bounded saving over its own time.

use perfhound_model::{Finding, Target, TargetKind};
use serde::Serialize;

/// Targets listed with their own potential in the summary.
pub const TOP_TARGETS: usize = 5;

/// What fixing one target's findings could save.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TargetPotential {
    pub target: String,
    pub kind: TargetKind,
    /// Share (0..=1) of this target's own measured time.
    pub share: f64,
    /// Mean time per request now, and what fixing could save per request, in µs.
    pub mean_us: f64,
    pub saved_per_request_us: f64,
}

/// Savings of the whole run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Potential {
    /// Share (0..=1) of the run's measured time, `None` when no finding carries a time.
    pub overall: Option<f64>,
    /// Per finding (same order as the input), share of the run's measured time.
    pub finding_shares: Vec<Option<f64>>,
    /// Targets with something to save, highest share first.
    pub targets: Vec<TargetPotential>,
}

/// A target's time and traffic.
struct Measured<'a> {
    target: &'a Target,
    time_us: f64,
    requests: f64,
}

/// Computes the potential of `findings` over `targets` (see the module docs).
pub fn estimate(findings: &[Finding], targets: &[Target], total_time_us: Option<f64>) -> Potential {
    let measured: Vec<Measured> = targets.iter().filter_map(measured).collect();
    // raw[f][t]: finding f's unbounded saving on measured target t.
    let raw: Vec<Vec<f64>> = findings.iter().map(|f| raw_savings(f, &measured)).collect();
    let scale: Vec<f64> = (0..measured.len())
        .map(|t| {
            let sum: f64 = raw.iter().map(|r| r[t]).sum();
            if sum > measured[t].time_us {
                measured[t].time_us / sum
            } else {
                1.0
            }
        })
        .collect();
    let of_total = |us: f64| total_time_us.filter(|t| *t > 0.0).map(|t| (us / t).clamp(0.0, 1.0));
    let finding_shares: Vec<Option<f64>> = findings
        .iter()
        .zip(&raw)
        .map(|(f, r)| match r.iter().any(|v| *v > 0.0) {
            true => of_total(r.iter().zip(&scale).map(|(v, k)| v * k).sum()),
            false => global_share(f, total_time_us),
        })
        .collect();
    let any = finding_shares.iter().any(Option::is_some);
    Potential {
        overall: any.then(|| finding_shares.iter().flatten().sum::<f64>().min(1.0)),
        finding_shares,
        targets: target_potentials(&measured, &raw, &scale),
    }
}

fn measured(t: &Target) -> Option<Measured<'_>> {
    if t.kind == TargetKind::Overall {
        return None;
    }
    let h = t.measurements.latency.as_ref().filter(|h| !h.is_empty())?;
    let requests = h.count() as f64;
    let time_us = h.mean_us() * requests;
    (time_us > 0.0).then_some(Measured { target: t, time_us, requests })
}

/// The finding's unbounded saving on each measured target.
fn raw_savings(f: &Finding, measured: &[Measured]) -> Vec<f64> {
    let per_request = f.impact.time_saved_per_request_us.map_or(0.0, |s| s as f64);
    let names: Vec<&str> =
        if f.affected.is_empty() { vec![f.target.as_str()] } else { f.affected.iter().map(String::as_str).collect() };
    let affected_requests = f.evidence.counts.get("traces").or(f.impact.occurrences.as_ref()).map(|n| *n as f64);
    let mut out = vec![0.0; measured.len()];
    for name in names {
        // The service's endpoint first when a name is measured as several kinds.
        let found = measured.iter().position(|m| m.target.name == name && m.target.kind == TargetKind::Endpoint);
        let Some(i) = found.or_else(|| measured.iter().position(|m| m.target.name == name)) else { continue };
        let n = affected_requests.map_or(measured[i].requests, |n| n.min(measured[i].requests));
        out[i] += per_request * n;
    }
    out
}

/// A finding about nothing measured: the engine's own share, else saving × occurrences
/// over the total.
fn global_share(f: &Finding, total_time_us: Option<f64>) -> Option<f64> {
    let from_time = || {
        let total = total_time_us.filter(|t| *t > 0.0)?;
        Some(f.impact.time_saved_per_request_us? as f64 * f.impact.occurrences.unwrap_or(1) as f64 / total)
    };
    f.impact.share_of_total.or_else(from_time).filter(|s| s.is_finite()).map(|s| s.clamp(0.0, 1.0))
}

fn target_potentials(measured: &[Measured], raw: &[Vec<f64>], scale: &[f64]) -> Vec<TargetPotential> {
    let mut out: Vec<TargetPotential> = measured
        .iter()
        .enumerate()
        .filter_map(|(t, m)| {
            let saved = raw.iter().map(|r| r[t]).sum::<f64>() * scale[t];
            (saved > 0.0).then(|| TargetPotential {
                target: m.target.name.clone(),
                kind: m.target.kind,
                share: (saved / m.time_us).clamp(0.0, 1.0),
                mean_us: m.time_us / m.requests,
                saved_per_request_us: saved / m.requests,
            })
        })
        .collect();
    out.sort_by(|a, b| b.share.total_cmp(&a.share).then(b.saved_per_request_us.total_cmp(&a.saved_per_request_us)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfhound_model::{Histogram, Measurements, Rule, Severity};

    const RULE: Rule =
        Rule { code: "PH-TRACE001", name: "t", severity: Severity::Warning, summary: "", why: "", fix: "" };

    /// A target with `requests` requests of exactly `ms` each.
    fn target(name: &str, kind: TargetKind, requests: u64, ms: u64) -> Target {
        let mut h = Histogram::new();
        for _ in 0..requests {
            h.record_us(ms * 1000);
        }
        Target {
            name: name.into(),
            kind,
            group: None,
            measurements: Measurements { requests, latency: Some(h), ..Default::default() },
        }
    }

    fn finding(target: &str, saved_ms: Option<u64>, traces: Option<u64>) -> Finding {
        let mut f = Finding::new(&RULE, target, "t");
        f.fingerprint = format!("{target}-{saved_ms:?}-{traces:?}");
        f.impact.time_saved_per_request_us = saved_ms.map(|ms| ms * 1000);
        if let Some(n) = traces {
            f.evidence.counts.insert("traces".into(), n);
        }
        f
    }

    /// Equal within 0.1% (HDR histograms keep 3 significant digits).
    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-3 * b.abs().max(1e-3)
    }

    /// The case: one endpoint can lose 60% while the run as a whole saves little.
    #[test]
    fn weighted_by_traffic_and_listed_per_endpoint() {
        // GET /slow: 10 × 500 ms = 5,000 ms; GET /fast: 990 × 10 ms = 9,900 ms.
        let targets = [
            target("overall", TargetKind::Overall, 1000, 15),
            target("GET /slow", TargetKind::Endpoint, 10, 500),
            target("GET /fast", TargetKind::Endpoint, 990, 10),
        ];
        // 300 ms saved on each of the 10 slow requests = 3,000 ms = 60% of /slow.
        let findings = [finding("GET /slow", Some(300), Some(10))];
        let p = estimate(&findings, &targets, Some(14_900_000.0));
        assert_eq!(p.targets.len(), 1);
        assert_eq!(p.targets[0].target, "GET /slow");
        assert!(close(p.targets[0].share, 0.6), "{:?}", p.targets);
        assert!(close(p.targets[0].saved_per_request_us, 300_000.0));
        assert!(close(p.targets[0].mean_us, 500_000.0));
        // 3,000 ms of 14,900 ms.
        assert!(close(p.overall.unwrap(), 3_000.0 / 14_900.0), "{:?}", p.overall);
        assert_eq!(p.finding_shares, [p.overall]);
    }

    #[test]
    fn bounded_per_endpoint_and_scaled_in_proportion() {
        // A: 10 × 100 ms = 1,000 ms; B: 90 × 10 ms = 900 ms; total 1,900 ms.
        let targets = [target("A", TargetKind::Endpoint, 10, 100), target("B", TargetKind::Endpoint, 90, 10)];
        let f1 = finding("A", Some(60), Some(10)); // 600 ms
        let f2 = finding("A", Some(45), None); // all 10 requests: 450 ms → A's raw 1,050 > 1,000
        let mut f3 = finding("the server", Some(2), None); // B: 2 × 90 = 180 ms; "C" is not measured
        f3.affected = vec!["B".into(), "C".into()];
        let mut f4 = finding("somewhere", None, None); // only the engine's share: 1% of 1,900 = 19 ms
        f4.impact.share_of_total = Some(0.01);
        let f5 = finding("unknown", None, None); // nothing to count
        let p = estimate(&[f1, f2, f3, f4, f5], &targets, Some(1_900_000.0));
        let shares: Vec<f64> = p.finding_shares.iter().map(|s| s.unwrap_or(-1.0)).collect();
        assert!(close(shares[0], 600.0 * (1000.0 / 1050.0) / 1900.0), "{shares:?}");
        assert!(close(shares[1], 450.0 * (1000.0 / 1050.0) / 1900.0), "{shares:?}");
        assert!(close(shares[2], 180.0 / 1900.0), "{shares:?}");
        assert!(close(shares[3], 0.01), "{shares:?}");
        assert_eq!(p.finding_shares[4], None);
        // (1,000 + 180 + 19) / 1,900: the findings' shares add up to the overall number.
        assert!(close(p.overall.unwrap(), 1199.0 / 1900.0));
        assert!(close(shares[..4].iter().sum(), p.overall.unwrap()));
        let per: Vec<(&str, f64)> = p.targets.iter().map(|t| (t.target.as_str(), t.share)).collect();
        assert_eq!(per.len(), 2);
        assert_eq!(per[0].0, "A");
        assert!(close(per[0].1, 1.0) && close(per[1].1, 0.2), "{per:?}");
    }

    #[test]
    fn affected_requests_are_capped_by_traffic_and_nothing_is_none() {
        let targets = [target("A", TargetKind::Endpoint, 4, 100)]; // 400 ms
        let p = estimate(&[finding("A", Some(10), Some(1000))], &targets, Some(400_000.0));
        assert!(close(p.overall.unwrap(), 40.0 / 400.0), "4 requests, not 1000: {:?}", p.overall);
        let none = estimate(&[finding("A", None, None)], &targets, Some(400_000.0));
        assert_eq!((none.overall, none.targets.len()), (None, 0));
        assert_eq!(estimate(&[], &targets, None), Potential::default());
    }
}
