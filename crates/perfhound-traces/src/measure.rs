//! Measurements per endpoint and per query fingerprint: latency, errors, and where the
//! time goes — database, outbound HTTP/RPC, cache, or the service's own code.
//!
//! Time shares come from a sweep over the entry span's window: each instant is given to
//! the kinds of I/O in flight then (split equally when several overlap) or to own code
//! when none is, so the four shares always add up to 100 % of the endpoint's time.

use crate::assemble::KeyMap;
use crate::classify::Category;
use crate::sketch::Sketch;
use crate::trace::{Node, Trace};
use perfhound_model::TargetKind;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Distinct query fingerprints measured; further ones are only counted.
pub const MAX_QUERIES: usize = 5_000;
/// Distinct endpoints measured; further ones are only counted.
pub const MAX_ENDPOINTS: usize = 2_000;

/// One endpoint (or the whole run).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EndpointStats {
    pub service: Arc<str>,
    /// The service's own endpoint, a downstream service's, or background work
    /// ([`Trace::entry_kind`]); the service's own wins when one name is seen as several.
    pub kind: Option<TargetKind>,
    pub latency: Sketch,
    pub errors: u64,
    pub statuses: BTreeMap<u16, u64>,
    pub db_us: u64,
    pub http_us: u64,
    pub cache_us: u64,
    pub own_us: u64,
    pub db_calls: u64,
    pub http_calls: u64,
    pub cache_calls: u64,
    /// Cache lookups that recorded a hit or a miss (`cache.hit`).
    pub cache_hits: u64,
    pub cache_misses: u64,
}

impl EndpointStats {
    pub fn requests(&self) -> u64 {
        self.latency.count
    }

    /// Shares of time (db, http, cache, own), each 0..=1.
    pub fn shares(&self) -> [f64; 4] {
        let total = (self.db_us + self.http_us + self.cache_us + self.own_us).max(1) as f64;
        [
            self.db_us as f64 / total,
            self.http_us as f64 / total,
            self.cache_us as f64 / total,
            self.own_us as f64 / total,
        ]
    }

    fn add(&mut self, o: &EndpointStats) {
        self.kind = match (self.kind, o.kind) {
            (Some(TargetKind::Endpoint), _) | (_, Some(TargetKind::Endpoint)) => Some(TargetKind::Endpoint),
            (a, b) => a.or(b),
        };
        self.latency.merge(&o.latency);
        self.errors += o.errors;
        for (k, v) in &o.statuses {
            *self.statuses.entry(*k).or_insert(0) += v;
        }
        self.db_us += o.db_us;
        self.http_us += o.http_us;
        self.cache_us += o.cache_us;
        self.own_us += o.own_us;
        self.db_calls += o.db_calls;
        self.http_calls += o.http_calls;
        self.cache_calls += o.cache_calls;
        self.cache_hits += o.cache_hits;
        self.cache_misses += o.cache_misses;
    }
}

/// One query fingerprint.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueryStats {
    pub label: Arc<str>,
    /// The first execution's statement as written, literals replaced by `?` (runnable
    /// with bind parameters, unlike the normalized label).
    pub example: Box<str>,
    pub system: Option<Arc<str>>,
    pub latency: Sketch,
    pub errors: u64,
    /// Executions per calling endpoint (the first few endpoints only).
    pub endpoints: Vec<(Arc<str>, u64)>,
    /// Cache lookups only: executions that recorded a hit or a miss (`cache.hit`).
    pub hits: u64,
    pub misses: u64,
}

/// What the traces say about one query.
#[derive(Clone, Debug, PartialEq)]
pub struct QuerySummary {
    /// Normalized statement.
    pub label: Arc<str>,
    /// The statement as written, literals replaced by `?`.
    pub example: Box<str>,
    pub calls: u64,
    pub total_us: u64,
    /// The endpoint that ran it most.
    pub endpoint: Option<Arc<str>>,
}

/// Calling endpoints remembered per query.
const MAX_QUERY_ENDPOINTS: usize = 8;

impl QueryStats {
    fn count_endpoint(&mut self, endpoint: &Arc<str>) {
        if let Some((_, n)) = self.endpoints.iter_mut().find(|(e, _)| e == endpoint) {
            *n += 1;
        } else if self.endpoints.len() < MAX_QUERY_ENDPOINTS {
            self.endpoints.push((Arc::clone(endpoint), 1));
        }
    }

