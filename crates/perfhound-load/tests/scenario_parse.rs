//! Scenario YAML → `Plan`: every executor, the k6 and Artillery mappings, flows, and one
//! located error (file:line:column: field: message — hint) per class of mistake.

use perfhound_load::plan::{Body, CaptureSource, CheckKind, DataMode, DataOrder, Executor, Plan, Stage, Step};
use perfhound_load::scenario::{load_scenario, parse_scenario, ScenarioError, EXECUTORS};
use perfhound_load::template::VarRef;
use perfhound_model::{Comparison, Metric};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn env(name: &str) -> Option<String> {
    match name {
        "TOKEN" => Some("s3cret".into()),
        "TARGET" => Some("http://127.0.0.1:9000/".into()),
        _ => None,
    }
}

fn plan(yaml: &str) -> Plan {
    parse_scenario(Path::new("s.yaml"), yaml, &env).unwrap_or_else(|e| panic!("{e}"))
}

fn err(yaml: &str) -> ScenarioError {
    match parse_scenario(Path::new("s.yaml"), yaml, &env) {
        Ok(p) => panic!("expected an error, got a plan with {} scenarios", p.scenarios.len()),
        Err(e) => e,
    }
}

/// The one assertion helper for errors: exact `file:line:column: field:` prefix plus
/// fragments the message must contain.
fn check(yaml: &str, prefix: &str, fragments: &[&str]) {
    let e = err(yaml);
    let shown = e.to_string();
    assert!(shown.starts_with(prefix), "expected prefix `{prefix}`\n     got `{shown}`");
    for f in fragments {
        assert!(shown.contains(f), "expected `{f}` in `{shown}`");
    }
    assert!(shown.contains(" — "), "no hint in `{shown}`");
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn request(plan: &Plan, scenario: usize, step: usize) -> &perfhound_load::plan::RequestStep {
    match &plan.scenarios[scenario].flow[step] {
        Step::Request(r) => r,
        other => panic!("step {step} is {other:?}"),
    }
}

/// Renders a template with no variables set (captures and data render empty).
fn text(t: &perfhound_load::template::Template) -> String {
    struct Empty;
    impl perfhound_load::template::Vars for Empty {
        fn slot(&self, _: usize) -> Option<&str> {
            None
        }
        fn data(&self, _: usize, _: usize) -> Option<&str> {
            None
        }
        fn vu_id(&self) -> u64 {
            7
        }
        fn iteration(&self) -> u64 {
            3
        }
    }
    t.render(&Empty).into_owned()
}

const GET: &str = "flow: [{get: http://127.0.0.1:8080/}]";

fn one(yaml_scenario: &str) -> Executor {
    let doc = format!("scenarios:\n  s:\n{}\n    {GET}\n", yaml_scenario);
    plan(&doc).scenarios.remove(0).executor
}

// ---------------------------------------------------------------- executors

#[test]
fn constant_arrival_rate_with_time_unit_and_default_vus() {
    let ex = one("    executor: constant-arrival-rate\n    rate: 120\n    time_unit: 1m\n    duration: 30s");
    assert_eq!(ex, Executor::ConstantArrivalRate { rate: 2.0, duration: secs(30), pre_allocated_vus: 2, max_vus: 100 });
    let ex = one("    rate: 500\n    duration: 1m\n    pre_allocated_vus: 50");
    assert_eq!(
        ex,
        Executor::ConstantArrivalRate { rate: 500.0, duration: secs(60), pre_allocated_vus: 50, max_vus: 50 }
    );
}

#[test]
fn ramping_arrival_rate() {
    let ex = one("    executor: ramping-arrival-rate\n    start_rate: 10\n    stages: [{duration: 30s, target: 50}, {duration: 1m, target: 200}]\n    max_vus: 400");
    assert_eq!(
        ex,
        Executor::RampingArrivalRate {
            start_rate: 10.0,
            stages: vec![Stage { duration: secs(30), target: 50.0 }, Stage { duration: secs(60), target: 200.0 }],
            pre_allocated_vus: 200,
            max_vus: 400,
        }
    );
}

#[test]
fn constant_vus_explicit_and_inferred() {
    let explicit = one("    executor: constant-vus\n    vus: 10\n    duration: 45m");
    assert_eq!(explicit, Executor::ConstantVus { vus: 10, duration: secs(2700) });
    let doc = format!("scenarios:\n  s:\n    vus: 10\n    duration: 45m\n    {GET}\n");
    assert_eq!(plan(&doc).scenarios[0].executor, explicit);
}

#[test]
fn ramping_vus() {
    let ex = one("    executor: ramping-vus\n    start_vus: 0\n    stages: [{duration: 10s, target: 20}, {duration: 0s, target: 5}, {duration: 5s, target: 0}]");
    let Executor::RampingVus { start_vus, stages } = ex else { panic!("{ex:?}") };
    assert_eq!(start_vus, 0);
    assert_eq!(stages.len(), 3);
    assert_eq!(stages[1], Stage { duration: Duration::ZERO, target: 5.0 });
}

#[test]
fn iteration_executors_get_a_default_max_duration() {
    let ex = one("    executor: per-vu-iterations\n    vus: 4\n    iterations: 25");
    assert_eq!(ex, Executor::PerVuIterations { vus: 4, iterations: 25, max_duration: secs(600) });
    let ex = one("    vus: 4\n    iterations: 100\n    max_duration: 2m");
    assert_eq!(ex, Executor::SharedIterations { vus: 4, iterations: 100, max_duration: secs(120) });
    // The default never exceeds the hard cap.
    let doc = format!("hard_cap: 5m\nscenarios:\n  s:\n    iterations: 3\n    {GET}\n");
    assert_eq!(
        plan(&doc).scenarios[0].executor,
        Executor::SharedIterations { vus: 1, iterations: 3, max_duration: secs(300) }
    );
}

#[test]
fn executor_names_are_normalized_and_timing_defaults_apply() {
    let doc = format!("scenarios:\n  s:\n    executor: Constant_VUs\n    vus: 1\n    duration: 2s\n    {GET}\n");
    let p = plan(&doc);
    assert_eq!(p.scenarios[0].executor.kind().as_str(), "constant-vus");
    assert_eq!((p.scenarios[0].start_time, p.scenarios[0].graceful_stop), (Duration::ZERO, secs(30)));
    assert_eq!(p.hard_cap, perfhound_load::plan::HARD_CAP_DEFAULT);
    let doc = format!(
        "scenarios:\n  s:\n    vus: 1\n    duration: 2s\n    start_time: 1m\n    graceful_stop: 500ms\n    {GET}\n"
    );
    let p = plan(&doc);
    assert_eq!((p.scenarios[0].start_time, p.scenarios[0].graceful_stop), (secs(60), Duration::from_millis(500)));
}

// ---------------------------------------------------------------- k6 mapping

#[test]
fn k6_top_level_vus_and_duration() {
    let p = plan(&format!("vus: 10\nduration: 30s\n{GET}\n"));
    assert_eq!(p.scenarios.len(), 1);
    assert_eq!(p.scenarios[0].name, "default");
    assert_eq!(p.scenarios[0].executor, Executor::ConstantVus { vus: 10, duration: secs(30) });
}

#[test]
fn k6_top_level_stages_start_at_vus() {
    let p =
        plan(&format!("vus: 5\nstages:\n  - {{duration: 30s, target: 50}}\n  - {{duration: 10s, target: 0}}\n{GET}\n"));
    let Executor::RampingVus { start_vus, stages } = &p.scenarios[0].executor else { panic!() };
    assert_eq!((*start_vus, stages.len()), (5, 2));
}

#[test]
fn k6_top_level_iterations_use_duration_as_max() {
    let p = plan(&format!("vus: 2\niterations: 10\nduration: 1m\n{GET}\n"));
    assert_eq!(p.scenarios[0].executor, Executor::SharedIterations { vus: 2, iterations: 10, max_duration: secs(60) });
}

#[test]
fn k6_camel_case_scenario_keys() {
    let doc = "scenarios:
  open:
    executor: ramping-arrival-rate
    startRate: 60
    timeUnit: 1m
    preAllocatedVUs: 5
    maxVUs: 20
    startTime: 10s
    gracefulStop: 5s
    stages: [{duration: 1m, target: 120}]
  closed:
    executor: ramping-vus
    startVUs: 3
    stages: [{duration: 1m, target: 6}]
  its:
    executor: per-vu-iterations
    vus: 2
    iterations: 3
    maxDuration: 90s
flow:
  - get: http://127.0.0.1:8080/
";
    let p = plan(doc);
    assert_eq!(
        p.scenarios[0].executor,
        Executor::RampingArrivalRate {
            start_rate: 1.0,
            stages: vec![Stage { duration: secs(60), target: 2.0 }],
            pre_allocated_vus: 5,
            max_vus: 20
        }
    );
    assert_eq!((p.scenarios[0].start_time, p.scenarios[0].graceful_stop), (secs(10), secs(5)));
    assert!(matches!(p.scenarios[1].executor, Executor::RampingVus { start_vus: 3, .. }));
    assert_eq!(p.scenarios[2].executor, Executor::PerVuIterations { vus: 2, iterations: 3, max_duration: secs(90) });
    // The top-level flow is every scenario's default flow.
    assert!(p.scenarios.iter().all(|s| s.flow.len() == 1));
    assert_eq!(p.names, ["GET /"]);
}

#[test]
fn k6_threshold_map() {
    let doc = r#"vus: 1
duration: 1s
flow:
  - {name: products, get: http://127.0.0.1/p}
thresholds:
  http_req_duration: ["p(95)<500", "p(99.9)<2000"]
  "http_req_duration{name:products}": ["avg<200"]
  http_req_failed: ["rate<0.01"]
  http_reqs: ["count>100", "rate>10"]
  checks: ["rate>0.99"]
  products: ["p99 < 800ms"]
"#;
    let t = plan(doc).thresholds;
    let got: Vec<(Option<&str>, Metric, Comparison, f64)> =
        t.iter().map(|t| (t.name.as_deref(), t.threshold.metric, t.threshold.comparison, t.threshold.limit)).collect();
    assert_eq!(
        got,
        [
            (None, Metric::P95, Comparison::Lt, 500_000.0),
            (None, Metric::P999, Comparison::Lt, 2_000_000.0),
            (Some("products"), Metric::Mean, Comparison::Lt, 200_000.0),
            (None, Metric::ErrorRate, Comparison::Lt, 0.01),
            (None, Metric::Requests, Comparison::Gt, 100.0),
            (None, Metric::Rps, Comparison::Gt, 10.0),
            (None, Metric::CheckFailRate, Comparison::Lt, 0.01),
            (Some("products"), Metric::P99, Comparison::Lt, 800_000.0),
        ]
    );
}

// ---------------------------------------------------------------- Artillery mapping

const ARTILLERY_FLOW: &str = "scenarios:\n  - flow:\n      - get: {url: /x}\n";

#[test]
fn artillery_single_phase_is_constant_arrival_rate() {
    let doc = format!(
        "config:\n  target: http://127.0.0.1:3000\n  phases: [{{duration: 60, arrivalRate: 10}}]\n{ARTILLERY_FLOW}"
    );
    let p = plan(&doc);
    assert_eq!(p.scenarios[0].name, "scenario-1");
    assert_eq!(
        p.scenarios[0].executor,
        Executor::ConstantArrivalRate { rate: 10.0, duration: secs(60), pre_allocated_vus: 10, max_vus: 100 }
    );
    assert_eq!(text(&request(&p, 0, 0).url), "http://127.0.0.1:3000/x");
}

#[test]
fn artillery_phases_ramp_jump_pause_and_count() {
    let doc = format!(
        "config:\n  target: http://127.0.0.1:3000\n  phases:\n    - {{duration: 10, arrivalRate: 1, rampTo: 5}}\n    - {{duration: 1m, arrivalRate: 20, maxVusers: 300}}\n    - {{pause: 5}}\n    - {{duration: 10, arrivalCount: 50}}\n{ARTILLERY_FLOW}"
    );
    let Executor::RampingArrivalRate { start_rate, stages, max_vus, .. } = plan(&doc).scenarios.remove(0).executor
    else {
        panic!()
    };
    assert_eq!((start_rate, max_vus), (1.0, 300));
    let got: Vec<(u64, f64)> = stages.iter().map(|s| (s.duration.as_secs(), s.target)).collect();
    assert_eq!(got, [(10, 5.0), (0, 20.0), (60, 20.0), (0, 0.0), (5, 0.0), (0, 5.0), (10, 5.0)]);
}

#[test]
fn artillery_weights_split_the_rate() {
    let doc = "config:
  target: http://127.0.0.1:3000
  phases: [{duration: 60, arrivalRate: 100}]
scenarios:
  - name: browse
    weight: 3
    flow: [{get: {url: /a}}]
  - name: buy
    weight: 1
    flow: [{post: {url: /b, json: {x: 1}}}]
  - name: never
    weight: 0
    flow: [{get: {url: /c}}]
";
    let p = plan(doc);
    let rates: Vec<(&str, f64)> = p
        .scenarios
        .iter()
        .map(|s| match s.executor {
            Executor::ConstantArrivalRate { rate, .. } => (s.name.as_str(), rate),
            ref other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(rates, [("browse", 75.0), ("buy", 25.0)]);
}

#[test]
fn artillery_requests_captures_expect_defaults_and_ensure() {
    let doc = "config:
  target: http://127.0.0.1:3000
  phases: [{duration: 10, arrivalRate: 1}]
  http: {timeout: 7}
  tls: {rejectUnauthorized: false}
  defaults: {headers: {User-Agent: ph, X-Env: test}}
  ensure: {p95: 250, maxErrorRate: 1, thresholds: [{http.response_time.p99: 900}]}
scenarios:
  - flow:
      - post:
          url: /login
          json: {user: bob}
          headers: {X-Env: prod}
          capture:
            - {json: $.token, as: token}
            - {header: location, as: next}
          expect: [{statusCode: 200}, {contentType: json}, {hasProperty: token}, {hasHeader: etag}]
      - think: 2
      - get:
          url: /me
          qs: {t: '{{ token }}'}
";
    let p = plan(doc);
    assert_eq!(p.http.request_timeout, secs(7));
    assert!(p.http.insecure);
    let login = request(&p, 0, 0);
    let headers: Vec<(String, String)> = login.headers.iter().map(|(n, v)| (n.to_string(), text(v))).collect();
    assert_eq!(headers, [("user-agent".to_string(), "ph".to_string()), ("x-env".into(), "prod".into())]);
    assert_eq!(
        login.captures.iter().map(|c| (c.var.as_str(), c.slot)).collect::<Vec<_>>(),
        [("token", 0), ("next", 1)]
    );
    let names: Vec<&str> = login.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["status is 200", "header content-type contains \"json\"", "json token exists", "header etag exists"]
    );
    assert!(matches!(p.scenarios[0].flow[1], Step::Think { min, max } if min == secs(2) && max == secs(2)));
    assert_eq!(request(&p, 0, 2).query[0].1.vars().collect::<Vec<_>>(), [VarRef::Slot(0)]);
    let t: Vec<&str> = p.thresholds.iter().map(|t| t.expression.as_str()).collect();
    assert_eq!(t, ["p95 <= 250ms", "error_rate <= 1%", "p99 <= 900ms"]);
}

// ---------------------------------------------------------------- flows

#[test]
fn names_captures_variables_and_bodies() {
    let doc = "base_url: '{{ env.TARGET }}'
scenarios:
  s:
    vus: 1
    duration: 1s
    flow:
      - name: login
        post: /api/login
        json: {token: '{{ env.TOKEN }}', vu: '{{ vu }}', n: 3}
        capture: {token: $.token}
      - get: /users/{{ id }}?page=1
        headers: {Authorization: 'Bearer {{ token }}'}
        query: {q: x, tag: [a, b]}
        capture: [{regex: 'id=(\\d+)', as: id}]
      - put: /users/{{ __VU }}/{{ iteration }}
        form: {a: '{{ timestamp }}', b: 1}
      - method: PATCH
        url: http://127.0.0.1:8080/raw
        body: 'n={{ random }}'
        content_type: text/plain
      - name: login
        delete: /api/login
      - think: {min: 100ms, max: 1s}
";
    let p = plan(doc);
    assert_eq!(p.names, ["login", "GET /users/{id}", "PUT /users/{__VU}/{iteration}", "PATCH /raw"]);
    assert_eq!(p.scenarios[0].capture_slots, 2);
    let login = request(&p, 0, 0);
    assert_eq!(text(&login.url), "http://127.0.0.1:9000/api/login");
    let Body::Json(json) = &login.body else { panic!("{:?}", login.body) };
    struct V;
    impl perfhound_load::template::Vars for V {
        fn slot(&self, _: usize) -> Option<&str> {
            None
        }
        fn data(&self, _: usize, _: usize) -> Option<&str> {
            None
        }
        fn vu_id(&self) -> u64 {
            4
        }
        fn iteration(&self) -> u64 {
            0
        }
    }
    assert_eq!(json.render(&V), serde_json::json!({"token": "s3cret", "vu": "4", "n": 3}));
    let list = request(&p, 0, 1);
    assert_eq!(list.url.vars().collect::<Vec<_>>(), [VarRef::Slot(1)]);
    assert_eq!(list.headers[0].1.vars().collect::<Vec<_>>(), [VarRef::Slot(0)]);
    let q: Vec<(String, String)> = list.query.iter().map(|(k, v)| (text(k), text(v))).collect();
    assert_eq!(q, [("q".to_string(), "x".to_string()), ("tag".into(), "a".into()), ("tag".into(), "b".into())]);
    assert!(matches!(&list.captures[0].source, CaptureSource::Regex { group: 1, .. }));
    let put = request(&p, 0, 2);
    assert_eq!(put.url.vars().collect::<Vec<_>>(), [VarRef::VuId, VarRef::Iteration]);
    let Body::Form(fields) = &put.body else { panic!() };
    assert_eq!(fields[0].1.vars().collect::<Vec<_>>(), [VarRef::TimestampMs]);
    let raw = request(&p, 0, 3);
    assert!(
        matches!(&raw.body, Body::Raw { content_type: Some(ct), content } if ct == "text/plain" && content.vars().eq([VarRef::RandomInt]))
    );
    assert_eq!(request(&p, 0, 4).name_id, 0, "same name, same id");
    assert!(
        matches!(p.scenarios[0].flow[5], Step::Think { min, max } if min == Duration::from_millis(100) && max == secs(1))
    );
}

#[test]
fn checks_of_every_kind() {
    let doc = "vus: 1
duration: 1s
flow:
  - get: http://127.0.0.1/
    abort_on_fail: true
    check:
      status: [200, 2xx]
      latency: '< 200ms'
      body_contains: ok
      header: {content-type: json, etag: ~, x-a: {equals: b}}
      json: {'$.ok': true, '$.items[0].id': ~}
";
    let p = plan(doc);
    let r = request(&p, 0, 0);
    assert!(r.abort_on_fail);
    let names: Vec<&str> = r.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "status in [200, 2xx]",
            "latency < 200ms",
            "body contains \"ok\"",
            "header content-type contains \"json\"",
            "header etag exists",
            "header x-a == \"b\"",
            "json $.ok == true",
            "json $.items[0].id exists",
        ]
    );
    let CheckKind::Status(codes) = &r.checks[0].kind else { panic!() };
    assert_eq!(codes.len(), 101);
    assert!(matches!(r.checks[1].kind, CheckKind::LatencyBelow(d) if d == Duration::from_millis(200)));
}

#[test]
fn captures_in_long_form() {
    let doc = "vus: 1
duration: 1s
flow:
  - get: http://127.0.0.1/
    capture:
      - {json: '$.data[0].id', as: id}
      - {header: Location, as: loc}
      - {regexp: 'a(b)(c)', as: c, group: 2}
  - get: '{{ loc }}'
";
    let p = plan(doc);
    let caps = &request(&p, 0, 0).captures;
    assert!(matches!(&caps[0].source, CaptureSource::JsonPath(p) if p.to_string() == "$.data[0].id"));
    assert!(matches!(&caps[1].source, CaptureSource::Header(h) if h == "location"));
    assert!(matches!(&caps[2].source, CaptureSource::Regex { group: 2, .. }));
    // A URL that starts with a captured value is used as is.
    assert_eq!(request(&p, 0, 1).url.vars().collect::<Vec<_>>(), [VarRef::Slot(1)]);
}

#[test]
fn http_options_and_hard_cap() {
    let doc = format!("http: {{http2: true, insecure: true, connect_timeout: 2s, timeout: 500ms, max_redirects: 0}}\nhard_cap: 10m\nvus: 1\nduration: 1s\n{GET}\n");
    let p = plan(&doc);
    assert!(p.http.http2 && p.http.insecure && !p.http.allow_remote);
    assert_eq!(
        (p.http.connect_timeout, p.http.request_timeout, p.http.max_redirects),
        (secs(2), Duration::from_millis(500), 0)
    );
    assert_eq!(p.hard_cap, secs(600));
}

// ---------------------------------------------------------------- data files

fn with_files(files: &[(&str, &str)], scenario: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    let path = dir.path().join("scenario.yaml");
    std::fs::write(&path, scenario).unwrap();
    (dir, path)
}

const DATA_FLOW: &str = "vus: 2
duration: 1s
data:
  user: {csv: users.csv, mode: shared, order: random}
flow:
  - post: http://127.0.0.1/login
    form: {name: '{{ user.name }}', pass: '{{ user.pass }}'}
";

#[test]
fn csv_data_bindings() {
    let (_dir, path) = with_files(&[("users.csv", "name,pass\nalice,a1\nbob,b2\n")], DATA_FLOW);
    let p = load_scenario(&path, &env).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.data.len(), 1);
    assert_eq!(p.data[0].columns, ["name", "pass"]);
    let b = &p.scenarios[0].data[0];
    assert_eq!((b.var.as_str(), b.source, b.mode, b.order), ("user", 0, DataMode::Shared, DataOrder::Random));
    let Body::Form(fields) = &request(&p, 0, 0).body else { panic!() };
    assert_eq!(fields[1].1.vars().collect::<Vec<_>>(), [VarRef::Data { binding: 0, column: 1 }]);
}

