//! Runtime findings located in the corpus apps' source (tests/corpus/{flask_app,
//! express_app}): for each planted N+1, serial-call, repeated-query, row-at-a-time, cache
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

fn finding(code: &'static str, endpoint: &str, query: &str) -> Finding {
    let rule = Rule { code, name: "runtime", severity: Severity::Warning, summary: "", why: "", fix: "" };
    let mut f = Finding::new(&rule, endpoint, "t");
    if !query.is_empty() {
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
fn no_location_is_said_not_guessed() {
    let index = corpus("flask_app");
    let e = index.locate(&finding("PH-TRACE001", "GET /no/such/route", "SELECT 1 FROM t")).unwrap_err();
    assert!(e.0.contains("no route handler for GET /no/such/route"), "{e:?}");
    // The twin issues its statement once, outside any loop: an N+1 there has no location.
    let e = index.locate(&finding("PH-TRACE001", "GET /orders/recent-eager", "SELECT x FROM order_items")).unwrap_err();
    assert!(e.0.contains("no query on order_items"), "{e:?}");
    let e = index.locate(&finding("PH-TRACE001", "GET /checkout/quote", "SELECT value FROM settings WHERE key = $1"));
    assert!(e.is_err(), "{e:?}");
}