    fn record(&mut self, n: &Node) {
        self.latency.record(n.span.duration_us());
        self.errors += u64::from(n.span.error);
        self.count_endpoint(&n.endpoint);
    }

    /// The endpoint that ran the query most.
    pub fn main_endpoint(&self) -> Option<&Arc<str>> {
        self.endpoints.iter().max_by_key(|(_, n)| *n).map(|(e, _)| e)
    }
}

/// Everything measured so far.
#[derive(Default)]
pub struct Measure {
    pub endpoints: HashMap<(Arc<str>, Arc<str>), EndpointStats>,
    /// Root requests only, background roots included (what detectors weigh findings by).
    pub overall: EndpointStats,
    /// Root requests to the service's own endpoints (what users waited for): the run's
    /// `overall` target, without the orphan and background roots.
    pub service_overall: EndpointStats,
    pub queries: KeyMap<QueryStats>,
    /// Outbound HTTP/RPC calls by URL template (`GET http://host/users/{id}`).
    pub calls: KeyMap<QueryStats>,
    /// Cache lookups that record a hit or a miss, by command and key template
    /// (`redis GET product:{id}`), with their calling endpoints.
    pub caches: KeyMap<QueryStats>,
    pub dropped_endpoints: u64,
    pub dropped_queries: u64,
    /// Repeatable reads across requests, for the cache simulation (see [`crate::reads`]).
    pub reads: crate::reads::Reads,
    /// DB spans' `(start_ns, end_ns)`, kept only when a caller asked for them (`Some`):
    /// `perfhound capacity` counts the statements in flight at once (connections in use).
    pub db_intervals: Option<Vec<(u64, u64)>>,
}

/// DB span intervals kept between two reads (further ones are dropped).
pub const MAX_DB_INTERVALS: usize = 1_000_000;

impl Measure {
    pub fn observe(&mut self, t: &Trace) {
        for e in t.entries() {
            let mut stats = entry_stats(t, e);
            stats.kind = Some(t.entry_kind(e));
            if t.nodes[e].parent.is_none() {
                self.overall.add(&stats);
                if stats.kind == Some(TargetKind::Endpoint) {
                    self.service_overall.add(&stats);
                }
            }
            let key = (Arc::clone(&t.nodes[e].endpoint), Arc::clone(&t.nodes[e].span.service));
            if !self.endpoints.contains_key(&key) && self.endpoints.len() >= MAX_ENDPOINTS {
                self.dropped_endpoints += 1;
                continue;
            }
            self.endpoints
                .entry(key)
                .or_insert_with(|| EndpointStats { service: Arc::clone(&stats.service), ..Default::default() })
                .add(&stats);
        }
        self.reads.observe(t);
        for n in &t.nodes {
            if n.class.category == Category::Db {
                self.observe_query(n);
                if let Some(v) = self.db_intervals.as_mut().filter(|v| v.len() < MAX_DB_INTERVALS) {
                    v.push((n.span.start_ns, n.span.end_ns));
                }
            } else if n.class.category.is_remote_call() {
                self.observe_call(n);
            } else if n.class.category == Category::Cache && n.span.attrs.cache_hit.is_some() {
                self.observe_cache(n);
            }
        }
    }

    fn observe_query(&mut self, n: &Node) {
        if !self.queries.contains_key(&n.class.key) && self.queries.len() >= MAX_QUERIES {
            self.dropped_queries += 1;
            return;
        }
        let q = self.queries.entry(n.class.key).or_insert_with(|| QueryStats {
            label: Arc::clone(&n.class.label),
            example: example_text(n.span.attrs.db_statement.as_deref()),
            system: n.span.attrs.db_system.as_deref().map(Arc::from),
            ..Default::default()
        });
        q.record(n);
    }

    /// Outbound calls share the query cap: both are bounded by distinct templates.
    fn observe_call(&mut self, n: &Node) {
        if !self.calls.contains_key(&n.class.key) && self.calls.len() >= MAX_QUERIES {
            self.dropped_queries += 1;
            return;
        }
        let c = self.calls.entry(n.class.key).or_insert_with(|| QueryStats {
            label: Arc::clone(&n.class.label),
            system: Some(Arc::from(n.span.attrs.rpc_system.as_deref().unwrap_or("http"))),
            ..Default::default()
        });
        c.record(n);
    }

