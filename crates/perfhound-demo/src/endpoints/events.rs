//! `POST /api/events/import` (planted: one INSERT, and so one commit, per row; fixed with
//! multi-row INSERTs in one transaction).

use super::{error_response, json, AppState, Cx};
use crate::db::{op, Session};
use crate::{DemoError, Mode};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::{Extension, Json};
use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};

/// Largest accepted import.
pub const MAX_EVENTS: usize = 5_000;
/// Rows per multi-row INSERT in `Fixed` mode (4 parameters a row, well under SQLite's limit).
const CHUNK: usize = 500;

pub const KINDS: [&str; 5] = ["view", "search", "add_to_cart", "wishlist", "purchase"];

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Event {
    pub user_id: i64,
    pub kind: String,
    pub product_id: Option<i64>,
    pub occurred_at: String,
}

#[derive(Debug, Deserialize)]
pub struct ImportRequest {
    events: Vec<Event>,
}

const INSERT_ONE: &str = "INSERT INTO events (user_id, kind, product_id, occurred_at) VALUES (?, ?, ?, ?)";

fn insert_many(rows: usize) -> String {
    let mut sql = String::from("INSERT INTO events (user_id, kind, product_id, occurred_at) VALUES ");
    for i in 0..rows {
        sql.push_str(if i == 0 { "(?, ?, ?, ?)" } else { ", (?, ?, ?, ?)" });
    }
    sql
}

pub async fn import(
    State(app): State<AppState>,
    Extension(cx): Cx,
    headers: HeaderMap,
    Json(req): Json<ImportRequest>,
) -> Result<Response, DemoError> {
    let events = req.events;
    if events.is_empty() || events.len() > MAX_EVENTS {
        let msg = format!("expected 1 to {MAX_EVENTS} events, got {}", events.len());
        return Ok(error_response(StatusCode::BAD_REQUEST, &msg));
    }
    if let Some(bad) = events.iter().find(|e| !KINDS.contains(&e.kind.as_str())) {
        let msg = format!("unknown event kind `{}`; one of: {}", bad.kind, KINDS.join(", "));
        return Ok(error_response(StatusCode::BAD_REQUEST, &msg));
    }
    let n = events.len();
    let mode = app.mode;
    app.db.run(&cx, move |s| store(s, mode, &events)).await?;
    Ok(json(&headers, true, &serde_json::json!({"imported": n})))
}

fn store(s: &Session<'_>, mode: Mode, events: &[Event]) -> Result<(), DemoError> {
    let row = |e: &Event| -> [SqlValue; 4] {
        [e.user_id.into(), e.kind.clone().into(), e.product_id.into(), e.occurred_at.clone().into()]
    };
    match mode {
        Mode::Before => {
            // Autocommit: every row is its own statement and its own transaction.
            for e in events {
                s.execute(op("INSERT", "events"), INSERT_ONE, rusqlite::params_from_iter(row(e)), None)?;
            }
        }
        Mode::Fixed => {
            s.execute(op("BEGIN", ""), "BEGIN IMMEDIATE", [], None)?;
            let result = events.chunks(CHUNK).try_for_each(|chunk| {
                let params = rusqlite::params_from_iter(chunk.iter().flat_map(row));
                s.execute(op("INSERT", "events"), &insert_many(chunk.len()), params, Some(chunk.len())).map(drop)
            });
            match result {
                Ok(()) => s.execute(op("COMMIT", ""), "COMMIT", [], None).map(drop)?,
                Err(e) => {
                    // Best effort: the connection must not stay inside a transaction.
                    let _ = s.execute(op("ROLLBACK", ""), "ROLLBACK", [], None);
                    return Err(e);
                }
            }
        }
    }
    Ok(())
}
