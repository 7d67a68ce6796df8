//! Restricted ACL users against a real redis-server: what they may not run becomes a
//! warning, and the rest of the diagnosis still stands.

use perfhound_cache::{analyze, Config};
use perfhound_testkit::redis::RedisServer;

#[tokio::test]
async fn denied_commands_become_warnings() {
    let redis = RedisServer::start();
    assert_eq!(redis.command(&["SET", "user:1", "x"]), "+OK");
    assert_eq!(redis.command(&["ACL", "SETUSER", "nomem", "on", ">pw", "~*", "+@all", "-memory"]), "+OK");
    assert_eq!(redis.command(&["ACL", "SETUSER", "noscan", "on", ">pw", "~*", "+@all", "-scan"]), "+OK");
    let url = |user: &str| format!("redis://{user}:pw@127.0.0.1:{}", redis.port());

    let a = analyze(&Config::new(url("nomem"))).await.unwrap();
    let sample = a.sample.as_ref().unwrap();
    assert_eq!((sample.keys, sample.unreadable), (0, 1));
    let w = a.diagnosis.warnings.join("\n");
    assert!(w.contains("1 sampled keys could not be read") && w.contains("NOPERM"), "{w}");

    let a = analyze(&Config::new(url("noscan"))).await.unwrap();
    assert!(a.sample.is_none());
    let w = a.diagnosis.warnings.join("\n");
    assert!(w.contains("keys not sampled") && w.contains("`SCAN` failed"), "{w}");
    assert!(!w.contains(":pw@"), "{w}");
    assert_eq!(a.stats.keys, 1, "INFO still read");
}