    /// Cache lookups share the query cap too.
    fn observe_cache(&mut self, n: &Node) {
        if !self.caches.contains_key(&n.class.key) && self.caches.len() >= MAX_QUERIES {
            self.dropped_queries += 1;
            return;
        }
        let c = self.caches.entry(n.class.key).or_insert_with(|| QueryStats {
            label: Arc::clone(&n.class.label),
            system: n.span.attrs.db_system.as_deref().map(Arc::from),
            ..Default::default()
        });
        c.record(n);
        match n.span.attrs.cache_hit {
            Some(true) => c.hits += 1,
            Some(false) => c.misses += 1,
            None => {}
        }
    }

    /// Every query seen, by total time.
    pub fn query_summaries(&self) -> Vec<QuerySummary> {
        let mut out: Vec<QuerySummary> = self
            .queries
            .values()
            .map(|q| QuerySummary {
                label: Arc::clone(&q.label),
                example: q.example.clone(),
                calls: q.latency.count,
                total_us: q.latency.sum_us,
                endpoint: q.main_endpoint().cloned(),
            })
            .collect();
        out.sort_by(|a, b| b.total_us.cmp(&a.total_us).then(a.label.cmp(&b.label)));
        out
    }

    /// Requests seen for an endpoint (any service).
    pub fn requests_of(&self, endpoint: &str) -> u64 {
        self.endpoints.iter().filter(|((e, _), _)| &**e == endpoint).map(|(_, s)| s.requests()).sum()
    }
}

/// Which share an I/O category counts in: 0 db, 1 http, 2 cache.
fn slot(c: Category) -> Option<usize> {
    match c {
        Category::Db | Category::Connect | Category::PoolWait => Some(0),
        Category::Http | Category::Rpc | Category::Messaging => Some(1),
        Category::Cache => Some(2),
        _ => None,
    }
}

/// One request's stats: latency, status and where its time went (see the module docs).
pub fn entry_stats(t: &Trace, e: usize) -> EndpointStats {
    let root = &t.nodes[e].span;
    let (start, end) = (root.start_ns, root.end_ns.max(root.start_ns));
    let mut s = EndpointStats { service: Arc::clone(&root.service), ..Default::default() };
    s.latency.record(root.duration_us());
    s.errors = u64::from(root.error || root.attrs.status_code.is_some_and(|c| c >= 500));
    if let Some(code) = root.attrs.status_code {
        s.statuses.insert(code, 1);
    }
    let mut edges: Vec<(u64, usize, i32)> = Vec::new();
    for i in t.owned_by(e) {
        let n = &t.nodes[i];
        let Some(k) = slot(n.class.category) else { continue };
        match k {
            0 => s.db_calls += u64::from(n.class.category == Category::Db),
            1 => s.http_calls += 1,
            _ => {
                s.cache_calls += 1;
                match n.span.attrs.cache_hit {
                    Some(true) => s.cache_hits += 1,
                    Some(false) => s.cache_misses += 1,
                    None => {}
                }
            }
        }
        let (a, b) = (n.span.start_ns.clamp(start, end), n.span.end_ns.clamp(start, end));
        if b > a {
            edges.push((a, k, 1));
            edges.push((b, k, -1));
        }
    }
    edges.sort_unstable_by_key(|&(t, _, d)| (t, d));
    let mut active = [0i32; 3];
    let mut split = [0f64; 4];
    let mut prev = start;
    for (at, k, d) in edges {
        account(&mut split, &active, at.saturating_sub(prev));
        prev = at;
        active[k] += d;
    }
    account(&mut split, &active, end.saturating_sub(prev));
    let us = |ns: f64| (ns / 1_000.0).round() as u64;
    (s.db_us, s.http_us, s.cache_us, s.own_us) = (us(split[0]), us(split[1]), us(split[2]), us(split[3]));
    s
}

fn account(split: &mut [f64; 4], active: &[i32; 3], ns: u64) {
    let kinds = active.iter().filter(|&&a| a > 0).count();
    if kinds == 0 {
        split[3] += ns as f64;
    } else {
        for (k, a) in active.iter().enumerate() {
            if *a > 0 {
                split[k] += ns as f64 / kinds as f64;
            }
        }
    }
}

/// Longest example statement kept per query.
const MAX_EXAMPLE_BYTES: usize = 4096;

fn example_text(statement: Option<&str>) -> Box<str> {
    let Some(sql) = statement else { return Box::from("") };
    let mut end = sql.len().min(MAX_EXAMPLE_BYTES);
    while !sql.is_char_boundary(end) {
        end -= 1;
    }
    perfhound_sql::redact_literals(&sql[..end]).into_boxed_str()
}
