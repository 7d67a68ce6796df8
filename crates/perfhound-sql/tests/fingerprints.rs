//! Data-driven fingerprint cases (one `check()`), and properties: fingerprinting never
//! panics, and is invariant under literal values, whitespace and keyword case.

use perfhound_sql::{fingerprint, template_url, StatementKind};
use proptest::prelude::*;

/// `sql` (for `system`) must normalize to `expected`, with `kind` and `tables`.
fn check(system: &str, sql: &str, expected: &str, kind: StatementKind, tables: &[&str]) {
    let f = fingerprint(sql, system);
    assert_eq!(f.shape.text, expected, "shape of {sql:?}");
    assert_eq!(f.shape.kind, kind, "kind of {sql:?}");
    assert_eq!(f.shape.tables, tables, "tables of {sql:?}");
}

#[test]
fn placeholder_styles_agree() {
    let expected = "SELECT * FROM users WHERE id = ?";
    for sql in [
        "SELECT * FROM users WHERE id = ?",
        "SELECT * FROM users WHERE id = $1",
        "SELECT * FROM users WHERE id = %s",
        "SELECT * FROM users WHERE id = %(user_id)s",
        "SELECT * FROM users WHERE id = :id",
        "SELECT * FROM users WHERE id = @p1",
        "select * from USERS where ID = 42",
        "SELECT * FROM \"users\" WHERE \"users\".\"id\" = 'x'",
    ] {
        check("postgresql", sql, expected, StatementKind::Select, &["users"]);
    }
    check("mysql", "SELECT * FROM `users` WHERE `id` = \"a\\\"b\"", expected, StatementKind::Select, &["users"]);
}

#[test]
fn lists_collapse() {
    check(
        "postgresql",
        "SELECT name FROM items WHERE id IN ($1, $2, $3) AND shop_id = 4",
        "SELECT name FROM items WHERE id IN (?) AND shop_id = ?",
        StatementKind::Select,
        &["items"],
    );
    let f = fingerprint("INSERT INTO logs (a, b) VALUES (1, 'x'), (2, 'y'), (3, 'z')", "sqlite");
    assert_eq!(f.shape.text, "INSERT INTO logs (a, b) VALUES (?, ?)");
    assert_eq!(f.batch_items, 3);
    assert_eq!(fingerprint("INSERT INTO logs (a, b) VALUES (1, 'x')", "sqlite").batch_items, 1);
}

#[test]
fn writes_transactions_and_vendor_syntax() {
    check(
        "mysql",
        "UPDATE accounts SET balance = balance - 10 WHERE id = 3",
        "UPDATE accounts SET balance = balance - ? WHERE id = ?",
        StatementKind::Update,
        &["accounts"],
    );
    check(
        "sqlite",
        "DELETE FROM sessions WHERE expires < 1700000000",
        "DELETE FROM sessions WHERE expires < ?",
        StatementKind::Delete,
        &["sessions"],
    );
    check("postgresql", "COMMIT", "COMMIT", StatementKind::Commit, &[]);
    check("postgresql", "BEGIN", "BEGIN", StatementKind::Begin, &[]);
    // Not SQL at all (a Redis command): still a stable fingerprint, never an error.
    let f = fingerprint("HGETALL session:9f8e7d6c", "redis");
    assert_eq!(f.shape.kind, StatementKind::Other);
    assert!(!f.shape.text.is_empty());
}

#[test]
fn urls_template() {
    assert_eq!(
        template_url("http://inventory:8080/api/items/123?expand=true"),
        "http://inventory:8080/api/items/{id}?expand=?"
    );
    assert_eq!(template_url("/api/items/123"), "/api/items/{id}");
}

proptest! {
    #[test]
    fn never_panics(s in "\\PC{0,200}", sys in prop::sample::select(vec!["", "mysql", "postgresql", "sqlite", "mssql", "redis"])) {
        let f = fingerprint(&s, sys);
        prop_assert!(f.shape.text.len() <= s.len() * 4 + 16);
        let _ = template_url(&s);
    }

    #[test]
    fn invariant_under_literals(id in 0u64..1_000_000, name in "[a-z]{0,12}", upper in any::<bool>()) {
        let sql = format!("select id, name from users where id = {id} and name = '{name}'");
        let sql = if upper { sql.to_uppercase().replace(&name.to_uppercase(), &name) } else { sql };
        let f = fingerprint(&sql, "postgresql");
        prop_assert_eq!(&f.shape.text, "SELECT id, name FROM users WHERE id = ? AND name = ?");
        prop_assert_eq!(f.literals, 2);
    }
}