#[test]
fn scenario_data_overrides_file_data_and_files_load_once() {
    let doc = "data:
  user: {csv: a.csv}
scenarios:
  one:
    vus: 1
    duration: 1s
    flow: [{get: 'http://127.0.0.1/{{ user.x }}'}]
  two:
    vus: 1
    duration: 1s
    data: {user: {csv: b.csv, mode: per-vu, order: sequential}, more: {csv: a.csv}}
    flow: [{get: 'http://127.0.0.1/{{ user.y }}/{{ more.x }}'}]
";
    let (_dir, path) = with_files(&[("a.csv", "x\n1\n"), ("b.csv", "y\n2\n")], doc);
    let p = load_scenario(&path, &env).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.data.len(), 2, "a.csv is loaded once");
    let two = &p.scenarios[1].data;
    assert_eq!(two.iter().map(|b| (b.var.as_str(), b.source)).collect::<Vec<_>>(), [("user", 1), ("more", 0)]);
    assert_eq!((two[0].mode, two[0].order), (DataMode::PerVu, DataOrder::Sequential));
}

#[test]
fn csv_errors_name_the_file_line_and_column() {
    let (_dir, path) = with_files(&[("users.csv", "name,pass\nalice,a1\nbob\n")], DATA_FLOW);
    let e = load_scenario(&path, &env).unwrap_err();
    assert!(e.path.ends_with("users.csv"), "{e}");
    assert_eq!((e.line, e.field.as_str()), (3, "data.user"), "{e}");
    assert!(e.message.contains("row has 1 fields") && e.message.contains("scenario.yaml:4:15"), "{e}");

    let (_dir, path) = with_files(&[("users.csv", "name,password\nalice,a1\n")], DATA_FLOW);
    let e = load_scenario(&path, &env).unwrap_err();
    assert!(e.path.ends_with("scenario.yaml"));
    assert_eq!((e.line, e.column, e.field.as_str()), (7, 44, "flow[0].form.pass"), "{e}");
    assert!(e.message.contains("has no column `pass`") && e.message.contains("name, password"), "{e}");

    let (_dir, path) = with_files(&[], DATA_FLOW);
    let e = load_scenario(&path, &env).unwrap_err();
    assert_eq!((e.line, e.column, e.field.as_str()), (4, 15, "data.user.csv"), "{e}");
    assert!(e.message.contains("cannot read data file `users.csv`"), "{e}");
}

