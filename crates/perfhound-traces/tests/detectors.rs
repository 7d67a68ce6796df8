//! Hand-built traces for every detector: a positive case and the negatives that must not
//! fire (fast repeats, parallel calls, different parents, cache spans, batched writes…).
//! One helper, `check()`, runs the engine and compares rule codes.

mod common;

use common::TraceBuilder;
use perfhound_model::{Finding, Severity};
use perfhound_traces::engine::Origin;
use perfhound_traces::span::{Span, SpanKind};
use perfhound_traces::{Config, Engine};

/// Analyzes `traces`, asserts that each code of `fires` was reported and none of
/// `silent`, and returns the findings.
fn check(traces: Vec<Vec<Span>>, cfg: Config, fires: &[&str], silent: &[&str]) -> Vec<Finding> {
    let mut engine = Engine::new(cfg);
    for t in traces {
        engine.analyze(t);
    }
    let findings = engine.findings();
    let codes: Vec<&str> = findings.iter().map(|f| f.rule.code.as_str()).collect();
    for c in fires {
        assert!(codes.contains(c), "expected {c}, got {codes:?}\n{findings:#?}");
    }
    for c in silent {
        assert!(!codes.contains(c), "{c} must not fire, got {codes:?}\n{findings:#?}");
    }
    findings
}

fn one(b: TraceBuilder) -> Vec<Vec<Span>> {
    vec![b.spans]
}

fn n_plus_one(n: usize, dur: f64, gap: f64) -> TraceBuilder {
    let mut b = TraceBuilder::new(1);
    let root = b.server("GET /orders", 200.0);
    b.db(root, "SELECT * FROM orders WHERE user_id = 1", 1.0, 2.0);
    b.serial(n, 4.0, dur, gap, |b, i, t| {
        b.db(root, &format!("SELECT * FROM items WHERE order_id = {i}"), t, dur);
    });
    b
}

#[test]
fn n_plus_one_db_fires_with_evidence() {
    let f = check(one(n_plus_one(10, 8.0, 0.5)), Config::default(), &["PH-TRACE001"], &["PH-TRACE008", "PH-TRACE004"]);
    let f = f.iter().find(|f| f.rule.code == "PH-TRACE001").unwrap();
    assert_eq!(f.target, "GET /orders");
    assert_eq!(f.evidence.query.as_deref(), Some("SELECT * FROM items WHERE order_id = ?"));
    assert_eq!(f.evidence.counts["max_calls_per_occurrence"], 10);
    assert_eq!(f.impact.time_saved_per_request_us, Some(72_000));
    assert_eq!(f.recommendation.snippet.as_deref(), Some("SELECT * FROM items WHERE order_id IN (?, ?, ...)"));
}

#[test]
fn n_plus_one_db_negatives() {
    // Fast repeats (10 × 1 ms, each at least a round trip): certain, so reported, but info.
    let f = check(one(n_plus_one(10, 1.0, 0.2)), Config::default(), &["PH-TRACE001"], &[]);
    assert_eq!(f[0].severity, Severity::Info, "{f:#?}");
    // Four repeats only.
    check(one(n_plus_one(4, 20.0, 0.2)), Config::default(), &[], &["PH-TRACE001"]);
    // Parallel (overlapping) executions: still 10 round trips, a parallel N+1 saving
    // little wall-clock time.
    let mut b = TraceBuilder::new(2);
    let root = b.server("GET /orders", 100.0);
    for i in 0..10 {
        b.db(root, &format!("SELECT * FROM items WHERE order_id = {i}"), 1.0 + i as f64 * 0.1, 30.0);
    }
    let f = check(one(b), Config::default(), &["PH-TRACE001"], &["PH-TRACE003"]);
    assert!(f[0].title.starts_with("N+1 query (parallel)"), "{}", f[0].title);
    assert_eq!(f[0].severity, Severity::Info);
    // Different parents: two executions under each of five different functions.
    let mut b = TraceBuilder::new(3);
    let root = b.server("GET /orders", 200.0);
    for (k, name) in ["auth", "load", "price", "render", "audit"].iter().enumerate() {
        let p = b.internal(root, name, k as f64 * 30.0, 25.0);
        for j in 0..2 {
            b.db(
                p,
                &format!("SELECT * FROM items WHERE order_id = {}", k * 2 + j),
                k as f64 * 30.0 + j as f64 * 11.0,
                10.0,
            );
        }
    }
    check(one(b), Config::default(), &[], &["PH-TRACE001", "PH-TRACE003"]);
    // Cache commands are not database queries: they have a rule of their own.
    let mut b = TraceBuilder::new(4);
    let root = b.server("GET /profile", 200.0);
    b.serial(10, 1.0, 8.0, 0.5, |b, i, t| {
        b.redis(root, &format!("GET user:{i}"), t, 8.0);
    });
    check(one(b), Config::default(), &["PH-TRACE016"], &["PH-TRACE001", "PH-TRACE002", "PH-TRACE008"]);
}

