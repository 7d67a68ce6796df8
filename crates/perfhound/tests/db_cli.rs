//! `perfhound db` end to end against a real PostgreSQL (the perfhound-db test harness).

#[path = "../../perfhound-db/tests/support/mod.rs"]
mod support;

use assert_cmd::Command;

fn perfhound() -> Command {
    Command::cargo_bin("perfhound").expect("binary")
}

async fn shop(name: &str) -> String {
    let (url, c) = support::database(name, true).await;
    support::seed::shop(&c, 100_000).await;
    support::seed::repeat(&c, "SELECT id FROM orders WHERE user_id = $1", 20, |i| vec![Box::new(i as i64 + 1)]).await;
    url
}

#[tokio::test]
async fn advises_in_json_never_prints_the_password_and_applies_with_yes() {
    let url = shop("cli_shop").await.replace("postgres@", "postgres:s3cret@");
    let dir = std::env::temp_dir().join(format!("perfhound-db-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out_file = dir.join("db.json");
    let out = perfhound().args(["db", &url, "--format", "json", "--out"]).arg(&out_file).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let file = std::fs::read_to_string(&out_file).unwrap();
    for text in [&*stdout, &*stderr, &file] {
        assert!(!text.contains("s3cret"), "password leaked: {text}");
    }
    let run: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert_eq!(run["sources"][0]["kind"], "db");
    let missing = run["findings"].as_array().unwrap().iter().find(|f| f["rule"]["code"] == "PH-DB001").expect("advice");
    assert!(missing["recommendation"]["snippet"]
        .as_str()
        .unwrap()
        .contains("CREATE INDEX CONCURRENTLY orders_user_id"));

    let fail = perfhound().args(["db", &url, "--fail-on", "warning", "--no-checks"]).output().unwrap();
    assert_eq!(fail.status.code(), Some(1), "a warning finding breaches --fail-on warning");

    let refused = perfhound().args(["db", &url, "--apply", "--no-checks"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--yes"));

    let applied = perfhound().args(["db", &url, "--apply", "--yes", "--no-checks"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&applied.stderr);
    assert_eq!(applied.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("created public.orders_user_id"), "{stderr}");
    assert!(stderr.contains("re-measured"), "{stderr}");
    let again = perfhound().args(["db", &url, "--format", "json", "--no-checks"]).output().unwrap();
    let run: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert!(
        !run["findings"].as_array().unwrap().iter().any(|f| f["rule"]["code"] == "PH-DB001"),
        "the index now exists"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unreachable_server_is_a_clear_usage_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = perfhound().args(["db", &format!("postgres://u:hunter2@127.0.0.1:{port}/x")]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("cannot connect to postgres://u:***@127.0.0.1"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}