// ---------------------------------------------------------------- errors

#[test]
fn yaml_syntax_error() {
    check("scenarios:\n  a:\n    vus: 1\n   bad: [\n", "s.yaml:4:4: ", &["YAML syntax error"]);
    check("scenarios:\n  a: [\n", "s.yaml:2:6: scenarios.a: ", &["expected a mapping"]);
}

#[test]
fn unknown_fields_suggest_the_right_one() {
    check(
        "scenarios:\n  a:\n    vus: 2\n    duraton: 30s\n",
        "s.yaml:4:5: scenarios.a.duraton: ",
        &["unknown field `duraton`", "did you mean `duration`?"],
    );
    check(
        "vus: 1\nduration: 1s\nflow:\n  - get: /x\n    check: {stauts: 200}\n",
        "s.yaml:5:13: flow[0].check.stauts: ",
        &["did you mean `status`?"],
    );
    check("scenarios:\n  a:\n    exec: main\n", "s.yaml:3:5: scenarios.a.exec: ", &["JavaScript", "flow"]);
}

#[test]
fn type_errors() {
    check("scenarios:\n  a:\n    vus: two\n", "s.yaml:3:10: scenarios.a.vus: ", &["`two` is not a whole number"]);
    check("stages:\n  - {duration: 10s}\n", "s.yaml:2:6: stages[0]: ", &["missing field `target`"]);
    check(
        "scenarios:\n  a:\n    vus: 1\n    flow: {get: /}\n",
        "s.yaml:4:11: scenarios.a.flow: ",
        &["expected a list"],
    );
    check("vus: 1\nvus: 2\n", "s.yaml:2:1: vus: ", &["duplicate key `vus`"]);
}

