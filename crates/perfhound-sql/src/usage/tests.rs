//! Column usage, one capability per test, each checked in both dialects through one
//! data-driven [`check`]: a statement, the dialect, and the resolved uses it must produce.

use super::*;
use crate::Dialect::{self, Postgres as Pg, Sqlite as Lite};

/// The catalog every case resolves against (names as each dialect folds them).
fn has_column(t: &TableRef, c: &str) -> bool {
    let cols: &[&str] = match t.name.as_str() {
        "users" => &["id", "email", "active", "name"],
        "orders" => &["id", "user_id", "status", "created_at", "deleted_at", "total"],
        "archive" => &["id", "status"],
        "Events" => &["Kind", "at"],
        "events" | "order items" => &["kind", "at", "order id"],
        _ => &[],
    };
    cols.contains(&c)
}

/// Resolved uses as sorted `table.column:Role` words.
fn uses(d: Dialect, sql: &str) -> String {
    let shape = QueryShape::parse(sql, d).unwrap_or_else(|| panic!("{d:?} cannot parse {sql}"));
    let mut v: Vec<String> = shape
        .resolve(has_column)
        .iter()
        .map(|u| format!("{}.{}:{:?}", shape.tables[u.table].name, u.column, u.role))
        .collect();
    v.sort();
    v.join(" ")
}

/// Each case: dialect, statement, the exact uses.
fn check(cases: &[(Dialect, &str, &str)]) {
    for (d, sql, want) in cases {
        assert_eq!(uses(*d, sql), *want, "{d:?}: {sql}");
    }
}

/// Bind slots as sorted `slot:Bound:column` words (`-` for LIMIT/OFFSET).
fn check_params(cases: &[(Dialect, &str, &str)]) {
    for (d, sql, want) in cases {
        let s = QueryShape::parse(sql, *d).expect("parses");
        let mut v: Vec<String> = s
            .params
            .iter()
            .map(|p| format!("{}:{:?}:{}", p.slot, p.bound, p.column.map_or("-", |c| s.columns[c].column.as_str())))
            .collect();
        v.sort();
        assert_eq!(v.join(" "), *want, "{d:?}: {sql}");
    }
}

fn shape(d: Dialect, sql: &str) -> QueryShape {
    QueryShape::parse(sql, d).expect("parses")
}

#[test]
fn equality_range_order_and_projection() {
    let want = "orders.created_at:Order orders.created_at:Range orders.id:Select orders.status:Eq orders.total:Select";
    check(&[
        (Pg, "SELECT id, total FROM orders WHERE status = $1 AND created_at >= $2 ORDER BY created_at LIMIT 10", want),
        (
            Lite,
            "SELECT id, total FROM Orders WHERE \"Status\" = ?1 AND created_at >= ?2 ORDER BY created_at LIMIT 10",
            want,
        ),
    ]);
    for d in [Pg, Lite] {
        assert!(shape(d, "SELECT 1 FROM orders LIMIT 1").has_limit);
        assert!(!shape(d, "SELECT 1 FROM orders").has_limit);
    }
}

#[test]
fn joins_resolve_aliases_and_unqualified_columns() {
    let sql = "SELECT u.email FROM users u JOIN orders o ON o.user_id = u.id WHERE status = 'paid' AND 5 < o.total";
    let want = "orders.status:Eq orders.total:Range orders.user_id:Join users.email:Select users.id:Join";
    check(&[(Pg, sql, want), (Lite, sql, want)]);
    for d in [Pg, Lite] {
        assert_eq!(shape(d, sql).table_for_plan_name("O").map(|t| t.name.as_str()), Some("orders"));
    }
}

#[test]
fn semi_and_anti_joins() {
    let want = "orders.user_id:Join users.email:Select users.id:Join";
    for join in ["SEMI JOIN", "LEFT SEMI JOIN", "ANTI JOIN", "LEFT ANTI JOIN"] {
        let sql = format!("SELECT u.email FROM users u {join} orders o ON o.user_id = u.id");
        check(&[(Pg, &sql, want), (Lite, &sql, want)]);
    }
}

