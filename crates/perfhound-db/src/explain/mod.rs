//! Generic-plan EXPLAIN of parameterized statements, without executing them.
//!
//! pg_stat_statements stores statements with `$n` in place of literals, which plain EXPLAIN
//! rejects. PostgreSQL 16+ has `EXPLAIN (GENERIC_PLAN)`; on 12–15 the statement is
//! prepared and explained with `plan_cache_mode = force_generic_plan` and NULL arguments
//! (the planner never looks at them when forced to plan generically). Never `ANALYZE`:
//! nothing is executed, so data-modifying statements are safe to explain, and the
//! read-only session guarantees it anyway.

pub mod plan;

use crate::error::DbError;
use crate::sqltext;
use plan::Plan;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio_postgres::{Client, SimpleQueryMessage};

/// Statements perfhound agrees to explain: queries and DML, never utility statements.
const EXPLAINABLE: &[&str] = &["SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "VALUES", "TABLE", "MERGE"];

/// How to get a generic plan on this server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// PostgreSQL 16+: `EXPLAIN (GENERIC_PLAN, FORMAT JSON) …`.
    GenericPlanOption,
    /// PostgreSQL 12–15: `PREPARE` + `force_generic_plan` + `EXPLAIN EXECUTE (NULL, …)`.
    PrepareExecute,
}

impl Strategy {
    pub fn for_version(version_num: i32) -> Strategy {
        if version_num >= 160_000 {
            Strategy::GenericPlanOption
        } else {
            Strategy::PrepareExecute
        }
    }
}

/// Why a statement could not be explained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unexplainable {
    /// Not a query or DML statement (utility, transaction control…).
    NotAQuery,
    /// More than one statement in the text: refused for safety.
    MultipleStatements,
    /// The server rejected it (syntax, unknown table, undeterminable parameter type…).
    Rejected(String),
}

impl std::fmt::Display for Unexplainable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unexplainable::NotAQuery => f.write_str("not a query or DML statement"),
            Unexplainable::MultipleStatements => f.write_str("more than one statement"),
            Unexplainable::Rejected(r) => write!(f, "rejected by the server: {r}"),
        }
    }
}

/// Explains statements on one session.
pub struct Explainer<'a> {
    client: &'a Client,
    strategy: Strategy,
    counter: AtomicU64,
}

impl<'a> Explainer<'a> {
    /// Prepares the session (generic plans forced on 12–15).
    pub async fn new(client: &'a Client, version_num: i32) -> Result<Explainer<'a>, DbError> {
        let strategy = Strategy::for_version(version_num);
        if strategy == Strategy::PrepareExecute {
            client
                .batch_execute("SET plan_cache_mode = force_generic_plan")
                .await
                .map_err(|e| DbError::query("setting plan_cache_mode", &e))?;
        }
        Ok(Explainer { client, strategy, counter: AtomicU64::new(0) })
    }

    /// The generic plan of `sql`.
    pub async fn explain(&self, sql: &str) -> Result<Plan, Unexplainable> {
        let script = self.script(sql)?;
        let messages = self.client.simple_query(&script).await.map_err(|e| {
            let reason = crate::error::describe(&e);
            Unexplainable::Rejected(reason)
        })?;
        let json = messages
            .iter()
            .find_map(|m| match m {
                SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
                _ => None,
            })
            .ok_or_else(|| Unexplainable::Rejected("EXPLAIN returned no plan".into()))?;
        Plan::from_json(&json).map_err(Unexplainable::Rejected)
    }

    /// The statements sent for one explain (one round trip).
    fn script(&self, sql: &str) -> Result<String, Unexplainable> {
        let sql = prepare_text(sql)?;
        Ok(match self.strategy {
            Strategy::GenericPlanOption => format!("EXPLAIN (GENERIC_PLAN, FORMAT JSON) {sql}"),
            Strategy::PrepareExecute => {
                let n = self.counter.fetch_add(1, Ordering::Relaxed);
                let name = format!("perfhound_{n}");
                let params = sqltext::placeholder_count(&sql);
                let args = if params == 0 { String::new() } else { format!("({})", vec!["NULL"; params].join(", ")) };
                format!("PREPARE {name} AS {sql};\nEXPLAIN (FORMAT JSON) EXECUTE {name}{args};\nDEALLOCATE {name}")
            }
        })
    }
}

/// Checks that `sql` is one explainable statement and rewrites pg_stat_statements' typed
/// placeholders; returns the text to embed.
pub fn prepare_text(sql: &str) -> Result<String, Unexplainable> {
    let trimmed = sql.trim().trim_end_matches(';').trim();
    if !sqltext::is_single_statement(trimmed) {
        return Err(Unexplainable::MultipleStatements);
    }
    let keyword = sqltext::first_keyword(trimmed).unwrap_or_default();
    if !EXPLAINABLE.contains(&keyword.as_str()) {
        return Err(Unexplainable::NotAQuery);
    }
    Ok(sqltext::rewrite_typed_placeholders(trimmed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strategy_by_version() {
        assert_eq!(Strategy::for_version(160_002), Strategy::GenericPlanOption);
        assert_eq!(Strategy::for_version(150_004), Strategy::PrepareExecute);
    }

    #[test]
    fn refuses_utility_and_multiple_statements() {
        assert_eq!(prepare_text("VACUUM t"), Err(Unexplainable::NotAQuery));
        assert_eq!(prepare_text("SELECT 1; DROP TABLE t"), Err(Unexplainable::MultipleStatements));
        assert_eq!(prepare_text("SELECT 1;").as_deref(), Ok("SELECT 1"));
        assert_eq!(prepare_text("select now() - interval $1").as_deref(), Ok("select now() - $1::interval"));
    }
}
