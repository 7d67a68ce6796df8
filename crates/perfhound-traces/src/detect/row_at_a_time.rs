//! `PH-TRACE009 row-at-a-time-write`
//!
//! **What it detects**: the same INSERT/UPDATE/DELETE statement sent once per row under
//! one parent span — optionally with a COMMIT after each row.
//!
//! **Why it matters**: every statement is a round trip, and every commit a synchronous
//! log flush (fsync) on the database; bulk loads become orders of magnitude slower.
//!
//! **Example**: an import loop runs `INSERT INTO events (…) VALUES (?, ?)` 500 times, each
//! followed by `COMMIT`.
//!
//! **Fix**: send the rows together — a multi-row `VALUES (…), (…)`, `executemany` /
//! batch APIs, `COPY` — and commit once per batch.
//!
//! **Thresholds** (`row_writes`): `min_repeats` = 5 statements and `min_total_ms` = 10.
//! Not reported: already-batched statements (multi-row VALUES, or
//! `db.operation.batch.size` > 1), writes under different parents, fast repeats.

use super::util::{max_us, occurrence, parents_with, total_us, us};
use super::{Claims, Context, Detector, Occurrence};
use crate::aggregate::Group;
use crate::classify::{Category, Op};
use crate::config::Config;
use crate::describe::{query_evidence, short};
use crate::trace::Trace;
use perfhound_model::{Finding, Rule, Severity};
use std::sync::Arc;

pub const RULE: Rule = Rule {
    code: "PH-TRACE009",
    name: "row-at-a-time-write",
    severity: Severity::Warning,
    summary: "Rows are written one statement (and sometimes one commit) at a time instead of in batches.",
    why: "Each statement is a round trip and each commit a synchronous log flush; per-row writes make bulk work orders of magnitude slower.",
    fix: "Batch the rows: multi-row INSERT ... VALUES (...), (...), executemany/batch APIs or COPY, and commit once per batch.",
};

pub fn detect(t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
    let c = &cfg.row_writes;
    let min = c.min_repeats.max(2) as usize;
    for p in parents_with(t, min) {
        let kids = &t.nodes[p].children;
        let writes = kids.iter().copied().filter(|&i| {
            let n = &t.nodes[i];
            n.class.category == Category::Db && n.class.op == Op::Write && n.class.batch <= 1 && !claims.is_claimed(i)
        });
        for g in super::util::group_by_key(t, writes) {
            if g.len() < min || total_us(t, &g) < us(c.min_total_ms) {
                continue;
            }
            let (first, last) = (g[0], g[g.len() - 1]);
            let commits: Vec<usize> = kids
                .iter()
                .copied()
                .filter(|&i| i > first && i <= last + 1 && t.nodes[i].class.op == Op::Commit)
                .collect();
            let mut o = occurrence(&RULE, t, &g, Arc::clone(&t.nodes[first].class.label));
            let commit_us = total_us(t, &commits);
            o.total_us += commit_us;
            o.saved_us = o.total_us.saturating_sub(max_us(t, &g) + commit_us / commits.len().max(1) as u64);
            if commits.len() + 1 >= g.len() {
                o.note = Some(format!("a COMMIT follows each of the {} rows", g.len()));
            }
            claims.claim(&g);
            claims.claim(&commits);
            out.push(o);
        }
    }
}

/// The rule's detector (registered in [`super::DETECTORS`]).
pub struct RowAtATime;

impl Detector for RowAtATime {
    fn per_endpoint(&self) -> bool {
        true
    }

    fn detect(&self, t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
        detect(t, cfg, claims, out);
    }

    fn title(&self, g: &Group, cx: &Context) -> String {
        let endpoint = cx.endpoint;
        format!("Row-at-a-time writes: {} statements per request in {endpoint}: {}", g.max_calls, short(&g.key, 100))
    }

    fn evidence(&self, g: &Group, _cx: &Context, f: &mut Finding) {
        query_evidence(g, f);
    }
}