#[test]
fn cross_join_with_on_is_read_as_a_join() {
    let sql = "SELECT u.email, o.total FROM users u CROSS JOIN orders o ON o.user_id = u.id WHERE u.id > 7";
    let want = "orders.total:Select orders.user_id:Join users.email:Select users.id:Join users.id:Range";
    check(&[(Pg, sql, want), (Lite, sql, want)]);
}

#[test]
fn update_from_and_delete_using() {
    let update = "UPDATE orders SET status = 'x' FROM users WHERE users.id = orders.user_id AND users.email = 'a'";
    let want = "orders.user_id:Join users.email:Eq users.id:Join";
    check(&[(Pg, update, want), (Lite, update, want)]);
    let delete = "DELETE FROM orders USING users WHERE users.id = orders.user_id AND users.active";
    check(&[(Pg, delete, "orders.user_id:Join users.active:IsTrue users.id:Join")]);
    check(&[
        (Pg, "UPDATE orders SET status = $1 WHERE user_id = $2", "orders.user_id:Eq"),
        (Lite, "UPDATE orders SET status = ?1 WHERE user_id = ?2", "orders.user_id:Eq"),
        (Pg, "DELETE FROM orders WHERE created_at < now() - $1::interval", "orders.created_at:Range"),
        (Lite, "DELETE FROM orders WHERE created_at < datetime('now', ?1)", "orders.created_at:Range"),
    ]);
}

#[test]
fn distinct_groups_by_its_projection() {
    let want = "orders.status:Group orders.status:Select orders.user_id:Eq";
    check(&[
        (Pg, "SELECT DISTINCT status FROM orders WHERE user_id = $1", want),
        (Lite, "SELECT DISTINCT status FROM orders WHERE user_id = ?1", want),
        (Pg, "SELECT ALL status FROM orders WHERE user_id = $1", "orders.status:Select orders.user_id:Eq"),
        (Pg, "SELECT DISTINCT ON (user_id) total FROM orders", "orders.total:Select orders.user_id:Group"),
    ]);
    let group = "SELECT status, count(*) FROM orders GROUP BY status";
    check(&[
        (Pg, group, "orders.status:Group orders.status:Select"),
        (Lite, group, "orders.status:Group orders.status:Select"),
    ]);
}

#[test]
fn bind_slots_are_tied_to_their_columns() {
    check_params(&[
        (
            Pg,
            "SELECT id FROM orders WHERE status = $1 AND created_at >= $2 ORDER BY created_at LIMIT $3 OFFSET $4",
            "1:Eq:status 2:Lower:created_at 3:Limit:- 4:Offset:-",
        ),
        (
            Lite,
            "SELECT id FROM orders WHERE status = ?1 AND created_at >= ?2 ORDER BY created_at LIMIT ?3 OFFSET ?4",
            "1:Eq:status 2:Lower:created_at 3:Limit:- 4:Offset:-",
        ),
        (Pg, "SELECT 1 FROM orders WHERE $1 < total AND id IN ($2, $3)", "1:Lower:total 2:Eq:id 3:Eq:id"),
        (Lite, "SELECT 1 FROM orders o WHERE ?1 < o.total AND id IN (?2, ?3)", "1:Lower:total 2:Eq:id 3:Eq:id"),
        (Pg, "SELECT 1 FROM orders WHERE total BETWEEN $1 AND $2", "1:Lower:total 2:Upper:total"),
        (Lite, "SELECT 1 FROM orders WHERE total BETWEEN ?1 AND ?2", "1:Lower:total 2:Upper:total"),
        (Pg, "SELECT 1 FROM users WHERE email LIKE $1 AND id = ANY($2)", "1:Eq:email 2:Eq:id"),
        (Lite, "SELECT 1 FROM users WHERE email LIKE ?1", "1:Eq:email"),
    ]);
}

