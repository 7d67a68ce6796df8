//! The fixture's findings: one per engine kind, in the shape each engine will emit.

use perfhound_model::*;

pub const QUERY: &str = "SELECT * FROM order_items WHERE order_id = $1";

const N_PLUS_ONE: Rule = Rule {
    code: "PH-TRACE001",
    name: "n-plus-one-query",
    severity: Severity::Critical,
    summary: "the same query runs once per item of a parent query",
    why: "each round trip adds latency",
    fix: "Load the items with the parent query (eager loading / JOIN / IN list).",
};
const MISSING_INDEX: Rule = Rule {
    code: "PH-DB001",
    name: "missing-index",
    severity: Severity::Warning,
    summary: "a frequent query scans a table sequentially",
    why: "sequential scans grow with the table",
    fix: "Create the index below.",
};
const UNCOMPRESSED: Rule = Rule {
    code: "PH-HTTP001",
    name: "uncompressed-text-response",
    severity: Severity::Warning,
    summary: "text responses are sent without compression",
    why: "more bytes, slower transfers",
    fix: "Enable gzip or brotli for text responses.",
};
const QUADRATIC: Rule = Rule {
    code: "PH-PY003",
    name: "quadratic-loop-over-collection",
    severity: Severity::Info,
    summary: "nested loops over the same collection",
    why: "O(n²) time",
    fix: "Group the items once (dict by key), then look up.",
};
const SERIAL_CALLS: Rule = Rule {
    code: "PH-TRACE002",
    name: "serial-independent-calls",
    severity: Severity::Warning,
    summary: "independent downstream calls made one after another",
    why: "latencies add up instead of overlapping",
    fix: "Issue the calls concurrently.",
};

fn n_plus_one() -> Finding {
    let mut f = Finding::new(&N_PLUS_ONE, "POST /api/orders", "N+1 queries of `order_items` in `POST /api/orders`");
    f.evidence.counts.insert("queries_per_request".into(), 41);
    f.evidence.durations_us.insert("db_time_per_request".into(), 500_000);
    f.evidence.examples = vec!["trace 4bf92f3577b34da6a3ce929d0e0e4736".into()];
    f.evidence.query = Some(QUERY.into());
    f.evidence.location = Some("src/services/order_service.py:125-145".into());
    f.evidence.code = Some("orders = Order.query.filter_by(user_id=user_id).all()\nfor order in orders:\n    order.items = OrderItem.query.filter_by(order_id=order.id).all()".into());
    f.evidence.code_lang = Some("python".into());
    f.impact = Impact { time_saved_per_request_us: Some(120_000), occurrences: Some(1_800), ..Default::default() };
    f.recommendation.snippet = Some(
        "orders = (Order.query.filter_by(user_id=user_id)\n          .options(joinedload(Order.items)).all())".into(),
    );
    f.recommendation.snippet_lang = Some("python".into());
    f.recommendation.effort = Some(Effort::MediumTerm);
    f
}

fn missing_index() -> Finding {
    let mut f = Finding::new(&MISSING_INDEX, QUERY, "Sequential scan on `order_items` (72,000 calls)");
    f.evidence.counts.insert("calls".into(), 72_000);
    f.evidence.counts.insert("rows_scanned_per_call".into(), 1_200_000);
    f.impact = Impact { share_of_total: Some(0.12), occurrences: Some(72_000), ..Default::default() };
    f.recommendation.snippet =
        Some("CREATE INDEX CONCURRENTLY idx_order_items_order_id ON order_items (order_id);".into());
    f.recommendation.snippet_lang = Some("sql".into());
    f.recommendation.effort = Some(Effort::QuickWin);
    f
}

fn uncompressed() -> Finding {
    let mut f =
        Finding::new(&UNCOMPRESSED, "GET /api/products", "`GET /api/products` sends text responses uncompressed");
    f.evidence.counts.insert("uncompressed".into(), 3_000);
    f.evidence.sizes_bytes.insert("mean_body".into(), 52_000);
    f.impact = Impact { bytes_saved_per_request: Some(40_000), occurrences: Some(3_000), ..Default::default() };
    f
}

fn quadratic() -> Finding {
    let mut f = Finding::new(
        &QUADRATIC,
        "src/algorithms/recommender.py:find_similar_products",
        "Nested loop over `all_products`",
    );
    f.evidence.location = Some("src/algorithms/recommender.py:45-78".into());
    f.confidence = Confidence::Medium;
    f
}

fn serial_calls() -> Finding {
    let mut f = Finding::new(
        &SERIAL_CALLS,
        "GET /api/users/{id}",
        "4 independent calls made serially in `GET /api/users/{id}`",
    );
    f.impact = Impact { time_saved_per_request_us: Some(30_000), occurrences: Some(1_200), ..Default::default() };
    f
}

pub fn current() -> Vec<Finding> {
    vec![quadratic(), uncompressed(), n_plus_one(), missing_index()]
}

pub fn baseline() -> Vec<Finding> {
    vec![n_plus_one(), uncompressed(), quadratic(), serial_calls()]
}