#[test]
fn identical_parameters_are_redundant_not_n_plus_one() {
    let mut b = TraceBuilder::new(5);
    let root = b.server("GET /me", 200.0);
    b.serial(6, 1.0, 10.0, 0.5, |b, _, t| {
        b.db(root, "SELECT * FROM users WHERE id = 42", t, 10.0);
    });
    let f = check(one(b), Config::default(), &["PH-TRACE008"], &["PH-TRACE001"]);
    assert_eq!(f[0].impact.time_saved_per_request_us, Some(50_000));
}

#[test]
fn redundant_negatives() {
    let mut b = TraceBuilder::new(6);
    let root = b.server("GET /health", 50.0);
    b.serial(3, 1.0, 5.0, 0.5, |b, _, t| {
        b.db(root, "SELECT 1", t, 5.0);
    });
    // Bind parameters without recorded values: the calls may differ.
    b.serial(3, 20.0, 5.0, 0.5, |b, _, t| {
        b.db(root, "SELECT * FROM users WHERE id = $1", t, 5.0);
    });
    check(one(b), Config::default(), &[], &["PH-TRACE008"]);
}

#[test]
fn n_plus_one_http_and_parallel_negative() {
    let mut b = TraceBuilder::new(7);
    let root = b.server("GET /cart", 300.0);
    b.serial(6, 1.0, 15.0, 1.0, |b, i, t| {
        b.http(root, "GET", &format!("http://catalog:8080/products/{}", 100 + i), t, 15.0);
    });
    check(one(b), Config::default(), &["PH-TRACE002"], &["PH-TRACE005"]);
    // Concurrent calls are still six calls: a parallel N+1, never consecutive calls.
    let mut b = TraceBuilder::new(8);
    let root = b.server("GET /cart", 300.0);
    for i in 0..6 {
        b.http(root, "GET", &format!("http://catalog:8080/products/{}", 100 + i), 1.0, 15.0);
    }
    let f = check(one(b), Config::default(), &["PH-TRACE002"], &["PH-TRACE005"]);
    assert!(f[0].title.starts_with("N+1 HTTP calls (parallel)"), "{}", f[0].title);
}