#[test]
fn executor_errors() {
    check(
        &format!("scenarios:\n  a:\n    executor: warp\n    {GET}\n"),
        "s.yaml:3:15: scenarios.a.executor: ",
        &["unknown executor `warp`", "constant-vus"],
    );
    check(
        &format!("scenarios:\n  a:\n    vus: 3\n    {GET}\n"),
        "s.yaml:3:5: scenarios.a: ",
        &["unbounded", "duration"],
    );
    check(
        &format!("scenarios:\n  a:\n    executor: constant-vus\n    vus: 2\n    {GET}\n"),
        "s.yaml:3:5: scenarios.a.duration: ",
        &["missing `duration`"],
    );
    check(
        &format!(
            "scenarios:\n  a:\n    executor: constant-vus\n    vus: 1\n    duration: 1s\n    rate: 5\n    {GET}\n"
        ),
        "s.yaml:6:11: scenarios.a.rate: ",
        &["does not apply to executor constant-vus", "constant-arrival-rate"],
    );
    check(
        &format!("scenarios:\n  a:\n    executor: shared-iterations\n    {GET}\n"),
        "s.yaml:3:5: scenarios.a.iterations: ",
        &["needs `iterations`"],
    );
    check(
        &format!("scenarios:\n  a:\n    vus: 5\n    iterations: 2\n    {GET}\n"),
        "s.yaml:3:10: scenarios.a.vus: ",
        &["5 VUs would share only 2 iterations"],
    );
}

