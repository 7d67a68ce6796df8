//! Runtime findings located in the corpus apps' source (tests/corpus/{flask_app,
//! express_app,django_app,fastapi_app}): for each planted N+1, serial-call, repeated-query, row-at-a-time, cache
//! loop and CPU loop, the finding a trace analysis reports (rule, endpoint, statement or
//! URL template) must land on the loop that causes it — the lines listed as `location` in
//! the app's ground_truth.yaml.

use perfhound_model::{Finding, Rule, Severity};
use perfhound_scan::locate::SourceIndex;
use std::path::PathBuf;

fn corpus(app: &str) -> SourceIndex {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus").join(app);
    SourceIndex::build(&[dir])
}

/// A runtime finding as perfhound-traces describes it: the statement or URL template as
/// the query; `tables: …` as a note (a fan-out names the tables of its calls only).
fn finding(code: &'static str, endpoint: &str, query: &str) -> Finding {
    let rule = Rule { code, name: "runtime", severity: Severity::Warning, summary: "", why: "", fix: "" };
    let mut f = Finding::new(&rule, endpoint, "t");
    if let Some(tables) = query.strip_prefix("tables: ") {
        f.evidence.notes.push(format!("calls: {endpoint}"));
        f.evidence.notes.push(format!("tables: {tables}"));
    } else if !query.is_empty() {
        f.evidence.query = Some(query.into());
    }
    f
}

