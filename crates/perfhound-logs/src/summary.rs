//! [`Analysis`]: the result of reading access logs — counts, endpoints with their
//! latency percentiles, status mix, rates, top clients, cache simulations and findings —
//! built from the [`Analyzer`]'s state by [`summarize`].

use crate::analyze::{Analyzer, Counts, Malformed};
use crate::cache::{self, CacheResult, ShardsCheck};
use crate::latency::Latency;
use perfhound_model::{Finding, Histogram};
use std::collections::BTreeMap;

/// One endpoint's measurements.
#[derive(Clone, Debug, Default)]
pub struct EndpointSummary {
    pub name: String,
    pub requests: u64,
    pub server_errors: u64,
    pub client_errors: u64,
    pub bytes: u64,
    pub status: BTreeMap<u16, u64>,
    /// Requests with a latency field.
    pub timed: u64,
    /// Kept for the endpoints written to the run (the first `max_targets`).
    pub latency: Option<Histogram>,
    pub p50_us: u64,
    pub p95_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
    pub mean_us: f64,
    /// Percentiles from a reservoir sample (the histogram budget was spent).
    pub approximate: bool,
    pub private: u64,
    pub privacy_known: u64,
}

impl EndpointSummary {
    /// Time spent serving this endpoint (mean × timed requests), microseconds.
    pub fn total_us(&self) -> f64 {
        self.mean_us * self.timed as f64
    }
}

/// Everything `perfhound logs` reports.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub format: String,
    pub sources: Vec<String>,
    pub counts: Counts,
    pub samples: Vec<Malformed>,
    pub read_errors: Vec<String>,
    pub requests: u64,
    pub server_errors: u64,
    pub bytes: u64,
    pub first_t: Option<i64>,
    pub last_t: Option<i64>,
    pub peak_rps: Option<u64>,
    pub status: BTreeMap<u16, u64>,
    pub overall: Histogram,
    /// Sorted by time spent, then requests.
    pub endpoints: Vec<EndpointSummary>,
    pub merges_learned: usize,
    pub clients: Vec<(String, u64)>,
    /// Client counts are lower bounds (the heavy-hitter table was trimmed).
    pub clients_approximate: bool,
    pub cache: Vec<CacheResult>,
    pub shards_check: Option<ShardsCheck>,
    pub findings: Vec<Finding>,
}

impl Analysis {
    /// Seconds from the first to the last request (at least 1).
    pub fn duration_s(&self) -> Option<f64> {
        Some((self.last_t? - self.first_t?).max(0) as f64 + 1.0)
    }

    pub fn rps(&self) -> Option<f64> {
        Some(self.requests as f64 / self.duration_s()?)
    }

    pub fn errors_per_s(&self) -> Option<f64> {
        Some(self.server_errors as f64 / self.duration_s()?)
    }
}

pub(crate) fn summarize(mut a: Analyzer) -> Analysis {
    let max_targets = a.stats.config().max_targets;
    let streams = a.stats.take_streams();
    let mut raw: Vec<(String, crate::stats::Endpoint)> = a.stats.endpoints.drain().collect();
    raw.sort_by(|x, y| y.1.requests.cmp(&x.1.requests).then_with(|| x.0.cmp(&y.0)));
    let mut endpoints: Vec<EndpointSummary> =
        raw.into_iter().enumerate().map(|(i, (name, e))| endpoint(name, e, i < max_targets)).collect();
    endpoints.sort_by(|x, y| y.total_us().total_cmp(&x.total_us()).then(y.requests.cmp(&x.requests)));
    let mut clients: Vec<(String, u64)> = a.stats.clients.drain().map(|(_, (c, n))| (c.into(), n)).collect();
    clients.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
    clients.truncate(10);
    let (cache, shards_check) = cache::evaluate(streams, &endpoints, a.stats.config());
    let total_us: f64 = endpoints.iter().map(EndpointSummary::total_us).sum();
    let findings = cache.iter().filter_map(|c| crate::cache_opportunity::finding(c, total_us)).collect();
    Analysis {
        format: a.take_format_name(),
        sources: a.sources,
        counts: a.counts,
        samples: a.samples,
        read_errors: a.read_errors,
        requests: a.stats.requests,
        server_errors: endpoints.iter().map(|e| e.server_errors).sum(),
        bytes: a.stats.bytes,
        first_t: a.stats.first_t,
        last_t: a.stats.last_t,
        peak_rps: (!a.stats.seconds_overflow)
            .then(|| a.stats.per_second.values().copied().max().map(u64::from))
            .flatten(),
        status: a.stats.status,
        overall: a.stats.overall,
        endpoints,
        merges_learned: a.stats.merges_learned,
        clients,
        clients_approximate: a.stats.clients_trimmed,
        cache,
        shards_check,
        findings,
    }
}

fn endpoint(name: String, e: crate::stats::Endpoint, keep: bool) -> EndpointSummary {
    let approximate = e.latency.approximate();
    let timed = e.latency.count();
    let h = match &e.latency {
        Latency::Small { values, .. } if values.is_empty() => None,
        l => Some(l.histogram()),
    };
    let q = |p: f64| h.as_ref().map_or(0, |h| h.quantile_us(p));
    EndpointSummary {
        p50_us: q(0.5),
        p95_us: q(0.95),
        p99_us: q(0.99),
        max_us: h.as_ref().map_or(0, Histogram::max_us),
        mean_us: h.as_ref().map_or(0.0, Histogram::mean_us),
        latency: if keep { h } else { None },
        name,
        requests: e.requests,
        server_errors: e.server_errors,
        client_errors: e.client_errors,
        bytes: e.bytes,
        status: e.status,
        timed,
        approximate,
        private: e.private,
        privacy_known: e.privacy_known,
    }
}
