//! The audit the end-to-end tests run: the demo service (before its fixes, instrumented
//! with the OpenTelemetry SDK, exporting to the audit's receiver) under a small scenario.

use perfhound_audit::config::{AuditConfig, TracesSection};
use perfhound_audit::receiver::Receiver;

use perfhound_audit::{run, Audit, Hooks};
use perfhound_demo::{DemoConfig, Mode};
use perfhound_load::output::{Progress, ProgressMode};
use std::time::Duration;

/// Audits the demo with 2 VUs running `flow` (the scenario's `flow:` entries, one per
/// line) `iterations` times, with trace propagation and the default detectors.
pub fn audit_demo(flow: &str, iterations: u64) -> Audit {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let detectors = perfhound_traces::Config::default();
    let receiver = Receiver::start("127.0.0.1:0", detectors.clone()).unwrap();
    let mut demo = DemoConfig::new(Mode::Before, dir.path().join("demo.sqlite"));
    demo.otlp_endpoint = Some(receiver.traces_url());
    let server = rt.block_on(perfhound_demo::start(demo)).unwrap();
    let scenario = format!("base_url: {}\nvus: 2\niterations: {iterations}\nflow:\n{flow}", server.base_url());
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
    run(&cfg, hooks, vec!["test".into()]).unwrap()
}
