use super::*;

fn shape(sql: &str) -> QueryShape {
    QueryShape::parse(&crate::params::number(sql).text).expect("parses")
}

/// Resolved uses as `table.column:Role`, with every table having every column.
fn uses(s: &QueryShape) -> Vec<String> {
    s.resolve(|_, _| true).iter().map(|u| format!("{}.{}:{:?}", s.tables[u.table].name, u.column, u.role)).collect()
}

#[test]
fn equality_range_order_and_params() {
    let s = shape("SELECT id FROM Orders WHERE \"Status\" = ? AND created_at >= ? ORDER BY created_at DESC LIMIT ?");
    assert_eq!(
        uses(&s),
        ["orders.created_at:Range", "orders.created_at:Order", "orders.id:Select", "orders.status:Eq"]
    );
    let p: Vec<(usize, Bound, Option<String>)> =
        s.params.iter().map(|p| (p.slot, p.bound, p.column.map(|c| s.columns[c].column.clone()))).collect();
    assert!(p.contains(&(1, Bound::Eq, Some("status".into()))));
    assert!(p.contains(&(2, Bound::Lower, Some("created_at".into()))));
    assert!(p.contains(&(3, Bound::Limit, None)));
    assert!(s.has_limit && !s.is_write);
}

#[test]
fn joins_aliases_and_reversed_comparisons() {
    let s = shape("SELECT u.name FROM users u JOIN orders o ON o.user_id = u.id WHERE ? < o.total AND u.email = $1");
    assert!(uses(&s).contains(&"orders.user_id:Join".to_string()));
    assert!(uses(&s).contains(&"users.id:Join".to_string()));
    assert!(uses(&s).contains(&"orders.total:Range".to_string()));
    assert_eq!(s.table_for_plan_name("O").map(|t| t.name.as_str()), Some("orders"));
    let total = s.params.iter().find(|p| p.column.is_some_and(|c| s.columns[c].column == "total")).unwrap();
    assert_eq!((total.slot, total.bound), (1, Bound::Lower));
}

#[test]
fn writes_get_an_equivalent_search() {
    let u = shape("UPDATE orders SET status = ? WHERE user_id = ? AND status <> 'x'");
    assert!(u.is_write);
    assert_eq!(u.measure_sql.as_deref(), Some("SELECT * FROM orders WHERE user_id = ?2 AND status <> 'x'"));
    let d = shape("DELETE FROM \"Order Items\" WHERE \"Order Id\" = :id");
    assert_eq!(d.measure_sql.as_deref(), Some("SELECT * FROM \"Order Items\" WHERE \"Order Id\" = ?1"));
    assert_eq!(uses(&d), ["order items.order id:Eq"]);
    let i = shape("INSERT INTO archive SELECT * FROM orders WHERE created_at < ?");
    assert_eq!(i.measure_sql.as_deref(), Some("SELECT * FROM orders WHERE created_at < ?1"));
    assert_eq!(shape("INSERT INTO t (a) VALUES (?)").measure_sql, None);
}

#[test]
fn ctes_or_and_functions_are_not_indexable() {
    let s = shape("WITH recent AS (SELECT * FROM orders WHERE created_at > ?) SELECT * FROM recent WHERE status = ?");
    assert_eq!(s.tables.len(), 1, "the CTE is not a table");
    let or = shape("SELECT * FROM orders WHERE status = ? OR user_id = ?");
    assert!(or.resolve(|_, _| true).iter().all(|u| u.role == Role::Other));
    let f = shape("SELECT * FROM users WHERE lower(email) = ?");
    assert!(f.resolve(|_, _| true).iter().all(|u| u.role == Role::Other));
    assert!(QueryShape::parse("SELECT 1; SELECT 2").is_none());
}

#[test]
fn cross_join_with_on_is_read_as_a_join() {
    let s =
        shape("SELECT c.email, i.amount FROM customers c CROSS JOIN invoices i ON i.customer_id = c.id WHERE c.id > ?");
    assert!(uses(&s).contains(&"invoices.customer_id:Join".to_string()), "{:?}", uses(&s));
    assert_eq!(s.table_for_plan_name("i").map(|t| t.name.as_str()), Some("invoices"));
}
