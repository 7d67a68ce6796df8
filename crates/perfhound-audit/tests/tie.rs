//! Traces are tied to the load's request names by the `traceparent` perfhound sends: a real
//! OpenTelemetry-instrumented service (the demo) under a scenario whose request names are
//! not its routes.

mod common;

use perfhound_model::Extra;

#[test]
fn trace_findings_carry_the_scenario_request_names() {
    let audit = common::audit_demo(
        "  - {name: user order history, get: /api/users/7/orders}\n  - {name: health check, get: /health}\n",
        6,
    );

    let n1 = audit.run.findings.iter().find(|f| f.rule.code == "PH-TRACE001").expect("the N+1 is found");
    assert_eq!(n1.target, "user order history", "named like the load request, not the route");
    // The same target, seen by client and server, is one target with the server's view as extras.
    let t = audit.run.target("user order history").unwrap();
    assert_eq!(t.measurements.requests, 6);
    assert_eq!(t.measurements.extra.get(Extra::ServerRequests).unwrap(), 6.0);
    assert!(t.measurements.extra.get(Extra::DbCallsPerRequest).unwrap() > 50.0, "{:?}", t.measurements.extra);
    // perfhound's own request outside the load (the compression probe after it) carries
    // the run's traceparent marked as a probe: its trace is left out, so no request keeps
    // its route name.
    let untied: Vec<_> = audit.run.targets.iter().filter(|t| t.name.starts_with("GET /api")).collect();
    assert!(untied.is_empty(), "untied requests: {:?}", untied.iter().map(|t| &t.name).collect::<Vec<_>>());
    assert!(audit.spans.unwrap() > 6 * 50);
}
