//! `rediss://` against a real redis-server with TLS (certificates made with rcgen by the
//! testkit): verified against the right CA, refused with a hint for the wrong one, and
//! `insecure=true` encrypting without verification.

use perfhound_cache::{analyze, CacheError, Config};
use perfhound_testkit::redis::RedisServer;

fn config(url: String) -> Config {
    let mut cfg = Config::new(url);
    cfg.sample = None;
    cfg
}

#[tokio::test]
async fn rediss_verifies_the_server_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let certs = perfhound_testkit::pg::certs::write(dir.path(), None);
    let redis = RedisServer::start_tls(&certs.server_cert, &certs.server_key, &certs.ca);
    let port = redis.tls_port().unwrap();
    assert_eq!(redis.command(&["SET", "k", "v"]), "+OK");

    let ca = certs.ca.display();
    let ok = analyze(&config(format!("rediss://localhost:{port}?cacert={ca}"))).await.unwrap();
    assert!(!ok.stats.version.is_empty(), "{:?}", ok.stats);
    assert_eq!(ok.stats.keys, 1);
    assert_eq!(ok.source, format!("rediss://localhost:{port}/0"));

    let wrong = certs.wrong_ca.display();
    let err = analyze(&config(format!("rediss://localhost:{port}?cacert={wrong}"))).await.unwrap_err();
    assert!(matches!(err, CacheError::Tls { .. }), "{err}");
    assert!(err.to_string().contains("cacert="), "a hint says what to pass: {err}");

    let insecure = analyze(&config(format!("rediss://127.0.0.1:{port}?insecure=true"))).await.unwrap();
    assert_eq!(insecure.stats.keys, 1);
}
