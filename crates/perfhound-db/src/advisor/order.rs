//! Column order of two-column indexes. Candidates already put an equality (or join)
//! column first and a range, ORDER BY or GROUP BY column second ([`super::candidates`]);
//! when both columns are equalities both orders are candidates, and the planner often
//! costs them the same. Then the planner's pick is arbitrary, so perfhound decides: when
//! the reversed order is within 1% of the chosen one for every statement using the index,
//! the more selective column goes first (pg_stats: fewer rows per value, `n_distinct` and
//! `null_frac`) — it narrows the scan sooner and serves more future queries on its own —
//! and the finding says why. When one order is cheaper by more than 1%, the cost decides.

use super::ddl::IndexSpec;
use super::hypo::Hypo;
use super::search::{round, users_of, Round};
use super::Work;
use crate::catalog::Catalog;
use crate::error::DbError;
use crate::explain::Explainer;
use crate::statements::MARKER;
use std::collections::HashMap;
use tokio_postgres::Client;

/// Costs within this share of each other are a tie.
const TIE: f64 = 0.01;

/// Why an index has its column order (for the finding's evidence).
#[derive(Clone, Debug, PartialEq)]
pub struct OrderNote {
    pub table_oid: u32,
    pub columns: Vec<String>,
    pub text: String,
}

/// A column's statistics from pg_stats.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ColumnStats {
    /// > 0: distinct values; < 0: minus the distinct share of the rows.
    pub n_distinct: f64,
    pub null_frac: f64,
}

impl ColumnStats {
    pub fn distinct(&self, rows: f64) -> f64 {
        if self.n_distinct >= 0.0 {
            self.n_distinct
        } else {
            -self.n_distinct * rows
        }
    }

    /// Share of the rows `col = value` keeps (lower is more selective).
    pub fn eq_selectivity(&self, rows: f64) -> f64 {
        (1.0 - self.null_frac).clamp(0.0, 1.0) / self.distinct(rows).max(1.0)
    }
}

/// How the reversed order compares with the current one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    Tie,
    ReversedCheaper,
    CurrentCheaper,
}

/// Per-statement costs under the current order and the reversed one.
pub fn compare(current: &[f64], reversed: &[f64]) -> Comparison {
    let within = |a: f64, b: f64| (a - b).abs() <= TIE * a.abs().max(b.abs()).max(f64::MIN_POSITIVE);
    if current.iter().zip(reversed).all(|(a, b)| within(*a, *b)) {
        return Comparison::Tie;
    }
    let (c, r): (f64, f64) = (current.iter().sum(), reversed.iter().sum());
    if r < c * (1.0 - TIE) {
        Comparison::ReversedCheaper
    } else {
        Comparison::CurrentCheaper
    }
}

/// On a tie: whether to reverse `spec`'s two columns, and the note that says why.
pub fn by_selectivity(spec: &IndexSpec, stats: &HashMap<String, ColumnStats>, rows: f64) -> (bool, String) {
    let (a, b) = (&spec.columns[0], &spec.columns[1]);
    let tie = "both column orders cost the same (within 1%)";
    let (Some(sa), Some(sb)) = (stats.get(a), stats.get(b)) else {
        return (
            false,
            format!("column order: {tie}; no pg_stats for {a}/{b} to compare (run ANALYZE), kept ({a}, {b})"),
        );
    };
    let describe = |c: &str, s: &ColumnStats| {
        format!("{c} ≈{:.0} distinct values, {:.0}% NULL", s.distinct(rows), s.null_frac * 100.0)
    };
    let (sel_a, sel_b) = (sa.eq_selectivity(rows), sb.eq_selectivity(rows));
    let reverse = sel_b < sel_a;
    let (first, second) = if reverse { ((b, sb), (a, sa)) } else { ((a, sa), (b, sb)) };
    let verdict = if sel_a == sel_b { "equally selective" } else { "more selective first" };
    let text = format!(
        "column order: {} first — {tie}, so the more selective column leads ({verdict}; pg_stats: {}; {})",
        first.0,
        describe(first.0, first.1),
        describe(second.0, second.1)
    );
    (reverse, text)
}

/// The pg_stats of `spec`'s key columns (the inherited row for partitioned tables).
async fn column_stats(client: &Client, spec: &IndexSpec) -> HashMap<String, ColumnStats> {
    let sql = format!(
        "{MARKER} SELECT attname::text, n_distinct::float8, null_frac::float8 FROM pg_stats \
         WHERE schemaname = $1 AND tablename = $2 AND attname::text = ANY($3) ORDER BY inherited DESC"
    );
    let rows = client.query(&sql, &[&spec.schema, &spec.table, &spec.columns]).await.unwrap_or_default();
    let mut out = HashMap::new();
    for r in rows {
        let stats = ColumnStats { n_distinct: r.get(1), null_frac: r.get(2) };
        out.entry(r.get::<_, String>(0)).or_insert(stats);
    }
    out
}