/// (rule, endpoint, query or URL template, expected `file:lines (function)` suffix).
fn check(app: &str, cases: &[(&'static str, &str, &str, &str)]) {
    let index = corpus(app);
    let mut wrong = Vec::new();
    for (code, endpoint, query, expected) in cases {
        let got = match index.locate(&finding(code, endpoint, query)) {
            Ok(l) => l.location(),
            Err(e) => format!("not found: {}", e.0),
        };
        if !got.ends_with(expected) {
            wrong.push(format!("{code} {endpoint}: got {got}, expected …{expected}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn flask_app_bottlenecks_are_located() {
    check(
        "flask_app",
        &[
            (
                "PH-TRACE001",
                "GET /orders/recent-lazy",
                "SELECT order_items.id, order_items.sku FROM order_items WHERE $1 = order_items.order_id",
                "app.py:151 (recent_lazy)",
            ),
            (
                "PH-TRACE005",
                "GET /dashboard/serial",
                "GET http://127.0.0.1:4000/delay/{ms}?svc={}",
                "app.py:167 (dashboard_serial)",
            ),
            (
                "PH-TRACE005",
                "GET /async/sequential",
                "GET http://127.0.0.1:4000/delay/{ms}?svc={}",
                "app.py:185-186 (async_sequential)",
            ),
            (
                "PH-TRACE008",
                "GET /checkout/quote-repeated",
                "SELECT value FROM settings WHERE key = $1",
                "app.py:203 (quote_lines)",
            ),
            (
                "PH-TRACE009",
                "POST /events/import-rowwise",
                "INSERT INTO events (kind, payload) VALUES ($1, $2)",
                "app.py:232-234 (import_rowwise)",
            ),
            ("PH-TRACE016", "GET /users/{id}/prefs-loop", "redis GET user:{}:pref:{}", "app.py:256 (prefs_loop)"),
            ("PH-TRACE017", "GET /products/similar-quadratic", "", "app.py:314-319 (similar_quadratic)"),
        ],
    );
}

#[test]
fn express_app_bottlenecks_are_located() {
    check(
        "express_app",
        &[
            (
                "PH-TRACE001",
                "GET /orders/recent-lazy",
                "SELECT order_id, sku, quantity FROM order_items WHERE order_id = $1 ORDER BY id",
                "app.js:48-50",
            ),
            ("PH-TRACE005", "GET /dashboard/serial", "GET http://127.0.0.1:4000/delay/{ms}?svc={}", "app.js:65-67"),
            (
                "PH-TRACE008",
                "GET /checkout/quote-repeated",
                "SELECT value FROM settings WHERE key = $1",
                "app.js:104-106",
            ),
            (
                "PH-TRACE009",
                "POST /events/import-rowwise",
                "INSERT INTO events (kind, payload) VALUES ($1, $2)",
                "app.js:122-126",
            ),
            ("PH-TRACE016", "GET /users/{id}/prefs-loop", "redis GET user:{}:pref:{}", "app.js:154-156"),
            ("PH-TRACE017", "GET /products/similar-quadratic", "", "app.js:202-208"),
        ],
    );
}

#[test]
fn django_app_bottlenecks_are_located() {
    check(
        "django_app",
        &[
            (
                "PH-TRACE001",
                "GET /orders/recent-lazy",
                "SELECT \"customers\".\"id\", \"customers\".\"name\" FROM \"customers\" WHERE \"customers\".\"id\" = %s LIMIT 21",
                "shop/views.py:43 (recent_lazy)",
            ),
            (
                "PH-TRACE001",
                "GET /orders/items-lazy",
                "SELECT \"order_items\".\"id\" FROM \"order_items\" WHERE \"order_items\".\"order_id\" = %s",
                "shop/views.py:54 (items_lazy)",
            ),
            (
                "PH-TRACE008",
                "GET /checkout/quote-repeated",
                "SELECT \"settings\".\"key\", \"settings\".\"value\" FROM \"settings\" WHERE \"settings\".\"key\" = %s LIMIT 21",
                "shop/views.py:65-67 (quote_repeated)",
            ),
            (
                "PH-TRACE009",
                "POST /events/import-rowwise",
                "INSERT INTO \"events\" (\"kind\", \"payload\", \"created_at\") VALUES (%s, %s, %s) RETURNING \"events\".\"id\"",
                "shop/views.py:79-80 (import_rowwise)",
            ),
            (
                "PH-TRACE001",
                "GET /reports/status-counts-loop",
                "SELECT COUNT(*) AS \"__count\" FROM \"orders\" WHERE \"orders\".\"status\" = %s",
                "shop/views.py:104 (status_counts_loop)",
            ),
            ("PH-TRACE005", "GET /dashboard/serial", "GET http://127.0.0.1:4000/delay/{ms}?part={}", "shop/views.py:114 (dashboard_serial)"),
            ("PH-TRACE017", "GET /products/similar-quadratic", "", "shop/views.py:139-144 (similar_quadratic)"),
        ],
    );
}

#[test]
fn fastapi_app_bottlenecks_are_located() {
    check(
        "fastapi_app",
        &[
            (
                "PH-TRACE001",
                "GET /orders/items-loop",
                "SELECT sku, quantity FROM order_items WHERE order_id = $1 ORDER BY id",
                "app.py:89-91 (items_loop)",
            ),
            ("PH-TRACE014", "GET /orders/items-gather", "tables: order_items", "app.py:118 (items_gather)"),
            (
                "PH-TRACE008",
                "GET /checkout/quote-repeated",
                "SELECT value FROM settings WHERE key = $1",
                "app.py:127-129 (quote_repeated)",
            ),
            (
                "PH-TRACE009",
                "POST /events/import-rowwise",
                "INSERT INTO events (kind, payload) VALUES ($1, $2)",
                "app.py:143-144 (import_rowwise)",
            ),
            (
                "PH-TRACE005",
                "GET /product/sequential",
                "GET http://127.0.0.1:4000/delay/{ms}?part={}",
                "app.py:175 (product_sequential)",
            ),
            (
                "PH-TRACE004",
                "GET /stats/sequential",
                "SELECT avg(total_cents) FROM orders",
                "app.py:188 (stats_sequential)",
            ),
            ("PH-TRACE017", "GET /products/similar-quadratic", "", "app.py:205-210 (similar_quadratic)"),
        ],
    );
}

#[test]
fn no_location_is_said_not_guessed() {
    let index = corpus("flask_app");
    let e = index.locate(&finding("PH-TRACE001", "GET /no/such/route", "SELECT 1 FROM t")).unwrap_err();
    assert!(e.0.contains("no route handler for GET /no/such/route"), "{e:?}");
    // The twin issues its statement once, outside any loop: an N+1 there has no location.
    let e = index.locate(&finding("PH-TRACE001", "GET /orders/recent-eager", "SELECT x FROM order_items")).unwrap_err();
    assert!(e.0.contains("no query on order_items"), "{e:?}");
    let e = index.locate(&finding("PH-TRACE001", "GET /checkout/quote", "SELECT value FROM settings WHERE key = $1"));
    assert!(e.is_err(), "{e:?}");
    // A fan-out that names neither tables nor a URL has no call site to point at.
    let e = index.locate(&finding("PH-TRACE014", "GET /dashboard/serial", "")).unwrap_err();
    assert!(e.0.contains("names no statement"), "{e:?}");
}
