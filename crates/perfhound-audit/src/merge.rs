//! One run out of the load, traces and database runs of one audit window.
//!
//! The load run is the base: its targets are what the client measured. A target of another
//! run with the same name and kind (the traces' view of `GET /api/orders`, tied to the load
//! request by its name; the traces' `overall`) is the same thing seen from the server: its
//! measurements are added as extra values (`server_p95_ms`, `db_share`, …) instead of being
//! counted twice. Other targets are added as they are, with the kind their engine gave
//! them (`downstream` services and calls, `background` work, `query`), which is what lets
//! the report keep them out of the service's endpoints table.
//! Findings are merged by fingerprint; sources and warnings are concatenated.

use perfhound_model::{Run, Target};

/// Merges `other` into `base`.
pub fn merge_into(base: &mut Run, other: Run, prefix: &str) {
    for t in other.targets {
        match base.targets.iter_mut().find(|b| b.name == t.name && b.kind == t.kind) {
            Some(b) => add_as_extra(b, &t, prefix),
            None => base.targets.push(t),
        }
    }
    for f in other.findings {
        if !base.findings.iter().any(|b| b.fingerprint == f.fingerprint) {
            base.findings.push(f);
        }
    }
    base.sources.extend(other.sources);
    base.warnings.extend(other.warnings);
    if base.resources.is_none() {
        base.resources = other.resources;
    }
    if other.ended_at > base.ended_at {
        base.ended_at = other.ended_at;
    }
}

fn add_as_extra(base: &mut Target, other: &Target, prefix: &str) {
    let m = &other.measurements;
    let extra = &mut base.measurements.extra;
    if let Some(h) = m.latency.as_ref().filter(|h| !h.is_empty()) {
        for (name, q) in [("p50", 0.5), ("p95", 0.95), ("p99", 0.99)] {
            extra.entry(format!("{prefix}_{name}_ms")).or_insert((h.quantile_us(q) as f64 / 10.0).round() / 100.0);
        }
    }
    if m.requests > 0 {
        extra.entry(format!("{prefix}_requests")).or_insert(m.requests as f64);
    }
    for (k, v) in &m.extra {
        extra.entry(k.clone()).or_insert(*v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfhound_model::{Measurements, TargetKind};

    fn run(targets: Vec<Target>) -> Run {
        let mut r: Run = serde_json::from_str(
            r#"{"schema_version":1,"id":"x","tool":{"name":"perfhound","version":"0"},"started_at":"a","ended_at":"b",
                "host":{"hostname":"h","os":"linux","arch":"x86_64","cpus":2},"sources":[],"targets":[],"findings":[]}"#,
        )
        .unwrap();
        r.targets = targets;
        r
    }

    fn target(name: &str, requests: u64, extra: &[(&str, f64)]) -> Target {
        Target {
            name: name.into(),
            kind: TargetKind::Endpoint,
            group: None,
            measurements: Measurements {
                requests,
                extra: extra.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
                ..Default::default()
            },
        }
    }

    #[test]
    fn same_target_becomes_extra_values_and_others_are_added() {
        let mut base = run(vec![target("GET /a", 100, &[])]);
        let other = run(vec![target("GET /a", 90, &[("db_share", 0.8)]), target("GET /internal", 40, &[])]);
        merge_into(&mut base, other, "server");
        assert_eq!(base.targets.len(), 2);
        let a = &base.targets[0];
        assert_eq!(a.measurements.requests, 100, "client counts are not added to");
        assert_eq!(a.measurements.extra["db_share"], 0.8);
        assert_eq!(a.measurements.extra["server_requests"], 90.0);
        assert_eq!(base.targets[1].name, "GET /internal");
    }

    #[test]
    fn other_kinds_keep_their_kind_and_are_not_merged_into_endpoints() {
        let mut base = run(vec![target("GET /a", 100, &[])]);
        let mut downstream = target("GET /a", 7, &[]);
        downstream.kind = TargetKind::Downstream;
        let mut orphan = target("GET http://queue/poll", 3, &[]);
        orphan.kind = TargetKind::Background;
        merge_into(&mut base, run(vec![downstream, orphan]), "server");
        let kinds: Vec<(&str, TargetKind)> = base.targets.iter().map(|t| (t.name.as_str(), t.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("GET /a", TargetKind::Endpoint),
                ("GET /a", TargetKind::Downstream),
                ("GET http://queue/poll", TargetKind::Background)
            ]
        );
        assert!(!base.targets[0].measurements.extra.contains_key("server_requests"), "another service's GET /a");
    }
}