/// `spec` with its two key columns swapped, when every statement using it offers that
/// order as a candidate (so an equality column still leads) and it is not chosen already.
fn reversible(spec: &IndexSpec, chosen: &[IndexSpec], users: &[usize], work: &[Work]) -> Option<IndexSpec> {
    if spec.columns.len() != 2 || spec.predicate.is_some() || !spec.include.is_empty() {
        return None;
    }
    let reversed = IndexSpec { columns: vec![spec.columns[1].clone(), spec.columns[0].clone()], ..spec.clone() };
    let offered =
        |u: &usize| work[*u].candidates.iter().any(|c| c.table_oid == spec.table_oid && c.pairs.contains(&reversed));
    (!users.is_empty() && users.iter().all(offered) && !chosen.contains(&reversed)).then_some(reversed)
}

fn costs(r: &Round, users: &[usize]) -> Option<Vec<f64>> {
    users.iter().map(|&u| r.plans[u].as_ref().map(|(p, _)| p.total_cost)).collect()
}

/// Settles the column order of every chosen two-column index (see the module docs).
pub(super) async fn settle(
    explainer: &Explainer<'_>,
    hypo: &mut Hypo<'_>,
    client: &Client,
    catalog: &Catalog,
    chosen: &mut [IndexSpec],
    work: &[Work],
) -> Result<Vec<OrderNote>, DbError> {
    let mut notes = Vec::new();
    let mut current: Option<Round> = None;
    for k in 0..chosen.len() {
        if chosen[k].columns.len() != 2 {
            continue;
        }
        if current.is_none() {
            hypo.define(chosen).await?;
            current = Some(round(explainer, hypo, work, None).await);
        }
        let base = current.as_ref().expect("computed above");
        let users = users_of(base, &chosen[k]);
        let Some(reversed) = reversible(&chosen[k], chosen, &users, work) else { continue };
        let mut alternative = chosen.to_vec();
        alternative[k] = reversed.clone();
        hypo.define(&alternative).await?;
        let alt = round(explainer, hypo, work, Some(&users)).await;
        let (Some(now), Some(rev)) = (costs(base, &users), costs(&alt, &users)) else { continue };
        let reverse = match compare(&now, &rev) {
            Comparison::CurrentCheaper => false,
            Comparison::ReversedCheaper => true,
            Comparison::Tie => {
                let rows = catalog.table_by_oid(chosen[k].table_oid).map_or(0.0, |t| t.rows);
                let (reverse, text) = by_selectivity(&chosen[k], &column_stats(client, &chosen[k]).await, rows);
                let columns = if reverse { reversed.columns.clone() } else { chosen[k].columns.clone() };
                notes.push(OrderNote { table_oid: chosen[k].table_oid, columns, text });
                reverse
            }
        };
        if reverse {
            chosen[k] = reversed;
            current = None;
        }
    }
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(a: &str, b: &str) -> IndexSpec {
        IndexSpec {
            table_oid: 1,
            schema: "public".into(),
            table: "t".into(),
            columns: vec![a.into(), b.into()],
            include: vec![],
            predicate: None,
        }
    }

    #[test]
    fn costs_within_one_percent_tie_otherwise_the_cheaper_order_wins() {
        assert_eq!(compare(&[100.0, 50.0], &[100.5, 49.8]), Comparison::Tie);
        assert_eq!(compare(&[100.0], &[90.0]), Comparison::ReversedCheaper);
        assert_eq!(compare(&[100.0], &[102.0]), Comparison::CurrentCheaper);
        assert_eq!(compare(&[100.0, 50.0], &[100.0, 40.0]), Comparison::ReversedCheaper);
    }

    #[test]
    fn on_a_tie_the_more_selective_column_leads_and_the_note_says_so() {
        let rows = 100_000.0;
        let mut stats = HashMap::new();
        stats.insert("status".to_string(), ColumnStats { n_distinct: 5.0, null_frac: 0.0 });
        stats.insert("user_id".to_string(), ColumnStats { n_distinct: -0.1, null_frac: 0.0 });
        let (reverse, note) = by_selectivity(&spec("status", "user_id"), &stats, rows);
        assert!(reverse);
        assert!(note.starts_with("column order: user_id first"), "{note}");
        assert!(
            note.contains("user_id ≈10000 distinct values") && note.contains("status ≈5 distinct values"),
            "{note}"
        );
        let (reverse, _) = by_selectivity(&spec("user_id", "status"), &stats, rows);
        assert!(!reverse, "already in the right order");
        stats.insert("status".to_string(), ColumnStats { n_distinct: 5.0, null_frac: 0.0 });
        stats.insert("email".to_string(), ColumnStats { n_distinct: 50_000.0, null_frac: 0.9 });
        let (reverse, _) = by_selectivity(&spec("status", "email"), &stats, rows);
        assert!(reverse, "NULLs never match an equality: email keeps 0.1/50000 of the rows");
        let (reverse, note) = by_selectivity(&spec("a", "b"), &stats, rows);
        assert!(!reverse && note.contains("run ANALYZE"), "{note}");
    }
}
