//! Before/after comparison of two profiles: the functions whose share of the weight moved
//! most. Shares, not raw weights, so a 10 s and a 30 s profile compare.

use crate::hotspots::{hotspots, Hotspot};
use crate::profile::Profile;
use serde::Serialize;
use std::collections::HashMap;

/// One function's shares before and after (0–1), and their change.
#[derive(Clone, Debug, Serialize)]
pub struct Mover {
    pub function: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub before_self_share: f64,
    pub after_self_share: f64,
    pub before_total_share: f64,
    pub after_total_share: f64,
    /// `after_self_share - before_self_share`: positive grew.
    pub self_change: f64,
    /// `after_total_share - before_total_share`.
    pub total_change: f64,
}

impl Mover {
    /// `file:line`, `file`, or nothing.
    pub fn location(&self) -> Option<String> {
        match (&self.file, self.line) {
            (Some(f), Some(l)) => Some(format!("{f}:{l}")),
            (Some(f), None) => Some(f.clone()),
            _ => None,
        }
    }
}

/// Every function of either profile, the largest change of self share first (then of
/// total share, then by name). A function matches across profiles by name and file.
pub fn movers(before: &Profile, after: &Profile) -> Vec<Mover> {
    let mut by_key: HashMap<(String, Option<String>), Mover> = HashMap::new();
    for (h, is_after) in
        hotspots(before).into_iter().map(|h| (h, false)).chain(hotspots(after).into_iter().map(|h| (h, true)))
    {
        let m = by_key.entry((h.function.clone(), h.file.clone())).or_insert_with(|| empty(&h));
        m.line = match (m.line, h.line) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if is_after {
            (m.after_self_share, m.after_total_share) = (h.self_share, h.total_share);
        } else {
            (m.before_self_share, m.before_total_share) = (h.self_share, h.total_share);
        }
    }
    let mut out: Vec<Mover> = by_key.into_values().map(with_change).collect();
    out.sort_by(|a, b| {
        b.self_change
            .abs()
            .total_cmp(&a.self_change.abs())
            .then(b.total_change.abs().total_cmp(&a.total_change.abs()))
            .then_with(|| a.function.cmp(&b.function))
    });
    out
}

fn empty(h: &Hotspot) -> Mover {
    Mover {
        function: h.function.clone(),
        file: h.file.clone(),
        line: h.line,
        before_self_share: 0.0,
        after_self_share: 0.0,
        before_total_share: 0.0,
        after_total_share: 0.0,
        self_change: 0.0,
        total_change: 0.0,
    }
}

fn with_change(mut m: Mover) -> Mover {
    m.self_change = m.after_self_share - m.before_self_share;
    m.total_change = m.after_total_share - m.before_total_share;
    m
}