#[test]
fn writes_get_an_equivalent_search() {
    for (d, p1, p2) in [(Pg, "$1", "$2"), (Lite, "?1", "?2")] {
        let u = shape(d, &format!("UPDATE orders SET status = {p1} WHERE user_id = {p2} AND status <> 'x'"));
        assert!(u.is_write);
        let want = format!("SELECT * FROM orders WHERE user_id = {p2} AND status <> 'x'");
        assert_eq!(u.measure_sql.as_deref(), Some(want.as_str()), "{d:?}");
        let d_ = shape(d, &format!("DELETE FROM \"Order Items\" WHERE \"Order Id\" = {p1}"));
        let want = format!("SELECT * FROM \"Order Items\" WHERE \"Order Id\" = {p1}");
        assert_eq!(d_.measure_sql.as_deref(), Some(want.as_str()), "{d:?}");
        let i = shape(d, &format!("INSERT INTO archive SELECT id, status FROM orders WHERE created_at < {p1}"));
        let want = format!("SELECT id, status FROM orders WHERE created_at < {p1}");
        assert_eq!((i.is_write, i.measure_sql.as_deref()), (true, Some(want.as_str())), "{d:?}");
        assert_eq!(shape(d, &format!("INSERT INTO archive (id) VALUES ({p1})")).measure_sql, None);
        let joined = shape(d, "UPDATE orders SET status = 'x' FROM users WHERE users.id = orders.user_id");
        assert_eq!((joined.is_write, joined.measure_sql), (true, None), "{d:?}: no single-table search");
        let q = shape(d, "SELECT 1 FROM orders");
        assert_eq!((q.is_write, q.measure_sql), (false, None));
    }
    let using = shape(Pg, "DELETE FROM orders USING users WHERE users.id = orders.user_id");
    assert_eq!(using.measure_sql, None);
}

#[test]
fn ctes_shadow_tables_and_are_walked() {
    let sql = "WITH recent AS (SELECT * FROM orders WHERE user_id = 1) SELECT * FROM recent WHERE status = 2";
    check(&[(Pg, sql, "orders.user_id:Eq"), (Lite, sql, "orders.user_id:Eq")]);
    for d in [Pg, Lite] {
        assert_eq!(shape(d, sql).tables.len(), 1, "{d:?}: the CTE is not a table");
    }
    let modifying = "WITH gone AS (DELETE FROM orders WHERE status = 'x' RETURNING id) SELECT count(*) FROM gone";
    check(&[(Pg, modifying, "orders.id:Select orders.status:Eq")]);
    assert!(!shape(Pg, modifying).is_write, "a read with a data-modifying CTE is measured as it is");
}

#[test]
fn or_branches_and_functions_are_not_indexable() {
    for (d, p) in [(Pg, "$1"), (Lite, "?1")] {
        check(&[
            (
                d,
                &format!("SELECT id FROM orders WHERE status = {p} OR user_id = 2"),
                "orders.id:Select orders.status:Other orders.user_id:Other",
            ),
            (d, &format!("SELECT id FROM users WHERE lower(email) = {p}"), "users.email:Other users.id:Select"),
            (d, "SELECT id FROM users WHERE NOT active", "users.active:Other users.id:Select"),
        ]);
    }
}

#[test]
fn null_and_boolean_tests() {
    let sql = "SELECT id FROM orders o JOIN users u ON u.id = o.user_id \
               WHERE deleted_at IS NULL AND total IS NOT NULL AND u.active AND u.name IS TRUE";
    let want = "orders.deleted_at:IsNull orders.id:Select orders.total:IsNotNull orders.user_id:Join \
                users.active:IsTrue users.id:Join users.name:IsTrue";
    check(&[(Pg, sql, want), (Lite, sql, want)]);
}

#[test]
fn dialects_differ_where_the_databases_do() {
    check(&[
        // PostgreSQL: a boolean test (a partial-index predicate); SQLite: TRUE is 1, an equality.
        (Pg, "SELECT 1 FROM users WHERE active = true", "users.active:IsTrue"),
        (Lite, "SELECT 1 FROM users WHERE active = true", "users.active:Eq"),
        // SQLite's `IS` is an indexable equality; PostgreSQL's IS NOT DISTINCT FROM is not.
        (Lite, "SELECT 1 FROM users WHERE email IS ?1", "users.email:Eq"),
        (Lite, "SELECT 1 FROM users WHERE email IS NOT DISTINCT FROM ?1", "users.email:Eq"),
        (Pg, "SELECT 1 FROM users WHERE email IS NOT DISTINCT FROM $1", "users.email:Other"),
        // Folding: PostgreSQL keeps quoted case, SQLite compares case-insensitively.
        (Pg, "SELECT 1 FROM \"Events\" WHERE \"Kind\" = $1", "Events.Kind:Eq"),
        (Lite, "SELECT 1 FROM \"Events\" WHERE \"Kind\" = ?1", "events.kind:Eq"),
        (Lite, "SELECT 1 FROM \"Order Items\" WHERE \"Order Id\" = ?1", "order items.order id:Eq"),
        (Pg, "SELECT 1 FROM orders WHERE status = ANY($1)", "orders.status:Eq"),
    ]);
    let schema = shape(Pg, "SELECT 1 FROM public.orders");
    assert_eq!((schema.tables[0].schema.as_deref(), schema.tables[0].name.as_str()), (Some("public"), "orders"));
}

