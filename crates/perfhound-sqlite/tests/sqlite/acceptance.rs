//! The acceptance cases, on one shared analysis of the 100,000-order shop.

use super::support;
use super::{codes, run, stmt, suggested};
use perfhound_model::Extra;
use perfhound_model::{Effort, Severity};
use perfhound_sqlite::advisor::Suggestion;
use perfhound_sqlite::Analysis;
use std::sync::OnceLock;

const BY_USER: &str = "SELECT * FROM orders WHERE user_id = ?";
const BY_STATUS_RECENT: &str = "SELECT id, total FROM orders WHERE status = ? AND created_at >= ?";
const LATEST: &str = "SELECT id, total FROM orders ORDER BY created_at DESC LIMIT 20";
const JOIN: &str =
    "SELECT o.id, i.sku, i.qty FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.user_id = $1";
const UPDATE: &str = "UPDATE orders SET status = 'cancelled' WHERE user_id = :user AND status = 'new'";
const AUDIT: &str = "SELECT * FROM \"Audit Log\" WHERE \"Order Id\" = ?3";
const AUDIT_DELETE: &str = "DELETE FROM \"Audit Log\" WHERE \"Order Id\" = @order";
const BY_EMAIL: &str = "SELECT * FROM users WHERE email = ?";
const ITEMS: &str = "SELECT sku, qty FROM order_items WHERE order_id = ?";
const BY_ID: &str = "SELECT * FROM orders WHERE id = ?";

const ALL: [&str; 10] = [BY_USER, BY_STATUS_RECENT, LATEST, JOIN, UPDATE, AUDIT, AUDIT_DELETE, BY_EMAIL, ITEMS, BY_ID];

struct Shared {
    a: Analysis,
    before: Vec<u8>,
    after: Vec<u8>,
    files_after: Vec<String>,
}

/// One analysis of every acceptance statement (the advisor builds each candidate once).
fn shared() -> &'static Shared {
    static S: OnceLock<Shared> = OnceLock::new();
    S.get_or_init(|| {
        let (dir, path) = support::shop();
        let before = std::fs::read(&path).unwrap();
        let a = run(&path, &ALL, |_| {});
        let after = std::fs::read(&path).unwrap();
        let mut files_after: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        files_after.sort();
        Shared { a, before, after, files_after }
    })
}

fn suggestion_serving<'a>(a: &'a Analysis, sql: &str) -> &'a Suggestion {
    let i = stmt(a, sql);
    a.suggestion_for(i).unwrap_or_else(|| panic!("no suggestion serves {sql}; got {:?}\n{}", suggested(a), render(a)))
}

fn render(a: &Analysis) -> String {
    perfhound_sqlite::render::text(a, false)
}

#[test]
fn unindexed_user_id_gets_an_index_with_a_measured_speedup() {
    let a = &shared().a;
    let s = suggestion_serving(a, BY_USER);
    assert_eq!((s.candidate.table.as_str(), s.candidate.columns[0].as_str()), ("orders", "user_id"), "{}", render(a));
    let h = s.helped.iter().find(|h| h.stmt == stmt(a, BY_USER)).unwrap();
    assert!(h.drop() >= 0.5, "measured drop {:.2}: {h:?}", h.drop());
    assert!(h.before_us > h.after_us && h.sets >= 1);
    assert_eq!(h.plan_before.render(), "SCAN orders");
    assert!(h.plan_after.render().starts_with(&format!("SEARCH orders USING INDEX {} (user_id=?)", s.name)), "{h:?}");
    assert!(s.create.starts_with("CREATE INDEX IF NOT EXISTS idx_orders_user_id"), "{}", s.create);
    assert!(s.create.ends_with("ON orders (user_id)") || s.create.contains("ON orders (user_id, "), "{}", s.create);
    assert!(s.size_bytes.is_some_and(|b| b > 100_000), "an index over 100k rows: {:?}", s.size_bytes);
    assert!(s.time_saved_us_per_day.is_some_and(|t| t > 0.0), "10 calls/hour give a daily saving");
}

#[test]
fn equality_then_range_gets_the_two_column_index() {
    let a = &shared().a;
    let s = suggestion_serving(a, BY_STATUS_RECENT);
    assert_eq!(s.candidate.columns, ["status", "created_at"], "{}", render(a));
    assert_eq!(s.create, "CREATE INDEX IF NOT EXISTS idx_orders_status_created_at ON orders (status, created_at)");
    let h = s.helped.iter().find(|h| h.stmt == stmt(a, BY_STATUS_RECENT)).unwrap();
    assert!(h.drop() >= 0.5, "{h:?}");
    assert!(
        h.plan_after.render().contains("USING INDEX idx_orders_status_created_at (status=? AND created_at>?)"),
        "{h:?}"
    );
}

#[test]
fn order_by_limit_reads_the_index_in_order() {
    let a = &shared().a;
    let s = suggestion_serving(a, LATEST);
    assert_eq!(s.candidate.columns, ["created_at"], "{}", render(a));
    let h = s.helped.iter().find(|h| h.stmt == stmt(a, LATEST)).unwrap();
    assert!(h.plan_before.has_temp_btree(), "{h:?}");
    assert!(!h.plan_after.has_temp_btree() && h.plan_after.uses_index("idx_orders_created_at"), "{h:?}");
    assert!(h.drop() >= 0.5, "{h:?}");
}

