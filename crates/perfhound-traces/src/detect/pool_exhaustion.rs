//! `PH-TRACE011 connection-pool-exhaustion`
//!
//! **What it detects**: time a request spent waiting for a free connection from a pool
//! (spans such as `pool.acquire`, `HikariPool.getConnection`, `pg-pool.connect`).
//!
//! **Why it matters**: waiting for a connection is pure queueing — the database may be
//! idle while requests wait because the pool is too small or connections are held too
//! long (slow queries, long transactions, leaks).
//!
//! **Example**: `POST /orders` waits 180 ms in `pool.acquire` before its first query.
//!
//! **Fix**: release connections early (short transactions, no I/O while holding one),
//! fix slow queries, size the pool to the database's capacity, and add a wait timeout.
//!
//! **Thresholds** (`pool_wait`): `min_wait_ms` = 20 of waiting in one request.

use super::util::{occurrence, us};
use super::{Claims, Context, Detector, Occurrence};
use crate::aggregate::Group;
use crate::classify::Category;
use crate::config::Config;
use crate::describe::ms;
use crate::trace::Trace;
use perfhound_model::{Effort, Rule, Severity};
use std::sync::Arc;

pub const RULE: Rule = Rule {
    code: "PH-TRACE011",
    name: "connection-pool-exhaustion",
    severity: Severity::Warning,
    summary: "Requests wait for a free connection from a connection pool.",
    why: "Waiting for a pooled connection is queueing: requests stall while connections are held by slow queries, long transactions or leaks.",
    fix: "Hold connections briefly (short transactions, no remote calls inside), fix slow queries, size the pool to the database, set a wait timeout.",
};

pub fn detect(t: &Trace, cfg: &Config, _claims: &mut Claims, out: &mut Vec<Occurrence>) {
    for e in t.entries() {
        let waits: Vec<usize> = t.owned_by(e).filter(|&i| t.nodes[i].class.category == Category::PoolWait).collect();
        let waited_us: u64 = waits.iter().map(|&i| waited_us(t, i)).sum();
        if waits.is_empty() || waited_us < us(cfg.pool_wait.min_wait_ms).max(1) {
            continue;
        }
        let mut o = occurrence(&RULE, t, &waits, Arc::clone(&t.nodes[e].endpoint));
        o.total_us = waited_us;
        o.saved_us = waited_us;
        out.push(o);
    }
}

/// Time an acquire span spent waiting: its duration minus the connections it opened
/// itself (a pool growing to meet concurrency, e.g. `pg-pool.connect` over `pg.connect`,
/// is connecting — `connection-churn`'s business — not queueing for a busy connection).
fn waited_us(t: &Trace, i: usize) -> u64 {
    let connecting = t.nodes[i].children.iter().filter(|&&c| t.nodes[c].class.category == Category::Connect);
    t.nodes[i].span.duration_us().saturating_sub(connecting.map(|&c| t.nodes[c].span.duration_us()).sum())
}

/// The rule's detector (registered in [`super::DETECTORS`]).
pub struct PoolExhaustion;

impl Detector for PoolExhaustion {
    fn detect(&self, t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
        detect(t, cfg, claims, out);
    }

    fn title(&self, g: &Group, cx: &Context) -> String {
        let endpoint = cx.endpoint;
        format!("Requests wait for a pooled connection in {endpoint} (up to {})", ms(g.max_total_us))
    }

    fn effort(&self) -> Effort {
        Effort::QuickWin
    }
}
