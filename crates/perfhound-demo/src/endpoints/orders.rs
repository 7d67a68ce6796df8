//! `GET /api/users/{id}/orders?limit=100` (planted: N+1 queries) and `GET /api/orders/search?product_id=`
//! (planted: a filter on an unindexed column, the foreign key `order_items.product_id`).

use super::{error_response, json, AppState, Cx};
use crate::db::{op, Session};
use crate::{DemoError, Mode};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Serialize)]
struct User {
    id: i64,
    email: String,
    name: String,
}

#[derive(Serialize)]
struct Order {
    id: i64,
    status: String,
    total_cents: i64,
    created_at: String,
    items: Vec<Item>,
}

#[derive(Serialize)]
struct Item {
    #[serde(skip)]
    id: i64,
    product_id: i64,
    product_name: String,
    quantity: i64,
    unit_price_cents: i64,
}

#[derive(Serialize)]
struct UserOrders {
    user: User,
    orders: Vec<Order>,
}

/// The user and a page of their orders, newest first (LEFT JOIN: a user without orders is one row).
const USER_ORDERS: &str = "SELECT u.id, u.email, u.name, o.id, o.status, o.total_cents, o.created_at \
     FROM users u LEFT JOIN orders o ON o.user_id = u.id WHERE u.id = ? ORDER BY o.created_at DESC, o.id DESC LIMIT ?";

/// Before: the items of one order (run once per order: the N+1).
const ITEMS_OF_ORDER: &str = "SELECT i.id, i.product_id, p.name, i.quantity, i.unit_price_cents \
     FROM order_items i JOIN products p ON p.id = i.product_id WHERE i.order_id = ? ORDER BY i.id";

/// Fixed: the items of every order of the page at once (eager loading, like `prefetch_related`).
fn items_of_orders(n: usize) -> String {
    let marks = vec!["?"; n].join(", ");
    format!(
        "SELECT i.order_id, i.id, i.product_id, p.name, i.quantity, i.unit_price_cents \
         FROM order_items i JOIN products p ON p.id = i.product_id WHERE i.order_id IN ({marks})"
    )
}

/// Orders per page (`?limit=`, at most [`MAX_PAGE`]).
pub const DEFAULT_PAGE: i64 = 100;
pub const MAX_PAGE: i64 = 200;

#[derive(Deserialize)]
pub struct PageQuery {
    limit: Option<i64>,
}

pub async fn user_orders(
    State(app): State<AppState>,
    Extension(cx): Cx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(page): Query<PageQuery>,
) -> Result<Response, DemoError> {
    let limit = page.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Ok(error_response(StatusCode::BAD_REQUEST, &format!("`limit` must be 1 to {MAX_PAGE}")));
    }
    let mode = app.mode;
    let found = app.db.run(&cx, move |s| load_user_orders(s, mode, id, limit)).await?;
    Ok(match found {
        Some(body) => json(&headers, true, &body),
        None => error_response(StatusCode::NOT_FOUND, &format!("no user {id}")),
    })
}

fn load_user_orders(s: &Session<'_>, mode: Mode, id: i64, limit: i64) -> Result<Option<UserOrders>, DemoError> {
    type Row = (User, Option<(i64, String, i64, String)>);
    let rows: Vec<Row> = s.query(op("SELECT", "users"), USER_ORDERS, [id, limit], |r| {
        let user = User { id: r.get(0)?, email: r.get(1)?, name: r.get(2)? };
        let order = match r.get::<_, Option<i64>>(3)? {
            Some(oid) => Some((oid, r.get(4)?, r.get(5)?, r.get(6)?)),
            None => None,
        };
        Ok((user, order))
    })?;
    let mut rows = rows.into_iter();
    let Some((user, first)) = rows.next() else {
        return Ok(None);
    };
    let mut orders: Vec<Order> = first
        .into_iter()
        .chain(rows.filter_map(|(_, o)| o))
        .map(|(id, status, total_cents, created_at)| Order { id, status, total_cents, created_at, items: Vec::new() })
        .collect();
    match mode {
        Mode::Before => {
            for order in &mut orders {
                order.items = s.query(op("SELECT", "order_items"), ITEMS_OF_ORDER, [order.id], |r| {
                    Ok(Item {
                        id: r.get(0)?,
                        product_id: r.get(1)?,
                        product_name: r.get(2)?,
                        quantity: r.get(3)?,
                        unit_price_cents: r.get(4)?,
                    })
                })?;
            }
        }
        Mode::Fixed if !orders.is_empty() => {
            let ids = rusqlite::params_from_iter(orders.iter().map(|o| o.id));
            let items = s.query(op("SELECT", "order_items"), &items_of_orders(orders.len()), ids, |r| {
                let item = Item {
                    id: r.get(1)?,
                    product_id: r.get(2)?,
                    product_name: r.get(3)?,
                    quantity: r.get(4)?,
                    unit_price_cents: r.get(5)?,
                };
                Ok((r.get::<_, i64>(0)?, item))
            })?;
            let mut by_order: HashMap<i64, Vec<Item>> = HashMap::new();
            for (order_id, item) in items {
                by_order.entry(order_id).or_default().push(item);
            }
            for order in &mut orders {
                order.items = by_order.remove(&order.id).unwrap_or_default();
                order.items.sort_by_key(|i| i.id);
            }
        }
        Mode::Fixed => {}
    }
    Ok(Some(UserOrders { user, orders }))
}

#[derive(Deserialize)]
pub struct SearchQuery {
    product_id: Option<String>,
}

#[derive(Serialize)]
struct FoundOrder {
    id: i64,
    user_id: i64,
    status: String,
    total_cents: i64,
    created_at: String,
    quantity: i64,
}

/// Orders that contain a product, newest first. The same text in both modes: only the index
/// differs (`Fixed` creates `idx_order_items_product` at start, `Before` drops it), so the
/// plan goes from a full scan of the 750k `order_items` to an index search. `ORDER BY i.id`
/// follows the index's rowid order (and item ids grow with order ids).
pub const ORDERS_WITH_PRODUCT: &str = "SELECT o.id, o.user_id, o.status, o.total_cents, o.created_at, i.quantity \
     FROM order_items i JOIN orders o ON o.id = i.order_id WHERE i.product_id = ? ORDER BY i.id DESC";

pub async fn search(
    State(app): State<AppState>,
    Extension(cx): Cx,
    headers: HeaderMap,
    Query(q): Query<SearchQuery>,
) -> Result<Response, DemoError> {
    let Some(product) = q.product_id.as_deref().and_then(|p| p.trim().parse::<i64>().ok()) else {
        return Ok(error_response(StatusCode::BAD_REQUEST, "expected query parameter `product_id` (a number)"));
    };
    let orders = app
        .db
        .run(&cx, move |s| {
            s.query(op("SELECT", "order_items"), ORDERS_WITH_PRODUCT, [product], |r| {
                Ok(FoundOrder {
                    id: r.get(0)?,
                    user_id: r.get(1)?,
                    status: r.get(2)?,
                    total_cents: r.get(3)?,
                    created_at: r.get(4)?,
                    quantity: r.get(5)?,
                })
            })
        })
        .await?;
    Ok(json(&headers, true, &serde_json::json!({ "product_id": product, "count": orders.len(), "orders": orders })))
}
