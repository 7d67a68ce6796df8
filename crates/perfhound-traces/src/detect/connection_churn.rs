//! `PH-TRACE010 connection-churn`
//!
//! **What it detects**: requests that open new connections (database handshakes, TCP/TLS
//! connects) while being served — several in one request, or one in most requests of an
//! endpoint: the connection is not pooled or not reused.
//!
//! **Why it matters**: a new connection costs round trips (TCP, TLS, authentication) and
//! server resources (a PostgreSQL backend process per connection); per request it adds
//! milliseconds and under load exhausts the server's connection limit.
//!
//! **Example**: every `GET /search` span has a `connect` child to PostgreSQL before its
//! query; one request has 12 `connect` spans.
//!
//! **Fix**: use a connection pool created once at start-up (SQLAlchemy engine, HikariCP,
//! pgbouncer), keep HTTP clients/sessions alive and shared, enable keep-alive.
//!
//! **Thresholds** (`connection_churn`): `min_connects_per_request` = 2 is reported on its
//! own; single connects are reported when they happen in at least `min_request_share` =
//! 50 % of an endpoint's requests, over at least `min_requests` = 5 requests. Once an
//! endpoint has `min_requests` requests, several connects must also recur in that share:
//! a pool growing in the first requests (`Promise.all` warming `pg.Pool`) is not churn.

use super::util::occurrence;
use super::{Claims, Context, Detector, Occurrence, Recurrence};
use crate::aggregate::Group;
use crate::classify::Category;
use crate::config::Config;
use crate::trace::Trace;
use perfhound_model::{Effort, Rule, Severity};
use std::sync::Arc;

pub const RULE: Rule = Rule {
    code: "PH-TRACE010",
    name: "connection-churn",
    severity: Severity::Warning,
    summary: "Requests open new database/network connections instead of reusing pooled ones.",
    why: "Each new connection costs TCP/TLS/auth round trips and server resources; per request it adds latency and under load exhausts connection limits.",
    fix: "Create a connection pool once at start-up (SQLAlchemy engine, HikariCP, pgbouncer) and share keep-alive HTTP clients/sessions.",
};

pub fn detect(t: &Trace, cfg: &Config, _claims: &mut Claims, out: &mut Vec<Occurrence>) {
    for e in t.entries() {
        let connects: Vec<usize> = t.owned_by(e).filter(|&i| t.nodes[i].class.category == Category::Connect).collect();
        if connects.is_empty() {
            continue;
        }
        let mut o = occurrence(&RULE, t, &connects, Arc::clone(&t.nodes[e].endpoint));
        o.endpoint = Arc::clone(&t.nodes[e].endpoint);
        o.saved_us = o.total_us;
        o.weak = connects.len() < cfg.connection_churn.min_connects_per_request.max(1) as usize;
        o.note = Some(format!("{} new connection(s) in one request", connects.len()));
        out.push(o);
    }
}

/// The rule's detector (registered in [`super::DETECTORS`]).
pub struct ConnectionChurn;

impl Detector for ConnectionChurn {
    fn detect(&self, t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
        detect(t, cfg, claims, out);
    }

    fn title(&self, g: &Group, cx: &Context) -> String {
        let endpoint = cx.endpoint;
        format!("New connections opened while serving {endpoint} (up to {} per request)", g.max_calls)
    }

    fn effort(&self) -> Effort {
        Effort::QuickWin
    }

    /// Single connects per request: reported when they happen in enough of an endpoint's requests.
    fn recurrence(&self, cfg: &Config) -> Recurrence {
        let c = &cfg.connection_churn;
        Recurrence { min_requests: u64::from(c.min_requests), min_share: c.min_request_share }
    }

    /// With enough traffic to tell, connections opened in only a few of an endpoint's
    /// requests are a pool warming up (growing to meet concurrency, or after idle
    /// connections were closed), not churn: churn recurs. With few requests (one trace
    /// file), several connects in one request still count on their own.
    fn relevant(&self, g: &Group, cx: &Context) -> bool {
        let c = &cx.cfg.connection_churn;
        super::util::recurs_enough(g, cx, u64::from(c.min_requests), c.min_request_share)
    }
}
