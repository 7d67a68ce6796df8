//! Single-statement cases in the spirit of Dexter's test suite, each advised from a
//! `--sql` style statement list on a 100k-row table.

use super::support::{self, seed};
use super::{run, suggested};

async fn advise(name: &str, setup: &str, sql: &str) -> Vec<String> {
    let (url, c) = support::database(name, true).await;
    seed::shop(&c, 100_000).await;
    if !setup.is_empty() {
        c.batch_execute(setup).await.unwrap_or_else(|e| panic!("{setup}: {}", support::pg_error(&e)));
    }
    let path = std::env::temp_dir().join(format!("perfhound-{name}-{}.sql", std::process::id()));
    std::fs::write(&path, sql).unwrap();
    let a = run(&url, |cfg| {
        cfg.sql_file = Some(path.display().to_string());
        cfg.checks = false;
    })
    .await;
    let _ = std::fs::remove_file(&path);
    assert!(a.advice.as_ref().unwrap().unexplainable.is_empty(), "{:?}", a.advice.as_ref().unwrap().unexplainable);
    suggested(&a)
}

#[tokio::test]
async fn multi_column_equality() {
    let s = advise("dx_multi", "", "SELECT * FROM orders WHERE user_id = 5 AND status = 'paid'").await;
    // Both equality orders cost the same for the planner: the more selective column leads.
    assert!(s == ["orders(user_id)"] || s == ["orders(user_id,status)"], "{s:?}");
}

#[tokio::test]
async fn order_by_with_limit_and_dollar_params() {
    let s = advise("dx_order", "", "SELECT id FROM orders WHERE status = $1 ORDER BY created_at DESC LIMIT 20").await;
    assert_eq!(s, ["orders(status,created_at)"]);
}

#[tokio::test]
async fn join_update_delete_and_cte() {
    let sql = "SELECT u.email FROM users u JOIN orders o ON o.user_id = u.id WHERE o.total_cents = 4200;
               UPDATE orders SET status = 'paid' WHERE user_id = 77;
               DELETE FROM orders WHERE user_id = 78;
               WITH big AS (SELECT user_id FROM orders WHERE total_cents = 1234) SELECT count(*) FROM big";
    let s = advise("dx_join", "", sql).await;
    assert!(s.iter().any(|x| x.starts_with("orders(total_cents")), "{s:?}");
    assert!(s.contains(&"orders(user_id)".to_string()), "{s:?}");
}

#[tokio::test]
async fn already_indexed_and_primary_keys_get_nothing() {
    let s = advise(
        "dx_indexed",
        "CREATE INDEX ON orders (user_id)",
        "SELECT * FROM orders WHERE user_id = 5; SELECT * FROM orders WHERE id = 9",
    )
    .await;
    assert!(s.is_empty(), "{s:?}");
}

#[tokio::test]
async fn quoted_identifiers_and_partitioned_tables() {
    let setup = "CREATE TABLE \"Events\" (\"Kind\" text, at timestamptz, n int) PARTITION BY RANGE (at);
        CREATE TABLE events_2024 PARTITION OF \"Events\" FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TABLE events_2025 PARTITION OF \"Events\" FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        INSERT INTO \"Events\" SELECT 'k' || (i % 5000), timestamptz '2024-01-01' + i * interval '5 minutes', i
          FROM generate_series(1, 200000) i;
        ANALYZE \"Events\";";
    let (url, c) = support::database("dx_quoted", true).await;
    c.batch_execute(setup).await.unwrap_or_else(|e| panic!("{}", support::pg_error(&e)));
    let path = std::env::temp_dir().join(format!("perfhound-dx-quoted-{}.sql", std::process::id()));
    std::fs::write(&path, "SELECT n FROM \"Events\" WHERE \"Kind\" = 'k42'").unwrap();
    let a = run(&url, |cfg| {
        cfg.sql_file = Some(path.display().to_string());
        cfg.checks = false;
    })
    .await;
    let _ = std::fs::remove_file(&path);
    assert_eq!(suggested(&a), ["Events(Kind)"]);
    let create = &a.advice.as_ref().unwrap().suggestions[0].create;
    assert!(create[0].starts_with("CREATE INDEX \"Events_Kind_idx\" ON ONLY public.\"Events\""), "{create:?}");
    assert!(
        create
            .iter()
            .any(|c| c.starts_with("CREATE INDEX CONCURRENTLY events_2024_Kind_idx") || c.contains("ATTACH PARTITION")),
        "{create:?}"
    );
}

#[tokio::test]
async fn tied_column_orders_put_the_more_selective_column_first_and_say_why() {
    let (url, c) = support::database("dx_order_tie", true).await;
    c.batch_execute(
        "CREATE TABLE pairs (id serial PRIMARY KEY, a int NOT NULL, b int NOT NULL, pad text NOT NULL);
         INSERT INTO pairs (a, b, pad) SELECT i % 7, (i * 31) % 2000, repeat('p', 60) FROM generate_series(1, 200000) i;",
    )
    .await
    .unwrap();
    c.batch_execute("VACUUM ANALYZE pairs").await.unwrap();
    let path = std::env::temp_dir().join(format!("perfhound-dx-tie-{}.sql", std::process::id()));
    std::fs::write(&path, "SELECT pad FROM pairs WHERE a = $1 AND b = $2").unwrap();
    let a = run(&url, |cfg| {
        cfg.sql_file = Some(path.display().to_string());
        cfg.checks = false;
    })
    .await;
    let _ = std::fs::remove_file(&path);
    assert_eq!(suggested(&a), ["pairs(b,a)"], "b (2000 values) is more selective than a (7 values)");
    let f = a.diagnosis.findings.iter().find(|f| f.rule.code == "PH-DB001").unwrap();
    let note = f.evidence.notes.iter().find(|n| n.starts_with("column order:")).expect("the tie-break is explained");
    assert!(note.contains("b first") && note.contains("within 1%") && note.contains("pg_stats"), "{note}");
}
