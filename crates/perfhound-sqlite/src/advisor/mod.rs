//! The index advisor, verified by measurement on a copy of the database.
//!
//! 1. **Work**: statements whose plan (on the original, read-only) scans a table of at
//!    least `advisor_min_rows` rows without an index, sorts with a temporary B-tree, or
//!    builds an automatic index / Bloom filter — and that offer candidate columns
//!    ([`candidates`]).
//! 2. **Copy**: `VACUUM INTO` a private temporary file ([`copy`]); the original is only read.
//! 3. **Before**: each statement timed on the copy with parameter values sampled from the
//!    tables' own data ([`measure`]). UPDATE/DELETE are never executed: the `SELECT` that
//!    finds their rows is timed instead ([`trials`]).
//! 4. **Trials**: one candidate at a time — `CREATE INDEX`, `ANALYZE` the table, re-run
//!    EXPLAIN QUERY PLAN for every statement on that table; where the plan now reads
//!    through the new index, time the statement again with the same parameters. Then
//!    `DROP INDEX` ([`trials`]).
//! 5. **Choice**: a trial counts when the plan uses the index and the measured time drops
//!    by at least `min_time_drop` (50%). An index *serves* a statement when it saves at
//!    least 90% of what the statement's best candidate saves. Greedily, the index serving
//!    the most statements not yet served is chosen first, the simpler one on ties — so one
//!    index serving several statements is preferred over one index each ([`choice`]).
//! 6. **Output** per index: plan and time per execution before/after for each statement,
//!    index size and build time on the copy, time saved per day at the given call rates,
//!    rows written per day to the table (each write also updates the index), and the exact
//!    `CREATE INDEX IF NOT EXISTS …` ([`choice`]).

pub mod candidates;
mod choice;
pub mod copy;
pub mod measure;
pub mod rule;
mod trials;

use crate::catalog::{quote_ident, Catalog};
use crate::config::SqliteConfig;
use crate::error::SqliteError;
use crate::explain::Explained;
use crate::plan::{Plan, Step};
use crate::statements::StatementSet;
use candidates::Candidate;
use copy::Copy;
use perfhound_sql::usage::{Bound, QueryShape, TableRef};

/// An index serves a statement when it saves at least this share of the time the best
/// candidate saves for it (so 40 µs vs 10 µs after a 10 ms scan are equally good).
const ACCEPT_SHARE_OF_BEST: f64 = 0.9;
/// Candidates per table per statement, at most.
const MAX_CANDIDATES_PER_TABLE: usize = 12;

/// A bind slot with the catalog column it is compared with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedParam {
    pub slot: usize,
    pub bound: Bound,
    /// (table, column), catalog spelling.
    pub column: Option<(String, String)>,
}

/// A statement the advisor works on.
pub(crate) struct Work {
    pub stmt: usize,
    pub explain_sql: String,
    pub measure_sql: Option<String>,
    pub slots: usize,
    pub params: Vec<ResolvedParam>,
    pub candidates: Vec<Candidate>,
    pub base_plan: Plan,
}

/// One statement an index helps, measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Helped {
    /// Index into the analyzed [`StatementSet`].
    pub stmt: usize,
    pub plan_before: Plan,
    pub plan_after: Plan,
    /// Measured time per execution on the copy, before and after.
    pub before_us: f64,
    pub after_us: f64,
    /// Parameter sets the times are averaged over.
    pub sets: usize,
}

impl Helped {
    /// Fraction of the time removed (0.98 = 98% faster).
    pub fn drop(&self) -> f64 {
        if self.before_us > 0.0 {
            1.0 - self.after_us / self.before_us
        } else {
            0.0
        }
    }

    pub fn saved_us(&self) -> f64 {
        (self.before_us - self.after_us).max(0.0)
    }
}

/// One suggested index.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    pub candidate: Candidate,
    pub name: String,
    /// `CREATE INDEX IF NOT EXISTS idx_… ON t (a, b)` (no semicolon).
    pub create: String,
    pub helped: Vec<Helped>,
    /// At the given call rates (needs calls and a window).
    pub time_saved_us_per_day: Option<f64>,
    /// Measured on the copy.
    pub size_bytes: Option<u64>,
    pub build_ms: f64,
    pub table_rows: Option<u64>,
    /// Rows written per day by the analyzed write statements on this table.
    pub table_writes_per_day: Option<f64>,
    /// The foreign key (`orders(user_id) → users`) whose child columns lead this index.
    pub foreign_key: Option<String>,
}

impl Suggestion {
    /// What to run: the index, then fresh statistics (what was verified).
    pub fn snippet(&self) -> String {
        format!("{};\nANALYZE {};", self.create, quote_ident(&self.candidate.table))
    }

    pub fn best_drop(&self) -> f64 {
        self.helped.iter().map(Helped::drop).fold(0.0, f64::max)
    }
}

