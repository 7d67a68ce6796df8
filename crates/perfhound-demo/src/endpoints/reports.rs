//! `GET /api/reports/sales-summary?period=30d` (planted: the same expensive aggregation
//! recomputed on every request; fixed with a TTL cache keyed by the period).
//!
//! The computation is an INTERNAL span `compute sales_summary` with `code.function` and its
//! input `app.report.period`, so perfhound can tell that identical computations repeat. In
//! `Fixed` mode the span exists only on a cache miss; the SERVER span says `app.cache.hit`.

use super::{error_response, json, AppState, Cx};
use crate::db::{op, Session};
use crate::seed::{timestamp, REFERENCE_DAY};
use crate::{DemoError, Mode};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;
use opentelemetry::trace::{SpanKind, TraceContextExt};
use opentelemetry::KeyValue;
use serde::Deserialize;
use serde_json::{json as j, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a computed summary is served from the cache.
pub const CACHE_TTL: Duration = Duration::from_secs(300);

pub const PERIODS: [(&str, i64); 4] = [("7d", 7), ("30d", 30), ("90d", 90), ("365d", 365)];

/// Summaries by period, with the time they were computed. Holding the lock while computing
/// makes concurrent misses wait for one computation instead of repeating it.
#[derive(Default)]
pub struct Cache(tokio::sync::Mutex<HashMap<&'static str, (Instant, Arc<Value>)>>);

#[derive(Deserialize)]
pub struct SummaryQuery {
    period: Option<String>,
}

pub async fn sales_summary(
    State(app): State<AppState>,
    Extension(cx): Cx,
    headers: HeaderMap,
    Query(q): Query<SummaryQuery>,
) -> Result<Response, DemoError> {
    let wanted = q.period.unwrap_or_else(|| "7d".into());
    let Some(&(period, days)) = PERIODS.iter().find(|(p, _)| *p == wanted) else {
        let known: Vec<&str> = PERIODS.iter().map(|(p, _)| *p).collect();
        let msg = format!("unknown period `{wanted}`; one of: {}", known.join(", "));
        return Ok(error_response(StatusCode::BAD_REQUEST, &msg));
    };
    let compute = || app.db.run(&cx, move |s| compute_sales_summary(s, period, days));
    let summary = match app.mode {
        Mode::Before => Arc::new(compute().await?),
        Mode::Fixed => {
            let mut cache = app.reports.0.lock().await;
            let hit = cache.get(period).filter(|(at, _)| at.elapsed() < CACHE_TTL).map(|(_, v)| Arc::clone(v));
            cx.span().set_attribute(KeyValue::new("app.cache.hit", hit.is_some()));
            match hit {
                Some(v) => v,
                None => {
                    let v = Arc::new(compute().await?);
                    cache.insert(period, (Instant::now(), Arc::clone(&v)));
                    v
                }
            }
        }
    };
    Ok(json(&headers, true, &*summary))
}

/// Orders that count as sales (not cancelled or refunded).
const SOLD: &str = "status NOT IN ('cancelled', 'refunded')";

fn queries() -> [String; 5] {
    [
        format!(
            "SELECT substr(created_at, 1, 10) AS day, COUNT(*), SUM(total_cents) FROM orders \
             WHERE created_at >= ? AND {SOLD} GROUP BY day ORDER BY day"
        ),
        "SELECT status, COUNT(*), SUM(total_cents) FROM orders WHERE created_at >= ? GROUP BY status ORDER BY status"
            .to_string(),
        format!("SELECT total_cents FROM orders WHERE created_at >= ? AND {SOLD} ORDER BY total_cents"),
        format!(
            "WITH buyers AS MATERIALIZED (SELECT user_id FROM orders WHERE created_at >= ? AND {SOLD}) \
             SELECT COUNT(*), COALESCE(SUM(n > 1), 0) FROM (SELECT user_id, COUNT(*) AS n FROM buyers GROUP BY user_id)"
        ),
        // Order ids grow with created_at (auto-increment): the period's items are those from
        // its first order on, one range of the order_id index. Materialized first, so that an
        // index on product_id (the Fixed mode's) cannot tempt the planner into walking all
        // 750k items in product order to avoid the GROUP BY sort.
        "WITH period_items AS MATERIALIZED (SELECT product_id, quantity, unit_price_cents FROM order_items \
         WHERE order_id >= (SELECT MIN(id) FROM orders WHERE created_at >= ?)) \
         SELECT product_id, SUM(quantity), SUM(quantity * unit_price_cents) AS revenue FROM period_items \
         GROUP BY product_id ORDER BY revenue DESC, product_id LIMIT 10"
            .to_string(),
    ]
}

fn product_names_sql(n: usize) -> String {
    let marks = vec!["?"; n].join(", ");
    format!("SELECT id, name, category FROM products WHERE id IN ({marks})")
}

/// Revenue per day and status, order-value percentiles, repeat customers and the best
/// sellers over the last `days` days before the reference day: six queries, each a few
/// milliseconds, tens of milliseconds together — the kind of result worth caching.
fn compute_sales_summary(s: &Session<'_>, period: &'static str, days: i64) -> Result<Value, DemoError> {
    let span = s.telemetry().span(
        s.parent(),
        "compute sales_summary",
        SpanKind::Internal,
        vec![
            KeyValue::new("code.function", "compute_sales_summary"),
            KeyValue::new("code.filepath", file!()),
            KeyValue::new("code.lineno", i64::from(line!())),
            KeyValue::new("app.report.period", period),
        ],
    );
    let s = s.under(span.cx());
    let since = timestamp((REFERENCE_DAY - days) * 86_400);
    let [q_daily, q_status, q_values, q_customers, q_best] = queries();
    let daily = s.query(op("SELECT", "orders"), &q_daily, [&since], |r| {
        Ok(j!({"day": r.get::<_, String>(0)?, "orders": r.get::<_, i64>(1)?, "revenue_cents": r.get::<_, i64>(2)?}))
    })?;
    let by_status = s.query(op("SELECT", "orders"), &q_status, [&since], |r| {
        Ok((r.get::<_, String>(0)?, j!({"orders": r.get::<_, i64>(1)?, "revenue_cents": r.get::<_, i64>(2)?})))
    })?;
    let values = s.query(op("SELECT", "orders"), &q_values, [&since], |r| r.get::<_, i64>(0))?;
    let customers = s.query(op("SELECT", "orders"), &q_customers, [&since], |r| {
        Ok(j!({"buyers": r.get::<_, i64>(0)?, "repeat_buyers": r.get::<_, i64>(1)?}))
    })?;
    let best = s.query(op("SELECT", "order_items"), &q_best, [&since], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
    })?;
    let mut names: HashMap<i64, (String, String)> = HashMap::new();
    if !best.is_empty() {
        let ids = rusqlite::params_from_iter(best.iter().map(|b| b.0));
        for (id, name, category) in s.query(op("SELECT", "products"), &product_names_sql(best.len()), ids, |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })? {
            names.insert(id, (name, category));
        }
    }
    let pct = |p: f64| values.get(((values.len() as f64 * p) as usize).min(values.len().saturating_sub(1))).copied();
    let revenue: i64 = values.iter().sum();
    let summary = j!({
        "period": period,
        "since": since,
        "orders": values.len(),
        "revenue_cents": revenue,
        "order_value_cents": {
            "mean": if values.is_empty() { 0 } else { revenue / values.len() as i64 },
            "p50": pct(0.5), "p90": pct(0.9), "p99": pct(0.99), "max": values.last(),
        },
        "customers": customers.into_iter().next(),
        "by_status": by_status.into_iter().collect::<serde_json::Map<_, _>>(),
        "best_sellers": best.iter().map(|(id, units, revenue)| {
            let (name, category) = names.get(id).cloned().unwrap_or_default();
            j!({"product_id": id, "name": name, "category": category, "units": units, "revenue_cents": revenue})
        }).collect::<Vec<_>>(),
        "daily": daily,
    });
    Ok(summary)
}
