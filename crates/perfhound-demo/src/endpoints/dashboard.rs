//! `GET /api/dashboard` (planted: four independent downstream calls made one after
//! another) and the four downstream services it calls, `/internal/*`, each with a fixed
//! simulated latency (a slow service the team does not own).

use super::{json, AppState, Cx};
use crate::{DemoError, Mode};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Extension;
use opentelemetry::Context;
use rusqlite::Connection;
use serde_json::{json as j, Value};
use std::time::Duration;

/// The downstream services: route and simulated latency.
pub const DOWNSTREAM: [(&str, Duration); 4] = [
    ("/internal/inventory", Duration::from_millis(30)),
    ("/internal/pricing", Duration::from_millis(25)),
    ("/internal/shipping", Duration::from_millis(40)),
    ("/internal/recommendations", Duration::from_millis(35)),
];

/// What the downstream services answer, read once at start (they are not the point).
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub inventory: Value,
    pub recommendations: Value,
}

impl Snapshot {
    /// Reads the snapshot (untraced: it happens before the service takes requests).
    pub fn read(conn: &Connection) -> rusqlite::Result<Snapshot> {
        let (products, units, low, out): (i64, i64, i64, i64) = conn.query_row(
            "SELECT COUNT(*), SUM(stock), SUM(stock > 0 AND stock < 10), SUM(stock = 0) FROM products",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let mut st = conn.prepare("SELECT id, name, price_cents FROM products WHERE id <= 5 ORDER BY id")?;
        let recs = st
            .query_map([], |r| {
                Ok(j!({"product_id": r.get::<_, i64>(0)?, "name": r.get::<_, String>(1)?, "price_cents": r.get::<_, i64>(2)?}))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Snapshot {
            inventory: j!({"products": products, "units_in_stock": units, "low_stock": low, "out_of_stock": out}),
            recommendations: j!({"strategy": "bestsellers", "items": recs}),
        })
    }
}

async fn slow(route: &str) {
    let delay = DOWNSTREAM.iter().find(|(r, _)| *r == route).map_or(Duration::ZERO, |(_, d)| *d);
    tokio::time::sleep(delay).await;
}

pub async fn inventory(State(app): State<AppState>) -> Response {
    slow("/internal/inventory").await;
    json(&HeaderMap::new(), false, &app.snapshot.inventory)
}

pub async fn pricing() -> Response {
    slow("/internal/pricing").await;
    let promos: Vec<Value> =
        crate::seed::COUPONS.iter().map(|(code, pct)| j!({"code": code, "percent_off": pct})).collect();
    json(&HeaderMap::new(), false, &j!({"currency": "USD", "promotions": promos}))
}

pub async fn shipping() -> Response {
    slow("/internal/shipping").await;
    json(
        &HeaderMap::new(),
        false,
        &j!({"carriers": [
            {"name": "ground", "days": 5, "price_cents": 499},
            {"name": "express", "days": 2, "price_cents": 1299},
            {"name": "overnight", "days": 1, "price_cents": 2499}
        ]}),
    )
}

pub async fn recommendations(State(app): State<AppState>) -> Response {
    slow("/internal/recommendations").await;
    json(&HeaderMap::new(), false, &app.snapshot.recommendations)
}

pub async fn dashboard(
    State(app): State<AppState>,
    Extension(cx): Cx,
    headers: HeaderMap,
) -> Result<Response, DemoError> {
    let base = format!("http://{}", app.addr);
    let call = |route: &'static str, cx: &Context| {
        let url = format!("{base}{route}");
        let d = app.downstream.clone();
        let cx = cx.clone();
        async move { d.get_json(&cx, &url, route).await }
    };
    let [inv, pri, shp, rec] = DOWNSTREAM.map(|(r, _)| r);
    let (inventory, pricing, shipping, recommendations) = match app.mode {
        Mode::Before => {
            // One after another: the request waits for the sum of the four latencies.
            let inventory = call(inv, &cx).await?;
            let pricing = call(pri, &cx).await?;
            let shipping = call(shp, &cx).await?;
            let recommendations = call(rec, &cx).await?;
            (inventory, pricing, shipping, recommendations)
        }
        Mode::Fixed => {
            // Independent calls, concurrently: the request waits for the slowest one.
            tokio::try_join!(call(inv, &cx), call(pri, &cx), call(shp, &cx), call(rec, &cx))?
        }
    };
    Ok(json(
        &headers,
        true,
        &j!({"inventory": inventory, "pricing": pricing, "shipping": shipping, "recommendations": recommendations}),
    ))
}