#[test]
fn repeated_patterns_interleaved_and_wrapped() {
    let mut b = TraceBuilder::new(9);
    let root = b.server("GET /feed", 300.0);
    b.serial(6, 1.0, 10.0, 0.5, |b, i, t| {
        b.db(root, &format!("SELECT * FROM users WHERE id = {i}"), t, 5.0);
        b.db(root, &format!("SELECT * FROM tags WHERE post_id = {i}"), t + 5.2, 4.8);
    });
    let f = check(one(b), Config::default(), &["PH-TRACE003"], &["PH-TRACE001"]);
    assert!(f[0].evidence.notes.iter().any(|n| n.contains("6 iterations")), "{:?}", f[0].evidence.notes);
    // A wrapper with two calls per item is MN+1; with one call it is that call's N+1.
    let mut b = TraceBuilder::new(10);
    let root = b.server("GET /feed", 300.0);
    b.serial(6, 1.0, 12.0, 0.5, |b, i, t| {
        let w = b.internal(root, "render_post", t, 12.0);
        b.db(w, &format!("SELECT * FROM likes WHERE post_id = {i}"), t + 1.0, 5.0);
        b.http(w, "GET", &format!("http://avatars:8080/u/{i}"), t + 6.5, 5.0);
    });
    check(one(b), Config::default(), &["PH-TRACE003"], &["PH-TRACE001", "PH-TRACE002"]);
    let mut b = TraceBuilder::new(16);
    let root = b.server("GET /feed", 300.0);
    b.serial(6, 1.0, 12.0, 0.5, |b, i, t| {
        let w = b.internal(root, "Session.find", t, 12.0);
        b.db(w, &format!("SELECT * FROM likes WHERE post_id = {i}"), t + 1.0, 10.0);
    });
    let f = check(one(b), Config::default(), &["PH-TRACE001"], &["PH-TRACE003"]);
    assert_eq!(f[0].evidence.query.as_deref(), Some("SELECT * FROM likes WHERE post_id = ?"));
}

fn three_queries(gap: f64, parallel: bool, tx: bool) -> TraceBuilder {
    let mut b = TraceBuilder::new(11);
    let root = b.server("GET /dashboard", 400.0);
    let mut t = 1.0;
    if tx {
        b.db(root, "BEGIN", 0.5, 0.1);
    }
    for q in
        ["SELECT count(*) FROM orders", "SELECT * FROM users WHERE id = 1", "SELECT * FROM alerts WHERE open = true"]
    {
        b.db(root, q, t, 80.0);
        if !parallel {
            t += 80.0 + gap;
        }
    }
    if tx {
        b.db(root, "COMMIT", t + 1.0, 0.1);
    }
    b
}

#[test]
fn consecutive_db_queries_and_negatives() {
    let f = check(one(three_queries(1.0, false, false)), Config::default(), &["PH-TRACE004"], &[]);
    assert_eq!(f[0].impact.time_saved_per_request_us, Some(160_000));
    check(one(three_queries(1.0, true, false)), Config::default(), &[], &["PH-TRACE004"]);
    check(one(three_queries(1.0, false, true)), Config::default(), &[], &["PH-TRACE004"]);
    check(one(three_queries(40.0, false, false)), Config::default(), &[], &["PH-TRACE004"]);
}

#[test]
fn consecutive_queries_inside_repository_wrappers() {
    let mut b = TraceBuilder::new(17);
    let root = b.server("GET /dashboard", 400.0);
    for (k, (repo, q)) in
        [("UserRepository.find", "SELECT * FROM users WHERE id = 1"), ("AlertRepository.open", "SELECT * FROM alerts")]
            .iter()
            .enumerate()
    {
        let start = 1.0 + k as f64 * 121.0;
        let w = b.internal(root, repo, start, 120.0);
        b.db(w, q, start + 1.0, 118.0);
    }
    let f = check(one(b), Config::default(), &["PH-TRACE004"], &[]);
    assert_eq!(f[0].evidence.query.as_deref(), Some("SELECT * FROM users WHERE id = ? ; SELECT * FROM alerts"));
}

#[test]
fn consecutive_http_calls_and_negatives() {
    let build = |method: &str, parallel: bool| {
        let mut b = TraceBuilder::new(12);
        let root = b.server("GET /checkout", 4000.0);
        for (i, svc) in ["pricing", "inventory", "shipping"].iter().enumerate() {
            let start = if parallel { 1.0 } else { 1.0 + i as f64 * 1201.0 };
            b.http(root, method, &format!("http://{svc}:8080/quote"), start, 1200.0);
        }
        b
    };
    check(one(build("GET", false)), Config::default(), &["PH-TRACE005", "PH-TRACE007"], &[]);
    check(one(build("GET", true)), Config::default(), &[], &["PH-TRACE005"]);
    check(one(build("POST", false)), Config::default(), &[], &["PH-TRACE005"]);
}

