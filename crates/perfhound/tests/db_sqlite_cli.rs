//! `perfhound db sqlite://…` end to end: a real SQLite file with an unindexed filter column,
//! JSON and text output, `--out`, `--fail-on` exit codes, URL forms and clear errors.

use assert_cmd::Command;
use perfhound_sqlite::rusqlite::{params, Connection};
use std::path::{Path, PathBuf};

fn perfhound() -> Command {
    Command::cargo_bin("perfhound").expect("binary")
}

/// `app.db` with 20,000 orders filtered by an unindexed `user_id`, and `q.sql`.
fn shop() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.db");
    let mut c = Connection::open(&db).unwrap();
    c.execute_batch("CREATE TABLE orders(id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, total REAL);").unwrap();
    let tx = c.transaction().unwrap();
    {
        let mut ins = tx.prepare("INSERT INTO orders(user_id, total) VALUES (?1, ?2)").unwrap();
        for i in 0..20_000i64 {
            ins.execute(params![i * 7919 % 500, (i % 1000) as f64]).unwrap();
        }
    }
    tx.commit().unwrap();
    drop(c);
    let sql = dir.path().join("q.sql");
    std::fs::write(&sql, "-- the app's lookup\nSELECT id, total FROM orders WHERE user_id = ?;\n").unwrap();
    (dir, db, sql)
}

fn url(db: &Path) -> String {
    format!("sqlite://{}", db.display())
}

#[test]
fn advises_in_json_writes_out_and_fails_on_warning() {
    let (dir, db, sql) = shop();
    let before = std::fs::read(&db).unwrap();
    let out_file = dir.path().join("run.json");
    let out = perfhound()
        .args(["db", &url(&db), "--sql"])
        .arg(&sql)
        .args(["--format", "json", "--fail-on", "warning", "--out"])
        .arg(&out_file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "a missing-index warning breaches --fail-on warning: {stderr}");
    let run: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    assert_eq!(run["findings"], file["findings"], "--out holds the same run");
    assert_eq!(run["sources"][0]["kind"], "db");
    assert!(run["sources"][0]["description"].as_str().unwrap().contains("SQLite 3."));
    let f = run["findings"].as_array().unwrap().iter().find(|f| f["rule"]["code"] == "PH-SQLITE001").expect("advice");
    assert_eq!(f["target"], "SELECT id, total FROM orders WHERE user_id = ?");
    assert_eq!(
        f["recommendation"]["snippet"],
        "CREATE INDEX IF NOT EXISTS idx_orders_user_id ON orders (user_id);\nANALYZE orders;"
    );
    assert!(
        f["evidence"]["durations_us"]["time_before"].as_u64() > f["evidence"]["durations_us"]["time_after"].as_u64()
    );
    assert!(run["targets"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "SELECT id, total FROM orders WHERE user_id = ?"
            && t["kind"] == "query"
            && t["group"] == "sqlite"));
    assert!(std::fs::read(&db).unwrap() == before, "the database file is never written");
}

#[test]
fn text_output_and_relative_urls() {
    let (dir, _db, sql) = shop();
    let out = perfhound().current_dir(dir.path()).args(["db", "sqlite:app.db", "--sql"]).arg(&sql).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.starts_with("perfhound db — app.db (SQLite 3."), "{stdout}");
    assert!(stdout.contains("Index suggestions"), "{stdout}");
    assert!(stdout.contains("CREATE INDEX IF NOT EXISTS idx_orders_user_id ON orders (user_id);"), "{stdout}");
    let relative = perfhound().current_dir(dir.path()).args(["db", "sqlite://app.db", "--no-checks"]).output().unwrap();
    assert_eq!(relative.status.code(), Some(0), "{}", String::from_utf8_lossy(&relative.stderr));
}

#[test]
fn without_the_advisor_a_20k_row_scan_is_info_not_warning() {
    let (_dir, db, sql) = shop();
    let args = |fail_on: &str| {
        let mut c = perfhound();
        c.args(["db", &url(&db), "--no-advisor", "--format", "json", "--fail-on", fail_on, "--sql"]).arg(&sql);
        c.output().unwrap()
    };
    let warn = args("warning");
    assert_eq!(warn.status.code(), Some(0), "{}", String::from_utf8_lossy(&warn.stderr));
    let run: serde_json::Value = serde_json::from_slice(&warn.stdout).unwrap();
    let scan = run["findings"].as_array().unwrap().iter().find(|f| f["rule"]["code"] == "PH-SQLITE002").expect("scan");
    assert_eq!(scan["severity"], "info");
    assert_eq!(args("info").status.code(), Some(1));
}

#[test]
fn clear_errors_exit_2() {
    let (dir, db, _sql) = shop();
    let missing = perfhound().args(["db", &url(&dir.path().join("nope.db"))]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does not exist"));
    assert!(!dir.path().join("nope.db").exists());

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "plain text, certainly not a SQLite database file at all").unwrap();
    let not_db = perfhound().args(["db", &url(&text)]).output().unwrap();
    assert_eq!(not_db.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&not_db.stderr).contains("is not a SQLite database"));

    let apply = perfhound().args(["db", &url(&db), "--apply"]).output().unwrap();
    assert_eq!(apply.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&apply.stderr).contains("--apply is not supported for SQLite"));

    let bad = perfhound().args(["db", &url(&db), "--min-cost-drop", "150"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));

    let locker = Connection::open(&db).unwrap();
    locker.execute_batch("BEGIN EXCLUSIVE; INSERT INTO orders(user_id, total) VALUES (1, 1);").unwrap();
    let locked = perfhound().args(["db", &url(&db), "--statement-timeout", "200ms"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&locked.stderr);
    assert_eq!(locked.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("is locked by another connection"), "{stderr}");
    locker.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn the_run_is_saved_in_the_store_with_its_tags() {
    let (dir, db, sql) = shop();
    let store = dir.path().join("h.db");
    perfhound()
        .args(["db", &url(&db), "--no-checks", "--tag", "db=sqlite", "--sql"])
        .arg(&sql)
        .arg("--store")
        .arg(&store)
        .assert()
        .success();
    let out = perfhound().args(["history", "--format", "json", "--store"]).arg(&store).output().unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["command"], "db", "{rows}");
    assert_eq!(rows[0]["tags"]["db"], "sqlite");
}
