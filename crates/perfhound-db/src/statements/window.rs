//! Analysis windows: pg_stat_statements counts from the last reset, often weeks ago. To
//! look at one load test (what `perfhound audit` does), take a [`StatementSnapshot`]
//! before it ([`crate::snapshot`]), put it in [`crate::Config::baseline`], and
//! [`crate::analyze`] reports calls, time, rows and blocks as the delta since the
//! snapshot; statements without calls since then are dropped.
//!
//! Counters are keyed by (role, queryid) like pg_stat_statements' own rows in one
//! database. An entry that disappeared and came back (evicted, or the statistics were
//! reset) has fewer calls than in the snapshot: its current counters are all new.
//! min/max/stddev cannot be subtracted and stay pg_stat_statements' lifetime values.

use super::pgss::{self, Row};
use crate::error::DbError;
use crate::session::ServerInfo;
use std::collections::HashMap;
use std::time::Instant;
use tokio_postgres::Client;

/// Identity of a pg_stat_statements row within one database (top-level statements).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StatementKey {
    pub userid: u32,
    pub queryid: i64,
}

/// The cumulative counters of one row.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Counters {
    pub calls: i64,
    pub total_exec_time_ms: f64,
    pub rows: i64,
    pub shared_blks_hit: i64,
    pub shared_blks_read: i64,
}

/// pg_stat_statements' counters at one moment.
#[derive(Clone, Debug)]
pub struct StatementSnapshot {
    pub counters: HashMap<StatementKey, Counters>,
    pub taken_at: Instant,
    /// `pg_stat_statements_info.stats_reset` then (epoch seconds; PostgreSQL 14+).
    pub stats_reset: Option<f64>,
}

impl StatementSnapshot {
    /// Number of statements captured.
    pub fn len(&self) -> usize {
        self.counters.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counters.is_empty()
    }
}

/// Captures this database's pg_stat_statements counters on `client`.
pub async fn capture(client: &Client, server: &ServerInfo) -> Result<StatementSnapshot, DbError> {
    if !server.has_extension("pg_stat_statements") {
        return Err(DbError::ExtensionMissing {
            name: "pg_stat_statements",
            database: server.database.clone(),
            how: server.how_to_enable("pg_stat_statements"),
        });
    }
    pgss::keep_own_statements_out(client, server).await;
    let stats_reset = pgss::stats_reset(client, server).await;
    let rows = pgss::read_rows(client, server, None).await?;
    let counters = rows.into_iter().map(|r| (r.key, r.counters)).collect();
    Ok(StatementSnapshot { counters, taken_at: Instant::now(), stats_reset })
}

/// The rows' counters minus the baseline's; rows without new calls are dropped. When the
/// statistics were reset since the baseline (`stats_reset` moved), every count is new.
pub fn delta(rows: Vec<Row>, base: &StatementSnapshot, stats_reset: Option<f64>) -> Vec<Row> {
    let reset = stats_reset.is_some() && stats_reset != base.stats_reset;
    rows.into_iter()
        .filter_map(|mut row| {
            let before = if reset { None } else { base.counters.get(&row.key) };
            if let Some(b) = before.filter(|b| b.calls <= row.counters.calls) {
                row.counters = subtract(&row.counters, b);
            }
            (row.counters.calls > 0).then_some(row)
        })
        .collect()
}

fn subtract(now: &Counters, before: &Counters) -> Counters {
    Counters {
        calls: now.calls - before.calls,
        total_exec_time_ms: (now.total_exec_time_ms - before.total_exec_time_ms).max(0.0),
        rows: (now.rows - before.rows).max(0),
        shared_blks_hit: (now.shared_blks_hit - before.shared_blks_hit).max(0),
        shared_blks_read: (now.shared_blks_read - before.shared_blks_read).max(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(queryid: i64, calls: i64, total: f64) -> Row {
        Row {
            key: StatementKey { userid: 10, queryid },
            query: Some(format!("SELECT {queryid}")),
            counters: Counters { calls, total_exec_time_ms: total, rows: calls, ..Counters::default() },
            min_ms: 0.0,
            max_ms: 0.0,
            stddev_ms: 0.0,
        }
    }

    fn base(entries: &[(i64, i64, f64)], stats_reset: Option<f64>) -> StatementSnapshot {
        let counters = entries
            .iter()
            .map(|&(q, calls, total)| {
                let r = row(q, calls, total);
                (r.key, r.counters)
            })
            .collect();
        StatementSnapshot { counters, taken_at: Instant::now(), stats_reset }
    }

    #[test]
    fn subtracts_drops_idle_and_keeps_new_and_reborn_rows() {
        let b = base(&[(1, 10, 100.0), (2, 5, 50.0), (3, 50, 10.0)], Some(1.0));
        let d = delta(vec![row(1, 14, 140.0), row(2, 5, 50.0), row(3, 2, 1.0), row(4, 3, 9.0)], &b, Some(1.0));
        let got: Vec<(i64, i64, f64)> =
            d.iter().map(|r| (r.key.queryid, r.counters.calls, r.counters.total_exec_time_ms)).collect();
        assert_eq!(got, vec![(1, 4, 40.0), (3, 2, 1.0), (4, 3, 9.0)]);
        assert_eq!(d[0].counters.rows, 4);
    }

    #[test]
    fn a_reset_since_the_baseline_makes_every_count_new() {
        let b = base(&[(1, 10, 100.0)], Some(1.0));
        let d = delta(vec![row(1, 12, 120.0)], &b, Some(2.0));
        assert_eq!(d[0].counters.calls, 12);
    }
}