#[test]
fn slow_calls() {
    let mut b = TraceBuilder::new(13);
    let root = b.server("GET /search", 3000.0);
    b.db(root, "SELECT * FROM products WHERE name LIKE '%x%'", 1.0, 2500.0);
    b.db(root, "SELECT * FROM users WHERE id = 3", 2600.0, 300.0);
    let f = check(one(b), Config::default(), &["PH-TRACE006"], &["PH-TRACE007"]);
    assert_eq!(f.iter().filter(|f| f.rule.code == "PH-TRACE006").count(), 1);
    assert_eq!(f[0].severity, Severity::Critical);
}

#[test]
fn row_at_a_time_writes_and_batched_negatives() {
    let mut b = TraceBuilder::new(14);
    let root = b.server("POST /import", 300.0);
    b.serial(8, 1.0, 4.0, 0.3, |b, i, t| {
        b.db(root, &format!("INSERT INTO events (id, kind) VALUES ({i}, 'click')"), t, 3.0);
        b.db(root, "COMMIT", t + 3.1, 0.8);
    });
    let f = check(one(b), Config::default(), &["PH-TRACE009"], &["PH-TRACE003", "PH-TRACE001"]);
    assert!(f[0].evidence.notes.iter().any(|n| n.contains("COMMIT follows each")), "{:?}", f[0].evidence.notes);
    // Already batched: multi-row VALUES, or executemany reported with a batch size.
    let mut b = TraceBuilder::new(15);
    let root = b.server("POST /import", 300.0);
    let rows: Vec<String> = (0..100).map(|i| format!("({i}, 'click')")).collect();
    b.serial(6, 1.0, 10.0, 0.3, |b, _, t| {
        b.db(root, &format!("INSERT INTO events (id, kind) VALUES {}", rows.join(", ")), t, 10.0);
    });
    b.serial(6, 100.0, 10.0, 0.3, |b, _, t| {
        b.span(root, "INSERT", SpanKind::Client, t, 10.0, |a| {
            a.db_system = Some("postgresql".into());
            a.db_statement = Some("INSERT INTO logs (a) VALUES ($1)".into());
            a.db_batch_size = Some(500);
        });
    });
    check(one(b), Config::default(), &[], &["PH-TRACE009"]);
}

#[test]
fn connection_churn_strong_weak_and_negative() {
    let request = |seed: u8, connects: usize| {
        let mut b = TraceBuilder::new(seed);
        let root = b.server("GET /search", 100.0);
        for i in 0..connects {
            b.span(root, "connect", SpanKind::Client, 1.0 + i as f64 * 10.0, 8.0, |a| {
                a.db_system = Some("postgresql".into())
            });
        }
        b.db(root, "SELECT * FROM products WHERE id = 1", 50.0, 2.0);
        b.spans
    };
    check(vec![request(20, 3)], Config::default(), &["PH-TRACE010"], &[]);
    check((0..6).map(|i| request(30 + i, 1)).collect(), Config::default(), &["PH-TRACE010"], &[]);
    let mut mostly_pooled: Vec<_> = (0..9).map(|i| request(40 + i, 0)).collect();
    mostly_pooled.push(request(60, 1));
    check(mostly_pooled, Config::default(), &[], &["PH-TRACE010"]);
}

#[test]
fn pool_wait() {
    let mut b = TraceBuilder::new(21);
    let root = b.server("POST /orders", 300.0);
    b.internal(root, "pool.acquire", 1.0, 120.0);
    b.db(root, "SELECT * FROM users WHERE id = 1", 130.0, 2.0);
    check(one(b), Config::default(), &["PH-TRACE011"], &[]);
    let mut b = TraceBuilder::new(22);
    let root = b.server("POST /orders", 300.0);
    b.internal(root, "pool.acquire", 1.0, 0.2);
    check(one(b), Config::default(), &[], &["PH-TRACE011"]);
}

