//! The window API for `perfhound audit`: a snapshot before a workload, then an analysis
//! that reports only what ran since.

use super::run;
use super::support::{self, seed};
use perfhound_db::{snapshot, Config};
use std::collections::BTreeMap;

fn calls(a: &perfhound_db::Analysis) -> BTreeMap<String, i64> {
    a.statements.statements.iter().map(|s| (s.shape.text.clone(), s.calls)).collect()
}

fn shape(sql: &str) -> String {
    perfhound_sql::fingerprint(sql, "postgresql").shape.text.clone()
}

#[tokio::test]
async fn analysis_after_a_snapshot_reports_only_the_window() {
    let (url, c) = support::database("wn_window", false).await;
    c.batch_execute(
        "CREATE TABLE w (id int PRIMARY KEY, v int); INSERT INTO w SELECT i, i FROM generate_series(1, 1000) i",
    )
    .await
    .unwrap();
    let lookup = "SELECT v FROM w WHERE id = $1";
    seed::repeat(&c, lookup, 50, |i| vec![Box::new(i as i32 + 1)]).await;
    seed::repeat(&c, "SELECT max(v) FROM w WHERE v < $1", 5, |i| vec![Box::new(i as i32)]).await;

    let snap = snapshot(&Config::new(&url)).await.expect("snapshot");
    assert!(!snap.is_empty());
    seed::repeat(&c, lookup, 30, |i| vec![Box::new(i as i32 + 1)]).await;
    seed::repeat(&c, "SELECT count(*) FROM w WHERE v > $1", 7, |i| vec![Box::new(i as i32)]).await;

    let quiet = |cfg: &mut Config| {
        cfg.advisor.enabled = false;
        cfg.checks = false;
    };
    let window = run(&url, |cfg| {
        quiet(cfg);
        cfg.baseline = Some(snap.clone());
    })
    .await;
    let expected: BTreeMap<String, i64> =
        [(shape(lookup), 30), (shape("SELECT count(*) FROM w WHERE v > $1"), 7)].into_iter().collect();
    assert_eq!(calls(&window), expected, "only the workload since the snapshot, with its call counts");
    let w = window.statements.window_s.expect("the window is the time since the snapshot");
    assert!(w > 0.0 && w < 600.0, "{w}");
    let looked_up = window.statements.statements.iter().find(|s| s.shape.text == shape(lookup)).unwrap();
    assert_eq!(looked_up.rows, 30, "rows are a delta too");

    let lifetime = run(&url, quiet).await;
    assert_eq!(calls(&lifetime).get(&shape(lookup)), Some(&80), "without a baseline: everything since the reset");
}
