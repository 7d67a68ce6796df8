//! The demo service against real components: its seeded SQLite file, perfhound's OTLP
//! receiver fed by the OpenTelemetry SDK, perfhound's trace detectors and load engine.

mod common;
mod load;
mod traces;

use common::{demo, template, Http};
use perfhound_demo::{Mode, RowCounts};
use serde_json::Value;

/// One request of [`exercise`], with its route and response.
pub struct Exchange {
    pub route: &'static str,
    pub got: common::Got,
}

/// Requests made by [`exercise`] on the summary endpoint (PH-TRACE015 needs 10).
pub const SUMMARY_REQUESTS: usize = 12;

/// Calls every endpoint of the demo at `base` (all offering gzip, like the scenario).
pub async fn exercise(http: &Http, base: &str) -> Vec<Exchange> {
    let mut out = Vec::new();
    let mut push = |route: &'static str, got: common::Got| {
        assert_eq!(got.status, 200, "{route}: {}", String::from_utf8_lossy(&got.body));
        out.push(Exchange { route, got });
    };
    for id in [1, 2] {
        push("/api/users/{id}/orders", http.get(&format!("{base}/api/users/{id}/orders")).await);
    }
    for product in [1000, 4000] {
        push("/api/orders/search", http.get(&format!("{base}/api/orders/search?product_id={product}")).await);
    }
    for _ in 0..2 {
        push("/api/dashboard", http.get(&format!("{base}/api/dashboard")).await);
        push("/api/products/export", http.get(&format!("{base}/api/products/export?category=electronics")).await);
    }
    for _ in 0..SUMMARY_REQUESTS {
        push("/api/reports/sales-summary", http.get(&format!("{base}/api/reports/sales-summary?period=30d")).await);
    }
    let body = perfhound_demo::scenario::import_body();
    for _ in 0..2 {
        push("/api/events/import", http.send("POST", &format!("{base}/api/events/import"), true, Some(&body)).await);
    }
    push("/health", http.get(&format!("{base}/health")).await);
    push("/api/products/{id}/similar", http.get(&format!("{base}/api/products/1/similar?items=150")).await);
    out
}

#[test]
fn seeding_is_deterministic_big_and_reused() {
    let _serial = crate::common::serial_blocking();
    let (template_path, template_report) = template();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.sqlite3");
    let fresh = perfhound_demo::prepare_database(&path).unwrap();
    eprintln!("seeded {} rows in {:?}", fresh.rows.total(), fresh.elapsed);
    assert!(fresh.seeded);
    assert_eq!(fresh.rows, template_report.rows);
    assert!(fresh.rows.total() >= 100_000, "{:?}", fresh.rows);
    assert_eq!(
        fresh.rows,
        RowCounts { users: 2_000, products: 20_000, orders: 300_000, order_items: fresh.rows.order_items }
    );
    assert!(fresh.rows.order_items >= 1_000_000, "{:?}", fresh.rows);
    // Same generator, same rows: compare a digest of every table with the template.
    let digest = |p: &std::path::Path| -> Vec<String> {
        let c = rusqlite::Connection::open(p).unwrap();
        [
            "SELECT SUM(length(email)) || ':' || MAX(email) || ':' || MIN(created_at) FROM users",
            "SELECT SUM(price_cents) || ':' || SUM(stock) || ':' || MAX(name) FROM products",
            "SELECT SUM(total_cents) || ':' || SUM(user_id) || ':' || MAX(created_at) || ':' || COUNT(coupon_code) FROM orders",
            "SELECT SUM(product_id) || ':' || SUM(quantity * unit_price_cents) FROM order_items",
            "SELECT MIN(c) || '' FROM (SELECT COUNT(*) AS c FROM orders GROUP BY user_id)",
        ]
        .iter()
        .map(|q| c.query_row(q, [], |r| r.get::<_, String>(0)).unwrap())
        .collect()
    };
    let fresh_digest = digest(&path);
    assert_eq!(fresh_digest, digest(template_path));
    assert!(fresh_digest[4].parse::<u32>().unwrap() >= 120, "every user has 120+ orders: {}", fresh_digest[4]);
    // A complete file of the current schema version is reused as is.
    let again = perfhound_demo::prepare_database(&path).unwrap();
    assert!(!again.seeded);
    assert_eq!(again.rows, fresh.rows);
    // Another version is not: it is seeded again.
    rusqlite::Connection::open(&path).unwrap().pragma_update(None, "user_version", 1).unwrap();
    assert!(perfhound_demo::prepare_database(&path).unwrap().seeded);
}

