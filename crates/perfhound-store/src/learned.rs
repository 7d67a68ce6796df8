//! A knowledge base of fixes that worked: when a run compared with its baseline shows a
//! finding fixed *and* its endpoint measurably faster, the store records rule, target,
//! evidence before/after and the result ("p50 185ms → 12ms"). When the same rule fires
//! elsewhere, the finding cites it — a measured precedent instead of a generic promise.

use crate::compare::Comparison;
use crate::db::Value;
use crate::store::{Store, StoreError};
use perfhound_model::{Finding, Metric, Run};

/// One recorded fix.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Learned {
    pub rule: String,
    pub target: String,
    pub before_run: String,
    pub after_run: String,
    /// The metric that improved (p50, else p95) and its values in µs.
    pub metric: String,
    pub before_value: f64,
    pub after_value: f64,
    pub evidence_before: String,
    pub evidence_after: String,
    /// When the improved run started (RFC 3339).
    pub recorded_at: String,
}

/// The fixes `comparison` proves: a baseline finding gone from `current` whose target's
/// p50 (or else p95) improved significantly beyond the tolerance.
pub fn fixes(baseline: &Run, current: &Run, comparison: &Comparison) -> Vec<Learned> {
    let fixed = baseline.findings.iter().filter(|f| !current.findings.iter().any(|c| c.fingerprint == f.fingerprint));
    fixed
        .filter_map(|f| {
            let t = comparison.targets.iter().find(|t| t.target == f.target || f.affected.contains(&t.target))?;
            let m = [Metric::P50, Metric::P95]
                .iter()
                .find_map(|metric| t.metrics.iter().find(|m| m.metric == metric.as_str() && m.improvement))?;
            Some(Learned {
                rule: f.rule.code.clone(),
                target: t.target.clone(),
                before_run: baseline.id.clone(),
                after_run: current.id.clone(),
                metric: m.metric.to_string(),
                before_value: m.baseline,
                after_value: m.current,
                evidence_before: evidence(f),
                evidence_after: format!("not reported in run {}", current.id),
                recorded_at: current.started_at.clone(),
            })
        })
        .collect()
}

/// A finding's evidence in one line: its title and counts.
fn evidence(f: &Finding) -> String {
    let counts: Vec<String> = f.evidence.counts.iter().map(|(k, v)| format!("{k}={v}")).collect();
    if counts.is_empty() {
        f.title.clone()
    } else {
        format!("{} ({})", f.title, counts.join(", "))
    }
}

/// "this fix took GET /api/orders from 185ms to 12ms (p50) on 2026-12-01".
pub fn citation(l: &Learned) -> String {
    let fmt = |us: f64| perfhound_term::human::duration_us(us);
    let day = l.recorded_at.get(..10).unwrap_or(&l.recorded_at);
    format!(
        "this fix took {} from {} to {} ({}) on {day} (perfhound learned)",
        l.target,
        fmt(l.before_value),
        fmt(l.after_value),
        l.metric
    )
}

/// Adds to each finding of `run` a note citing up to two recorded fixes of its rule on
/// other targets (the strongest improvement first).
pub fn cite(run: &mut Run, learned: &[Learned]) {
    for f in &mut run.findings {
        let mut same_rule: Vec<&Learned> =
            learned.iter().filter(|l| l.rule == f.rule.code && l.target != f.target).collect();
        same_rule.sort_by(|a, b| (a.after_value / a.before_value).total_cmp(&(b.after_value / b.before_value)));
        for l in same_rule.into_iter().take(2) {
            let note = citation(l);
            if !f.evidence.notes.contains(&note) {
                f.evidence.notes.push(note);
            }
        }
    }
}

impl Store {
    /// Records `fixes` (a fix already recorded for the same rule, target and run is kept).
    pub fn record_learned(&mut self, fixes: &[Learned]) -> Result<(), StoreError> {
        if fixes.is_empty() {
            return Ok(());
        }
        self.db.begin_write().map_err(|e| self.error(e))?;
        for l in fixes {
            let values: Vec<Value> = vec![
                l.rule.as_str().into(),
                l.target.as_str().into(),
                l.before_run.as_str().into(),
                l.after_run.as_str().into(),
                l.metric.as_str().into(),
                l.before_value.into(),
                l.after_value.into(),
                l.evidence_before.as_str().into(),
                l.evidence_after.as_str().into(),
                l.recorded_at.as_str().into(),
            ];
            let sql = "INSERT INTO learned (rule, target, before_run, after_run, metric, before_value, after_value,
                                            evidence_before, evidence_after, recorded_at)
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (rule, target, after_run) DO NOTHING";
            if let Err(e) = self.db.execute(sql, &values) {
                self.db.rollback();
                return Err(self.error(e));
            }
        }
        self.db.commit().map_err(|e| self.error(e))
    }

    /// Recorded fixes, oldest first; only `rule`'s when given.
    pub fn learned(&mut self, rule: Option<&str>) -> Result<Vec<Learned>, StoreError> {
        let sql = "SELECT rule, target, before_run, after_run, metric, before_value, after_value,
                          evidence_before, evidence_after, recorded_at
                   FROM learned WHERE $1 = '' OR rule = $1 ORDER BY seq";
        let rows = self.db.query(sql, &[rule.unwrap_or("").into()]).map_err(|e| self.error(e))?;
        Ok(rows
            .into_iter()
            .map(|r| Learned {
                rule: r[0].text(),
                target: r[1].text(),
                before_run: r[2].text(),
                after_run: r[3].text(),
                metric: r[4].text(),
                before_value: r[5].real(),
                after_value: r[6].real(),
                evidence_before: r[7].text(),
                evidence_after: r[8].text(),
                recorded_at: r[9].text(),
            })
            .collect())
    }
}
