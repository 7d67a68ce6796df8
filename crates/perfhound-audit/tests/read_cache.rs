//! What a cache would save on reads the traces repeat across requests, end to end: a real
//! OpenTelemetry-instrumented service (the demo, whose dashboard calls four slow
//! downstream services with the same URLs on every request) under an audit; the audit's
//! run carries one PH-LOGS002 finding per downstream GET, with numbers that agree with
//! each other and with the load.

mod common;

const REQUESTS: u64 = 60;

#[test]
fn repeated_downstream_gets_become_cache_findings_with_measured_savings() {
    let audit = common::audit_demo("  - {name: dashboard, get: /api/dashboard}\n", REQUESTS);

    let found: Vec<_> = audit.run.findings.iter().filter(|f| f.rule.code == "PH-LOGS002").collect();
    let titles: Vec<&str> = found.iter().map(|f| f.title.as_str()).collect();
    for (route, delay) in perfhound_demo::DOWNSTREAM {
        let f = found.iter().find(|f| f.title.contains(&format!("{route} in dashboard:"))).unwrap_or_else(|| {
            panic!("no cache finding for {route}: {titles:#?}");
        });
        assert_eq!(f.target, "dashboard", "the load request issuing the read");
        // Every dashboard request GETs each URL once: one cold miss, then hits.
        assert_eq!(f.evidence.counts["reads"], REQUESTS, "{}", f.title);
        let hit = (REQUESTS - 1) as f64 / REQUESTS as f64;
        assert!(f.title.contains(&format!("would hit {:.0} %", hit * 100.0)), "{}", f.title);
        // The saving comes from the measured span latency: the downstream sleeps `delay`,
        // a hit costs a Redis round trip (1 ms).
        let (p50, after) = (f.evidence.durations_us["p50"], f.evidence.durations_us["p50_with_cache"]);
        assert!(p50 >= delay.as_micros() as u64, "{route}: p50 {p50} µs below its {delay:?} delay");
        assert_eq!(after, perfhound_logs::cache::HIT_US, "{}", f.title);
        let saved = perfhound_term::human::duration_us((p50 - after) as f64);
        assert!(f.title.contains(&format!("save ≈ {saved} per read")), "{} / {saved}", f.title);
        let per_read = f.impact.time_saved_per_request_us.unwrap();
        // Mean saved = hit ratio × (mean latency − 1 ms), and every read took ≥ `delay`.
        let floor = hit * (delay.as_micros() as f64 - perfhound_logs::cache::HIT_US as f64);
        assert!(per_read as f64 >= floor - 1.0, "{}: {per_read} µs saved per read, below {floor}", f.title);
        assert_eq!(f.impact.occurrences, Some(REQUESTS));
        // perfhound's own load repeats its URLs: the hit ratio is the scenario's, so the
        // finding is a suggestion to check against production traffic, never a warning.
        assert_eq!(f.severity, perfhound_model::Severity::Info, "{}", f.title);
        assert!(
            f.evidence.notes.iter().any(|n| n == perfhound_audit::read_cache::OWN_LOAD_NOTE),
            "{:?}",
            f.evidence.notes
        );
    }
    assert_eq!(found.len(), perfhound_demo::DOWNSTREAM.len(), "{titles:#?}");
}