#[test]
fn limits() {
    check(&format!("vus: 100001\nduration: 1s\n{GET}\n"), "s.yaml:1:6: vus: ", &["out of range", "100000"]);
    check(
        &format!("scenarios:\n  a: {{rate: 0, duration: 1s, {GET}}}\n"),
        "s.yaml:2:13: scenarios.a.rate: ",
        &["rate `0` is out of range"],
    );
    check(&format!("vus: 1\nduration: 0s\n{GET}\n"), "s.yaml:2:11: duration: ", &["longer than 0"]);
    check(&format!("vus: 1\nduration: 30\n{GET}\n"), "s.yaml:2:11: duration: ", &["`30` has no unit", "30s"]);
    check(&format!("vus: 1\nduration: 2h\n{GET}\n"), "s.yaml:2:11: duration: ", &["until 2h but hard_cap is 1h"]);
    check(&format!("hard_cap: 2d\nvus: 1\nduration: 1s\n{GET}\n"), "s.yaml:1:11: hard_cap: ", &["over 24h"]);
    check(
        &format!("scenarios:\n  a:\n    executor: ramping-arrival-rate\n    stages: [{{duration: 1m, target: 0}}]\n    {GET}\n"),
        "s.yaml:4:13: scenarios.a.stages: ",
        &["every rate is 0"],
    );
}

