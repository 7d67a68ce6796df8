//! The calibration fixtures (hand-written OTLP/JSON after real instrumentations' span
//! shapes, `tests/fixtures/calibration/gen.py`): each one's verdict — which rules fire, at
//! which severity, with which title — as recorded in docs/accuracy.md ("## Fixtures").

use perfhound_model::{Finding, Severity};
use perfhound_traces::ingest;
use perfhound_traces::span::Span;
use perfhound_traces::{analyze_inputs, Config, Engine, Input};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/calibration");

/// One expected finding: rule, severity, and a piece of its title.
struct Expect(&'static str, Severity, &'static str);

/// Analyzes a fixture with `cfg`; asserts every expected finding (rule, exact severity,
/// title fragment) and that no other rule reports at all; returns the findings.
fn check_with(name: &str, cfg: Config, expect: &[Expect]) -> Vec<Finding> {
    let bytes = std::fs::read(format!("{DIR}/{name}")).unwrap();
    let mut spans: Vec<Span> = Vec::new();
    let report = ingest::read(name, bytes.as_slice(), None, &mut spans);
    assert_eq!(report.errors.len(), 0, "{name}: {report:?}");
    let mut engine = Engine::new(cfg);
    engine.analyze(spans);
    let found = engine.findings();
    let summary: Vec<String> = found.iter().map(|f| format!("{} {:?} {}", f.rule.code, f.severity, f.title)).collect();
    for Expect(code, severity, title) in expect {
        let hit = found.iter().find(|f| f.rule.code == *code && f.title.contains(title));
        let f = hit.unwrap_or_else(|| panic!("{name}: no {code} titled …{title}…, got {summary:#?}"));
        assert_eq!(f.severity, *severity, "{name}: {code} {}", f.title);
    }
    for f in &found {
        assert!(expect.iter().any(|e| e.0 == f.rule.code), "{name}: unexpected {summary:#?}");
    }
    found
}

fn check(name: &str, expect: &[Expect]) -> Vec<Finding> {
    check_with(name, Config::default(), expect)
}

#[test]
fn placeholders_mixed_with_literals_are_unknown_parameters_not_identical() {
    let f = check(
        "django_mixed_literals.json",
        &[Expect("PH-TRACE001", Severity::Info, "Repeated query (N+1 or redundant: parameters not recorded): 10")],
    );
    assert!(f[0].recommendation.text.contains("capture_parameters=True"), "{}", f[0].recommendation.text);
}

#[test]
fn parallel_n_plus_one_is_still_n_round_trips() {
    let f = check(
        "parallel_n_plus_one.json",
        &[
            Expect("PH-TRACE001", Severity::Warning, "N+1 query (parallel): 20 executions"),
            Expect("PH-TRACE014", Severity::Info, "Fan-out"),
        ],
    );
    let n1 = f.iter().find(|f| f.rule.code == "PH-TRACE001").unwrap();
    // 5 waves of 5 ms: 26 ms of wall clock, 5 ms for one batched query.
    let saved = n1.impact.time_saved_per_request_us.unwrap();
    assert!((19_000..=22_000).contains(&saved), "{saved}");
    assert!(n1.recommendation.text.contains("still N round trips"));
}

#[test]
fn graphql_resolvers_per_item_are_found_through_their_wrappers() {
    check(
        "graphql_resolvers.json",
        &[Expect(
            "PH-TRACE001",
            Severity::Info,
            "Repeated query, parallel (N+1 or redundant: parameters not recorded): 12",
        )],
    );
}

#[test]
fn seed_001_chain_is_a_warning() {
    let f = check("seed001_chain.json", &[Expect("PH-TRACE005", Severity::Warning, "4 independent HTTP calls")]);
    // 120 + 200 + 150 + 80 = 550 ms; in parallel 200 ms.
    assert_eq!(f[0].impact.time_saved_per_request_us, Some(350_000));
}

#[test]
fn consecutive_calls_are_found_through_unrelated_spans() {
    let f = check(
        "consecutive_http_interleaved.json",
        &[Expect("PH-TRACE005", Severity::Warning, "4 independent HTTP calls")],
    );
    assert_eq!(f[0].impact.time_saved_per_request_us, Some(350_000));
    assert!(!f[0].evidence.notes.iter().any(|n| n.contains("static")), "{:?}", f[0].evidence);
}

#[test]
fn truncated_statements_are_never_identical() {
    check("truncated_sql.json", &[]);
}

#[test]
fn cached_spans_are_not_round_trips() {
    check("cached_spans.json", &[]);
}

#[test]
fn session_statements_are_not_n_plus_one() {
    // SET/BEGIN/COMMIT six times under one parent (the UPDATEs, 9 ms in all, stay under
    // the row-at-a-time total).
    check("session_statements.json", &[]);
}

