//! `PH-TRACE001 n-plus-one-db-query`
//!
//! **What it detects**: the same read query — same fingerprint, different parameters —
//! executed one after another under one parent span, e.g. one `SELECT … WHERE order_id = ?`
//! per order of a list.
//!
//! **Why it matters**: each execution pays a network round trip and per-query overhead;
//! N executions cost N times that, growing with the data instead of staying constant.
//!
//! **Example**: `GET /orders` runs `SELECT * FROM orders` then 50 × `SELECT * FROM
//! items WHERE order_id = ?`.
//!
//! **Fix**: load the rows in one query (`WHERE order_id IN (…)`, a JOIN, or the ORM's
//! eager loading: `selectinload`/`joinedload`, `prefetch_related`, `includes`, `JOIN FETCH`).
//!
//! Repeats that ran concurrently (a thread pool, `Promise.all`, GraphQL resolvers per
//! item) are still N round trips and N× the database load: reported as a parallel N+1.
//! MongoDB and other document stores count too (`find` by `_id` per item: use `$in`).
//!
//! When the statement has bind placeholders and the span carries no parameter values,
//! the trace cannot tell N lookups of different rows from the same read repeated: the
//! finding is a *repeated query (N+1 or redundant: parameters not recorded)* and says how
//! to record them.
//!
//! **Thresholds** (`n_plus_one_db`): `min_repeats` = 5 executions under one parent
//! (Sentry's count); `min_total_ms` = 0 — the repeat count makes the pattern certain, and
//! its severity follows its saving and share of the request (`severity`, projected at
//! `rtt_ms` for queries faster than a round trip). Not reported: repeats under different
//! parents, cache commands (`n-plus-one-cache-command`), batched statements, session
//! statements (`SET`, `SHOW`, `BEGIN`/`COMMIT`/`ROLLBACK`), spans served from a client-side
//! cache, and repeats with identical known parameters (those are `redundant-call`).

use super::util::{parents_with, repeated_groups, repeats_occurrence};
use super::{Claims, Context, Detector, Occurrence};
use crate::aggregate::Group;
use crate::classify::{Category, Op};
use crate::config::Config;
use crate::describe::{query_evidence, short};
use crate::trace::Trace;
use perfhound_model::{Finding, Recommendation, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-TRACE001",
    name: "n-plus-one-db-query",
    severity: Severity::Warning,
    summary: "The same query runs once per item, one after another, under one parent span (N+1).",
    why: "Every execution pays a database round trip; the request gets slower with every row instead of costing one query.",
    fix: "Fetch all rows in one query: `WHERE id IN (...)`, a JOIN, or the ORM's eager loading (selectinload/joinedload, prefetch_related, includes, JOIN FETCH).",
};

pub fn detect(t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
    let c = &cfg.n_plus_one_db;
    for p in parents_with(t, c.min_repeats.max(2) as usize) {
        let groups = repeated_groups(t, p, c, claims, |n| {
            n.class.category == Category::Db && matches!(n.class.op, Op::Read | Op::Other) && n.class.batch <= 1
        });
        for g in groups {
            out.push(repeats_occurrence(&RULE, t, &g, cfg));
            claims.claim(&g);
        }
    }
}

/// How to record bind parameters with the common instrumentations.
pub const RECORD_PARAMETERS: &str = "Parameters were not recorded, so the trace cannot tell N lookups of different rows from one read repeated. Record them to know: Python `PsycopgInstrumentor().instrument(capture_parameters=True)` (also psycopg2 and dbapi `trace_integration(..., capture_parameters=True)`; with SQLAlchemy or Django instrument the driver this way), Node.js `new PgInstrumentation({ enhancedDatabaseReporting: true })`, Java agent `-Dotel.instrumentation.jdbc.experimental.capture-query-parameters=true`.";

/// A MongoDB-style command label (`find users {"find":?,"filter":{"_id":?}}`), not SQL.
fn is_document_query(label: &str) -> bool {
    let first = label.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
    matches!(first.as_str(), "find" | "findone" | "aggregate" | "count" | "distinct") || label.contains("{\"")
}

/// For an N+1 query `… WHERE col = ?`: the batched form `… WHERE col IN (?)`.
fn batched_sql(label: &str) -> Option<String> {
    let pos = label.rfind(" = ?")?;
    Some(format!("{} IN (?, ?, ...){}", &label[..pos], &label[pos + 4..]))
}

/// The rule's detector (registered in [`super::DETECTORS`]).
pub struct NPlusOneDb;

impl Detector for NPlusOneDb {
    fn per_endpoint(&self) -> bool {
        true
    }

    fn detect(&self, t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
        detect(t, cfg, claims, out);
    }

    fn title(&self, g: &Group, cx: &Context) -> String {
        let endpoint = cx.endpoint;
        let what = match (g.params_unknown, g.concurrent) {
            (true, false) => "Repeated query (N+1 or redundant: parameters not recorded)",
            (true, true) => "Repeated query, parallel (N+1 or redundant: parameters not recorded)",
            (false, true) => "N+1 query (parallel)",
            (false, false) => "N+1 query",
        };
        format!("{what}: {} executions per request in {endpoint}: {}", g.max_calls, short(&g.key, 100))
    }

    fn evidence(&self, g: &Group, _cx: &Context, f: &mut Finding) {
        query_evidence(g, f);
    }

    fn recommend(&self, g: &Group, _cx: &Context, r: &mut Recommendation) {
        if g.concurrent {
            r.text.push_str(" Running the queries concurrently does not remove them: they are still N round trips and N× the database load.");
        }
        if g.params_unknown {
            r.text =
                format!("{} {RECORD_PARAMETERS} If the parameters are equal, reuse the first result instead.", r.text);
        }
        if is_document_query(&g.key) {
            r.text.push_str(
                " For a document store, one `find` with `{_id: {$in: [...]}}` replaces the per-item lookups.",
            );
        }
        if let Some(sql) = batched_sql(&g.key) {
            r.snippet = Some(sql);
            r.snippet_lang = Some("sql".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::batched_sql;

    #[test]
    fn batched_form() {
        assert_eq!(
            batched_sql("SELECT * FROM items WHERE order_id = ? LIMIT ?").as_deref(),
            Some("SELECT * FROM items WHERE order_id IN (?, ?, ...) LIMIT ?")
        );
        assert_eq!(batched_sql("SELECT 1"), None);
    }
}
