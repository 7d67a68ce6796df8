//! Findings ranked by estimated impact (the seeds' 80/20), and recommendations by horizon.
//!
//! A finding's weight is its estimated share of the measured time, computed once by
//! [`super::potential`] (per affected request, weighted by traffic, bounded per target).
//! Ranking: share (unknown last), then severity, then occurrences, then fingerprint, so
//! the order is stable.
//!
//! Horizon: the rule's `recommendation.effort` when given; otherwise a finding whose fix
//! comes with a ready snippet is a quick win, an `info` finding long-term, the rest
//! medium-term.

use super::compare::FindingStatus;
use super::{Bottleneck, RecommendationGroup, RecommendationItem};
use crate::runset::RunSet;
use perfhound_model::{Effort, Finding, Severity};
use std::cmp::Ordering;

/// `shares[i]` is the estimated share of `findings[i]`.
pub(super) fn bottlenecks(findings: &[Finding], shares: &[Option<f64>], baseline: Option<&RunSet>) -> Vec<Bottleneck> {
    let mut ranked: Vec<(Option<f64>, &Finding)> =
        findings.iter().enumerate().map(|(i, f)| (shares.get(i).copied().flatten(), f)).collect();
    ranked.sort_by(|(sa, a), (sb, b)| compare(*sa, a, *sb, b));
    ranked
        .into_iter()
        .enumerate()
        .map(|(i, (share, f))| Bottleneck {
            rank: i + 1,
            share,
            horizon: horizon(f),
            baseline: baseline.map(|b| {
                if b.findings.iter().any(|x| x.fingerprint == f.fingerprint) {
                    FindingStatus::Persisting
                } else {
                    FindingStatus::New
                }
            }),
            finding: f.clone(),
        })
        .collect()
}

fn compare(sa: Option<f64>, a: &Finding, sb: Option<f64>, b: &Finding) -> Ordering {
    let by_share = match (sa, sb) {
        (Some(x), Some(y)) => y.partial_cmp(&x).unwrap_or(Ordering::Equal),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    by_share
        .then(b.severity.cmp(&a.severity))
        .then(b.impact.occurrences.unwrap_or(0).cmp(&a.impact.occurrences.unwrap_or(0)))
        .then(a.fingerprint.cmp(&b.fingerprint))
}

/// The horizon a finding's fix belongs to (see the module docs).
pub fn horizon(f: &Finding) -> Effort {
    match (f.recommendation.effort, &f.recommendation.snippet, f.severity) {
        (Some(effort), _, _) => effort,
        (None, Some(_), _) => Effort::QuickWin,
        (None, None, Severity::Info) => Effort::LongTerm,
        (None, None, _) => Effort::MediumTerm,
    }
}

/// Groups fixes by horizon; findings of one rule with the same advice become one item.
pub(super) fn recommendations(bottlenecks: &[Bottleneck]) -> Vec<RecommendationGroup> {
    [Effort::QuickWin, Effort::MediumTerm, Effort::LongTerm]
        .into_iter()
        .map(|horizon| {
            let mut items: Vec<RecommendationItem> = Vec::new();
            for b in bottlenecks.iter().filter(|b| b.horizon == horizon) {
                add_item(&mut items, b);
            }
            RecommendationGroup { horizon, items }
        })
        .collect()
}

fn add_item(items: &mut Vec<RecommendationItem>, b: &Bottleneck) {
    let f = &b.finding;
    let r = &f.recommendation;
    let same = |i: &&mut RecommendationItem| i.rule.code == f.rule.code && i.text == r.text && i.snippet == r.snippet;
    if let Some(item) = items.iter_mut().find(|i| same(i)) {
        item.targets.push(f.target.clone());
        item.ranks.push(b.rank);
        item.share = sum(item.share, b.share);
        item.severity = item.severity.max(f.severity);
        return;
    }
    items.push(RecommendationItem {
        rule: f.rule.clone(),
        severity: f.severity,
        title: f.title.clone(),
        text: r.text.clone(),
        snippet: r.snippet.clone(),
        snippet_lang: r.snippet_lang.clone(),
        targets: vec![f.target.clone()],
        ranks: vec![b.rank],
        share: b.share,
    });
}

fn sum(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some((x + y).min(1.0)),
        (x, y) => x.or(y),
    }
}
