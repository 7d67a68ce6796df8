//! Reading pg_stat_statements: this database's top-level statements (PostgreSQL 14+), the
//! role's hidden ones counted, perfhound's own and utility statements dropped, rows of one
//! shape merged ([`super::group`]). With a baseline snapshot the counters are the delta
//! since it ([`super::window`]).

use super::window::{self, Counters, StatementKey, StatementSnapshot};
use super::{group, is_own_or_utility, Origin, Statement, StatementSet, MARKER};
use crate::error::DbError;
use crate::session::ServerInfo;
use perfhound_sql::Normalizer;
use tokio_postgres::Client;

/// One pg_stat_statements row.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub key: StatementKey,
    /// `None` when the role may not see the text.
    pub query: Option<String>,
    pub counters: Counters,
    pub min_ms: f64,
    pub max_ms: f64,
    pub stddev_ms: f64,
}

/// Reads this database's statements from pg_stat_statements: the `limit` heaviest by total
/// time, or — with a `baseline` — the `limit` heaviest of the delta since it (statements
/// without calls since the baseline are dropped).
pub async fn from_pg_stat_statements(
    client: &Client,
    server: &ServerInfo,
    limit: usize,
    baseline: Option<&StatementSnapshot>,
) -> Result<StatementSet, DbError> {
    require_extension(server)?;
    keep_own_statements_out(client, server).await;
    let mut rows = read_rows(client, server, baseline.is_none().then_some(limit)).await?;
    let window_s = match baseline {
        Some(base) => {
            let reset = stats_reset(client, server).await;
            rows = window::delta(rows, base, reset);
            Some(base.taken_at.elapsed().as_secs_f64())
        }
        None => window_s(client, server).await,
    };
    rows.sort_by(|a, b| b.counters.total_exec_time_ms.total_cmp(&a.counters.total_exec_time_ms));
    rows.truncate(limit.max(1));
    let mut set = StatementSet { window_s, ..StatementSet::default() };
    let mut normalizer = Normalizer::default();
    let mut statements = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(query) = row.query.clone().filter(|q| q != "<insufficient privilege>") else {
            set.hidden += 1;
            continue;
        };
        if !is_own_or_utility(&query) {
            statements.push(statement(&row, query, &mut normalizer));
        }
    }
    set.statements = group::by_shape(statements);
    Ok(set)
}

fn statement(row: &Row, query: String, normalizer: &mut Normalizer) -> Statement {
    let mut s = Statement::new(Origin::PgStatStatements { queryid: row.key.queryid }, query, normalizer);
    let c = &row.counters;
    s.calls = c.calls;
    s.total_ms = c.total_exec_time_ms;
    s.mean_ms = if c.calls > 0 { c.total_exec_time_ms / c.calls as f64 } else { 0.0 };
    s.min_ms = row.min_ms;
    s.max_ms = row.max_ms;
    s.stddev_ms = row.stddev_ms;
    s.rows = c.rows;
    s.shared_blks_hit = c.shared_blks_hit;
    s.shared_blks_read = c.shared_blks_read;
    s
}

fn require_extension(server: &ServerInfo) -> Result<(), DbError> {
    if server.has_extension("pg_stat_statements") {
        return Ok(());
    }
    Err(DbError::ExtensionMissing {
        name: "pg_stat_statements",
        database: server.database.clone(),
        how: server.how_to_enable("pg_stat_statements"),
    })
}

/// Keeps perfhound's own statements out of the statistics it reads (superuser-only setting).
pub(crate) async fn keep_own_statements_out(client: &Client, server: &ServerInfo) {
    if server.superuser {
        let _ = client.batch_execute("SET pg_stat_statements.track = 'none'").await;
    }
}

/// This database's top-level rows, the `limit` heaviest by total time (all without a limit).
pub async fn read_rows(client: &Client, server: &ServerInfo, limit: Option<usize>) -> Result<Vec<Row>, DbError> {
    let (total, min, max, stddev) = if server.version_num >= 130_000 {
        ("total_exec_time", "min_exec_time", "max_exec_time", "stddev_exec_time")
    } else {
        ("total_time", "min_time", "max_time", "stddev_time")
    };
    let toplevel = if server.version_num >= 140_000 { "AND toplevel" } else { "" };
    let limit = limit.map_or(String::new(), |n| format!("LIMIT {}", n.max(1)));
    let sql = format!(
        "{MARKER} SELECT userid, coalesce(queryid, 0)::int8, query, calls::int8, {total}::float8, {min}::float8, \
         {max}::float8, {stddev}::float8, rows::int8, shared_blks_hit::int8, shared_blks_read::int8 \
         FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) \
         {toplevel} ORDER BY {total} DESC {limit}"
    );
    let rows = client.query(&sql, &[]).await.map_err(|e| pgss_error(&e))?;
    Ok(rows
        .iter()
        .map(|r| Row {
            key: StatementKey { userid: r.get(0), queryid: r.get(1) },
            query: r.get(2),
            counters: Counters {
                calls: r.get(3),
                total_exec_time_ms: r.get(4),
                rows: r.get(8),
                shared_blks_hit: r.get(9),
                shared_blks_read: r.get(10),
            },
            min_ms: r.get(5),
            max_ms: r.get(6),
            stddev_ms: r.get(7),
        })
        .collect())
}

fn pgss_error(e: &tokio_postgres::Error) -> DbError {
    let err = DbError::query("reading pg_stat_statements", e);
    if err.sqlstate() == Some("55000") {
        return DbError::ExtensionMissing {
            name: "pg_stat_statements",
            database: "this server".into(),
            how: "add pg_stat_statements to shared_preload_libraries in postgresql.conf and restart the server".into(),
        };
    }
    err
}

/// When pg_stat_statements was last reset (epoch seconds; PostgreSQL 14+).
pub(crate) async fn stats_reset(client: &Client, server: &ServerInfo) -> Option<f64> {
    if server.version_num < 140_000 {
        return None;
    }
    let sql = format!("{MARKER} SELECT extract(epoch FROM stats_reset)::float8 FROM pg_stat_statements_info");
    client.query_opt(&sql, &[]).await.ok().flatten().and_then(|r| r.get::<_, Option<f64>>(0))
}

async fn window_s(client: &Client, server: &ServerInfo) -> Option<f64> {
    let sql = if server.version_num >= 140_000 {
        format!("{MARKER} SELECT extract(epoch FROM now() - stats_reset)::float8 FROM pg_stat_statements_info")
    } else {
        format!("{MARKER} SELECT extract(epoch FROM now() - pg_postmaster_start_time())::float8")
    };
    client.query_opt(&sql, &[]).await.ok().flatten().map(|r| r.get::<_, f64>(0))
}
