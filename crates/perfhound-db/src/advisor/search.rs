//! The HypoPG search (steps 2–6 of the advisor, see the module docs of `advisor`; the
//! column order of two-column indexes is settled in [`super::order`]).

use super::ddl::IndexSpec;
use super::hypo::Hypo;
use super::order;
use super::{covered_by_existing, writes_per_day, QueryCost, Suggestion, Work};
use crate::catalog::Catalog;
use crate::config::AdvisorConfig;
use crate::error::DbError;
use crate::explain::{plan::Plan, Explainer};
use crate::statements::StatementSet;
use std::collections::BTreeMap;
use tokio_postgres::Client;

/// A two-column index must beat the best single-column plan by this factor.
const PAIR_ADVANTAGE: f64 = 0.9;
/// A partial variant must be at most this share of the full index's size.
const PARTIAL_SIZE_SHARE: f64 = 0.7;
/// A covering variant must make some statement at least this much cheaper.
const INCLUDE_GAIN: f64 = 0.8;
/// A variant may not make any helped statement more expensive than this factor.
const VARIANT_TOLERANCE: f64 = 1.02;

/// Plans of the work items under one set of hypothetical indexes, with the specs each uses.
pub(super) struct Round {
    pub plans: Vec<Option<(Plan, Vec<IndexSpec>)>>,
}

/// Explains the work items (all, or `only` these) under the current hypothetical indexes.
pub(super) async fn round(explainer: &Explainer<'_>, hypo: &Hypo<'_>, work: &[Work], only: Option<&[usize]>) -> Round {
    let mut plans = Vec::with_capacity(work.len());
    for (i, w) in work.iter().enumerate() {
        if only.is_some_and(|o| !o.contains(&i)) {
            plans.push(None);
            continue;
        }
        let p = explainer.explain(&w.text).await.ok().map(|p| {
            let specs = p.hypothetical_oids().into_iter().filter_map(|o| hypo.spec(o).cloned()).collect();
            (p, specs)
        });
        plans.push(p);
    }
    Round { plans }
}

fn unique(specs: impl Iterator<Item = IndexSpec>) -> Vec<IndexSpec> {
    let mut v: Vec<IndexSpec> = specs.collect();
    v.sort();
    v.dedup();
    v
}

pub(super) async fn run(
    explainer: &Explainer<'_>,
    client: &Client,
    catalog: &Catalog,
    set: &StatementSet,
    work: &[Work],
    cfg: &AdvisorConfig,
    not_improved: &mut Vec<usize>,
) -> Result<Vec<Suggestion>, DbError> {
    let mut hypo = Hypo::new(client);
    let singles = unique(work.iter().flat_map(|w| w.candidates.iter().flat_map(|c| c.singles.clone())));
    let pairs = unique(work.iter().flat_map(|w| w.candidates.iter().flat_map(|c| c.pairs.clone())));
    let target = |w: &Work| w.base.total_cost * (1.0 - cfg.min_cost_drop);

    hypo.define(&singles).await?;
    let r1 = round(explainer, &hypo, work, None).await;
    hypo.define(&[singles.clone(), pairs].concat()).await?;
    let r2 = round(explainer, &hypo, work, None).await;

    // Nominations: the indexes the best plan of each improvable statement uses.
    let mut nominated: Vec<IndexSpec> = Vec::new();
    for (i, w) in work.iter().enumerate() {
        let best = match (&r1.plans[i], &r2.plans[i]) {
            (Some(a), Some(b)) if b.0.total_cost < a.0.total_cost * PAIR_ADVANTAGE => Some(b),
            (Some(a), _) => Some(a),
            (None, b) => b.as_ref(),
        };
        match best {
            Some((plan, specs)) if plan.total_cost <= target(w) && !specs.is_empty() => {
                nominated.extend(specs.iter().filter(|s| covered_by_existing(s, catalog).is_none()).cloned());
            }
            _ => not_improved.push(w.stmt),
        }
    }
    let mut chosen = fold_prefixes(unique(nominated.into_iter()));
    if chosen.is_empty() {
        hypo.reset().await?;
        return Ok(Vec::new());
    }
    let order_notes = order::settle(explainer, &mut hypo, client, catalog, &mut chosen, work).await?;

    // Variants, one chosen index at a time, judged on the statements that use it.
    hypo.define(&chosen).await?;
    let base_round = round(explainer, &hypo, work, None).await;
    for k in 0..chosen.len() {
        let users: Vec<usize> = users_of(&base_round, &chosen[k]);
        if users.is_empty() {
            continue;
        }
        for kind in [Variant::Partial, Variant::Include] {
            let Some(v) = variant(kind, &chosen[k], &users, work) else { continue };
            if let Some(accepted) = try_variant(explainer, &mut hypo, &chosen, k, &v, &users, work).await? {
                chosen[k] = accepted;
            }
        }
    }

    // Final: exactly the chosen set.
    hypo.define(&chosen).await?;
    let fin = round(explainer, &hypo, work, None).await;
    let mut out: BTreeMap<IndexSpec, Suggestion> = BTreeMap::new();
    for (i, w) in work.iter().enumerate() {
        let Some((plan, specs)) = &fin.plans[i] else { continue };
        if plan.total_cost > target(w) || specs.is_empty() {
            if !not_improved.contains(&w.stmt) {
                not_improved.push(w.stmt);
            }
            continue;
        }
        let s = &set.statements[w.stmt];
        let saved =
            set.calls_per_day(s).map(|per_day| per_day * s.mean_ms * (1.0 - plan.total_cost / w.base.total_cost));
        for spec in specs {
            let entry = out.entry(spec.clone()).or_insert_with(|| Suggestion {
                spec: spec.clone(),
                queries: Vec::new(),
                size_bytes: None,
                time_saved_ms_per_day: None,
                create: spec.create_statements(catalog),
                verified: true,
                table_writes_per_day: writes_per_day(catalog, set, spec.table_oid),
                notes: order_notes
                    .iter()
                    .filter(|n| n.table_oid == spec.table_oid && n.columns == spec.columns)
                    .map(|n| n.text.clone())
                    .collect(),
            });
            entry.queries.push(QueryCost { stmt: w.stmt, before: w.base.total_cost, after: Some(plan.total_cost) });
            if let Some(ms) = saved {
                *entry.time_saved_ms_per_day.get_or_insert(0.0) += ms / specs.len() as f64;
            }
        }
    }
    for s in out.values_mut() {
        s.size_bytes = hypo.size_bytes(&s.spec).await;
    }
    hypo.reset().await?;
    Ok(out.into_values().collect())
}

