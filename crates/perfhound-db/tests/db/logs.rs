//! Statements from the logs of a real server (`log_min_duration_statement = 0`, logging
//! collector writing stderr, csvlog and jsonlog), after a workload run through the wire
//! protocol — simple and extended, multi-line, with bind parameters — and after a
//! perfhound analysis whose own statements land in the same logs.

use super::support::{self, seed};
use super::{run, suggested};
use perfhound_db::statements::{Origin, Statement};
use perfhound_db::Analysis;

fn shape(sql: &str) -> String {
    perfhound_sql::fingerprint(sql, "postgresql").shape.text.clone()
}

fn by_shape<'a>(a: &'a Analysis, sql: &str) -> &'a Statement {
    let want = shape(sql);
    a.statements.statements.iter().find(|s| s.shape.text == want).unwrap_or_else(|| {
        let have: Vec<_> = a.statements.statements.iter().map(|s| (&s.shape.text, s.calls)).collect();
        panic!("{want} not among {have:#?}")
    })
}

async fn workload(c: &tokio_postgres::Client) {
    seed::repeat(c, "SELECT id, total_cents FROM orders WHERE user_id = $1", 40, |i| {
        vec![Box::new((i as i64 * 13) % 10_000 + 1)]
    })
    .await;
    seed::repeat(c, "SELECT id, email FROM users WHERE id = $1", 1200, |i| vec![Box::new(i as i64 % 10_000 + 1)]).await;
    for (status, month) in [("paid", 1), ("shipped", 2), ("paid", 3)] {
        let sql = format!("SELECT count(*) FROM orders WHERE status = '{status}' AND created_at >= '2024-0{month}-01'");
        c.batch_execute(&sql).await.unwrap();
    }
    c.batch_execute("SELECT id, status\n  FROM orders\n WHERE total_cents = 4242").await.unwrap();
}

#[tokio::test]
async fn real_logs_become_statements_n_plus_one_and_advice_in_every_format() {
    let server = support::log_server();
    let (url, c) = server.database("lg_shop", true).await;
    seed::shop(&c, 100_000).await;
    run(&url, |cfg| cfg.checks = false).await; // perfhound's own statements, logged too
    workload(&c).await;
    let marker = format!("SELECT 'log-sync-{}'", std::process::id());
    c.batch_execute(&marker).await.unwrap();
    for file in support::LOG_FILES {
        let path = server.file(file);
        support::wait_for_log(&path, &marker);
        let a = run(&url, |cfg| {
            cfg.log_file = Some(path.display().to_string());
            cfg.checks = false;
        })
        .await;
        check(&a, file);
    }
}

fn check(a: &Analysis, file: &str) {
    assert_eq!(by_shape(a, "SELECT id, total_cents FROM orders WHERE user_id = $1").calls, 40, "{file}");
    let lookup = by_shape(a, "SELECT id, email FROM users WHERE id = $1");
    assert_eq!(lookup.calls, 1200, "{file}");
    assert!(lookup.total_ms > 0.0 && lookup.max_ms >= lookup.mean_ms, "{file}: {lookup:?}");
    assert!(matches!(&lookup.origin, Origin::Log { line, .. } if *line > 1), "{file}: {:?}", lookup.origin);
    let example = lookup.slowest_example.as_deref().unwrap_or_default();
    assert!(example.starts_with("SELECT id, email FROM users WHERE id = '"), "{file}: parameters bound: {example}");
    let counts = by_shape(a, "SELECT count(*) FROM orders WHERE status = 'x' AND created_at >= 'y'");
    assert_eq!(counts.calls, 3, "{file}: literals differ, one fingerprint");
    let multi = by_shape(a, "SELECT id, status FROM orders WHERE total_cents = 1");
    assert_eq!(multi.query, "SELECT id, status\n  FROM orders\n WHERE total_cents = 4242", "{file}");
    for s in &a.statements.statements {
        let q = &s.query;
        assert!(!q.contains("perfhound") && !q.contains("hypopg") && !q.contains("EXPLAIN"), "{file}: own: {q}");
    }
    assert!(a.statements.window_s.is_some_and(|w| w > 0.0), "{file}: timestamps give the window");
    let n1 = a.diagnosis.findings.iter().find(|f| f.rule.code == "PH-DB003").expect("N+1 from the log");
    assert_eq!(n1.target, shape("SELECT id, email FROM users WHERE id = $1"), "{file}");
    let s = suggested(a);
    assert!(s.contains(&"orders(user_id)".to_string()), "{file}: {s:?}");
    assert!(s.contains(&"orders(total_cents)".to_string()), "{file}: {s:?}");
}

#[tokio::test]
async fn a_file_that_is_not_a_log_is_a_located_error_before_connecting() {
    let path = std::env::temp_dir().join(format!("perfhound-not-a-log-{}.log", std::process::id()));
    std::fs::write(&path, "SELECT 1;\nSELECT 2;\n").unwrap();
    let mut cfg = perfhound_db::Config::new("postgres://nobody@127.0.0.1:1/none");
    cfg.log_file = Some(path.display().to_string());
    let err = perfhound_db::analyze(&cfg).await.unwrap_err().to_string();
    let _ = std::fs::remove_file(&path);
    assert!(err.starts_with(&format!("{}:1: not a PostgreSQL log", path.display())), "{err}");
    assert!(err.contains("hint: pass the server's log"), "{err}");
}