#[test]
fn payload_size_and_compression() {
    let build = |size: u64, encoding: Option<&str>, captured: bool| {
        let mut b = TraceBuilder::new(23);
        let root = b.server("GET /catalog", 50.0);
        let enc = encoding.map(str::to_string);
        b.span(root, "GET", SpanKind::Client, 1.0, 20.0, |a| {
            a.http_method = Some("GET".into());
            a.url = Some("http://cdn:8080/catalog.json".into());
            a.response_size = Some(size);
            if captured {
                a.content_type = Some("application/json".into());
                a.content_encoding = Some(enc.unwrap_or_default().into());
            }
        });
        b
    };
    check(one(build(500_000, None, true)), Config::default(), &["PH-TRACE012", "PH-TRACE013"], &[]);
    check(one(build(50_000, Some("gzip"), true)), Config::default(), &[], &["PH-TRACE012", "PH-TRACE013"]);
    // Headers not captured: no evidence either way, so no finding.
    check(one(build(50_000, None, false)), Config::default(), &[], &["PH-TRACE013"]);
}

#[test]
fn fan_out_concurrent_only() {
    let build = |parallel: bool| {
        let mut b = TraceBuilder::new(24);
        let root = b.server("GET /dashboard", 2000.0);
        for i in 0..30 {
            let start = if parallel { 1.0 + (i % 8) as f64 * 0.5 } else { 1.0 + i as f64 * 11.0 };
            b.http(root, "GET", &format!("http://metrics:8080/series/{i}"), start, 10.0);
        }
        b
    };
    check(one(build(true)), Config::default(), &["PH-TRACE014", "PH-TRACE002"], &[]);
    check(one(build(false)), Config::default(), &["PH-TRACE002"], &["PH-TRACE014"]);
}

#[test]
fn thresholds_are_configurable() {
    let cfg = Config::default()
        .with_overrides(&["n_plus_one_db.min_total_ms=0".into(), "n_plus_one_db.min_repeats=3".into()])
        .unwrap();
    check(one(n_plus_one(3, 1.0, 0.1)), cfg, &["PH-TRACE001"], &[]);
}

#[test]
fn findings_group_across_traces_and_rank_by_impact() {
    let mut traces = Vec::new();
    for seed in 100..110 {
        let mut b = n_plus_one(10, 8.0, 0.5);
        for s in &mut b.spans {
            s.trace_id.0[1] = seed;
        }
        traces.push(b.spans);
    }
    traces.push(three_queries(1.0, false, false).spans);
    let f = check(traces, Config::default(), &["PH-TRACE001", "PH-TRACE004"], &[]);
    assert_eq!(f[0].rule.code, "PH-TRACE001", "largest total saving first");
    assert_eq!(f[0].evidence.counts["traces"], 10);
    assert_eq!(f[0].evidence.examples.len(), 5);
    assert!(f[0].impact.share_of_total.unwrap() > 0.0);
}

/// `n` requests to the report endpoint, each computing the summary for `period` (the
/// inputs hash stands in for `app.report.period`), optionally writing inside it.
fn report_requests(n: u8, dur: f64, inputs: Option<u64>, write_inside: bool) -> Vec<Vec<Span>> {
    (0..n)
        .map(|i| {
            let mut b = TraceBuilder::new(i.wrapping_add(100));
            let root = b.server("GET /api/reports/sales-summary", dur + 5.0);
            let c = b.span(root, "compute sales_summary", SpanKind::Internal, 1.0, dur, |a| a.args_hash = inputs);
            if write_inside {
                b.db(c, "INSERT INTO report_log (at) VALUES (now())", 2.0, 1.0);
            }
            b.spans
        })
        .collect()
}

