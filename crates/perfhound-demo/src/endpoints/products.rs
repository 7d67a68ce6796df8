//! `GET /api/products/export?category=…` (planted: a ~450 KB JSON document sent
//! uncompressed although the client accepts gzip).

use super::{error_response, json, AppState, Cx};
use crate::db::op;
use crate::seed::CATEGORIES;
use crate::{DemoError, Mode};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct ExportQuery {
    category: Option<String>,
}

#[derive(Serialize)]
struct Product {
    id: i64,
    sku: String,
    name: String,
    category: String,
    price_cents: i64,
    stock: i64,
    description: String,
}

const PRODUCTS_OF_CATEGORY: &str = "SELECT id, sku, name, category, price_cents, stock, description \
     FROM products WHERE category = ? ORDER BY id";

pub async fn export(
    State(app): State<AppState>,
    Extension(cx): Cx,
    headers: HeaderMap,
    Query(q): Query<ExportQuery>,
) -> Result<Response, DemoError> {
    let category = q.category.unwrap_or_else(|| CATEGORIES[1].to_string());
    if !CATEGORIES.contains(&category.as_str()) {
        let msg = format!("unknown category `{category}`; one of: {}", CATEGORIES.join(", "));
        return Ok(error_response(StatusCode::BAD_REQUEST, &msg));
    }
    let products = app
        .db
        .run(&cx, move |s| {
            s.query(op("SELECT", "products"), PRODUCTS_OF_CATEGORY, [&category], |r| {
                Ok(Product {
                    id: r.get(0)?,
                    sku: r.get(1)?,
                    name: r.get(2)?,
                    category: r.get(3)?,
                    price_cents: r.get(4)?,
                    stock: r.get(5)?,
                    description: r.get(6)?,
                })
            })
        })
        .await?;
    // Before: no compression for this (large) document; Fixed: gzip when accepted.
    let compress = app.mode == Mode::Fixed;
    Ok(json(&headers, compress, &serde_json::json!({"count": products.len(), "products": products})))
}
