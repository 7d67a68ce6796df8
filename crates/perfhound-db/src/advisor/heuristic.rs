//! Index suggestions without HypoPG: statements whose generic plan scans a table
//! sequentially get an index on their equality (then range / ORDER BY) columns of that
//! table. Not proven — confidence is low and every suggestion says so.

use super::ddl::IndexSpec;
use super::{covered_by_existing, writes_per_day, QueryCost, Suggestion, Work};
use crate::catalog::Catalog;
use crate::statements::StatementSet;

/// Sequentially scanned tables smaller than this are not worth an index.
const MIN_ROWS: f64 = 10_000.0;

pub(super) fn suggest(catalog: &Catalog, set: &StatementSet, work: &[Work]) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = Vec::new();
    for w in work {
        for scan in w.base.seq_scans() {
            let Some(table) = scan.relation.as_deref().and_then(|r| catalog.table(scan.schema.as_deref(), r)) else {
                continue;
            };
            if table.rows < MIN_ROWS {
                continue;
            }
            let Some(c) = w.candidates.iter().find(|c| c.table_oid == table.oid) else { continue };
            // The first pair (equality first) when there is one, else the first single.
            let Some(spec) = c.pairs.first().or(c.singles.first()).cloned() else { continue };
            if covered_by_existing(&spec, catalog).is_some() {
                continue;
            }
            let cost = QueryCost { stmt: w.stmt, before: w.base.total_cost, after: None };
            match out.iter_mut().find(|s| s.spec == spec) {
                Some(s) => s.queries.push(cost),
                None => out.push(new_suggestion(spec, cost, catalog, set)),
            }
        }
    }
    out
}

fn new_suggestion(spec: IndexSpec, cost: QueryCost, catalog: &Catalog, set: &StatementSet) -> Suggestion {
    Suggestion {
        create: spec.create_statements(catalog),
        table_writes_per_day: writes_per_day(catalog, set, spec.table_oid),
        spec,
        queries: vec![cost],
        size_bytes: None,
        time_saved_ms_per_day: None,
        verified: false,
        notes: vec![
            "heuristic: HypoPG is not installed, so this index was not proven to help; install hypopg for a cost-verified suggestion"
                .into(),
        ],
    }
}
