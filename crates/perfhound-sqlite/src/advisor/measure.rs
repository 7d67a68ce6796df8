//! Real execution times on the copy: parameter sets sampled from the table's own data,
//! each statement run several times per set (the fastest run counts, filtering noise),
//! within a time budget. Only statements SQLite reports as read-only are ever executed.
//!
//! Sampling: for `col = ?` / `IN` / `LIKE`, values the column holds, spread over an evenly
//! spaced sample of its rows (so frequent values are picked as often as they occur);
//! for a lower bound (`col > ?`) the 90th percentile and for an upper bound the 10th —
//! a range selecting ~10% of the rows, like a "recent rows" filter; for both bounds on
//! one column (BETWEEN) the 45th–55th percentiles; `LIMIT ?` is 20, `OFFSET ?` 0;
//! anything else is 0 (not NULL: SQLite skips the work of a comparison with NULL, which
//! would time nothing).

use super::Work;
use crate::catalog::{quote_ident, Catalog};
use crate::config::Limits;
use crate::open::Deadline;
use perfhound_sql::usage::Bound;
use rusqlite::types::Value;
use rusqlite::Connection;
use std::cmp::Ordering;
use std::time::Instant;

/// One parameter set: the value of each slot (index 0 = `?1`).
pub type ParamSet = Vec<Value>;

/// Time per execution of one statement in one configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Timing {
    /// Mean over parameter sets of the fastest run, in microseconds.
    pub per_exec_us: f64,
    /// Parameter sets measured.
    pub sets: usize,
    /// Rows returned per execution (mean).
    pub rows: f64,
}

/// Why a statement could not be timed.
pub fn not_read_only() -> String {
    "SQLite does not consider the statement read-only; perfhound never executes writes".into()
}

/// Builds up to `n` parameter sets for `w` from the copy's data.
pub(crate) fn param_sets(conn: &Connection, catalog: &Catalog, w: &Work, n: usize) -> Vec<ParamSet> {
    if w.slots == 0 {
        return vec![Vec::new()];
    }
    let n = n.max(1);
    let mut samples: Vec<(String, String, Vec<Value>)> = Vec::new();
    let mut sets: Vec<ParamSet> = vec![vec![Value::Integer(0); w.slots]; n];
    for slot in 1..=w.slots {
        let Some(p) = w.params.iter().find(|p| p.slot == slot) else { continue };
        let fixed = match p.bound {
            Bound::Limit => Some(Value::Integer(20)),
            Bound::Offset => Some(Value::Integer(0)),
            _ => None,
        };
        if let Some(v) = fixed {
            sets.iter_mut().for_each(|s| s[slot - 1] = v.clone());
            continue;
        }
        let Some((table, column)) = &p.column else { continue };
        let values = match samples.iter().find(|(t, c, _)| t == table && c == column) {
            Some((_, _, v)) => v.clone(),
            None => {
                let rows = catalog.table(table).map_or(0, |t| t.rows_or_zero());
                let v = sample(conn, table, column, rows);
                samples.push((table.clone(), column.clone(), v.clone()));
                v
            }
        };
        if values.is_empty() {
            continue;
        }
        let both = w.params.iter().any(|q| q.column == p.column && q.bound == Bound::Lower)
            && w.params.iter().any(|q| q.column == p.column && q.bound == Bound::Upper);
        for (k, set) in sets.iter_mut().enumerate() {
            let q = match (p.bound, both) {
                (Bound::Lower, false) => 0.9,
                (Bound::Upper, false) => 0.1,
                (Bound::Lower, true) => 0.45,
                (Bound::Upper, true) => 0.55,
                _ => (2 * k + 1) as f64 / (2 * n) as f64,
            };
            let mut sorted = values.clone();
            if p.bound != Bound::Eq {
                sorted.sort_by(cmp_values);
            }
            let i = ((q * sorted.len() as f64) as usize).min(sorted.len() - 1);
            set[slot - 1] = sorted[i].clone();
        }
    }
    sets
}

