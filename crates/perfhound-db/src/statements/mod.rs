//! Statements to analyze: from pg_stat_statements (this database, top-level only,
//! perfhound's own filtered out) or from a `--sql` file, plus the top lists and the
//! statement rules (`PH-DB002 slow-query`, `PH-DB003 n-plus-one-query`).

pub mod n_plus_one;
pub mod slow_query;

use crate::error::DbError;
use crate::session::ServerInfo;
use crate::sqltext;
use tokio_postgres::Client;

/// Marks perfhound's own catalog queries so they can be told apart in pg_stat_statements.
pub const MARKER: &str = "/* perfhound */";

/// Where a statement came from.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    PgStatStatements { queryid: i64 },
    File { path: String, index: usize },
}

/// One statement with its execution statistics (zero for files).
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub origin: Origin,
    /// Text as stored (pg_stat_statements normalizes literals to `$n`; files keep them).
    pub query: String,
    pub calls: i64,
    pub total_ms: f64,
    pub mean_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    pub stddev_ms: f64,
    pub rows: i64,
    pub shared_blks_hit: i64,
    pub shared_blks_read: i64,
}

impl Statement {
    /// A statement read from a file (no statistics).
    pub fn from_file(path: &str, index: usize, query: String) -> Statement {
        Statement {
            origin: Origin::File { path: path.to_string(), index },
            query,
            calls: 0,
            total_ms: 0.0,
            mean_ms: 0.0,
            min_ms: 0.0,
            max_ms: 0.0,
            stddev_ms: 0.0,
            rows: 0,
            shared_blks_hit: 0,
            shared_blks_read: 0,
        }
    }

    /// The text shown to people: whitespace squashed, literals redacted unless asked.
    pub fn display(&self, show_literals: bool) -> String {
        let text = sqltext::squash(&self.query);
        if show_literals {
            text
        } else {
            sqltext::redact_literals(&text)
        }
    }

    pub fn has_stats(&self) -> bool {
        matches!(self.origin, Origin::PgStatStatements { .. })
    }

    pub fn rows_per_call(&self) -> f64 {
        if self.calls > 0 {
            self.rows as f64 / self.calls as f64
        } else {
            0.0
        }
    }
}

/// Statements of this database plus the statistics window.
#[derive(Clone, Debug, Default)]
pub struct StatementSet {
    pub statements: Vec<Statement>,
    /// Seconds since pg_stat_statements was reset (to turn totals into rates).
    pub window_s: Option<f64>,
    /// Statements whose text the role may not see.
    pub hidden: usize,
}

impl StatementSet {
    /// Calls per day of a statement at the rate observed over the window.
    pub fn calls_per_day(&self, s: &Statement) -> Option<f64> {
        let w = self.window_s.filter(|w| *w > 0.0)?;
        s.has_stats().then(|| s.calls as f64 * 86_400.0 / w.max(1.0))
    }

    /// Indices of the top `n` statements by a key, descending.
    pub fn top_by(&self, n: usize, key: impl Fn(&Statement) -> f64) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.statements.len()).collect();
        idx.sort_by(|&a, &b| key(&self.statements[b]).total_cmp(&key(&self.statements[a])));
        idx.truncate(n);
        idx
    }
}