#[test]
fn template_errors_point_into_the_string() {
    let flow =
        "base_url: http://127.0.0.1:8080\nvus: 1\nduration: 1s\nflow:\n  - get: /a\n    capture: {token: $.token}\n";
    check(
        &format!("{flow}  - get: /b/{{{{ tokn }}}}\n"),
        "s.yaml:7:13: flow[1].get: ",
        &["unknown variable `tokn`", "did you mean `token`?", "known variables: token"],
    );
    check(
        &format!("{flow}  - get: /b?x={{{{ env.NOPE }}}}\n"),
        "s.yaml:7:15: flow[1].get: ",
        &["environment variable `NOPE` is not set"],
    );
    check(
        &format!("{flow}  - post: /c\n    json: {{a: [1, {{b: \"{{{{ nope }}}}\"}}]}}\n"),
        "s.yaml:8:24: flow[1].json.a[1].b: ",
        &["unknown variable `nope`"],
    );
    check(&format!("{flow}  - get: \"/d/{{{{ x\"\n"), "s.yaml:7:14: flow[1].get: ", &["without a closing"]);
}

#[test]
fn capture_and_check_errors() {
    let head = "vus: 1\nduration: 1s\nflow:\n  - get: http://127.0.0.1/\n";
    check(
        &format!("{head}    capture: {{t: \"$..x\"}}\n"),
        "s.yaml:5:18: flow[0].capture.t: ",
        &["bad JSONPath", "recursive descent"],
    );
    check(
        &format!("{head}    capture: [{{regex: \"(\", as: x}}]\n"),
        "s.yaml:5:23: flow[0].capture[0].regex: ",
        &["invalid regex"],
    );
    check(
        &format!("{head}    capture: [{{regex: \"a(b)\", as: x, group: 2}}]\n"),
        "s.yaml:5:45: flow[0].capture[0].group: ",
        &["only 1 group"],
    );
    check(
        &format!("{head}    capture: [{{header: Location, as: vu}}]\n"),
        "s.yaml:5:38: flow[0].capture[0].as: ",
        &["`vu` cannot be a capture variable name"],
    );
    check(
        &format!("{head}    check: {{status: 700}}\n"),
        "s.yaml:5:21: flow[0].check.status: ",
        &["`700` is not an HTTP status"],
    );
    check(
        &format!("{head}    check: {{latency: \"200\"}}\n"),
        "s.yaml:5:22: flow[0].check.latency: ",
        &["bad latency limit"],
    );
    check(
        &format!("{head}    check: {{json: {{\"$.a[?(@.x)]\": 1}}}}\n"),
        "s.yaml:5:20: flow[0].check.json[\"$.a[?(@.x)]\"]: ",
        &["filter expressions"],
    );
    check(&format!("{head}    abort_on_fail: true\n"), "s.yaml:5:20: flow[0].abort_on_fail: ", &["without any check"]);
}

