//! The [`Run`] of an access-log analysis: the overall target and one target per
//! endpoint (the busiest [`Config::max_targets`](crate::Config::max_targets)), the
//! cache findings, and warnings that quote malformed lines (where and why).

use crate::summary::{Analysis, EndpointSummary};
use perfhound_model::{ErrorKind, Extra, Measurements, Run, Source, SourceKind, Target, TargetKind};
use std::collections::BTreeMap;

pub fn to_run(a: &Analysis, command: Vec<String>, started_at: String) -> Run {
    let mut overall = Target {
        name: "overall".into(),
        kind: TargetKind::Overall,
        group: None,
        measurements: measurements(&a.status, a.requests, a.bytes, &a.overall, a.rps()),
    };
    let x = &mut overall.measurements.extra;
    x.insert(Extra::LogLines, a.counts.lines as f64);
    x.insert(Extra::LogLinesMalformed, a.counts.malformed as f64);
    if let Some(p) = a.peak_rps {
        x.insert(Extra::PeakRps, p as f64);
    }
    let mut targets = vec![overall];
    targets.extend(a.endpoints.iter().filter(|e| e.latency.is_some() || e.timed == 0).map(|e| endpoint(e, a)));
    Run {
        sources: a
            .sources
            .iter()
            .map(|s| Source { kind: SourceKind::Logs, description: format!("access log {s} ({})", a.format) })
            .collect(),
        targets,
        findings: a.findings.clone(),
        warnings: warnings(a),
        ..Run::begun(command, started_at)
    }
}

fn endpoint(e: &EndpointSummary, a: &Analysis) -> Target {
    let empty = perfhound_model::Histogram::new();
    let h = e.latency.as_ref().unwrap_or(&empty);
    let rps = a.duration_s().map(|d| e.requests as f64 / d);
    Target {
        name: e.name.clone(),
        kind: TargetKind::Endpoint,
        group: None,
        measurements: measurements(&e.status, e.requests, e.bytes, h, rps),
    }
}

fn measurements(
    status: &BTreeMap<u16, u64>,
    requests: u64,
    bytes: u64,
    h: &perfhound_model::Histogram,
    rps: Option<f64>,
) -> Measurements {
    let count =
        |r: std::ops::RangeInclusive<u16>| status.iter().filter(|(s, _)| r.contains(s)).map(|(_, n)| n).sum::<u64>();
    let (e5, e4) = (count(500..=599), count(400..=499));
    let mut errors = BTreeMap::new();
    for (kind, n) in [(ErrorKind::Http5xx, e5), (ErrorKind::Http4xx, e4)] {
        if n > 0 {
            errors.insert(kind, n);
        }
    }
    Measurements {
        requests,
        ok: requests - e5,
        failed: e5,
        errors,
        status_codes: status.clone(),
        latency: (!h.is_empty()).then(|| h.clone()),
        rps: rps.unwrap_or(0.0),
        bytes_in: bytes,
        ..Measurements::default()
    }
}

fn warnings(a: &Analysis) -> Vec<String> {
    let mut w = Vec::new();
    if a.counts.malformed > 0 {
        w.push(format!(
            "{} of {} lines could not be read ({} quoted below)",
            a.counts.malformed,
            a.counts.lines,
            a.samples.len()
        ));
    }
    for m in &a.samples {
        w.push(format!("{}:{}: {}", m.source, m.line, m.why));
    }
    w.extend(a.read_errors.iter().cloned());
    let approx = a.endpoints.iter().filter(|e| e.approximate).count();
    if approx > 0 {
        w.push(format!("{approx} endpoints have percentiles from a sample (histogram budget spent)"));
    }
    let listed = a.endpoints.iter().filter(|e| e.latency.is_some() || e.timed == 0).count();
    if listed < a.endpoints.len() {
        w.push(format!("{} quieter endpoints are not written as targets", a.endpoints.len() - listed));
    }
    if a.overall.is_empty() && a.requests > 0 {
        w.push("the log has no $request_time or upstream time: no latency percentiles (add $request_time to the log_format)".into());
    }
    w
}