#[test]
fn subqueries_are_walked_in_their_own_scope() {
    let sql = "SELECT * FROM users WHERE id IN (SELECT user_id FROM orders WHERE total > 5)";
    let want = "orders.total:Range orders.user_id:Select users.id:Eq";
    check(&[(Pg, sql, want), (Lite, sql, want)]);
}

#[test]
fn unreadable_or_several_statements_are_none() {
    for d in [Pg, Lite] {
        for sql in ["SELEC nonsense (", "", "SELECT 1; SELECT 2"] {
            assert!(QueryShape::parse(sql, d).is_none(), "{d:?}: {sql:?}");
        }
        let deep = format!("SELECT 1 FROM orders WHERE id IN {}", "(SELECT id FROM orders WHERE id IN ".repeat(80));
        assert!(QueryShape::parse(&deep, d).is_none(), "unbalanced input is refused, never a panic");
    }
}

/// SQL-like word salad: mostly not a statement, sometimes one the walker has never seen.
fn statements() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let words = [
        "SELECT",
        "DISTINCT",
        "*",
        "a",
        "b.c",
        "t",
        "u",
        "FROM",
        "JOIN",
        "LEFT",
        "SEMI",
        "CROSS",
        "ON",
        "USING",
        "(a)",
        "WHERE",
        "=",
        "<",
        "AND",
        "OR",
        "NOT",
        "IN",
        "(",
        ")",
        ",",
        "?1",
        "$2",
        "'x'",
        "1",
        "TRUE",
        "IS",
        "NULL",
        "LIKE",
        "BETWEEN",
        "GROUP",
        "ORDER",
        "BY",
        "LIMIT",
        "OFFSET",
        "WITH",
        "x",
        "AS",
        "UPDATE",
        "SET",
        "DELETE",
        "INSERT",
        "INTO",
        "VALUES",
        "RETURNING",
        "EXISTS",
        "UNION",
        "lower(a)",
    ];
    let heads =
        ["", "SELECT a FROM t WHERE", "SELECT * FROM t x JOIN u ON", "UPDATE t SET a = 1 WHERE", "DELETE FROM t WHERE"];
    let tails = ["", "a = ?1", "b.c IN (1, 2)", "(a < 1 OR b.c)", "a IS NULL ORDER BY a LIMIT ?2"];
    (prop::sample::select(heads.to_vec()), prop::collection::vec(prop::sample::select(words.to_vec()), 0..12))
        .prop_flat_map(move |(h, w)| (Just(h), Just(w.join(" ")), prop::sample::select(tails.to_vec())))
        .prop_map(|(h, w, t)| format!("{h} {w} {t}"))
}

proptest::proptest! {
    // About one case in twenty parses: enough cases that the walker sees a hundred shapes.
    #![proptest_config(proptest::test_runner::Config::with_cases(2048))]
    #[test]
    fn any_text_gives_a_consistent_shape_or_none(sql in statements(), sqlite in proptest::bool::ANY) {
        let d = if sqlite { Lite } else { Pg };
        if let Some(s) = QueryShape::parse(&sql, d) {
            for c in &s.columns {
                proptest::prop_assert!(c.candidates.iter().flatten().all(|&t| t < s.tables.len()), "{sql}");
            }
            proptest::prop_assert!(s.params.iter().all(|p| p.column.is_none_or(|c| c < s.columns.len())));
            proptest::prop_assert!(s.resolve(|_, _| true).iter().all(|u| u.table < s.tables.len()));
        }
    }
}
