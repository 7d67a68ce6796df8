//! Traces are tied to the load's request names by the `traceparent` perfhound sends: a real
//! OpenTelemetry-instrumented service (the demo) under a scenario whose request names are
//! not its routes.

use perfhound_audit::config::{AuditConfig, TracesSection};
use perfhound_audit::receiver::Receiver;
use perfhound_audit::{run, Hooks};
use perfhound_demo::{DemoConfig, Mode};
use perfhound_load::output::{Progress, ProgressMode};
use perfhound_model::Extra;
use std::time::Duration;

#[test]
fn trace_findings_carry_the_scenario_request_names() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let detectors = perfhound_traces::Config::default();
    let receiver = Receiver::start("127.0.0.1:0", detectors.clone()).unwrap();
    let mut demo = DemoConfig::new(Mode::Before, dir.path().join("demo.sqlite"));
    demo.otlp_endpoint = Some(receiver.traces_url());
    let server = rt.block_on(perfhound_demo::start(demo)).unwrap();
    let scenario = format!(
        "base_url: {}\nvus: 2\niterations: 6\nflow:\n  - {{name: user order history, get: /api/users/7/orders}}\n  - {{name: health check, get: /health}}\n",
        server.base_url()
    );
    let file = dir.path().join("audit.yaml");
    let plan = perfhound_load::scenario::parse_scenario(&file, &scenario, &|_| None).unwrap();
    let cfg = AuditConfig {
        file,
        plan,
        title: None,
        traces: Some(TracesSection {
            listen: "127.0.0.1:0".into(),
            settle: Duration::from_secs(2),
            propagate: true,
            detectors,
        }),
        db: None,
        redis: None,
        budgets: None,
        out_dir: dir.path().join("out"),
        fail_on: None,
        source: Vec::new(),
        store: None,
        profile: None,
    };
    let mut progress = Progress::new(ProgressMode::Quiet);
    let mut status = |_: &str| {};
    let mut hooks = Hooks::new(&mut progress, &mut status);
    hooks.receiver = Some(receiver);
    hooks.after_load = Some(Box::new(|| rt.block_on(server.shutdown()).is_ok()));
    let audit = run(&cfg, hooks, vec!["test".into()]).unwrap();

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
