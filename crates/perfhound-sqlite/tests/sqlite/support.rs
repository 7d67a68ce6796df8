//! Seeded SQLite databases for the tests: a shop (users, orders, order_items, a quoted
//! "Audit Log") with 100,000 orders, built once per test binary and copied per test.

use perfhound_sqlite::rusqlite::{params, Connection};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Ten order statuses, equally frequent.
pub const STATUSES: [&str; 10] =
    ["new", "paid", "packed", "shipped", "delivered", "returned", "refunded", "cancelled", "on_hold", "disputed"];
pub const ORDERS: u64 = 100_000;
pub const USERS: u64 = 2_000;

/// A deterministic pseudo-random sequence (LCG).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

const SCHEMA: &str = "
CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT);
CREATE TABLE orders(
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    total REAL NOT NULL
);
CREATE TABLE order_items(id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id), sku TEXT, qty INTEGER);
CREATE INDEX idx_order_items_order_id ON order_items(order_id);
CREATE TABLE \"Audit Log\"(\"Entry Id\" INTEGER PRIMARY KEY, \"Order Id\" INTEGER, \"Event Type\" TEXT, at TEXT);
";

/// Writes the shop database to `path`: one transaction, prepared statements.
pub fn seed_shop(path: &Path) {
    let mut c = Connection::open(path).unwrap();
    c.execute_batch(SCHEMA).unwrap();
    let tx = c.transaction().unwrap();
    let mut rng = Rng(42);
    {
        let mut u = tx.prepare("INSERT INTO users(email, name) VALUES (?1, ?2)").unwrap();
        for i in 1..=USERS {
            u.execute(params![format!("user{i}@example.com"), format!("User {i}")]).unwrap();
        }
        let mut o = tx
            .prepare(
                "INSERT INTO orders(user_id, status, created_at, total) \
                 VALUES (?1, ?2, datetime(1672531200 + ?3, 'unixepoch'), ?4)",
            )
            .unwrap();
        let mut it = tx.prepare("INSERT INTO order_items(order_id, sku, qty) VALUES (?1, ?2, ?3)").unwrap();
        let step_s = 94_608_000 / ORDERS; // three years, in insertion order
        for i in 0..ORDERS {
            let user = 1 + rng.next() % USERS;
            let status = STATUSES[(rng.next() % 10) as usize];
            let total = (rng.next() % 50_000) as f64 / 100.0;
            o.execute(params![user as i64, status, (i * step_s + rng.next() % step_s) as i64, total]).unwrap();
            it.execute(params![(i + 1) as i64, format!("SKU-{}", rng.next() % 500), (1 + rng.next() % 5) as i64])
                .unwrap();
        }
        let mut a = tx
            .prepare("INSERT INTO \"Audit Log\"(\"Order Id\", \"Event Type\", at) VALUES (?1, ?2, datetime('now'))")
            .unwrap();
        for _ in 0..20_000 {
            a.execute(params![(1 + rng.next() % ORDERS) as i64, "status_change"]).unwrap();
        }
    }
    tx.commit().unwrap();
}

/// A fresh copy of the seeded shop in its own temporary directory.
pub fn shop() -> (tempfile::TempDir, PathBuf) {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    let template = TEMPLATE.get_or_init(|| {
        let dir = tempfile::Builder::new().prefix("shop-template-").tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        let path = dir.path().join("shop.db");
        seed_shop(&path);
        // Kept for the whole test binary (statics are never dropped); lives under target/tmp.
        std::mem::forget(dir);
        path
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    std::fs::copy(template, &path).unwrap();
    (dir, path)
}

/// An empty database file with `sql` applied, in its own temporary directory.
pub fn db_with(sql: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    Connection::open(&path).unwrap().execute_batch(sql).unwrap();
    (dir, path)
}