fn plan_of(db: &std::path::Path) -> String {
    let c = rusqlite::Connection::open(db).unwrap();
    let sql = format!("EXPLAIN QUERY PLAN {}", perfhound_demo::SEARCH_SQL);
    let mut st = c.prepare(&sql).unwrap();
    let rows = st.query_map([1000], |r| r.get::<_, String>(3)).unwrap();
    rows.map(Result::unwrap).collect::<Vec<_>>().join(" | ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_modes_answer_the_same_and_only_the_plan_changes() {
    let _serial = crate::common::serial().await;
    let dir = tempfile::tempdir().unwrap();
    let (bdir, fdir) = (dir.path().join("b"), dir.path().join("f"));
    std::fs::create_dir_all(&bdir).unwrap();
    std::fs::create_dir_all(&fdir).unwrap();
    let before = demo(Mode::Before, &bdir, None).await;
    let fixed = demo(Mode::Fixed, &fdir, None).await;
    assert!(!before.seed.seeded && !fixed.seed.seeded, "the copies of the template are reused");

    // The fix of the unindexed filter is the index, not the SQL.
    let (bplan, fplan) = (plan_of(&before.db_path), plan_of(&fixed.db_path));
    assert!(bplan.contains("SCAN i"), "{bplan}");
    assert!(fplan.contains("USING INDEX idx_order_items_product"), "{fplan}");

    let http = Http::new();
    let b = exercise(&http, &before.base_url()).await;
    let f = exercise(&http, &fixed.base_url()).await;
    assert_eq!(b.len(), f.len());
    for (x, y) in b.iter().zip(&f) {
        assert_eq!(x.route, y.route);
        assert_eq!(x.got.json(), y.got.json(), "{} differs between modes", x.route);
        assert!(!x.got.body.is_empty());
    }
    // Without Accept-Encoding both answer uncompressed, and error answers match too.
    for path in [
        "/api/users/7/orders?limit=20",
        "/api/users/7/orders?limit=0",
        "/api/users/999999/orders",
        "/api/orders/search?product_id=20000",
        "/api/orders/search?product_id=abc",
        "/api/products/export?category=books",
        "/api/products/export?category=nope",
        "/api/reports/sales-summary?period=30d",
        "/api/reports/sales-summary?period=2y",
        "/api/products/3/similar?items=40",
        "/api/products/3/similar?items=0",
        "/api/products/999999/similar",
    ] {
        let x = http.send("GET", &format!("{}{path}", before.base_url()), false, None).await;
        let y = http.send("GET", &format!("{}{path}", fixed.base_url()), false, None).await;
        assert_eq!((x.status, x.encoding(), &x.body), (y.status, y.encoding(), &y.body), "{path}");
        assert_eq!(x.encoding(), None, "{path}");
    }
    let bad =
        serde_json::json!({"events": [{"user_id": 1, "kind": "teleport", "product_id": null, "occurred_at": "x"}]});
    let x = http.send("POST", &format!("{}/api/events/import", before.base_url()), true, Some(&bad)).await;
    let y = http.send("POST", &format!("{}/api/events/import", fixed.base_url()), true, Some(&bad)).await;
    assert_eq!((x.status, x.json()), (y.status, y.json()));
    assert_eq!(x.status, 400);

    // What the responses say is right, not only equal.
    let similar = b.iter().find(|e| e.route == "/api/products/{id}/similar").unwrap().got.json();
    let top = similar["similar"].as_array().unwrap();
    assert_eq!(top.len(), 10, "{similar}");
    let scores: Vec<f64> = top.iter().map(|s| s["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]) && scores[0] <= 1.0 + 1e-9, "{scores:?}");
    let orders = b.iter().find(|e| e.route == "/api/users/{id}/orders").unwrap().got.json();
    assert_eq!(orders["user"]["email"], Value::from(perfhound_demo::seed::user_email(1)));
    assert_eq!(orders["orders"].as_array().unwrap().len(), 100, "a page of 100 orders");
    assert!(orders["orders"].as_array().unwrap().iter().all(|o| !o["items"].as_array().unwrap().is_empty()));
    let export = |ex: &[Exchange]| ex.iter().find(|e| e.route == "/api/products/export").unwrap().got.wire_len;
    let (bx, fx) = (
        b.iter().find(|e| e.route == "/api/products/export").unwrap(),
        f.iter().find(|e| e.route == "/api/products/export").unwrap(),
    );
    assert!(bx.got.body.len() >= 300_000, "export is {} bytes", bx.got.body.len());
    assert_eq!((bx.got.encoding(), fx.got.encoding()), (None, Some("gzip")));
    assert!(export(&f) * 3 < export(&b), "gzip saves most of it: {} vs {}", export(&f), export(&b));
    let imported = |db: &std::path::Path| {
        rusqlite::Connection::open(db).unwrap().query_row("SELECT COUNT(*) FROM events", [], |r| r.get::<_, i64>(0))
    };
    let expected = 2 * perfhound_demo::scenario::EVENTS_PER_IMPORT as i64;
    assert_eq!((imported(&before.db_path).unwrap(), imported(&fixed.db_path).unwrap()), (expected, expected));

    before.shutdown().await.unwrap();
    fixed.shutdown().await.unwrap();

    // Restarting on the same file switches the planted index (and reseeds nothing).
    let again = perfhound_demo::start(perfhound_demo::DemoConfig::new(Mode::Before, fixed_path(&fdir))).await.unwrap();
    assert!(!again.seed.seeded);
    assert!(plan_of(&again.db_path).contains("SCAN i"));
    assert_eq!(imported(&again.db_path).unwrap(), 0, "imported events are cleared at start");
    again.shutdown().await.unwrap();
}

fn fixed_path(dir: &std::path::Path) -> std::path::PathBuf {
    dir.join("demo.sqlite3")
}
