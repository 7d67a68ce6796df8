//! The acceptance case: an `orders` table with 200k rows and a realistic workload.

use super::support::{self, seed};
use super::{codes, run, suggested};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn day(i: usize) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_704_067_200 + (i as u64 % 700) * 86_400)
}

#[tokio::test]
async fn orders_workload_gets_both_indexes_n_plus_one_and_index_hygiene() {
    let (url, c) = support::database("acceptance_orders", true).await;
    seed::shop(&c, 200_000).await;
    c.batch_execute(
        "CREATE INDEX users_email_idx ON users (email);
         CREATE INDEX orders_shipping_address_idx ON orders (shipping_address);
         CREATE INDEX orders_total_idx ON orders (total_cents);
         CREATE INDEX orders_total_created_idx ON orders (total_cents, created_at);",
    )
    .await
    .expect("plant indexes");
    seed::repeat(&c, "SELECT id, total_cents FROM orders WHERE user_id = $1", 40, |i| {
        vec![Box::new((i as i64 * 13) % 10_000 + 1)]
    })
    .await;
    seed::repeat(
        &c,
        "SELECT id, user_id FROM orders WHERE status = $1 AND created_at >= $2 AND created_at < $3",
        30,
        |i| vec![Box::new("paid".to_string()), Box::new(day(i)), Box::new(day(i + 1))],
    )
    .await;
    seed::repeat(&c, "SELECT id, email, name FROM users WHERE id = $1", 3000, |i| {
        vec![Box::new(i as i64 % 10_000 + 1)]
    })
    .await;
    seed::repeat(&c, "SELECT id, name FROM users WHERE email = $1", 100, |i| {
        vec![Box::new(format!("user{i}@example.com"))]
    })
    .await;
    support::flush_stats(&c).await;

    let a = run(&url, |_| {}).await;
    let adv = a.advice.as_ref().expect("advisor ran");
    assert!(adv.hypopg);
    let s = suggested(&a);
    assert!(s.contains(&"orders(user_id)".to_string()), "{s:?}");
    assert!(s.contains(&"orders(status,created_at)".to_string()), "{s:?}");
    assert!(!s.iter().any(|x| x.starts_with("users(")), "already-indexed and PK queries need nothing: {s:?}");
    for sug in &adv.suggestions {
        for q in &sug.queries {
            let drop = q.drop().expect("verified");
            assert!(drop >= 0.9, "{} drops only {:.1}%", sug.spec.label(), drop * 100.0);
        }
        assert!(sug.create[0].starts_with("CREATE INDEX CONCURRENTLY"), "{:?}", sug.create);
        assert!(sug.size_bytes.unwrap_or(0) > 0 && sug.time_saved_ms_per_day.unwrap_or(0.0) > 0.0, "{sug:?}");
    }
    eprintln!("{}", perfhound_db::render::text(&a, 5, false));

    let n1 = a.diagnosis.findings.iter().find(|f| f.rule.code == "PH-DB003").expect("N+1 signature reported");
    let traces = perfhound_sql::fingerprint("SELECT id, email, name FROM users WHERE id = $1", "postgresql");
    assert_eq!(n1.target, traces.shape.text, "named like perfhound traces names the same SQL");
    assert_eq!(n1.evidence.query.as_deref(), Some("SELECT id, email, name FROM users WHERE id = $1"));
    assert!(codes(&a).iter().filter(|c| **c == "PH-DB003").count() == 1, "only the PK lookup is N+1");

    let unused = a
        .diagnosis
        .findings
        .iter()
        .find(|f| f.rule.code == "PH-DB010" && f.target.contains("orders_shipping_address_idx"));
    let unused = unused.expect("planted unused index reported");
    assert_eq!(
        unused.recommendation.snippet.as_deref(),
        Some("DROP INDEX CONCURRENTLY public.orders_shipping_address_idx;")
    );
    assert!(unused.evidence.sizes_bytes["index_size"] > 0);
    let dup = a.diagnosis.findings.iter().find(|f| f.rule.code == "PH-DB011").expect("planted duplicate reported");
    assert_eq!(dup.target, "public.orders_total_idx");
    assert_eq!(dup.recommendation.snippet.as_deref(), Some("DROP INDEX CONCURRENTLY public.orders_total_idx;"));
    assert!(
        !a.diagnosis.findings.iter().any(|f| f.rule.code == "PH-DB010" && f.target.contains("pkey")),
        "constraint indexes are kept"
    );
}
