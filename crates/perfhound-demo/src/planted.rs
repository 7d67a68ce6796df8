//! The ground truth: which bottleneck is planted on which endpoint, and which perfhound
//! rules must find it there (and nothing at warning or above once fixed).

/// One planted bottleneck.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Planted {
    /// The endpoint as perfhound names it (`METHOD route`), equal to the scenario's request name.
    pub endpoint: &'static str,
    /// Short kebab-case name of the problem.
    pub bottleneck: &'static str,
    /// What the `Before` code does.
    pub before: &'static str,
    /// What `Fixed` does instead.
    pub fix: &'static str,
    /// Rules that must report it on this endpoint in `Before` mode (warning or above).
    pub rules: &'static [&'static str],
    /// Rules that also report it, at `info` severity.
    pub info_rules: &'static [&'static str],
}

/// Every planted bottleneck. The unindexed filter is found twice: by the slow-query trace
/// rule and by the SQLite index advisor (`PH-SQLITE001`, which `perfhound audit` ties to
/// the endpoint running the statement); its SQL is [`crate::SEARCH_SQL`] and the expected
/// index [`crate::db::FIX_INDEX`].
pub const PLANTED: &[Planted] = &[
    Planted {
        endpoint: "GET /api/users/{id}/orders",
        bottleneck: "n-plus-one-queries",
        before: "loads a page of 100 orders, then runs one order_items query per order (101 queries per request)",
        fix: "eager loading: one `WHERE order_id IN (...)` query fetches the items of the whole page (2 queries)",
        rules: &["PH-TRACE001"],
        info_rules: &[],
    },
    Planted {
        endpoint: "GET /api/orders/search",
        bottleneck: "unindexed-filter",
        before: "`WHERE i.product_id = ?` scans all ~1.5M order_items: the foreign key has no index",
        fix: "CREATE INDEX idx_order_items_product ON order_items(product_id), created at start (same SQL text)",
        rules: &["PH-TRACE006", "PH-SQLITE001"],
        info_rules: &[],
    },
    Planted {
        endpoint: "GET /api/dashboard",
        bottleneck: "sequential-downstream-calls",
        before: "calls inventory, pricing, shipping and recommendations one after another (25-40 ms each)",
        fix: "the four independent calls run concurrently (tokio::try_join!)",
        rules: &["PH-TRACE005"],
        info_rules: &[],
    },
    Planted {
        endpoint: "GET /api/products/export",
        bottleneck: "uncompressed-large-response",
        before: "sends a ~450 KB JSON document uncompressed although the client accepts gzip",
        fix: "gzip-compresses the response when the client accepts it",
        rules: &["PH-HTTP001", "PH-TRACE013"],
        info_rules: &["PH-TRACE012"],
    },
    Planted {
        endpoint: "GET /api/reports/sales-summary",
        bottleneck: "repeated-computation",
        before: "aggregates the period's orders and items again on every request (`compute sales_summary`)",
        fix: "a TTL cache keyed by the period: computed once, then served from memory",
        rules: &["PH-TRACE015"],
        info_rules: &[],
    },
    Planted {
        endpoint: "POST /api/events/import",
        bottleneck: "row-at-a-time-inserts",
        before: "one INSERT per event, each its own transaction and commit",
        fix: "multi-row INSERTs (500 rows each) in one transaction",
        rules: &["PH-TRACE009"],
        info_rules: &[],
    },
    Planted {
        endpoint: "GET /api/products/{id}/similar",
        bottleneck: "quadratic-algorithm",
        before: "seed 002's `find_similar_products`: every candidate compared with every other, both feature vectors rebuilt per comparison (n² similarity calls)",
        fix: "the product's vector once, one score per candidate, one sort (n calls, O(n log n))",
        rules: &["PH-CPLX001"],
        info_rules: &[],
    },
];

/// The request `perfhound demo` fits time = a·n^k on (`perfhound complexity`): the similar
/// products of product 1 among `{{ n }}` candidates, named like the load's request.
pub const COMPLEXITY_URL_PATH: &str = "/api/products/1/similar?items={{ n }}";

/// The sizes of the demo's complexity series: each size's Before request must do more
/// than a scheduler time slice of work (docs/profile.md), and the largest well under a
/// second, in the build that runs. An unoptimized build is ~20× slower per comparison.
pub fn complexity_sizes() -> &'static str {
    if cfg!(debug_assertions) {
        "n=50..400x2"
    } else {
        "n=200..1600x2"
    }
}

/// Trace-detector thresholds for analyzing the demo (`perfhound traces --config`, or
/// `perfhound_traces::Config::from_yaml`). Everything not listed keeps its default.
///
/// Two defaults are tuned for production services and cannot be met by a demo that must
/// finish in two minutes on a laptop: `slow_db.min_ms` = 500 (the planted full scan of
/// 1.5M rows takes ~40-70 ms in SQLite, not half a second) and `consecutive_http.min_saved_ms`
/// = 100 (the four planted calls waste ~90 ms per request). With 50 ms,
/// the fixed service's heaviest query (the 2,500-row product export, 10–45 ms in a debug
/// build on an overloaded 2-core machine) stays under the threshold, while the planted scan
/// (100 ms+ in debug builds) is over it; the SQLite advisor proves the missing index in any
/// build. The other planted bottlenecks are found with the default thresholds.
pub const TRACES_CONFIG_YAML: &str = "\
# perfhound demo: thresholds scaled to the demo's (simulated) latencies
slow_db: {min_ms: 50}
consecutive_http: {min_saved_ms: 50}
";
