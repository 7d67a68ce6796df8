//! Health checks on real situations: blocked and idle-in-transaction sessions, invalid
//! indexes, sequences near overflow, dead tuples and bloat, wraparound age.

use super::support;
use super::{codes, run};

#[tokio::test]
async fn activity_checks_see_blocked_and_idle_in_transaction_sessions() {
    let (url, c) = support::database("hc_activity", false).await;
    c.batch_execute("CREATE TABLE t (id int); INSERT INTO t VALUES (1)").await.unwrap();
    let holder = support::admin(&url).await;
    holder.batch_execute("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE").await.unwrap();
    let waiter = support::admin(&url).await;
    let blocked = tokio::spawn(async move { waiter.batch_execute("SELECT * FROM t").await.is_ok() });
    // Readiness probe: wait (bounded) until the waiter is actually blocked on the lock.
    let probe = support::admin(&url).await;
    let mut waiting = false;
    for _ in 0..500 {
        let r = probe
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query = 'SELECT * FROM t'",
                &[],
            )
            .await
            .unwrap();
        if r.get::<_, i64>(0) == 1 {
            waiting = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(waiting, "the waiter never blocked");
    let a = run(&url, |cfg| {
        cfg.advisor.enabled = false;
        cfg.thresholds.idle_in_transaction_s = 0.0;
        cfg.thresholds.long_running_s = 0.0;
        cfg.thresholds.connections_ratio = 0.0;
    })
    .await;
    let found = codes(&a);
    for code in ["PH-DB005", "PH-DB007", "PH-DB004", "PH-DB006"] {
        assert!(found.contains(&code), "{code} missing from {found:?}");
    }
    let b = a.diagnosis.findings.iter().find(|f| f.rule.code == "PH-DB005").unwrap();
    assert_eq!(b.evidence.query.as_deref(), Some("SELECT * FROM t"));
    holder.batch_execute("ROLLBACK").await.unwrap();
    assert!(blocked.await.unwrap(), "the waiter proceeds once the lock is released");
}

#[tokio::test]
async fn catalog_checks_find_invalid_index_sequence_dead_tuples_bloat_and_xid_age() {
    let (url, c) = support::database("hc_catalog", false).await;
    c.batch_execute(
        "CREATE TABLE dup (id serial PRIMARY KEY, email text, pad text) WITH (autovacuum_enabled = false);
         INSERT INTO dup (email, pad) SELECT 'same', repeat('x', 200) FROM generate_series(1, 100000);
         SELECT setval('dup_id_seq', 2000000000);
         DELETE FROM dup WHERE id % 10 <> 0;",
    )
    .await
    .unwrap();
    c.batch_execute("VACUUM ANALYZE dup").await.unwrap();
    let err = c.batch_execute("CREATE UNIQUE INDEX CONCURRENTLY dup_email_key ON dup (email)").await;
    assert!(err.is_err(), "duplicates make the unique build fail and leave an invalid index");
    c.batch_execute("DELETE FROM dup WHERE id % 20 = 0").await.unwrap();
    support::flush_stats(&c).await;
    let a = run(&url, |cfg| {
        cfg.advisor.enabled = false;
        cfg.thresholds.wraparound_age = 1;
        cfg.thresholds.dead_tuple_min = 1000;
        cfg.thresholds.bloat_min_bytes = 1024 * 1024;
    })
    .await;
    let found = codes(&a);
    for code in ["PH-DB012", "PH-DB013", "PH-DB016", "PH-DB017", "PH-DB014"] {
        assert!(found.contains(&code), "{code} missing from {found:?}");
    }
    let inv = a.diagnosis.findings.iter().find(|f| f.rule.code == "PH-DB012").unwrap();
    assert!(inv
        .recommendation
        .snippet
        .as_deref()
        .unwrap()
        .starts_with("DROP INDEX CONCURRENTLY public.dup_email_key;"));
    let seq = a.diagnosis.findings.iter().find(|f| f.rule.code == "PH-DB013").unwrap();
    assert!(seq.title.contains("of 2147483647"), "{}", seq.title);
    assert!(a.diagnosis.metrics.get(perfhound_model::Extra::XidAge).is_some());
}