#[test]
fn redis_get_loop_is_an_n_plus_one_with_a_projection() {
    let f = check(
        "redis_get_loop.json",
        &[Expect(
            "PH-TRACE016",
            Severity::Warning,
            "30 per request in GET /users/{id}/preferences: redis GET user:{id}:pref:{id} (30 calls: 4.5 ms here, ≈ 34 ms at 1 ms RTT)",
        )],
    );
    assert_eq!(f[0].recommendation.snippet.as_deref(), Some("MGET key1 key2 …"));
    // Without the projection the loop is cheap: still reported, at info.
    check_with(
        "redis_get_loop.json",
        Config { rtt_ms: 0.0, ..Config::default() },
        &[Expect("PH-TRACE016", Severity::Info, "redis GET user:{id}:pref:{id}")],
    );
}

#[test]
fn redis_py_sanitized_commands_group_by_command() {
    // `GET ?` × 30 is a loop over unknown keys; the one `MGET ? ? …` is already batched.
    check(
        "redis_py_sanitized_loop.json",
        &[Expect(
            "PH-TRACE016",
            Severity::Warning,
            "30 per request in GET /users/{id}/prefs-loop: redis GET ? (30 calls",
        )],
    );
}

#[test]
fn ioredis_with_new_semantic_conventions() {
    check(
        "ioredis_get_loop.json",
        &[Expect(
            "PH-TRACE016",
            Severity::Info,
            "12 per request in GET /users/:id/preferences: redis GET session:{hash}",
        )],
    );
}

#[test]
fn sqlalchemy_lazy_loads_on_embedded_sqlite_are_not_projected() {
    // SQLite runs in the application's process: no network round trip here or in
    // production, so nothing is projected and the cheap repeats stay info.
    let expect = [
        Expect(
            "PH-TRACE001",
            Severity::Info,
            "30 executions per request in GET /users: SELECT id, email, user_id FROM addresses WHERE ? = user_id",
        ),
        Expect(
            "PH-TRACE001",
            Severity::Info,
            "parameters not recorded): 15 executions per request in GET /users: SELECT value FROM settings",
        ),
    ];
    for f in check("sqlalchemy_lazy_loads.json", &expect) {
        assert!(!f.title.contains("RTT"), "projected: {}", f.title);
    }
    // Whatever round trip is configured.
    let two = Config { rtt_ms: 2.0, ..Config::default() };
    for f in check_with("sqlalchemy_lazy_loads.json", two, &expect) {
        assert!(!f.title.contains("RTT"), "projected: {}", f.title);
    }
}

#[test]
fn sentry_fast_n_plus_one_stays_below_warning() {
    check("sentry_fast_n_plus_one.json", &[Expect("PH-TRACE001", Severity::Info, "N+1 query: 10 executions")]);
}

#[test]
fn thresholds_stay_configurable() {
    // Sentry's production thresholds hide the seed chain and the fast N+1.
    let sentry = Config::default()
        .with_overrides(&[
            "consecutive_http.min_saved_ms=2000".into(),
            "consecutive_db.min_saved_ms=100".into(),
            "n_plus_one_db.min_total_ms=50".into(),
        ])
        .unwrap();
    check_with("seed001_chain.json", sentry.clone(), &[]);
    check_with("sentry_fast_n_plus_one.json", sentry, &[]);
    // A stricter warning threshold demotes the seed chain.
    let strict = Config::default().with_overrides(&["severity.warning_saved_ms=400".into()]).unwrap();
    check_with("seed001_chain.json", strict, &[Expect("PH-TRACE005", Severity::Info, "")]);
}

#[test]
fn express_middleware_layers_are_not_repeated_computations() {
    let name = "express_middleware.json";
    let bytes = std::fs::read(format!("{DIR}/{name}")).unwrap();
    let mut engine = Engine::new(Config::default());
    let input = Input { name: name.into(), reader: Box::new(bytes.as_slice()) };
    let (reports, _) = analyze_inputs(&mut engine, vec![input], None);
    assert!(reports[0].errors.is_empty(), "{:?}", reports[0].errors);
    assert_eq!(engine.counters.traces, 12);
    let repeated: Vec<String> =
        engine.findings().into_iter().filter(|f| f.rule.code == "PH-TRACE015").map(|f| f.title).collect();
    assert!(
        repeated.iter().all(|t| !t.contains("middleware") && !t.contains("request handler")),
        "Express layers reported as computations: {repeated:#?}"
    );
    assert!(
        repeated.iter().any(|t| t.contains("compute sales_summary")),
        "the real computation next to them is still reported: {repeated:#?}"
    );
}
