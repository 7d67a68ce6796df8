//! Shape extraction on Dexter-style single statements, resolved against a tiny catalog.

use super::*;

/// Catalog: users(id, email, active), orders(id, user_id, status, created_at, deleted_at, total).
fn catalog(t: &TableRef, c: &str) -> bool {
    let cols: &[&str] = match t.name.as_str() {
        "users" => &["id", "email", "active"],
        "orders" => &["id", "user_id", "status", "created_at", "deleted_at", "total"],
        "Events" => &["Kind", "at"],
        _ => &[],
    };
    cols.contains(&c)
}

/// Renders resolved uses as `table.column:role` for compact assertions.
fn check(sql: &str) -> Vec<String> {
    let shape = QueryShape::parse(sql).expect("parses");
    shape.resolve(catalog).iter().map(|u| format!("{}.{}:{:?}", shape.tables[u.table].name, u.column, u.role)).collect()
}

#[test]
fn equality_range_and_order() {
    let uses =
        check("SELECT id, total FROM orders WHERE status = $1 AND created_at >= $2 ORDER BY created_at LIMIT 10");
    assert_eq!(
        uses,
        vec![
            "orders.created_at:Range",
            "orders.created_at:Order",
            "orders.id:Select",
            "orders.status:Eq",
            "orders.total:Select"
        ]
    );
    assert!(QueryShape::parse("SELECT 1 FROM orders LIMIT 1").unwrap().has_limit);
}

#[test]
fn joins_resolve_aliases_and_unqualified_columns() {
    let uses = check("SELECT u.email FROM users u JOIN orders o ON o.user_id = u.id WHERE status = $1");
    assert!(uses.contains(&"orders.user_id:Join".into()), "{uses:?}");
    assert!(uses.contains(&"users.id:Join".into()), "{uses:?}");
    assert!(uses.contains(&"orders.status:Eq".into()), "{uses:?}");
    assert!(uses.contains(&"users.email:Select".into()), "{uses:?}");
}

#[test]
fn update_and_delete_filters() {
    assert!(check("UPDATE orders SET status = $1 WHERE user_id = $2").contains(&"orders.user_id:Eq".into()));
    assert_eq!(check("DELETE FROM orders WHERE created_at < now() - $1::interval"), vec!["orders.created_at:Range"]);
}

#[test]
fn ctes_shadow_tables_and_are_walked() {
    let uses = check("WITH recent AS (SELECT * FROM orders WHERE user_id = $1) SELECT * FROM recent WHERE status = $2");
    assert_eq!(uses, vec!["orders.user_id:Eq"]);
    let shape = QueryShape::parse("WITH recent AS (SELECT * FROM orders) SELECT * FROM recent").unwrap();
    assert_eq!(shape.tables.len(), 1);
}

#[test]
fn quoted_identifiers_keep_case_and_in_any_is_null() {
    assert_eq!(check("SELECT 1 FROM \"Events\" WHERE \"Kind\" = $1"), vec!["Events.Kind:Eq"]);
    let uses = check("SELECT id FROM orders WHERE user_id IN ($1, $2) AND deleted_at IS NULL AND status = ANY($3)");
    assert!(uses.contains(&"orders.user_id:Eq".into()) && uses.contains(&"orders.deleted_at:IsNull".into()));
    assert!(uses.contains(&"orders.status:Eq".into()), "{uses:?}");
}

#[test]
fn subqueries_and_or_branches() {
    let uses = check("SELECT * FROM users WHERE id IN (SELECT user_id FROM orders WHERE total > $1)");
    assert!(uses.contains(&"users.id:Eq".into()) && uses.contains(&"orders.total:Range".into()), "{uses:?}");
    let or = check("SELECT * FROM orders WHERE status = $1 OR user_id = $2");
    assert!(or.iter().all(|u| u.ends_with(":Other")), "{or:?}");
    let func = check("SELECT * FROM users WHERE lower(email) = $1");
    assert_eq!(func, vec!["users.email:Other"]);
    assert!(check("SELECT * FROM users WHERE active").contains(&"users.active:IsTrue".into()));
}

#[test]
fn group_by_and_unparseable_input() {
    assert!(check("SELECT status, count(*) FROM orders GROUP BY status").contains(&"orders.status:Group".into()));
    assert!(QueryShape::parse("SELEC nonsense (").is_none());
    assert!(QueryShape::parse("").is_none());
}