/// An evenly spaced sample (by rowid) of the column's non-NULL values, at most ~2,000.
fn sample(conn: &Connection, table: &str, column: &str, rows: u64) -> Vec<Value> {
    let (t, c) = (quote_ident(table), quote_ident(column));
    let step = (rows / 2000).max(1);
    let by_rowid = format!("SELECT {c} FROM main.{t} WHERE {c} IS NOT NULL AND rowid % {step} = 0 LIMIT 2500");
    let plain = format!("SELECT {c} FROM main.{t} WHERE {c} IS NOT NULL LIMIT 2500");
    for sql in [by_rowid, plain] {
        let Ok(mut st) = conn.prepare(&sql) else { continue };
        let Ok(rows) = st.query_map([], |r| r.get::<_, Value>(0)) else { continue };
        let v: Vec<Value> = rows.filter_map(Result::ok).collect();
        if !v.is_empty() {
            return v;
        }
    }
    Vec::new()
}

/// SQLite's order of values: NULL < numbers < text < blob.
fn cmp_values(a: &Value, b: &Value) -> Ordering {
    fn class(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Integer(_) | Value::Real(_) => 1,
            Value::Text(_) => 2,
            Value::Blob(_) => 3,
        }
    }
    fn num(v: &Value) -> f64 {
        match v {
            Value::Integer(i) => *i as f64,
            Value::Real(r) => *r,
            _ => 0.0,
        }
    }
    class(a).cmp(&class(b)).then_with(|| match (a, b) {
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
        (Value::Blob(x), Value::Blob(y)) => x.cmp(y),
        _ => num(a).total_cmp(&num(b)),
    })
}

/// Times `sql` over the parameter sets (at most `max_sets` of them).
pub fn time(
    conn: &Connection,
    deadline: &Deadline,
    sql: &str,
    sets: &[ParamSet],
    max_sets: usize,
    limits: &Limits,
) -> Result<Timing, String> {
    let mut st = conn.prepare(sql).map_err(|e| e.to_string())?;
    if !st.readonly() {
        return Err(not_read_only());
    }
    let started = Instant::now();
    let (mut total_us, mut total_rows, mut measured) = (0.0, 0.0, 0usize);
    for set in sets.iter().take(max_sets.max(1)) {
        for (i, v) in set.iter().enumerate().take(st.parameter_count()) {
            st.raw_bind_parameter(i + 1, v).map_err(|e| e.to_string())?;
        }
        let mut best = f64::INFINITY;
        let mut rows = 0u64;
        for run in 0..=limits.repeats.max(1) {
            let _armed = deadline.arm(limits.statement_timeout);
            let t0 = Instant::now();
            rows = run_once(&mut st).map_err(|e| e.to_string())?;
            let us = t0.elapsed().as_secs_f64() * 1e6;
            if run > 0 || limits.repeats == 0 {
                best = best.min(us);
            }
            if started.elapsed() > limits.measure_budget && run > 0 {
                break;
            }
        }
        total_us += best;
        total_rows += rows as f64;
        measured += 1;
        if started.elapsed() > limits.measure_budget {
            break;
        }
    }
    Ok(Timing { per_exec_us: total_us / measured as f64, sets: measured, rows: total_rows / measured as f64 })
}

fn run_once(st: &mut rusqlite::Statement<'_>) -> rusqlite::Result<u64> {
    let mut rows = st.raw_query();
    let mut n = 0;
    while rows.next()?.is_some() {
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_order_like_sqlite() {
        let mut v =
            vec![Value::Text("b".into()), Value::Integer(3), Value::Null, Value::Real(1.5), Value::Text("a".into())];
        v.sort_by(cmp_values);
        assert_eq!(
            v,
            vec![Value::Null, Value::Real(1.5), Value::Integer(3), Value::Text("a".into()), Value::Text("b".into())]
        );
    }
}
