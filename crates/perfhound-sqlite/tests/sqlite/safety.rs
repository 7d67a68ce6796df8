//! Safety and errors: missing files, non-databases, locks, unexplainable statements,
//! writes never executed.

use super::run;
use super::support::db_with;
use perfhound_sqlite::rusqlite::Connection;
use perfhound_sqlite::{analyze, SqliteConfig, SqliteError, StatementStat};
use std::time::Duration;

#[test]
fn a_missing_file_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.db");
    let err = analyze(&SqliteConfig::new(&path)).unwrap_err();
    assert!(matches!(err, SqliteError::NotFound { .. }), "{err}");
    assert!(err.to_string().contains("does not exist"));
    assert!(!path.exists(), "perfhound never creates a database");
}

#[test]
fn a_file_that_is_not_a_database_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "this is not a database, just some text that is long enough to have a header").unwrap();
    let err = analyze(&SqliteConfig::new(&path)).unwrap_err();
    assert!(matches!(err, SqliteError::NotADatabase { .. }), "{err}");
    assert!(err.to_string().contains("is not a SQLite database"), "{err}");
}

#[test]
fn a_locked_database_is_a_clear_error_after_the_busy_timeout() {
    let (_dir, path) = db_with("CREATE TABLE t(a); INSERT INTO t VALUES (1);");
    let writer = Connection::open(&path).unwrap();
    writer.execute_batch("BEGIN EXCLUSIVE; INSERT INTO t VALUES (2);").unwrap();
    let mut cfg = SqliteConfig::new(&path);
    cfg.limits.busy_timeout = Duration::from_millis(50);
    let err = analyze(&cfg).unwrap_err();
    assert!(matches!(err, SqliteError::Locked { .. }), "{err}");
    assert!(err.to_string().contains("WAL"), "the hint says how to avoid it: {err}");
    writer.execute_batch("ROLLBACK").unwrap();
    assert!(analyze(&cfg).is_ok(), "works once the lock is released");
}

#[test]
fn unexplainable_statements_are_warnings_not_errors() {
    let (_dir, path) = db_with("CREATE TABLE t(a);");
    let a = run(&path, &["SELECT * FROM missing_table WHERE x = ?", "SELECT a FROM t WHERE a = ?"], |_| {});
    assert!(a.explained[0].plan.as_ref().is_err_and(|e| e.contains("no such table")));
    assert!(a.explained[1].plan.is_ok());
    assert!(
        a.diagnosis.warnings.iter().any(|w| w.contains("1 statement(s) could not be explained")),
        "{:?}",
        a.diagnosis.warnings
    );
}

#[test]
fn writes_are_measured_through_their_search_never_executed() {
    let (_dir, path) = db_with(
        "CREATE TABLE jobs(id INTEGER PRIMARY KEY, queue TEXT, state TEXT);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)
         INSERT INTO jobs(queue, state) SELECT 'q' || (i % 300), 'ready' FROM n;",
    );
    let before = std::fs::read(&path).unwrap();
    let mut cfg = SqliteConfig::new(&path);
    cfg.statements = vec![
        StatementStat::new("DELETE FROM jobs WHERE queue = ?", 100, 0),
        StatementStat::new("UPDATE jobs SET state = 'done' WHERE queue = $1", 100, 0),
    ];
    let a = analyze(&cfg).unwrap();
    let s = &a.advice.as_ref().unwrap().suggestions;
    assert_eq!(s.len(), 1, "{}", perfhound_sqlite::render::text(&a, false));
    assert_eq!((s[0].candidate.columns.as_slice(), s[0].helped.len()), (&["queue".to_string()][..], 2));
    assert!(std::fs::read(&path).unwrap() == before);
    let rows: i64 = Connection::open(&path)
        .unwrap()
        .query_row("SELECT count(*) FROM jobs WHERE state = 'ready'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 30_000);
}

#[test]
fn statements_from_a_sql_file() {
    let (dir, path) = db_with("CREATE TABLE t(a, b);");
    let file = dir.path().join("q.sql");
    std::fs::write(&file, "-- app queries\nSELECT a FROM t WHERE b = 'x';\nBEGIN;\nSELECT b FROM t WHERE a = ?;\n")
        .unwrap();
    let mut cfg = SqliteConfig::new(&path);
    cfg.sql_file = Some(file.clone());
    let a = analyze(&cfg).unwrap();
    assert_eq!(a.statements.statements.len(), 2);
    assert_eq!(a.statements.skipped, 1);
    assert_eq!(a.statements.statements[0].fingerprint, "SELECT a FROM t WHERE b = ?");
    cfg.sql_file = Some(dir.path().join("missing.sql"));
    assert!(matches!(analyze(&cfg).unwrap_err(), SqliteError::Io { .. }));
}