/// What the advisor found.
#[derive(Clone, Debug, Default)]
pub struct Advice {
    pub suggestions: Vec<Suggestion>,
    /// Statements with a plan problem and candidate columns.
    pub worked_on: usize,
    /// Distinct candidate indexes built on the copy.
    pub candidates_tested: usize,
    /// Statements no candidate made `min_time_drop` faster (often: the filter is not selective).
    pub not_improved: Vec<usize>,
    /// Statements that could not be timed, with the reason.
    pub unmeasurable: Vec<(usize, String)>,
    /// Size of the temporary copy.
    pub copy_bytes: Option<u64>,
}

/// Runs the advisor's six steps (see the module docs). Needs the statements already
/// explained on the original.
pub fn advise(
    catalog: &Catalog,
    set: &StatementSet,
    explained: &[Explained],
    cfg: &SqliteConfig,
) -> Result<Advice, SqliteError> {
    let mut advice = Advice::default();
    // 1. Work.
    let work: Vec<Work> = explained.iter().filter_map(|e| work_for(e, catalog, cfg)).collect();
    advice.worked_on = work.len();
    if work.is_empty() {
        return Ok(advice);
    }
    // 2. Copy.
    let copy = Copy::make(&cfg.path, &cfg.limits)?;
    advice.copy_bytes = Some(copy.bytes);
    // 3. Before, 4. Trials.
    let measured = trials::measure_before(&copy, catalog, &work, &cfg.limits, &mut advice.unmeasurable);
    let exp = trials::run(&copy, catalog, &work, measured, &cfg.limits, &mut advice.unmeasurable);
    advice.candidates_tested = exp.candidates.len();
    // 5. Choice, 6. Output.
    let choice = choice::choose(&exp, cfg.min_time_drop);
    advice.not_improved = choice.unserved.iter().map(|&i| work[i].stmt).collect();
    advice.suggestions = choice::suggestions(&exp, &choice, set, catalog);
    Ok(advice)
}

/// The work item for an explained statement, when its plan has a problem an index may fix.
fn work_for(e: &Explained, catalog: &Catalog, cfg: &SqliteConfig) -> Option<Work> {
    let plan = e.plan.as_ref().ok()?;
    let shape = e.shape.as_ref()?;
    if !has_problem(plan, shape, catalog, cfg.thresholds.advisor_min_rows) {
        return None;
    }
    let candidates = candidates::generate(shape, catalog, MAX_CANDIDATES_PER_TABLE);
    if candidates.is_empty() {
        return None;
    }
    let measure_sql = if shape.is_write { shape.measure_sql.clone() } else { Some(e.numbered.text.clone()) };
    Some(Work {
        stmt: e.stmt,
        explain_sql: e.numbered.text.clone(),
        measure_sql,
        slots: e.numbered.slots,
        params: resolve_params(shape, catalog),
        candidates,
        base_plan: plan.clone(),
    })
}

/// Binds slots to catalog columns.
fn resolve_params(shape: &QueryShape, catalog: &Catalog) -> Vec<ResolvedParam> {
    let has = |t: &TableRef, c: &str| catalog.table(&t.name).is_some_and(|t| t.column(c).is_some());
    shape
        .params
        .iter()
        .map(|p| {
            let column = p.column.and_then(|ci| {
                let ti = shape.resolve_ref(ci, &has)?;
                let t = catalog.table(&shape.tables[ti].name)?;
                let c = t.column(&shape.columns[ci].column)?;
                Some((t.name.clone(), c.name.clone()))
            });
            ResolvedParam { slot: p.slot, bound: p.bound, column }
        })
        .collect()
}

/// The catalog table a plan name (alias or table) refers to.
pub fn plan_table<'c>(
    name: &str,
    shape: Option<&QueryShape>,
    catalog: &'c Catalog,
) -> Option<&'c crate::catalog::Table> {
    let real = shape.and_then(|s| s.table_for_plan_name(name)).map_or(name, |t| t.name.as_str());
    catalog.table(real)
}

/// A full scan of a large table, a temporary B-tree over a large table, or a transient index.
fn has_problem(plan: &Plan, shape: &QueryShape, catalog: &Catalog, min_rows: u64) -> bool {
    let large = |name: &str| plan_table(name, Some(shape), catalog).is_some_and(|t| t.rows_or_zero() >= min_rows);
    let any_large = shape.tables.iter().any(|t| catalog.table(&t.name).is_some_and(|t| t.rows_or_zero() >= min_rows));
    plan.steps().any(|(_, s)| match s {
        Step::Scan { name, index: None } => large(name),
        Step::TempBTree(_) => any_large,
        Step::Search { automatic: true, .. } | Step::Bloom { .. } => true,
        _ => false,
    })
}

/// Rows written per day to `table` by the analyzed write statements (when rates are known).
fn writes_per_day(set: &StatementSet, table: &str) -> Option<f64> {
    let lower = table.to_ascii_lowercase();
    let mut total = None;
    for s in set.statements.iter().filter(|s| s.kind.is_write()) {
        let f = perfhound_sql::fingerprint(&s.sql, "sqlite");
        if f.shape.tables.iter().any(|t| t.eq_ignore_ascii_case(&lower)) {
            if let Some(c) = set.calls_per_day(s) {
                *total.get_or_insert(0.0) += c;
            }
        }
    }
    total
}
