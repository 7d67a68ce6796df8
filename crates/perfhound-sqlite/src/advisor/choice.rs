//! Steps 5 and 6 of the advisor: which measured candidates to suggest (**choice**) and
//! what each suggestion says (**output**).

use super::trials::{Experiment, Trial};
use super::{writes_per_day, Helped, Suggestion, ACCEPT_SHARE_OF_BEST};
use crate::catalog::Catalog;
use crate::statements::StatementSet;
use std::cmp::{Ordering, Reverse};

/// A chosen candidate (`cand` indexes [`Experiment::candidates`]) and the trials of the
/// statements it serves.
pub(super) struct Chosen<'e> {
    pub cand: usize,
    pub serves: Vec<&'e Trial>,
}

/// The choice: the candidates to suggest, and the work items none of them serves.
pub(super) struct Choice<'e> {
    pub chosen: Vec<Chosen<'e>>,
    pub unserved: Vec<usize>,
}

/// Step 5: a trial counts when the time drops by at least `min_time_drop`; it is
/// acceptable when it saves at least [`ACCEPT_SHARE_OF_BEST`] of what the statement's best
/// trial saves. Greedily, the candidate serving the most statements not yet served is
/// chosen first (the simpler one on ties, then the larger saving).
pub(super) fn choose<'e>(exp: &'e Experiment<'_>, min_time_drop: f64) -> Choice<'e> {
    let acceptable = acceptable(exp, min_time_drop);
    let mut unserved: Vec<usize> = exp.measured.iter().map(|m| m.work).collect();
    let mut chosen: Vec<Chosen<'e>> = Vec::new();
    loop {
        let mut best: Option<Chosen<'e>> = None;
        for cand in 0..exp.candidates.len() {
            let serves: Vec<&Trial> =
                acceptable.iter().filter(|t| t.cand == cand && unserved.contains(&t.work)).copied().collect();
            if serves.is_empty() {
                continue;
            }
            let next = Chosen { cand, serves };
            if best.as_ref().is_none_or(|b| rank(exp, &next, b) == Ordering::Greater) {
                best = Some(next);
            }
        }
        let Some(best) = best else { break };
        unserved.retain(|i| !best.serves.iter().any(|t| t.work == *i));
        chosen.push(best);
    }
    Choice { chosen, unserved }
}

/// The trials fast enough to count and close enough to their statement's best.
fn acceptable<'e>(exp: &'e Experiment<'_>, min_time_drop: f64) -> Vec<&'e Trial> {
    let valid: Vec<&Trial> = exp
        .trials
        .iter()
        .filter(|t| {
            let before = exp.base_us(t.work);
            before > 0.0 && 1.0 - t.timing.per_exec_us / before >= min_time_drop
        })
        .collect();
    let best_of = |work: usize| valid.iter().filter(|t| t.work == work).map(|t| exp.saving(t)).fold(0.0, f64::max);
    valid.iter().filter(|t| exp.saving(t) >= ACCEPT_SHARE_OF_BEST * best_of(t.work)).copied().collect()
}

/// More statements served first, then fewer columns, then more time saved.
fn rank(exp: &Experiment<'_>, a: &Chosen<'_>, b: &Chosen<'_>) -> Ordering {
    let saved = |c: &Chosen<'_>| c.serves.iter().map(|t| exp.saving(t)).sum::<f64>();
    let key = |c: &Chosen<'_>| (c.serves.len(), Reverse(exp.candidates[c.cand].columns.len()));
    key(a).cmp(&key(b)).then(saved(a).total_cmp(&saved(b)))
}

/// Step 6: one suggestion per chosen candidate, most time saved per day first.
pub(super) fn suggestions(
    exp: &Experiment<'_>,
    choice: &Choice<'_>,
    set: &StatementSet,
    catalog: &Catalog,
) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = choice.chosen.iter().map(|c| suggestion(exp, c, set, catalog)).collect();
    out.sort_by(|a, b| {
        let key = |s: &Suggestion| {
            (s.time_saved_us_per_day.unwrap_or(0.0), s.helped.iter().map(Helped::saved_us).sum::<f64>())
        };
        key(b).partial_cmp(&key(a)).unwrap_or(Ordering::Equal)
    });
    out
}

/// The suggestion for a chosen candidate — per statement the plan and time before
/// and after (most time saved per day first), the index's size and build time on the
/// copy, the table's rows and writes per day, the foreign key it serves.
fn suggestion(exp: &Experiment<'_>, c: &Chosen<'_>, set: &StatementSet, catalog: &Catalog) -> Suggestion {
    let cand = &exp.candidates[c.cand];
    let built = &exp.built[c.cand];
    let mut helped: Vec<Helped> = c.serves.iter().map(|t| helped(exp, t)).collect();
    let per_day = |h: &Helped| set.calls_per_day(&set.statements[h.stmt]).map(|c| c * h.saved_us());
    helped.sort_by(|a, b| {
        (per_day(b).unwrap_or(0.0), b.saved_us())
            .partial_cmp(&(per_day(a).unwrap_or(0.0), a.saved_us()))
            .unwrap_or(Ordering::Equal)
    });
    let saved: Vec<f64> = helped.iter().filter_map(per_day).collect();
    Suggestion {
        create: cand.create_sql(&built.name),
        name: built.name.clone(),
        helped,
        time_saved_us_per_day: (!saved.is_empty()).then(|| saved.iter().sum()),
        size_bytes: built.size_bytes,
        build_ms: built.build_ms,
        table_rows: catalog.table(&cand.table).and_then(|t| t.rows),
        table_writes_per_day: writes_per_day(set, &cand.table),
        foreign_key: catalog
            .foreign_keys
            .iter()
            .find(|fk| fk.table == cand.table && cand.columns.starts_with(&fk.from))
            .map(|fk| format!("{}({}) → {}", fk.table, fk.from.join(", "), fk.parent)),
        candidate: cand.clone(),
    }
}

fn helped(exp: &Experiment<'_>, t: &Trial) -> Helped {
    let w = &exp.work[t.work];
    Helped {
        stmt: w.stmt,
        plan_before: w.base_plan.clone(),
        plan_after: t.plan.clone(),
        before_us: exp.base_us(t.work),
        after_us: t.timing.per_exec_us,
        sets: t.timing.sets,
    }
}