#[test]
fn step_errors() {
    let head = "base_url: http://127.0.0.1:1\nvus: 1\nduration: 1s\nflow:\n";
    check(&format!("{head}  - {{get: /a, post: /b}}\n"), "s.yaml:5:21: flow[0].post: ", &["also has `post`"]);
    check(&format!("{head}  - name: x\n"), "s.yaml:5:5: flow[0]: ", &["no request"]);
    check(
        &format!("{head}  - {{get: /a, think: 1s}}\n"),
        "s.yaml:5:22: flow[0].think: ",
        &["either a request or a `think`"],
    );
    check(&format!("{head}  - think: 1s\n"), "s.yaml:5:3: flow: ", &["only think steps"]);
    check(
        &format!("{head}  - get: /a\n    json: {{a: 1}}\n    form: {{b: 2}}\n"),
        "s.yaml:7:11: flow[0].form: ",
        &["one body"],
    );
    check(
        &format!("{head}  - get: /a\n    headers: {{\"bad header\": x}}\n"),
        "s.yaml:6:15: flow[0].headers[\"bad header\"]: ",
        &["not a valid header name"],
    );
    check(&format!("{head}  - get: ftp://x/\n"), "s.yaml:5:10: flow[0].get: ", &["unsupported URL scheme `ftp`"]);
    check(
        &format!("{head}  - think: {{min: 2s, max: 1s}}\n  - get: /\n"),
        "s.yaml:5:27: flow[0].think.max: ",
        &["shorter than `min`"],
    );
    check(
        &format!("{head}  - get: {{url: /a, headers: {{a: b}}}}\n    headers: {{c: d}}\n"),
        "s.yaml:5:29: flow[0].get.headers: ",
        &["both next to the method and inside it"],
    );
    check(
        "vus: 1\nduration: 1s\nflow:\n  - get: /x\n",
        "s.yaml:4:10: flow[0].get: ",
        &["relative URL `/x` but no base URL"],
    );
    check(
        &format!("base_url: ftp://x\nvus: 1\nduration: 1s\n{GET}\n"),
        "s.yaml:1:11: base_url: ",
        &["not an http:// or https:// URL"],
    );
}

#[test]
fn threshold_list_forms() {
    let doc = r#"vus: 1
duration: 1s
flow:
  - {name: "GET /api: x", get: "http://127.0.0.1/?t={{ __ENV.TOKEN }}"}
  - {name: products, get: "http://127.0.0.1/p"}
thresholds:
  - p95 < 300ms
  - "GET /api: x: p99 < 1s"
  - products: p99.9 < 2s
  - {"GET /api: x": [max < 3s, requests > 10]}
"#;
    let p = plan(doc);
    assert_eq!(text(&request(&p, 0, 0).url), "http://127.0.0.1/?t=s3cret");
    let got: Vec<(&str, Option<&str>)> =
        p.thresholds.iter().map(|t| (t.expression.as_str(), t.name.as_deref())).collect();
    assert_eq!(
        got,
        [
            ("p95 < 300ms", None),
            ("GET /api: x: p99 < 1s", Some("GET /api: x")),
            ("products: p99.9 < 2s", Some("products")),
            ("GET /api: x: max < 3s", Some("GET /api: x")),
            ("GET /api: x: requests > 10", Some("GET /api: x")),
        ]
    );
}

#[test]
fn threshold_errors() {
    let head = "vus: 1\nduration: 1s\nflow:\n  - {name: products, get: http://127.0.0.1/}\nthresholds:\n";
    check(&format!("{head}  - p95 < 300 parsecs\n"), "s.yaml:6:5: thresholds[0]: ", &["bad threshold", "parsecs"]);
    check(
        &format!("{head}  - prodcts: p99 < 800ms\n"),
        "s.yaml:6:5: thresholds[0]: ",
        &["no request is named `prodcts`", "did you mean `products`?"],
    );
    check(&format!("{head}  - \"GET /x: p99 < 1s\"\n"), "s.yaml:6:5: thresholds[0]: ", &["request names: products"]);
    check(
        &format!("{head}  iteration_duration: [\"p(95)<1s\"]\n"),
        "s.yaml:6:3: thresholds.iteration_duration: ",
        &["unknown threshold key"],
    );
}

#[test]
fn scenario_list_and_dialect_errors() {
    let s = "vus: 1\n    duration: 1s\n    flow: [{get: http://127.0.0.1/}]";
    check(
        &format!("scenarios:\n  - name: x\n    {s}\n  - name: x\n    {s}\n"),
        "s.yaml:6:11: scenarios[1].name: ",
        &["duplicate scenario name `x`"],
    );
    check(&format!("scenarios:\n  a:\n    weight: 2\n    {s}\n"), "s.yaml:3:13: scenarios.a.weight: ", &["Artillery"]);
    check(&format!("vus: 2\nscenarios:\n  a:\n    {s}\n"), "s.yaml:1:6: vus: ", &["ignored when `scenarios` is set"]);
    check("# nothing\n", "s.yaml:1:1: scenarios: ", &["no scenarios"]);
    check("flow: [{get: http://127.0.0.1/}]\n", "s.yaml:1:7: flow: ", &["no load settings", "vus"]);
    check(
        "data: {vu: {csv: x.csv}}\nvus: 1\nduration: 1s\nflow: [{get: http://127.0.0.1/}]\n",
        "s.yaml:1:8: data.vu: ",
        &["builtin variable name"],
    );
}

#[test]
fn artillery_errors() {
    let cfg = "config:\n  target: http://127.0.0.1:1\n";
    check(
        &format!("{cfg}  phases: [{{duration: 10, rampTo: 5}}]\n{ARTILLERY_FLOW}"),
        "s.yaml:3:35: config.phases[0].rampTo: ",
        &["without `arrivalRate`"],
    );
    check(&format!("{cfg}  phases: []\n{ARTILLERY_FLOW}"), "s.yaml:3:11: config.phases: ", &["empty"]);
    check(
        &format!("{cfg}  phases: [{{arrivalRate: 5}}]\n{ARTILLERY_FLOW}"),
        "s.yaml:3:12: config.phases[0].duration: ",
        &["without `duration`"],
    );
    check(
        &format!("{cfg}  phases: [{{duration: 10, arrivalRate: 5}}]\nscenarios: [{{vus: 3, flow: [{{get: /}}]}}]\n"),
        "s.yaml:4:19: scenarios[0].vus: ",
        &["load comes from `config.phases`"],
    );
    check(
        &format!("{cfg}  phases: [{{duration: 10, arrivalRate: 5}}]\n  payload: {{path: u.csv}}\n{ARTILLERY_FLOW}"),
        "s.yaml:4:3: config.payload: ",
        &["declare CSV files under top-level `data:`"],
    );
    check(
        &format!("{cfg}  phases: [{{duration: 2h, arrivalRate: 5}}]\n{ARTILLERY_FLOW}"),
        "s.yaml:3:11: config.phases: ",
        &["hard_cap"],
    );
}

