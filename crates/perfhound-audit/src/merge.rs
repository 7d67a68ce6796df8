//! One run out of the load, traces and database runs of one audit window.
//!
//! The load run is the base: its targets are what the client measured. A target of another
//! run with the same name and kind (the traces' view of `GET /api/orders`, tied to the load
//! request by its name; the traces' `overall`) is the same thing seen from the server: its
//! measurements are added as extra values (`server_latency_ms_p95`, `db_share`, …) instead of being
//! counted twice. Other targets are added as they are, with the kind their engine gave
//! them (`downstream` services and calls, `background` work, `query`), which is what lets
//! the report keep them out of the service's endpoints table.
//! Findings are merged by fingerprint; sources and warnings are concatenated.

use perfhound_model::{Extra, Run, Target};

/// Who saw the merged run's targets: their latency and request count become that
/// side's extra values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    /// The service's traces.
    Server,
    /// The database's statements.
    Db,
}

impl Seen {
    /// The extras for p50, p95, p99 (ms) and requests.
    fn keys(self) -> ([(Extra, f64); 3], Extra) {
        match self {
            Seen::Server => (
                [
                    (Extra::ServerLatencyMsP50, 0.5),
                    (Extra::ServerLatencyMsP95, 0.95),
                    (Extra::ServerLatencyMsP99, 0.99),
                ],
                Extra::ServerRequests,
            ),
            Seen::Db => (
                [(Extra::DbLatencyMsP50, 0.5), (Extra::DbLatencyMsP95, 0.95), (Extra::DbLatencyMsP99, 0.99)],
                Extra::DbRequests,
            ),
        }
    }
}

/// Merges `other` into `base`.
pub fn merge_into(base: &mut Run, other: Run, seen: Seen) {
    for t in other.targets {
        match base.targets.iter_mut().find(|b| b.name == t.name && b.kind == t.kind) {
            Some(b) => add_as_extra(b, &t, seen),
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
    base.complexity.extend(other.complexity);
    if base.resources.is_none() {
        base.resources = other.resources;
    }
    if other.ended_at > base.ended_at {
        base.ended_at = other.ended_at;
    }
}

fn add_as_extra(base: &mut Target, other: &Target, seen: Seen) {
    let m = &other.measurements;
    let extra = &mut base.measurements.extra;
    let (quantiles, requests) = seen.keys();
    if let Some(h) = m.latency.as_ref().filter(|h| !h.is_empty()) {
        for (key, q) in quantiles {
            extra.insert_if_absent(key, (h.quantile_us(q) as f64 / 10.0).round() / 100.0);
        }
    }
    if m.requests > 0 {
        extra.insert_if_absent(requests, m.requests as f64);
    }
    extra.fill_from(&m.extra);
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

    fn target(name: &str, requests: u64, extra: &[(Extra, f64)]) -> Target {
        Target {
            name: name.into(),
            kind: TargetKind::Endpoint,
            group: None,
            measurements: Measurements { requests, extra: extra.iter().copied().collect(), ..Default::default() },
        }
    }

    #[test]
    fn same_target_becomes_extra_values_and_others_are_added() {
        let mut base = run(vec![target("GET /a", 100, &[])]);
        let other = run(vec![target("GET /a", 90, &[(Extra::DbShare, 0.8)]), target("GET /internal", 40, &[])]);
        merge_into(&mut base, other, Seen::Server);
        assert_eq!(base.targets.len(), 2);
        let a = &base.targets[0];
        assert_eq!(a.measurements.requests, 100, "client counts are not added to");
        assert_eq!(a.measurements.extra.get(Extra::DbShare).unwrap(), 0.8);
        assert_eq!(a.measurements.extra.get(Extra::ServerRequests).unwrap(), 90.0);
        assert_eq!(base.targets[1].name, "GET /internal");
    }

    #[test]
    fn other_kinds_keep_their_kind_and_are_not_merged_into_endpoints() {
        let mut base = run(vec![target("GET /a", 100, &[])]);
        let mut downstream = target("GET /a", 7, &[]);
        downstream.kind = TargetKind::Downstream;
        let mut orphan = target("GET http://queue/poll", 3, &[]);
        orphan.kind = TargetKind::Background;
        merge_into(&mut base, run(vec![downstream, orphan]), Seen::Server);
        let kinds: Vec<(&str, TargetKind)> = base.targets.iter().map(|t| (t.name.as_str(), t.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("GET /a", TargetKind::Endpoint),
                ("GET /a", TargetKind::Downstream),
                ("GET http://queue/poll", TargetKind::Background)
            ]
        );
        assert!(base.targets[0].measurements.extra.get(Extra::ServerRequests).is_none(), "another service's GET /a");
    }
}
