//! `GET /api/products/{id}/similar?items=N` (planted: seed 002's `find_similar_products`,
//! an O(n²) loop; fixed in O(n)).
//!
//! The endpoint loads `items` products of the product's category and answers the 10 most
//! similar to it (cosine similarity of a feature vector built from name and category).
//! `Before` ranks every candidate by counting, for each one, how many other candidates are
//! more similar — recomputing both vectors for every comparison, like the seed's
//! `calculate_similarity(p1, p2)` inside the double loop: n² similarity calls. `Fixed`
//! builds the product's vector once, scores each candidate once and sorts: n calls. Both
//! compute the same scores with the same arithmetic, so the answers are identical.
//!
//! The CPU work runs on the blocking pool, as a worker thread of a Python or Node service
//! would be busy: the other endpoints keep their latency.

use super::{error_response, json, AppState, Cx};
use crate::db::op;
use crate::{DemoError, Mode};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// The answer's length.
const TOP: usize = 10;
/// Most candidates one request may ask for.
pub const MAX_ITEMS: u32 = 20_000;
/// Feature vector length.
const DIMS: usize = 16;

#[derive(Deserialize)]
pub struct SimilarQuery {
    items: Option<u32>,
}

#[derive(Clone, Serialize)]
pub struct Product {
    id: i64,
    name: String,
    category: String,
    price_cents: i64,
}

#[derive(Serialize)]
struct Scored {
    id: i64,
    name: String,
    score: f64,
}

const PRODUCT: &str = "SELECT id, name, category, price_cents FROM products WHERE id = ?";
const CANDIDATES: &str = "SELECT id, name, category, price_cents FROM products \
     WHERE category = ? AND id <> ? ORDER BY id LIMIT ?";

pub async fn similar(
    State(app): State<AppState>,
    Extension(cx): Cx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<SimilarQuery>,
) -> Result<Response, DemoError> {
    let items = q.items.unwrap_or(100);
    if items == 0 || items > MAX_ITEMS {
        return Ok(error_response(StatusCode::BAD_REQUEST, &format!("items must be 1..={MAX_ITEMS}")));
    }
    let row = |r: &rusqlite::Row<'_>| {
        Ok(Product { id: r.get(0)?, name: r.get(1)?, category: r.get(2)?, price_cents: r.get(3)? })
    };
    let found = app.db.run(&cx, move |s| s.query(op("SELECT", "products"), PRODUCT, [id], row)).await?;
    let Some(product) = found.into_iter().next() else {
        return Ok(error_response(StatusCode::NOT_FOUND, &format!("no product {id}")));
    };
    let category = product.category.clone();
    let all = app
        .db
        .run(&cx, move |s| {
            s.query(op("SELECT", "products"), CANDIDATES, rusqlite::params![category, id, i64::from(items)], row)
        })
        .await?;
    let mode = app.mode;
    let similar = tokio::task::spawn_blocking(move || {
        let top = match mode {
            Mode::Before => find_similar_products(&product, &all),
            Mode::Fixed => find_similar_products_grouped(&product, &all),
        };
        top.into_iter().map(|(score, p)| Scored { id: p.id, name: p.name.clone(), score }).collect::<Vec<_>>()
    })
    .await
    .map_err(|e| DemoError::Task(e.to_string()))?;
    Ok(json(&headers, true, &serde_json::json!({"product_id": id, "items": items, "similar": similar})))
}

/// Before: for every candidate, count the candidates more similar than it; keep the top
/// 10. Both vectors are rebuilt on every call of [`similarity`]: O(n²) calls.
#[inline(never)]
pub fn find_similar_products<'a>(product: &Product, all: &'a [Product]) -> Vec<(f64, &'a Product)> {
    let mut similar = Vec::new();
    for p1 in all {
        let s1 = similarity(product, p1);
        let better = all.iter().filter(|p2| ranks_before(similarity(product, p2), p2.id, s1, p1.id)).count();
        if better < TOP {
            similar.push((s1, p1));
        }
    }
    similar.sort_by(|a, b| order(a.0, a.1.id, b.0, b.1.id));
    similar
}

/// Fixed: the product's vector once, one score per candidate, one sort: O(n log n).
#[inline(never)]
pub fn find_similar_products_grouped<'a>(product: &Product, all: &'a [Product]) -> Vec<(f64, &'a Product)> {
    let v = to_vector(product);
    let mut scored: Vec<(f64, &Product)> = all.iter().map(|p| (cosine(&v, &to_vector(p)), p)).collect();
    scored.sort_by(|a, b| order(a.0, a.1.id, b.0, b.1.id));
    scored.truncate(TOP);
    scored
}

/// Higher score first, then lower id.
fn order(sa: f64, ida: i64, sb: f64, idb: i64) -> Ordering {
    sb.total_cmp(&sa).then(ida.cmp(&idb))
}

fn ranks_before(sa: f64, ida: i64, sb: f64, idb: i64) -> bool {
    order(sa, ida, sb, idb) == Ordering::Less
}

#[inline(never)]
fn similarity(a: &Product, b: &Product) -> f64 {
    cosine(&to_vector(a), &to_vector(b))
}

/// Character-bigram counts of name and category hashed into [`DIMS`] buckets, plus price.
#[inline(never)]
fn to_vector(p: &Product) -> [f64; DIMS] {
    let mut v = [0.0; DIMS];
    for text in [p.name.as_bytes(), p.category.as_bytes()] {
        for w in text.windows(2) {
            let h = (usize::from(w[0]) * 31 + usize::from(w[1])) % (DIMS - 1);
            v[h] += 1.0;
        }
    }
    v[DIMS - 1] = (p.price_cents as f64 / 1000.0).ln_1p();
    v
}

fn cosine(a: &[f64; DIMS], b: &[f64; DIMS]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f64; DIMS]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let n = norm(a) * norm(b);
    if n > 0.0 {
        dot / n
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(id: i64, name: &str, price_cents: i64) -> Product {
        Product { id, name: name.into(), category: "toys".into(), price_cents }
    }

    #[test]
    fn both_versions_answer_the_same_top_ten() {
        let all: Vec<Product> =
            (1..=60).map(|i| product(i, &format!("Toy {} model {}", i % 7, i % 5), 500 + i * 13)).collect();
        let p = product(1000, "Toy 3 model 2", 600);
        let before: Vec<(f64, i64)> = find_similar_products(&p, &all).into_iter().map(|(s, p)| (s, p.id)).collect();
        let fixed: Vec<(f64, i64)> =
            find_similar_products_grouped(&p, &all).into_iter().map(|(s, p)| (s, p.id)).collect();
        assert_eq!(before.len(), TOP);
        assert_eq!(before, fixed);
    }
}
