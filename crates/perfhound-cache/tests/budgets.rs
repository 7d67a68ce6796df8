//! The SCAN sampling budgets against a real redis-server: sampling stops at the key budget
//! or once the time budget is spent (checked after each SCAN batch), says which, and a
//! keyspace smaller than both budgets is scanned completely.

use perfhound_cache::sample::{Budget, Stop};
use perfhound_cache::{analyze, Config};
use perfhound_testkit::redis::RedisServer;
use std::time::Duration;

const KEYS: usize = 2_000;

fn populated() -> RedisServer {
    let redis = RedisServer::start();
    let sets: Vec<Vec<Vec<u8>>> =
        (0..KEYS).map(|i| vec![b"SET".to_vec(), format!("item:{i}").into_bytes(), b"v".to_vec()]).collect();
    redis.pipeline(&sets);
    assert_eq!(redis.command(&["DBSIZE"]), format!(":{KEYS}"));
    redis
}

async fn sampled(redis: &RedisServer, keys: usize, time: Duration) -> perfhound_cache::sample::Sample {
    let mut cfg = Config::new(redis.url());
    cfg.sample = Some(Budget { keys, time });
    analyze(&cfg).await.unwrap().sample.expect("sampling ran")
}

#[tokio::test]
async fn key_and_time_budgets_stop_the_scan() {
    let redis = populated();
    let by_keys = sampled(&redis, 300, Duration::from_secs(3600)).await;
    assert_eq!((by_keys.stop, by_keys.keys), (Stop::KeyBudget, 300));

    // A spent time budget stops after the first SCAN batch (200 keys asked; SCAN's COUNT
    // is a hint, so a batch may hold a few more or fewer).
    let by_time = sampled(&redis, usize::MAX, Duration::ZERO).await;
    assert_eq!(by_time.stop, Stop::TimeBudget);
    assert!(by_time.keys > 0 && by_time.keys < KEYS as u64 / 2, "one batch: {}", by_time.keys);

    let all = sampled(&redis, usize::MAX, Duration::from_secs(3600)).await;
    assert_eq!((all.stop, all.keys), (Stop::Complete, KEYS as u64));
}
