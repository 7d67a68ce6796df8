//! Health checks: each rule fires on a database built to have the problem, and a fresh,
//! well-indexed, analyzed WAL database produces no finding at all.

use super::support::{db_with, Rng};
use super::{codes, run};
use perfhound_model::Severity;
use perfhound_sqlite::rusqlite::{params, Connection};

/// Parents and children; the child's foreign key is indexed only when `index_fk`.
fn shop_sql(index_fk: bool, wal: bool) -> String {
    format!(
        "{}
         CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);
         CREATE TABLE invoices(id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), amount REAL);
         {}",
        if wal { "PRAGMA journal_mode = WAL;" } else { "" },
        if index_fk { "CREATE INDEX idx_invoices_customer_id ON invoices(customer_id);" } else { "" }
    )
}

fn fill(path: &std::path::Path, invoices: u64) {
    let mut c = Connection::open(path).unwrap();
    let tx = c.transaction().unwrap();
    let mut rng = Rng(7);
    {
        let mut cu = tx.prepare("INSERT INTO customers(email) VALUES (?1)").unwrap();
        for i in 0..1_000 {
            cu.execute(params![format!("c{i}@example.com")]).unwrap();
        }
        let mut inv = tx.prepare("INSERT INTO invoices(customer_id, amount) VALUES (?1, ?2)").unwrap();
        for _ in 0..invoices {
            inv.execute(params![(1 + rng.next() % 1_000) as i64, (rng.next() % 10_000) as f64]).unwrap();
        }
    }
    tx.commit().unwrap();
}

#[test]
fn a_fresh_well_indexed_database_has_no_findings() {
    let (_dir, path) = db_with(&shop_sql(true, true));
    fill(&path, 20_000);
    Connection::open(&path).unwrap().execute_batch("ANALYZE;").unwrap();
    let a = run(
        &path,
        &[
            "SELECT * FROM invoices WHERE customer_id = ?",
            "SELECT * FROM customers WHERE email = ?",
            "SELECT * FROM customers WHERE id = ?",
        ],
        |_| {},
    );
    assert!(a.diagnosis.findings.is_empty(), "{:#?}", a.diagnosis.findings);
    assert!(a.advice.as_ref().is_some_and(|adv| adv.suggestions.is_empty() && adv.worked_on == 0));
    assert_eq!(a.diagnosis.metrics.get(perfhound_model::Extra::JournalModeWal).unwrap(), 1.0);
    assert!(a.diagnosis.warnings.is_empty(), "{:?}", a.diagnosis.warnings);
}

#[test]
fn unindexed_foreign_key_never_analyzed_and_rollback_journal() {
    let (_dir, path) = db_with(&shop_sql(false, false));
    fill(&path, 20_000);
    let a = run(&path, &[], |_| {});
    let fk = a.diagnosis.findings.iter().find(|f| f.rule.code == "PH-SQLITE008").expect("unindexed foreign key");
    assert_eq!((fk.severity, fk.target.as_str()), (Severity::Warning, "invoices(customer_id)"));
    assert_eq!(
        fk.recommendation.snippet.as_deref(),
        Some("CREATE INDEX IF NOT EXISTS idx_invoices_customer_id ON invoices (customer_id);")
    );
    let journal = a.diagnosis.findings.iter().find(|f| f.rule.code == "PH-SQLITE007").expect("rollback journal");
    assert_eq!((journal.severity, journal.target.as_str()), (Severity::Info, "database app.db"));
    // customers has 1,000 rows and a UNIQUE index, no statistics.
    let stats = a.diagnosis.findings.iter().find(|f| f.rule.code == "PH-SQLITE006").expect("never analyzed");
    assert!(stats.title.contains("customers") && !stats.title.contains("invoices"), "{}", stats.title);
    assert_eq!(stats.severity, Severity::Info);
    assert!(!codes(&a).contains(&"PH-SQLITE009"));
}

#[test]
fn unindexed_foreign_keys_no_workload_statement_needs_are_info() {
    let (_dir, path) = db_with(&shop_sql(false, false));
    fill(&path, 20_000);
    let a = run(&path, &["SELECT id FROM customers WHERE id = ?"], |_| {});
    let fk = a.diagnosis.findings.iter().find(|f| f.rule.code == "PH-SQLITE008").expect("still reported");
    assert_eq!(fk.severity, Severity::Info);
    assert!(fk.evidence.notes.iter().any(|n| n.contains("no statement")), "{:?}", fk.evidence.notes);
}

#[test]
fn small_unindexed_foreign_keys_are_info() {
    let (_dir, path) = db_with(&shop_sql(false, true));
    fill(&path, 500);
    let a = run(&path, &[], |_| {});
    let fk = a.diagnosis.findings.iter().find(|f| f.rule.code == "PH-SQLITE008").unwrap();
    assert_eq!(fk.severity, Severity::Info);
    assert!(!codes(&a).contains(&"PH-SQLITE007"), "WAL");
}

