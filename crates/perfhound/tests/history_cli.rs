//! `perfhound history`: runs saved by real commands, filters, a series as sparkline and
//! JSON, and the planted regression named by its commit.

mod store_support;

use assert_cmd::Command;
use perfhound_testkit::{ServerConfig, TestServer};

fn perfhound() -> Command {
    let mut cmd = Command::cargo_bin("perfhound").expect("binary is built");
    cmd.env_remove("PERFHOUND_STORE");
    cmd
}

#[test]
fn every_load_run_is_saved_with_its_tags_unless_no_store() {
    let server = TestServer::start(ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    for tag in ["env=ci", "env=laptop"] {
        perfhound()
            .args(["load", &server.url("/"), "-n", "50", "-c", "2", "-q", "--format", "none", "--tag", tag, "--store"])
            .arg(&db)
            .assert()
            .success();
    }
    perfhound()
        .args(["load", &server.url("/"), "-n", "20", "-c", "1", "-q", "--format", "none", "--no-store"])
        .env("PERFHOUND_STORE", &db)
        .assert()
        .success();
    let out = perfhound().args(["history", "--format", "json", "--store"]).arg(&db).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2, "--no-store saved nothing: {rows:?}");
    assert_eq!(rows[0]["command"], "load");
    assert_eq!(rows[0]["tags"]["env"], "ci");
    // Inside this repository the commit is recorded.
    assert_eq!(rows[0]["git_commit"].as_str().unwrap().len(), 40, "{rows:?}");

    let ci = perfhound().args(["history", "--tag", "env=ci", "--format", "json", "--store"]).arg(&db).output().unwrap();
    let ci: serde_json::Value = serde_json::from_slice(&ci.stdout).unwrap();
    assert_eq!(ci.as_array().unwrap().len(), 1);
}

#[test]
fn a_bad_tag_is_a_usage_error_before_any_load() {
    let dir = tempfile::tempdir().unwrap();
    let out = perfhound()
        .args(["load", "http://127.0.0.1:9/", "-n", "1", "--tag", "oops", "--store"])
        .arg(dir.path().join("h.db"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tag `oops`: expected name=value"));
}

/// 30 runs at 10 ms, then 8 at 12 ms (commit c30 introduced it), on branch main.
fn planted(db: &std::path::Path) {
    for i in 0..38 {
        let median = if i < 30 { 10_000 + (i % 3) * 150 } else { 12_000 + (i % 3) * 150 };
        let run = store_support::run(&format!("run{i:02}"), "GET /api/orders", median);
        store_support::save(db, &run, &format!("c{i:02}{}", "0".repeat(37)), "main");
    }
}

#[test]
fn regressions_name_the_commit_where_the_metric_moved() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    planted(&db);
    let out = perfhound().args(["history", "--regressions", "--store"]).arg(&db).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("GET /api/orders p95 +19") && text.contains("since commit c300000"), "{text}");

    let out = perfhound()
        .args(["history", "--regressions", "--fail-on-regression", "--format", "json", "--store"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let p50 = found.as_array().unwrap().iter().find(|r| r["metric"] == "p50").expect("p50 regression");
    assert_eq!(p50["run_id"], "run30");
    assert_eq!(p50["index"], 30);
    assert!((p50["change"].as_f64().unwrap() - 0.2).abs() < 0.03, "{p50}");
}

#[test]
fn a_metric_series_prints_as_sparkline_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    planted(&db);
    let out = perfhound().args(["history", "--metric", "p50", "--store"]).arg(&db).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("GET /api/orders p50 over 38 runs"), "{text}");
    assert!(text.contains('│') && text.contains('▁') && text.contains('█'), "{text}");
    assert!(text.contains("change at run #31"), "{text}");

    let out = perfhound()
        .args(["history", "--metric", "p50", "--endpoint", "GET /api/orders", "--limit", "5", "--format", "json"])
        .arg("--store")
        .arg(&db)
        .output()
        .unwrap();
    let t: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(t["points"].as_array().unwrap().len(), 5, "the 5 most recent");
    assert_eq!(t["points"][4]["run_id"], "run37");

    let bad = perfhound().args(["history", "--metric", "p42", "--store"]).arg(&db).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("the store keeps series of p50, p95"));
}

#[test]
fn a_store_from_a_newer_perfhound_is_refused_by_history_and_load_warns() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    planted(&db);
    rusqlite_set_version(&db);
    let out = perfhound().args(["history", "--store"]).arg(&db).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("written by a newer perfhound") && err.contains("upgrade perfhound"), "{err}");
    // A command that made a run keeps its exit code and says why the run was not saved.
    let server = TestServer::start(ServerConfig::default());
    let out = perfhound()
        .args(["load", &server.url("/"), "-n", "10", "-c", "1", "-q", "--format", "none", "--store"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("warning: the run was not saved in the history") && err.contains("newer perfhound"), "{err}");
}

fn rusqlite_set_version(db: &std::path::Path) {
    let status = std::process::Command::new("python3")
        .args(["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE store_meta SET value='99' WHERE key='schema_version'\"); c.commit()"])
        .arg(db)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn a_series_file_gets_its_change_points_and_bad_lines_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p95.txt");
    let values: Vec<String> =
        (0..24).map(|i| format!("{}", if i < 12 { 100.0 } else { 115.0 } + (i % 3) as f64)).collect();
    std::fs::write(&file, format!("# p95 in ms\n{}\n", values.join("\n"))).unwrap();
    let out = perfhound().args(["history", "--format", "json", "--series-file"]).arg(&file).output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["values"].as_array().unwrap().len(), 24);
    assert_eq!(doc["change_points"][0]["index"], 12, "{doc}");
    std::fs::write(&file, "1\n2\nnan-ish\n").unwrap();
    let bad = perfhound().args(["history", "--series-file"]).arg(&file).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("p95.txt:3: `nan-ish` is not a number"));
}

#[test]
fn no_secret_reaches_the_store() {
    let server = TestServer::start(ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let url = server.url("/?api_key=k3y-in-the-url");
    perfhound()
        .args([
            "load",
            &url,
            "-n",
            "20",
            "-c",
            "1",
            "-q",
            "--format",
            "none",
            "-H",
            "Authorization: Bearer s3cr3t-t0ken",
        ])
        .arg("--store")
        .arg(&db)
        .assert()
        .success();
    let mut bytes = std::fs::read(&db).unwrap();
    bytes.extend(std::fs::read(dir.path().join("h.db-wal")).unwrap_or_default());
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("perfhound"), "the run is in the store");
    assert!(!text.contains("s3cr3t-t0ken") && !text.contains("k3y-in-the-url"), "a secret was stored");
}
