//! The index advisor: candidate indexes from each statement's columns, proven (or not)
//! with HypoPG hypothetical indexes and generic-plan EXPLAIN on one dedicated session.
//!
//! The search follows Dexter and goes further:
//! 1. base cost of every statement (no hypothetical index);
//! 2. all single-column candidates at once → cost and the indexes each plan picks;
//! 3. singles + two-column candidates → a two-column index wins only when it is at least
//!    10% cheaper than the best single (simpler indexes are preferred);
//! 4. statements whose cost drops by `min_cost_drop` (50%) nominate the indexes their plan
//!    uses; an index whose columns prefix another nominated one is folded into it (one
//!    index serving several queries), and nominations an existing index already covers are
//!    dropped; two equality columns whose orders cost the same (within 1%) are ordered by
//!    selectivity from pg_stats ([`order`]);
//! 5. variants: a partial index when every helped statement applies the same `IS NULL` /
//!    boolean predicate and it is ≥ 30% smaller, a covering `INCLUDE` index when it makes
//!    some helped statement ≥ 20% cheaper (index-only scans);
//! 6. a final EXPLAIN with exactly the chosen set gives each statement's cost after, each
//!    index's estimated size, and the time saved per day at the observed call rate.
//!
//! Without HypoPG, [`heuristic`] suggests indexes from sequential scans, with low
//! confidence and saying so.

pub mod apply;
pub mod candidates;
pub mod ddl;
pub mod heuristic;
pub mod hypo;
pub mod order;
pub mod rule;
mod search;

use crate::catalog::{Catalog, Index};
use crate::config::AdvisorConfig;
use crate::error::DbError;
use crate::explain::{self, plan::Plan, Explainer};
use crate::session::ServerInfo;
use crate::statements::StatementSet;
use candidates::TableCandidates;
use ddl::IndexSpec;
use perfhound_sql::usage::QueryShape;
use perfhound_sql::Dialect;
use tokio_postgres::Client;

/// A statement's estimated cost before and after the suggested indexes.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryCost {
    /// Index into the analyzed [`StatementSet`].
    pub stmt: usize,
    pub before: f64,
    /// `None` for heuristic suggestions (not measured).
    pub after: Option<f64>,
}

impl QueryCost {
    /// Fraction of the cost removed (0.98 = 98% cheaper).
    pub fn drop(&self) -> Option<f64> {
        let after = self.after?;
        (self.before > 0.0).then(|| 1.0 - after / self.before)
    }
}

/// One suggested index.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    pub spec: IndexSpec,
    pub queries: Vec<QueryCost>,
    pub size_bytes: Option<i64>,
    /// Execution time saved per day at the observed call rates (pg_stat_statements only).
    pub time_saved_ms_per_day: Option<f64>,
    /// The exact statements to run (`CREATE INDEX CONCURRENTLY …`).
    pub create: Vec<String>,
    /// Proven with HypoPG (true) or a heuristic guess (false).
    pub verified: bool,
    /// Rows written to the table per day: every index makes each write a bit slower.
    pub table_writes_per_day: Option<f64>,
    pub notes: Vec<String>,
}

/// What the advisor found.
#[derive(Clone, Debug, Default)]
pub struct Advice {
    pub suggestions: Vec<Suggestion>,
    pub hypopg: bool,
    /// Statements explained successfully.
    pub explained: usize,
    /// Statements that could not be explained, with the reason.
    pub unexplainable: Vec<(usize, String)>,
    /// Statements whose plan could not be improved enough (often: already indexed).
    pub not_improved: Vec<usize>,
}

/// A statement the advisor works on.
pub(crate) struct Work {
    pub stmt: usize,
    pub text: String,
    pub candidates: Vec<TableCandidates>,
    pub base: Plan,
}

/// Runs the advisor on `client`, which must be a session of its own (hypothetical
/// indexes live in the session; the advisor resets them before it returns).
pub async fn advise(
    client: &Client,
    server: &ServerInfo,
    catalog: &Catalog,
    set: &StatementSet,
    cfg: &AdvisorConfig,
) -> Result<Advice, DbError> {
    let explainer = Explainer::new(client, server.version_num).await?;
    let mut advice = Advice { hypopg: server.has_extension("hypopg"), ..Default::default() };
    if advice.hypopg {
        // Start clean even if a previous run on a pooled session left indexes behind.
        client.batch_execute("SELECT hypopg_reset()").await.map_err(|e| DbError::query("hypopg_reset()", &e))?;
    }
    let mut work = Vec::new();
    for (i, s) in set.statements.iter().enumerate() {
        let text = match explain::prepare_text(&s.query) {
            Ok(t) => t,
            Err(e) => {
                advice.unexplainable.push((i, e.to_string()));
                continue;
            }
        };
        let base = match explainer.explain(&text).await {
            Ok(p) => p,
            Err(e) => {
                advice.unexplainable.push((i, e.to_string()));
                continue;
            }
        };
        advice.explained += 1;
        let candidates = QueryShape::parse(&text, Dialect::Postgres)
            .map(|shape| candidates::generate(&shape, catalog, cfg.max_candidates_per_table))
            .unwrap_or_default();
        if base.total_cost >= cfg.min_cost && !candidates.is_empty() {
            work.push(Work { stmt: i, text, candidates, base });
        }
    }
    advice.suggestions = if advice.hypopg {
        search::run(&explainer, client, catalog, set, &work, cfg, &mut advice.not_improved).await?
    } else {
        heuristic::suggest(catalog, set, &work)
    };
    advice.suggestions.sort_by(|a, b| {
        let key = |s: &Suggestion| (s.time_saved_ms_per_day.unwrap_or(0.0), best_drop(s));
        key(b).partial_cmp(&key(a)).unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(advice)
}

fn best_drop(s: &Suggestion) -> f64 {
    s.queries.iter().filter_map(QueryCost::drop).fold(0.0, f64::max)
}

/// An existing valid index whose leading key columns are the spec's columns (same
/// predicate): the suggestion would duplicate it.
pub fn covered_by_existing<'c>(spec: &IndexSpec, catalog: &'c Catalog) -> Option<&'c Index> {
    let table = catalog.table_by_oid(spec.table_oid)?;
    let mut candidates: Vec<u32> = vec![table.oid];
    candidates.extend(table.parent_oid);
    catalog.indexes.iter().find(|ix| {
        candidates.contains(&ix.table_oid)
            && ix.valid
            && ix.method == "btree"
            && ix.predicate.is_none()
            && ix.keys.len() >= spec.columns.len()
            && ix.keys.iter().zip(&spec.columns).all(|(k, c)| k.as_deref() == Some(c.as_str()))
    })
}

/// Rows written per day to a table at the observed rate.
pub(crate) fn writes_per_day(catalog: &Catalog, set: &StatementSet, table_oid: u32) -> Option<f64> {
    let t = catalog.table_by_oid(table_oid)?;
    let w = set.window_s.filter(|w| *w > 0.0)?;
    Some(t.writes as f64 * 86_400.0 / w.max(1.0))
}