#[test]
fn a_purged_table_leaves_a_freelist_to_vacuum() {
    let (_dir, path) = db_with("PRAGMA journal_mode = WAL; CREATE TABLE events(id INTEGER PRIMARY KEY, payload TEXT);");
    let c = Connection::open(&path).unwrap();
    c.execute_batch(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
         INSERT INTO events(payload) SELECT printf('%.200c', 'x') FROM n;
         DELETE FROM events WHERE id > 2000;
         PRAGMA wal_checkpoint(TRUNCATE);",
    )
    .unwrap();
    drop(c);
    let a = run(&path, &[], |_| {});
    let f = a.diagnosis.findings.iter().find(|f| f.rule.code == "PH-SQLITE009").expect("freelist finding");
    assert_eq!(f.recommendation.snippet.as_deref(), Some("VACUUM;"));
    assert!(a.diagnosis.metrics.get(perfhound_model::Extra::FreelistRatio).unwrap() > 0.5, "{:?}", a.diagnosis.metrics);
    assert!(f.evidence.sizes_bytes["freelist"] >= 1024 * 1024);
}

#[test]
fn plan_rules_report_scans_sorts_automatic_indexes_and_correlated_subqueries() {
    let (_dir, path) = db_with(&shop_sql(false, true));
    fill(&path, 60_000);
    let sql = [
        "SELECT * FROM invoices WHERE abs(amount) = ?",
        "SELECT customer_id, sum(amount) FROM invoices GROUP BY customer_id",
        "SELECT c.email, i.amount FROM customers c CROSS JOIN invoices i ON i.customer_id = c.id WHERE c.id > ?",
        "SELECT * FROM customers c WHERE c.id <= 20 AND (SELECT count(*) FROM invoices i WHERE i.customer_id = c.id) > ?",
    ];
    // Without the advisor, every plan problem is reported as such.
    let a = run(&path, &sql, |c| c.advisor = false);
    let by_rule = |code: &str| {
        a.diagnosis.findings.iter().filter(|f| f.rule.code == code).map(|f| f.target.clone()).collect::<Vec<_>>()
    };
    let scan = a.diagnosis.findings.iter().find(|f| f.rule.code == "PH-SQLITE002").expect("full scan");
    assert_eq!(scan.target, "SELECT * FROM invoices WHERE abs(amount) = ?");
    assert_eq!(scan.severity, Severity::Warning, "a filtered scan of 60,000 rows");
    assert!(scan.evidence.code.as_deref().is_some_and(|p| p.contains("SCAN invoices")));
    assert!(by_rule("PH-SQLITE003").iter().any(|t| t.contains("GROUP BY")), "{:?}", a.diagnosis.findings);
    assert_eq!(by_rule("PH-SQLITE004").len(), 1, "{:#?}", a.diagnosis.findings);
    assert_eq!(by_rule("PH-SQLITE005").len(), 1, "{:#?}", a.diagnosis.findings);
    // With the advisor, statements an index fixes are reported once, as missing-index.
    let b = run(&path, &sql, |_| {});
    assert!(
        b.diagnosis.findings.iter().any(|f| f.rule.code == "PH-SQLITE001" && f.title.contains("(customer_id")),
        "{:#?}",
        b.diagnosis.findings
    );
    assert!(
        !b.diagnosis.findings.iter().any(|f| f.rule.code == "PH-SQLITE005"),
        "{:#?} {:?}",
        b.diagnosis.findings,
        b.diagnosis.warnings
    );
    let not_fixable =
        b.diagnosis.findings.iter().find(|f| f.rule.code == "PH-SQLITE002").expect("abs(amount) stays a scan");
    assert!(not_fixable.target.contains("abs(amount)"));
}

#[test]
fn plan_problems_of_statements_that_barely_ran_are_info() {
    let (_dir, path) = db_with(&shop_sql(false, true));
    fill(&path, 60_000);
    // One execution of 50 ms in a 60 s window (a cached report computed once): 0.08 %.
    let a = run(&path, &["SELECT * FROM invoices WHERE abs(amount) = ?"], |c| {
        c.advisor = false;
        c.statements[0].calls = 1;
        c.statements[0].total_us = 50_000;
        c.window_s = Some(60.0);
    });
    let scan = a.diagnosis.findings.iter().find(|f| f.rule.code == "PH-SQLITE002").expect("still reported");
    assert_eq!(scan.severity, Severity::Info);
    assert!(scan.evidence.notes.iter().any(|n| n.contains("low impact")), "{:?}", scan.evidence.notes);
}