#[test]
fn repeated_computation_fires_across_requests() {
    let f = check(report_requests(12, 30.0, Some(7), false), Config::default(), &["PH-TRACE015"], &[]);
    let f = f.iter().find(|f| f.rule.code == "PH-TRACE015").unwrap();
    assert_eq!(f.target, "GET /api/reports/sales-summary");
    assert!(f.severity >= Severity::Warning, "{f:#?}");
    assert_eq!(f.evidence.counts["traces"], 12);
    assert_eq!(f.impact.time_saved_per_request_us, Some(30_000));
}

#[test]
fn repeated_computation_negatives() {
    // Cached: computed in 1 request, the others do not run it.
    check(report_requests(1, 30.0, Some(7), false), Config::default(), &[], &["PH-TRACE015"]);
    // Below the repeat threshold (9 < 10) and below the duration threshold (5 ms < 10 ms).
    check(report_requests(9, 30.0, Some(7), false), Config::default(), &[], &["PH-TRACE015"]);
    check(report_requests(12, 5.0, Some(7), false), Config::default(), &[], &["PH-TRACE015"]);
    // A computation that writes is not a cache candidate.
    check(report_requests(12, 30.0, Some(7), true), Config::default(), &[], &["PH-TRACE015"]);
}

#[test]
fn repeated_computation_without_inputs_is_info_and_low_confidence() {
    let f = check(report_requests(12, 30.0, None, false), Config::default(), &["PH-TRACE015"], &[]);
    let f = f.iter().find(|f| f.rule.code == "PH-TRACE015").unwrap();
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(f.confidence, perfhound_model::Confidence::Low);
}

#[test]
fn a_namer_ties_root_requests_to_load_request_names() {
    let mut engine = Engine::new(Config::default());
    engine.set_namer(Box::new(|id| {
        if id.0[0] == 0xab {
            Origin::Request(std::sync::Arc::from("user orders"))
        } else {
            Origin::Unknown
        }
    }));
    engine.analyze(n_plus_one(10, 8.0, 0.5).spans);
    let f = engine.findings();
    let n1 = f.iter().find(|f| f.rule.code == "PH-TRACE001").expect("N+1 found");
    assert_eq!(n1.target, "user orders");
    assert!(engine.measure.requests_of("user orders") >= 1);
}

#[test]
fn traces_of_perfhound_s_own_probes_are_left_out() {
    let mut engine = Engine::new(Config::default());
    engine.set_namer(Box::new(|_| Origin::OwnProbe));
    engine.analyze(n_plus_one(10, 8.0, 0.5).spans);
    assert!(engine.findings().is_empty());
    assert_eq!(engine.measure.requests_of("GET /orders"), 0);
    assert_eq!((engine.counters.traces, engine.counters.own_traces), (1, 1));
}

#[test]
fn a_query_slow_in_few_of_its_executions_is_a_tail_not_a_slow_query() {
    let requests = |n: u8, slow_every: u8| -> Vec<Vec<Span>> {
        (0..n)
            .map(|i| {
                let mut b = TraceBuilder::new(i.wrapping_add(50));
                let root = b.server("GET /export", 800.0);
                let dur = if slow_every > 0 && i % slow_every == 0 { 700.0 } else { 20.0 };
                b.db(root, "SELECT * FROM products WHERE category = 'x'", 1.0, dur);
                b.spans
            })
            .collect()
    };
    // 2 slow executions of 30: a tail.
    let f = check(requests(30, 15), Config::default(), &["PH-TRACE006"], &[]);
    let slow = f.iter().find(|f| f.rule.code == "PH-TRACE006").unwrap();
    assert_eq!(slow.severity, Severity::Info);
    assert!(slow.evidence.notes.iter().any(|n| n.contains("2 of 30 executions")), "{:?}", slow.evidence.notes);
    // Slow every time: a slow query.
    let f = check(requests(30, 1), Config::default(), &["PH-TRACE006"], &[]);
    assert!(f.iter().find(|f| f.rule.code == "PH-TRACE006").unwrap().severity >= Severity::Warning);
}