#[test]
fn missing_scenario_file() {
    let e = load_scenario(Path::new("/nonexistent/perfhound.yaml"), &env).unwrap_err();
    assert_eq!((e.line, e.column), (1, 1));
    assert!(
        e.to_string().starts_with("/nonexistent/perfhound.yaml:1:1: top level: cannot read the scenario file"),
        "{e}"
    );
}

// ---------------------------------------------------------------- robustness

#[test]
fn mutated_inputs_never_panic() {
    let text = std::fs::read_to_string(examples().join("scenario.yaml")).unwrap();
    let bytes = text.as_bytes();
    let inserts: &[&str] = &["\n", ":", "- ", "{", "]", "\"", "{{", "&a ", "*a", "\t", "0"];
    let mut outcomes = (0, 0);
    for i in (0..bytes.len()).step_by(7) {
        for ins in inserts {
            let mut mutated = bytes[..i].to_vec();
            mutated.extend_from_slice(ins.as_bytes());
            mutated.extend_from_slice(&bytes[i..]);
            let Ok(doc) = String::from_utf8(mutated) else { continue };
            match parse_scenario(&examples().join("scenario.yaml"), &doc, &env) {
                Ok(_) => outcomes.0 += 1,
                Err(e) => {
                    assert!(e.line >= 1 && e.column >= 1 && !e.field.is_empty(), "{e}");
                    outcomes.1 += 1;
                }
            }
        }
        let truncated = String::from_utf8_lossy(&bytes[..i]);
        let _ = parse_scenario(Path::new("t.yaml"), &truncated, &env);
    }
    assert!(outcomes.0 > 0 && outcomes.1 > 0, "{outcomes:?}");
}

// ---------------------------------------------------------------- examples and schema

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

#[test]
fn examples_parse() {
    let p = load_scenario(&examples().join("scenario.yaml"), &env).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.scenarios.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["shoppers", "health"]);
    assert_eq!(p.names, ["login", "products", "GET /api/products/{product_id}", "GET /healthz"]);
    assert_eq!(p.scenarios[0].capture_slots, 2);
    assert_eq!(p.data[0].rows.len(), 4);
    assert_eq!(p.thresholds.len(), 5);

    let k6 = load_scenario(&examples().join("k6-style.yaml"), &env).unwrap_or_else(|e| panic!("{e}"));
    let kinds: Vec<&str> = k6.scenarios.iter().map(|s| s.executor.kind().as_str()).collect();
    assert_eq!(kinds, ["constant-arrival-rate", "ramping-vus", "per-vu-iterations"]);

    let art = load_scenario(&examples().join("artillery-style.yaml"), &env).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(art.scenarios.len(), 2);
    assert!(art.scenarios.iter().all(|s| s.executor.is_open_model()));
}

#[test]
fn fixtures_parse_or_fail_as_recorded() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        seen += 1;
        let expected = std::fs::read_to_string(path.with_extension("err")).ok();
        match (load_scenario(&path, &env), expected) {
            (Ok(_), None) => {}
            (Err(e), Some(want)) => {
                let shown = e.to_string().replace(&format!("{}", dir.display()), "DIR");
                assert_eq!(shown.trim(), want.trim(), "{}", path.display());
            }
            (Ok(_), Some(want)) => panic!("{} parsed, expected: {want}", path.display()),
            (Err(e), None) => panic!("{}: {e}", path.display()),
        }
    }
    assert!(seen >= 3, "fixtures missing");
}

#[test]
fn schema_is_valid_json_and_lists_every_executor() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/schema/scenario.schema.json");
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    let listed: Vec<&str> =
        schema["$defs"]["executor"]["enum"].as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();
    for executor in EXECUTORS {
        assert!(listed.contains(&executor), "{executor} missing from the schema");
    }
    for key in [
        "base_url",
        "http",
        "hard_cap",
        "scenarios",
        "data",
        "thresholds",
        "flow",
        "vus",
        "duration",
        "iterations",
        "stages",
        "config",
        "audit",
        "budgets",
    ] {
        assert!(schema["properties"][key].is_object(), "top-level `{key}` missing from the schema");
    }
}

#[test]
fn an_audit_config_is_a_scenario_the_load_runs_as_is() {
    let text = "base_url: http://127.0.0.1:9\nvus: 1\nduration: 1s\nflow:\n  - get: /\naudit:\n  db: sqlite://x.db\n  traces: {listen: '127.0.0.1:0'}\nbudgets:\n  - {target: overall, p95: 1s}\n";
    let plan = perfhound_load::scenario::parse_scenario(Path::new("audit.yaml"), text, &|_| None).unwrap();
    assert_eq!(plan.names.len(), 1);
    // Any other unknown top-level key is still an error.
    let err =
        perfhound_load::scenario::parse_scenario(Path::new("a.yaml"), &text.replace("audit:", "audti:"), &|_| None)
            .unwrap_err();
    assert!(err.to_string().contains("audti"), "{err}");
}