/// Drops an index whose columns prefix another chosen index's (same predicate).
fn fold_prefixes(specs: Vec<IndexSpec>) -> Vec<IndexSpec> {
    let covered = |a: &IndexSpec| {
        specs.iter().any(|b| {
            b != a
                && b.table_oid == a.table_oid
                && b.predicate == a.predicate
                && b.columns.len() > a.columns.len()
                && b.columns.starts_with(&a.columns)
        })
    };
    specs.iter().filter(|a| !covered(a)).cloned().collect()
}

/// The work items whose plan in `r` uses `spec`.
pub(super) fn users_of(r: &Round, spec: &IndexSpec) -> Vec<usize> {
    (0..r.plans.len()).filter(|&i| r.plans[i].as_ref().is_some_and(|(_, specs)| specs.contains(spec))).collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Variant {
    Partial,
    Include,
}

/// A partial or covering variant of `spec` worth testing, given the statements using it.
fn variant(kind: Variant, spec: &IndexSpec, users: &[usize], work: &[Work]) -> Option<IndexSpec> {
    let tables: Vec<_> =
        users.iter().filter_map(|&u| work[u].candidates.iter().find(|c| c.table_oid == spec.table_oid)).collect();
    if tables.len() != users.len() || tables.is_empty() {
        return None;
    }
    match kind {
        Variant::Partial if spec.predicate.is_none() => {
            let p = tables[0].predicates.iter().find(|p| tables.iter().all(|t| t.predicates.contains(p)))?;
            Some(IndexSpec { predicate: Some(p.clone()), ..spec.clone() })
        }
        Variant::Include if spec.include.is_empty() && tables.iter().all(|t| !t.reads_all) => {
            let mut extra: Vec<String> = Vec::new();
            for t in &tables {
                for c in &t.reads {
                    if !spec.columns.contains(c)
                        && !extra.contains(c)
                        && !spec.predicate.as_ref().is_some_and(|p| p.contains(c.as_str()))
                    {
                        extra.push(c.clone());
                    }
                }
            }
            (1..=4).contains(&extra.len()).then(|| IndexSpec { include: extra, ..spec.clone() })
        }
        _ => None,
    }
}

#[allow(clippy::too_many_arguments)]
async fn try_variant(
    explainer: &Explainer<'_>,
    hypo: &mut Hypo<'_>,
    chosen: &[IndexSpec],
    k: usize,
    variant: &IndexSpec,
    users: &[usize],
    work: &[Work],
) -> Result<Option<IndexSpec>, DbError> {
    hypo.define(chosen).await?;
    let before = round(explainer, hypo, work, Some(users)).await;
    let size_before = hypo.size_bytes(&chosen[k]).await;
    let current = chosen[k].clone();
    let mut with_variant = chosen.to_vec();
    with_variant[k] = variant.clone();
    hypo.define(&with_variant).await?;
    let after = round(explainer, hypo, work, Some(users)).await;
    let size_after = hypo.size_bytes(&with_variant[k]).await;
    let mut all_ok = true;
    let mut gain = false;
    for &u in users {
        let (Some((b, _)), Some((a, specs))) = (&before.plans[u], &after.plans[u]) else { return Ok(None) };
        all_ok &= a.total_cost <= b.total_cost * VARIANT_TOLERANCE && specs.contains(&with_variant[k]);
        gain |= a.total_cost <= b.total_cost * INCLUDE_GAIN;
    }
    let smaller =
        matches!((size_before, size_after), (Some(b), Some(a)) if (a as f64) <= b as f64 * PARTIAL_SIZE_SHARE);
    let worth = if variant.predicate.is_some() && current.predicate.is_none() { smaller || gain } else { gain };
    Ok((all_ok && worth).then(|| with_variant[k].clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(cols: &[&str]) -> IndexSpec {
        IndexSpec {
            table_oid: 1,
            schema: "public".into(),
            table: "t".into(),
            columns: cols.iter().map(|c| c.to_string()).collect(),
            include: vec![],
            predicate: None,
        }
    }

    #[test]
    fn one_index_serves_its_prefixes() {
        let folded = fold_prefixes(vec![spec(&["a"]), spec(&["a", "b"]), spec(&["b"])]);
        assert_eq!(folded, vec![spec(&["a", "b"]), spec(&["b"])]);
    }
}
