//! Steps 3 and 4 of the advisor, on the copy: each statement timed as it is (**before**),
//! then each distinct candidate built, the plans re-checked and the statements whose plan
//! now reads through it timed again with the same parameters (**trials**).

use super::candidates::Candidate;
use super::copy::Copy;
use super::measure::{self, ParamSet, Timing};
use super::Work;
use crate::catalog::{quote_ident, Catalog};
use crate::config::Limits;
use crate::plan::Plan;
use std::time::Instant;

/// A statement timed before any candidate: `work` indexes the advisor's work list.
pub(super) struct Measured {
    pub work: usize,
    pub sets: Vec<ParamSet>,
    pub base: Timing,
}

/// A candidate index as built on the copy (`size_bytes` is `None` when the build failed).
pub(super) struct Built {
    pub name: String,
    pub size_bytes: Option<u64>,
    pub build_ms: f64,
}

/// The result of one candidate (`cand` indexes [`Experiment::candidates`]) for one work
/// item whose plan used it.
pub(super) struct Trial {
    pub cand: usize,
    pub work: usize,
    pub plan: Plan,
    pub timing: Timing,
}

/// Everything measured on the copy: what the choice and the output read.
pub(super) struct Experiment<'w> {
    pub work: &'w [Work],
    pub measured: Vec<Measured>,
    /// Distinct candidates of the measured statements; `built` is in the same order.
    pub candidates: Vec<Candidate>,
    pub built: Vec<Built>,
    pub trials: Vec<Trial>,
}

impl Experiment<'_> {
    /// The measurement before any index of work item `work`.
    pub fn before(&self, work: usize) -> Option<&Measured> {
        self.measured.iter().find(|m| m.work == work)
    }

    /// Time per execution before any index (0 when not measured).
    pub fn base_us(&self, work: usize) -> f64 {
        self.before(work).map_or(0.0, |m| m.base.per_exec_us)
    }

    /// Time per execution a trial saves.
    pub fn saving(&self, t: &Trial) -> f64 {
        self.base_us(t.work) - t.timing.per_exec_us
    }
}

/// Step 3: every work item timed on the unchanged copy; those that cannot be timed go to
/// `unmeasurable` with the reason.
pub(super) fn measure_before(
    copy: &Copy,
    catalog: &Catalog,
    work: &[Work],
    limits: &Limits,
    unmeasurable: &mut Vec<(usize, String)>,
) -> Vec<Measured> {
    let mut measured = Vec::new();
    for (i, w) in work.iter().enumerate() {
        let Some(sql) = &w.measure_sql else {
            unmeasurable.push((w.stmt, "no read-only equivalent to time (UPDATE … FROM / joins)".into()));
            continue;
        };
        let sets = measure::param_sets(&copy.conn, catalog, w, limits.samples);
        match measure::time(&copy.conn, &copy.deadline, sql, &sets, sets.len(), limits) {
            Ok(base) => measured.push(Measured { work: i, sets, base }),
            Err(e) => unmeasurable.push((w.stmt, e)),
        }
    }
    measured
}

/// Step 4: one candidate at a time — built, tried on every measured statement of its
/// table, dropped.
pub(super) fn run<'w>(
    copy: &Copy,
    catalog: &Catalog,
    work: &'w [Work],
    measured: Vec<Measured>,
    limits: &Limits,
    unmeasurable: &mut Vec<(usize, String)>,
) -> Experiment<'w> {
    let candidates = distinct_candidates(work, &measured);
    let mut exp = Experiment { work, measured, candidates, built: Vec::new(), trials: Vec::new() };
    for (ci, cand) in exp.candidates.iter().enumerate() {
        let name = cand.index_name(catalog);
        let (size_bytes, build_ms) = match build(copy, cand, &name, limits) {
            Ok(built) => built,
            Err(e) => {
                let users = exp.measured.iter().filter(|m| work[m.work].candidates.contains(cand));
                let why = format!("building {} on the copy failed: {e}", cand.label());
                unmeasurable.extend(users.map(|m| (work[m.work].stmt, why.clone())));
                exp.built.push(Built { name, size_bytes: None, build_ms: 0.0 });
                continue;
            }
        };
        for m in &exp.measured {
            exp.trials.extend(trial(copy, &work[m.work], m, ci, cand, &name, limits));
        }
        let _ = copy.conn.execute_batch(&format!("DROP INDEX IF EXISTS {}", quote_ident(&name)));
        exp.built.push(Built { name, size_bytes, build_ms });
    }
    exp
}

/// The candidates of the measured statements, each once, in order of appearance.
fn distinct_candidates(work: &[Work], measured: &[Measured]) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    for m in measured {
        for c in &work[m.work].candidates {
            if !out.contains(c) {
                out.push(c.clone());
            }
        }
    }
    out
}

/// Builds the candidate on the copy and ANALYZEs its table: its size and build time (ms).
/// A failed build leaves no index behind.
fn build(copy: &Copy, cand: &Candidate, name: &str, limits: &Limits) -> Result<(Option<u64>, f64), rusqlite::Error> {
    let size_before = copy.used_bytes();
    let t0 = Instant::now();
    {
        let _armed = copy.deadline.arm(limits.statement_timeout);
        let create = format!("{}; ANALYZE {};", cand.create_sql(name), quote_ident(&cand.table));
        if let Err(e) = copy.conn.execute_batch(&create) {
            let _ = copy.conn.execute_batch(&format!("DROP INDEX IF EXISTS {}", quote_ident(name)));
            return Err(e);
        }
    }
    let build_ms = t0.elapsed().as_secs_f64() * 1e3;
    let size = match (size_before, copy.used_bytes()) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a)),
        _ => None,
    };
    Ok((size, build_ms))
}

/// One statement with the candidate built: a trial when its plan now reads through the
/// index and it could be timed again.
fn trial(
    copy: &Copy,
    w: &Work,
    m: &Measured,
    cand_index: usize,
    cand: &Candidate,
    name: &str,
    limits: &Limits,
) -> Option<Trial> {
    if !w.candidates.iter().any(|c| c.table == cand.table) {
        return None;
    }
    let plan = Plan::explain(&copy.conn, &w.explain_sql).ok()?;
    if !plan.uses_index(name) {
        return None;
    }
    let sql = w.measure_sql.as_ref()?;
    let timing = measure::time(&copy.conn, &copy.deadline, sql, &m.sets, m.base.sets, limits).ok()?;
    Some(Trial { cand: cand_index, work: m.work, plan, timing })
}