#[test]
fn one_index_serves_the_lookup_the_join_and_the_update() {
    let a = &shared().a;
    let s = suggestion_serving(a, BY_USER);
    for sql in [JOIN, UPDATE] {
        assert!(s.helped.iter().any(|h| h.stmt == stmt(a, sql)), "{sql} not served by {}: {}", s.name, render(a));
    }
    let upd = s.helped.iter().find(|h| h.stmt == stmt(a, UPDATE)).unwrap();
    assert!(upd.plan_before.render().contains("SCAN orders") && upd.drop() >= 0.5, "{upd:?}");
    let on_orders_user: Vec<String> = suggested(a).into_iter().filter(|x| x.starts_with("orders(user_id")).collect();
    assert_eq!(on_orders_user.len(), 1, "one index for all user_id statements: {:?}", suggested(a));
    // orders.user_id is also a foreign key: reported once, by the suggestion.
    assert_eq!(s.foreign_key.as_deref(), Some("orders(user_id) → users"));
    assert!(!codes(a).contains(&"PH-SQLITE008"), "{:?}", codes(a));
}

#[test]
fn quoted_identifiers_and_a_delete_get_a_quoted_index() {
    let a = &shared().a;
    let s = suggestion_serving(a, AUDIT);
    assert_eq!(s.create, "CREATE INDEX IF NOT EXISTS idx_audit_log_order_id ON \"Audit Log\" (\"Order Id\")");
    assert!(s.helped.iter().any(|h| h.stmt == stmt(a, AUDIT_DELETE)), "{}", render(a));
    assert!(s.snippet().ends_with("ANALYZE \"Audit Log\";"));
}

#[test]
fn indexed_statements_get_no_suggestion_and_no_plan_finding() {
    let a = &shared().a;
    for sql in [BY_EMAIL, ITEMS, BY_ID] {
        let i = stmt(a, sql);
        assert!(a.suggestion_for(i).is_none(), "{sql}: {}", render(a));
        let fp = &a.statements.statements[i].fingerprint;
        assert!(!a.diagnosis.findings.iter().any(|f| &f.target == fp), "{sql} has a finding");
        assert!(a.explained[i].plan.as_ref().unwrap().full_scans().is_empty());
    }
    assert!(!suggested(a).iter().any(|s| s.starts_with("users(") || s.starts_with("order_items(")));
}

#[test]
fn every_placeholder_style_is_explained() {
    let a = &shared().a;
    assert_eq!(a.explained.len(), 10);
    for e in &a.explained {
        assert!(e.plan.is_ok(), "{:?}", e);
    }
    assert!(a.diagnosis.warnings.is_empty(), "{:?}", a.diagnosis.warnings);
}

#[test]
fn findings_are_stable_redacted_and_match_trace_fingerprints() {
    let a = &shared().a;
    let missing: Vec<_> = a.diagnosis.findings.iter().filter(|f| f.rule.code == "PH-SQLITE001").collect();
    assert_eq!(missing.len(), a.advice.as_ref().unwrap().suggestions.len());
    for f in &missing {
        assert_eq!((f.severity, f.recommendation.effort), (Severity::Warning, Some(Effort::QuickWin)));
        let snippet = f.recommendation.snippet.as_deref().unwrap();
        assert!(
            snippet.starts_with("CREATE INDEX IF NOT EXISTS idx_") && snippet.contains(");\nANALYZE "),
            "{snippet}"
        );
        let traces_names: Vec<String> =
            ALL.iter().map(|sql| perfhound_sql::fingerprint(sql, "sqlite").shape.text.clone()).collect();
        assert!(traces_names.contains(&f.target), "target = the trace engine's query name: {}", f.target);
        assert_eq!(f.evidence.query.as_deref(), Some(f.target.as_str()), "redacted statement");
        assert!(f.evidence.durations_us["time_before"] > f.evidence.durations_us["time_after"]);
    }
    let status = missing.iter().find(|f| f.title.contains("(status, created_at)")).unwrap();
    assert_eq!(
        status.fingerprint,
        perfhound_model::finding::fingerprint(&["PH-SQLITE001", "orders", "status,created_at"])
    );
    // Literals never appear without --show-literals.
    assert!(!a.diagnosis.findings.iter().any(|f| f.evidence.query.as_deref().is_some_and(|q| q.contains("'new'"))));
    // Statements served by an index are not reported again as full scans.
    let scans: Vec<_> = a.diagnosis.findings.iter().filter(|f| f.rule.code == "PH-SQLITE002").collect();
    assert!(scans.is_empty(), "{:?}", scans);
    assert!(codes(a).contains(&"PH-SQLITE006") || a.catalog.has_stat1, "the shop was never analyzed");
}

#[test]
fn the_users_file_is_byte_identical_and_nothing_is_left_beside_it() {
    let s = shared();
    assert_eq!(s.before.len(), s.after.len());
    assert!(s.before == s.after, "the database file changed");
    assert_eq!(s.files_after, ["shop.db"], "no journal, WAL or copy next to the database");
}

#[test]
fn the_run_has_one_target_per_statement_named_like_traces() {
    let a = &shared().a;
    let run = perfhound_sqlite::to_model::to_run(a, vec!["perfhound".into()]);
    assert_eq!(run.targets.len(), 11);
    assert_eq!(run.targets[0].name, "database shop.db");
    assert_eq!(run.targets[0].measurements.extra.get(Extra::IndexSuggestions).unwrap(), suggested(a).len() as f64);
    let t = run.target("SELECT * FROM orders WHERE user_id = ?").expect("query target");
    assert_eq!((t.group.as_deref(), t.measurements.requests), (Some("sqlite"), 10_000));
    assert!(
        t.measurements.extra.get(Extra::MeasuredTimeMs).unwrap()
            > t.measurements.extra.get(Extra::MeasuredTimeMsWithIndex).unwrap()
    );
    let json = serde_json::to_string(&run).unwrap();
    assert!(perfhound_model::Run::from_json(&json).is_ok());
    let text = render(a);
    assert!(
        text.contains("Index suggestions") && text.contains("CREATE INDEX IF NOT EXISTS idx_orders_status_created_at")
    );
}
