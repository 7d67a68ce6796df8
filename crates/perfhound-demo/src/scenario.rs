//! The load scenario `perfhound demo` runs against the service: every endpoint, named by
//! its route, in one closed-model flow (each VU is one shopper/support user).

use crate::endpoints::events::KINDS;
use crate::seed::{timestamp, PRODUCTS, REFERENCE_DAY, USERS};
use std::fmt::Write as _;

/// Events sent by each import request.
pub const EVENTS_PER_IMPORT: usize = 150;

/// The import request body: `EVENTS_PER_IMPORT` deterministic events, as JSON.
pub fn import_body() -> serde_json::Value {
    let start = (REFERENCE_DAY - 1) * 86_400;
    let events: Vec<serde_json::Value> = (0..EVENTS_PER_IMPORT)
        .map(|i| {
            let i = i as u32;
            serde_json::json!({
                "user_id": (i * 37) % USERS + 1,
                "kind": KINDS[i as usize % KINDS.len()],
                "product_id": (i * 131) % PRODUCTS + 1,
                "occurred_at": timestamp(start + i64::from(i) * 61),
            })
        })
        .collect();
    serde_json::json!({ "events": events })
}

/// A perfhound load scenario for the demo at `base_url`: `vus` constant VUs for
/// `duration_secs` seconds, each looping over every endpoint. Request names equal the
/// endpoint names of [`crate::PLANTED`]; every request offers gzip, as browsers do. VU `n`
/// is user `n` (so `vus` is capped at the 2,000 users).
pub fn scenario_yaml(base_url: &str, duration_secs: u64, vus: u32) -> String {
    let vus = vus.clamp(1, USERS);
    let mut y = String::new();
    let _ = writeln!(y, "# perfhound demo: every endpoint of the demo service, {vus} VUs for {duration_secs}s");
    let _ = writeln!(y, "base_url: {}", yaml_str(base_url));
    y.push_str("http:\n  timeout: 30s\n");
    y.push_str("scenarios:\n  demo:\n    executor: constant-vus\n");
    let _ = writeln!(y, "    vus: {vus}");
    let _ = writeln!(y, "    duration: {}s", duration_secs.max(1));
    y.push_str("    graceful_stop: 30s\n    flow:\n");
    let gzip = "        headers: {Accept-Encoding: gzip}\n";
    let step = |y: &mut String, name: &str, method: &str, path: &str, extra: &str| {
        let _ = writeln!(y, "      - name: {}", yaml_str(name));
        let _ = writeln!(y, "        {method}: {}", yaml_str(path));
        y.push_str(gzip);
        y.push_str(extra);
        y.push_str("        check: {status: 200}\n");
    };
    // Each VU is one customer looking at their orders.
    step(&mut y, "GET /api/users/{id}/orders", "get", "/api/users/{{ vu }}/orders", "");
    // Products 1000, 2000, …: a few dozen orders each.
    step(
        &mut y,
        "GET /api/orders/search",
        "get",
        "/api/orders/search",
        "        query: {product_id: \"{{ vu }}000\"}\n",
    );
    step(&mut y, "GET /api/dashboard", "get", "/api/dashboard", "");
    step(&mut y, "GET /api/products/export", "get", "/api/products/export", "        query: {category: electronics}\n");
    step(
        &mut y,
        "GET /api/reports/sales-summary",
        "get",
        "/api/reports/sales-summary",
        "        query: {period: 30d}\n",
    );
    let body = format!("        json: {}\n", import_body());
    step(&mut y, "POST /api/events/import", "post", "/api/events/import", &body);
    step(&mut y, "GET /health", "get", "/health", "");
    // Small: the load only shows the endpoint answers; its O(n²) growth is measured by
    // the demo's complexity series (larger n, one request at a time), not by this flow.
    step(
        &mut y,
        "GET /api/products/{id}/similar",
        "get",
        "/api/products/{{ vu }}/similar",
        "        query: {items: \"20\"}\n",
    );
    y
}

/// A double-quoted YAML scalar.
fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}
