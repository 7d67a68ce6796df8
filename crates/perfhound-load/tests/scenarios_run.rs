//! Scenario files run end to end against real test servers: captures flowing between
//! steps, CSV data, checks, several scenarios at once, per-name thresholds.

use perfhound_load::engine::{self, EngineOptions, Observer, Tick};
use perfhound_load::scenario::parse_scenario;
use perfhound_load::to_model::to_run;
use perfhound_model::{ErrorKind, Run};
use perfhound_testkit::{ServerConfig, TestServer};
use std::path::Path;

struct Silent;
impl Observer for Silent {
    fn on_tick(&mut self, _: &Tick<'_>) {}
}

/// Parses `yaml` (with `{BASE}` replaced by the server's URL) in `dir` and runs it.
fn check(server: &TestServer, dir: &Path, yaml: &str) -> Run {
    let text = yaml.replace("{BASE}", &server.base_url());
    let path = dir.join("scenario.yaml");
    std::fs::write(&path, &text).unwrap();
    let env = |name: &str| (name == "PH_TEST_CODE").then(|| "204".to_string());
    let plan = parse_scenario(&path, &text, &env).unwrap_or_else(|e| panic!("{e}"));
    let result = engine::run(plan, &EngineOptions::default(), &mut Silent).expect("run starts");
    let run = to_run(&result, vec![]);
    let acc = &run.load.as_ref().unwrap().accounting;
    assert!(acc.is_consistent(), "{acc:?}");
    run
}

fn target<'r>(run: &'r Run, name: &str) -> &'r perfhound_model::Measurements {
    &run.target(name)
        .unwrap_or_else(|| panic!("no target {name}: {:?}", run.targets.iter().map(|t| &t.name).collect::<Vec<_>>()))
        .measurements
}

#[test]
fn captured_token_flows_into_the_next_step() {
    let server = TestServer::start(ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let run = check(
        &server,
        dir.path(),
        r#"
base_url: "{BASE}"
scenarios:
  auth:
    executor: per-vu-iterations
    vus: 3
    iterations: 10
    flow:
      - name: login
        post: /login
        capture: {token: $.token}
        check: {status: 200}
      - name: private
        get: /need-token
        headers: {Authorization: "Bearer {{ token }}"}
        check: {status: 200, json: {"$.ok": true}}
"#,
    );
    let private = target(&run, "private");
    assert_eq!((private.requests, private.ok), (30, 30), "server accepted every captured token");
    assert_eq!(server.stats().path("/need-token"), 30);
    let checks: u64 = private.checks.iter().map(|c| c.passed).sum();
    assert_eq!(checks, 60, "two checks × 30 requests passed");
}

#[test]
fn csv_rows_feed_requests_and_checks_are_counted() {
    let server = TestServer::start(ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("codes.csv"), "code,label\n200,ok\n404,missing\n500,broken\n").unwrap();
    let run = check(
        &server,
        dir.path(),
        r#"
base_url: "{BASE}"
data:
  row: {csv: codes.csv, mode: shared, order: sequential}
scenarios:
  statuses:
    executor: shared-iterations
    vus: 1
    iterations: 30
    flow:
      - name: status
        get: "/status/{{ row.code }}"
        check: {status: 200}
"#,
    );
    let m = target(&run, "status");
    assert_eq!(m.status_codes.get(&200), Some(&10));
    assert_eq!(m.status_codes.get(&404), Some(&10));
    assert_eq!(m.status_codes.get(&500), Some(&10));
    assert_eq!(m.checks[0].passed, 10);
    assert_eq!(m.checks[0].failed, 20);
    assert_eq!(m.errors.get(&ErrorKind::CheckFailed), Some(&20), "an expected-status check decides, not 4xx/5xx");
}

#[test]
fn abort_on_fail_stops_the_iteration_and_env_vars_resolve() {
    let server = TestServer::start(ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let run = check(
        &server,
        dir.path(),
        r#"
base_url: "{BASE}"
scenarios:
  s:
    executor: shared-iterations
    vus: 2
    iterations: 8
    flow:
      - name: first
        get: "/status/{{ env.PH_TEST_CODE }}"
        check: {status: 200}
        abort_on_fail: true
      - name: never
        get: /
"#,
    );
    assert_eq!(target(&run, "first").status_codes.get(&204), Some(&8));
    assert!(run.target("never").is_none(), "the second step never ran");
    let acc = &run.load.as_ref().unwrap().accounting;
    assert_eq!((acc.iterations_aborted, acc.iterations_completed), (8, 0));
}

#[test]
fn several_scenarios_run_concurrently_with_per_name_thresholds() {
    let server = TestServer::start(ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let run = check(
        &server,
        dir.path(),
        r#"
base_url: "{BASE}"
scenarios:
  open:
    executor: constant-arrival-rate
    rate: 50
    duration: 2s
    pre_allocated_vus: 5
    flow:
      - name: slow
        get: /delay/30
  closed:
    executor: ramping-vus
    start_vus: 1
    stages: [{duration: 1s, target: 3}, {duration: 1s, target: 0}]
    flow:
      - name: fast
        get: /
      - think: 10ms
thresholds:
  - "slow: p50 >= 30ms"
  - "slow: p99 < 10s"
  - "fast: p99 < 1ms"
  - "error_rate < 1%"
"#,
    );
    let load = run.load.as_ref().unwrap();
    assert_eq!(load.scenarios.len(), 2);
    assert_eq!(load.scenarios[0].accounting.iterations_scheduled, 100);
    assert_eq!(load.scenarios[0].accounting.iterations_started, 100);
    assert!(load.scenarios[1].accounting.iterations_started > 10);
    assert!(target(&run, "slow").requests == 100 && target(&run, "fast").requests > 10);
    let passed: Vec<(String, bool)> = run.budget_results.iter().map(|b| (b.expression.clone(), b.passed)).collect();
    assert!(passed[0].1 && passed[1].1 && passed[3].1, "{passed:?}");
    // Both ran during the same seconds: the series has requests of both in its first second.
    assert!(load.series[0].requests > 20);
}

#[test]
fn artillery_phases_drive_an_arrival_rate() {
    let server = TestServer::start(ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let run = check(
        &server,
        dir.path(),
        r#"
config:
  target: "{BASE}"
  phases:
    - duration: 1
      arrivalRate: 20
    - duration: 1
      arrivalRate: 20
      rampTo: 40
scenarios:
  - name: browse
    flow:
      - get:
          url: "/json"
"#,
    );
    let acc = &run.load.as_ref().unwrap().accounting;
    assert_eq!(acc.iterations_scheduled, 50, "20 + (20+40)/2");
    assert_eq!(acc.requests_ok, 50);
}