/// Reads this database's statements from pg_stat_statements.
pub async fn from_pg_stat_statements(
    client: &Client,
    server: &ServerInfo,
    limit: usize,
) -> Result<StatementSet, DbError> {
    if !server.has_extension("pg_stat_statements") {
        return Err(DbError::ExtensionMissing {
            name: "pg_stat_statements",
            database: server.database.clone(),
            how: server.how_to_enable("pg_stat_statements"),
        });
    }
    if server.superuser {
        // Keep perfhound's own statements out of the statistics it reads (superuser-only setting).
        let _ = client.batch_execute("SET pg_stat_statements.track = 'none'").await;
    }
    let (total, mean, min, max, stddev) = if server.version_num >= 130_000 {
        ("total_exec_time", "mean_exec_time", "min_exec_time", "max_exec_time", "stddev_exec_time")
    } else {
        ("total_time", "mean_time", "min_time", "max_time", "stddev_time")
    };
    let toplevel = if server.version_num >= 140_000 { "AND toplevel" } else { "" };
    let sql = format!(
        "{MARKER} SELECT queryid::int8, query, calls::int8, {total}::float8, {mean}::float8, {min}::float8, \
         {max}::float8, {stddev}::float8, rows::int8, shared_blks_hit::int8, shared_blks_read::int8 \
         FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) \
         {toplevel} ORDER BY {total} DESC LIMIT {}",
        limit.max(1)
    );
    let rows = client.query(&sql, &[]).await.map_err(|e| pgss_error(&e))?;
    let mut set = StatementSet::default();
    for r in rows {
        let query: Option<String> = r.get(1);
        let Some(query) = query.filter(|q| q != "<insufficient privilege>") else {
            set.hidden += 1;
            continue;
        };
        if is_own_or_utility(&query) {
            continue;
        }
        set.statements.push(Statement {
            origin: Origin::PgStatStatements { queryid: r.get::<_, Option<i64>>(0).unwrap_or(0) },
            query,
            calls: r.get(2),
            total_ms: r.get(3),
            mean_ms: r.get(4),
            min_ms: r.get(5),
            max_ms: r.get(6),
            stddev_ms: r.get(7),
            rows: r.get(8),
            shared_blks_hit: r.get(9),
            shared_blks_read: r.get(10),
        });
    }
    set.window_s = window_s(client, server).await;
    Ok(set)
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

/// perfhound's own statements, utility statements and catalog-only probes are not workload.
fn is_own_or_utility(query: &str) -> bool {
    if query.contains(MARKER) || query.contains("pg_stat_statements") || query.contains("hypopg") {
        return true;
    }
    let kw = sqltext::first_keyword(query).unwrap_or_default();
    !matches!(kw.as_str(), "SELECT" | "WITH" | "INSERT" | "UPDATE" | "DELETE" | "VALUES" | "TABLE" | "MERGE")
}

async fn window_s(client: &Client, server: &ServerInfo) -> Option<f64> {
    let sql = if server.version_num >= 140_000 {
        format!("{MARKER} SELECT extract(epoch FROM now() - stats_reset)::float8 FROM pg_stat_statements_info")
    } else {
        format!("{MARKER} SELECT extract(epoch FROM now() - pg_postmaster_start_time())::float8")
    };
    client.query_opt(&sql, &[]).await.ok().flatten().map(|r| r.get::<_, f64>(0))
}

/// Reads statements from a SQL file (one per `;`).
pub fn from_file(path: &str) -> Result<StatementSet, DbError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| DbError::Io { path: path.to_string(), reason: e.to_string() })?;
    let statements = sqltext::split_statements(&text)
        .into_iter()
        .enumerate()
        .map(|(i, q)| Statement::from_file(path, i + 1, q))
        .collect();
    Ok(StatementSet { statements, window_s: None, hidden: 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_and_utility_statements_are_not_workload() {
        assert!(is_own_or_utility("/* perfhound */ SELECT 1"));
        assert!(is_own_or_utility("SET plan_cache_mode = force_generic_plan"));
        assert!(is_own_or_utility("SELECT * FROM hypopg_create_index($1)"));
        assert!(!is_own_or_utility("SELECT * FROM orders WHERE id = $1"));
        assert!(!is_own_or_utility("with x as (select 1) select * from x"));
    }

    #[test]
    fn rates_and_top_lists() {
        let mut a = Statement::from_file("f", 1, "SELECT 1".into());
        a.origin = Origin::PgStatStatements { queryid: 1 };
        a.calls = 100;
        a.total_ms = 5.0;
        let mut b = a.clone();
        b.total_ms = 50.0;
        let set = StatementSet { statements: vec![a, b], window_s: Some(3600.0), hidden: 0 };
        assert_eq!(set.calls_per_day(&set.statements[0]), Some(2400.0));
        assert_eq!(set.top_by(1, |s| s.total_ms), vec![1]);
    }
}
