//! Safety: the session is read-only, own statements are filtered, errors are clear.

use super::run;
use super::support::{self, seed};
use perfhound_db::session::{connect, Limits, Mode};
use perfhound_db::DbError;

#[tokio::test]
async fn session_is_read_only_and_explains_dml_without_running_it() {
    let (url, c) = support::database("sf_readonly", true).await;
    c.batch_execute(
        "CREATE TABLE t (id int, v int); INSERT INTO t SELECT i, i FROM generate_series(1, 50000) i; ANALYZE t",
    )
    .await
    .unwrap();
    let ro = connect(&url, Mode::ReadOnly, &Limits::default()).await.unwrap();
    let err = ro.batch_execute("INSERT INTO t VALUES (1, 1)").await.unwrap_err();
    assert!(support::pg_error(&err).contains("read-only transaction"), "{err}");
    let path = std::env::temp_dir().join(format!("perfhound-sf-{}.sql", std::process::id()));
    std::fs::write(&path, "DELETE FROM t WHERE v = 42; UPDATE t SET v = 0 WHERE id = 7").unwrap();
    let a = run(&url, |cfg| cfg.sql_file = Some(path.display().to_string())).await;
    let _ = std::fs::remove_file(&path);
    let s = super::suggested(&a);
    assert!(s.contains(&"t(v)".to_string()) && s.contains(&"t(id)".to_string()), "{s:?}");
    let n: i64 = c.query_one("SELECT count(*) FROM t", &[]).await.unwrap().get(0);
    assert_eq!(n, 50_000, "nothing was deleted");
    let shown = a.diagnosis.findings.iter().filter_map(|f| f.evidence.query.clone()).collect::<Vec<_>>().join("\n");
    assert!(!shown.contains("42"), "literals are redacted: {shown}");
}

#[tokio::test]
async fn own_statements_are_filtered_and_interval_forms_are_explained() {
    let (url, c) = support::database("sf_pgss", true).await;
    seed::shop(&c, 100_000).await;
    c.batch_execute("SELECT count(*) FROM orders WHERE created_at > now() - interval '7 days' AND user_id = 3")
        .await
        .unwrap();
    let a = run(&url, |_| {}).await;
    let a2 = run(&url, |_| {}).await;
    for s in &a2.statements.statements {
        assert!(
            !s.query.contains("pg_stat_statements") && !s.query.contains("perfhound"),
            "own statement: {}",
            s.query
        );
    }
    assert!(a.statements.statements.iter().any(|s| s.query.contains("interval $")), "pgss keeps `interval $n`");
    let adv = a2.advice.as_ref().unwrap();
    assert!(adv.unexplainable.iter().all(|(i, _)| !a2.statements.statements[*i].query.contains("interval $")));
    assert!(super::suggested(&a2).iter().any(|s| s.starts_with("orders(user_id")), "{:?}", super::suggested(&a2));
}

#[tokio::test]
async fn missing_extensions_and_privileges_are_explained() {
    let (url, c) = support::database("sf_noext", false).await;
    c.batch_execute("DROP EXTENSION pg_stat_statements; CREATE ROLE nobody_here LOGIN; REVOKE CONNECT ON DATABASE sf_noext FROM PUBLIC")
        .await
        .unwrap();
    let a = run(&url, |_| {}).await;
    assert!(
        a.diagnosis.warnings.iter().any(|w| w.contains("CREATE EXTENSION pg_stat_statements")),
        "{:?}",
        a.diagnosis.warnings
    );
    let denied = url.replace("postgres@", "nobody_here@");
    let err = connect(&denied, Mode::ReadOnly, &Limits::default()).await.unwrap_err();
    assert!(matches!(err, DbError::InsufficientPrivilege { .. }), "{err}");
    assert!(err.to_string().contains("GRANT CONNECT"), "{err}");
}