#[test]
fn own_code_ignores_orphan_client_roots() {
    // Client spans of worker threads that lost their context become roots: I/O, not own code.
    let traces: Vec<Vec<Span>> = (0..5)
        .map(|k| {
            let mut b = TraceBuilder::new(100 + k);
            b.http(0, "GET", "http://slow:8080/report", 0.0, 300.0);
            b.spans
        })
        .collect();
    check(traces, Config::default(), &[], &["PH-TRACE017"]);
    // The same time in a server span with no I/O inside is own code.
    let traces: Vec<Vec<Span>> = (0..5)
        .map(|k| {
            let mut b = TraceBuilder::new(110 + k);
            b.server("GET /report", 300.0);
            b.spans
        })
        .collect();
    check(traces, Config::default(), &["PH-TRACE017"], &[]);
}

/// Cache spans that record `cache.hit` give hits and misses per endpoint and per key
/// template; the template's group is the endpoint that looks it up most.
#[test]
fn cache_hits_and_misses_per_key_template_and_endpoint() {
    let mut engine = Engine::new(Config::default());
    for (i, hit) in [false, true, true, true].into_iter().enumerate() {
        let mut b = TraceBuilder::new(i as u8 + 1);
        let root = b.server("GET /api/products/{id}", 10.0);
        let get = b.redis(root, &format!("GET product:{}", 40 + i), 1.0, 1.0);
        b.spans.iter_mut().find(|s| s.span_id == get).unwrap().attrs.cache_hit = Some(hit);
        b.redis(root, "GET config", 3.0, 1.0); // no hit/miss recorded: not a lookup template
        engine.analyze(b.spans);
    }
    let meta = perfhound_traces::RunMeta::default();
    let run = perfhound_traces::to_run(&engine, meta, &Default::default(), &[]);
    let extra = |name: &str| run.target(name).unwrap_or_else(|| panic!("{name}")).measurements.extra.clone();
    use perfhound_model::Extra;
    let lookup = extra("redis GET product:{id}");
    assert_eq!((lookup.get(Extra::CacheHits), lookup.get(Extra::CacheMisses)), (Some(3.0), Some(1.0)));
    assert_eq!(run.target("redis GET product:{id}").unwrap().group.as_deref(), Some("GET /api/products/{id}"));
    assert!(run.target("redis GET config").is_none());
    let endpoint = extra("GET /api/products/{id}");
    assert_eq!((endpoint.get(Extra::CacheHits), endpoint.get(Extra::CacheMisses)), (Some(3.0), Some(1.0)));
}

#[test]
fn one_statement_repeated_by_two_endpoints_is_a_finding_on_each() {
    // Two endpoints loop over the same per-item query (an N+1 in each one's code): each
    // gets its own finding, whichever has more occurrences.
    let traces = (0..6u8)
        .map(|i| {
            let mut b = TraceBuilder::new(i + 1);
            let route = if i < 4 { "GET /orders/items-gather" } else { "GET /orders/items-loop" };
            let root = b.server(route, 200.0);
            b.serial(20, 1.0, 3.0, 0.5, |b, k, t| {
                b.db(root, &format!("SELECT sku FROM order_items WHERE order_id = {k}"), t, 3.0);
            });
            b.spans
        })
        .collect();
    let f = check(traces, Config::default(), &["PH-TRACE001"], &[]);
    let mut targets: Vec<&str> = f.iter().filter(|f| f.rule.code == "PH-TRACE001").map(|f| f.target.as_str()).collect();
    targets.sort();
    assert_eq!(targets, ["GET /orders/items-gather", "GET /orders/items-loop"]);
    let prints: std::collections::BTreeSet<_> = f.iter().map(|f| &f.fingerprint).collect();
    assert_eq!(prints.len(), f.len(), "fingerprints stay distinct");
}
