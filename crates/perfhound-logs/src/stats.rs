//! [`Stats`]: everything accumulated from parsed records, in bounded memory — endpoints
//! (capped, with learned merges), status mix, bytes, per-second counts, top clients
//! (Misra–Gries heavy hitters) and the cache streams of cacheable GET endpoints.

use crate::endpoints::Merges;
use crate::fasthash::FastMap;
use crate::latency::Latency;
use crate::record::Record;
use crate::sim::{key_hash, Access, Stream};
use crate::Config;
use std::collections::BTreeMap;

/// The endpoint that collects requests once [`Config::max_endpoints`] names exist.
pub const OTHER: &str = "(other endpoints)";

/// Stream timestamps are seconds from the first record plus this (2^31 s ≈ 68 years).
const TIME_SHIFT: i64 = 1 << 31;

/// Seconds tracked for the peak rate (about 6 days of distinct seconds).
const MAX_SECONDS: usize = 500_000;

#[derive(Debug, Default)]
pub struct Endpoint {
    pub requests: u64,
    pub server_errors: u64,
    pub client_errors: u64,
    pub bytes: u64,
    pub status: BTreeMap<u16, u64>,
    pub latency: Latency,
    /// Requests that set a cookie or carried credentials.
    pub private: u64,
    /// Requests whose log line shows whether cookies/credentials were involved.
    pub privacy_known: u64,
    /// The cache stream of a cacheable GET endpoint (the first [`Config::max_streams`]).
    pub stream: Option<Box<Stream>>,
}

#[derive(Debug, Default)]
pub struct Stats {
    pub merges: Merges,
    pub merges_learned: usize,
    pub endpoints: FastMap<String, Endpoint>,
    /// Endpoints with a cache stream.
    pub streams: usize,
    pub status: BTreeMap<u16, u64>,
    pub requests: u64,
    pub bytes: u64,
    /// Every request's latency (the overall target).
    pub overall: perfhound_model::Histogram,
    pub first_t: Option<i64>,
    pub last_t: Option<i64>,
    pub per_second: FastMap<i64, u32>,
    /// The current second and its count, before it goes to `per_second`.
    second: Option<(i64, u32)>,
    pub seconds_overflow: bool,
    /// By a 64-bit hash of the client (one comparison per line instead of a string
    /// compare): the client and its count.
    pub clients: FastMap<u64, (Box<str>, u64)>,
    pub clients_trimmed: bool,
    time_base: Option<i64>,
    histogram_budget: usize,
    next_learn: usize,
    name: String,
    cfg: Config,
}

impl Stats {
    pub fn new(cfg: Config) -> Stats {
        Stats { histogram_budget: cfg.max_histograms, next_learn: 256, cfg, ..Stats::default() }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    pub fn record(&mut self, r: &Record) {
        self.requests += 1;
        self.bytes += r.bytes;
        *self.status.entry(r.status).or_default() += 1;
        if let Some(t) = r.time_s {
            self.first_t = Some(self.first_t.map_or(t, |f| f.min(t)));
            self.last_t = Some(self.last_t.map_or(t, |l| l.max(t)));
            self.count_second(t);
        }
        self.count_client(r.client);
        if let Some(us) = r.latency_us() {
            self.overall.record_us(us);
        }
        let mut name = std::mem::take(&mut self.name);
        self.merges.name(r.method, r.target, &mut name);
        if self.endpoints.len() >= self.cfg.max_endpoints && !self.endpoints.contains_key(name.as_str()) {
            name.clear();
            name.push_str(OTHER);
        }
        let budget = &mut self.histogram_budget;
        let e = match self.endpoints.get_mut(name.as_str()) {
            Some(e) => e,
            None => self.endpoints.entry(name.clone()).or_default(),
        };
        add(e, r, budget);
        if cacheable(r) && e.private == 0 {
            let base = *self.time_base.get_or_insert(r.time_s.unwrap_or(0));
            if e.stream.is_none() && self.streams < self.cfg.max_streams {
                self.streams += 1;
                e.stream = Some(Box::new(Stream::new(self.cfg.stream_budget)));
            }
            if let Some(s) = &mut e.stream {
                s.push(access(r, base));
            }
        }
        self.name = name;
        if self.endpoints.len() >= self.next_learn {
            self.next_learn *= 2;
            self.learn();
        }
    }

    /// The cache streams, by endpoint name (taken out of the endpoints).
    pub fn take_streams(&mut self) -> FastMap<String, Stream> {
        self.streams = 0;
        self.endpoints.iter_mut().filter_map(|(n, e)| Some((n.clone(), *e.stream.take()?))).collect()
    }

    fn count_second(&mut self, t: i64) {
        match &mut self.second {
            Some((s, n)) if *s == t => *n += 1,
            _ => {
                if let Some((s, n)) = self.second.replace((t, 1)) {
                    self.flush_second(s, n);
                }
            }
        }
    }

    /// Moves the current second's count into `per_second`.
    pub fn flush_seconds(&mut self) {
        if let Some((s, n)) = self.second.take() {
            self.flush_second(s, n);
        }
    }

    fn flush_second(&mut self, t: i64, count: u32) {
        if let Some(n) = self.per_second.get_mut(&t) {
            *n += count;
        } else if self.per_second.len() < MAX_SECONDS {
            self.per_second.insert(t, count);
        } else {
            self.seconds_overflow = true;
        }
    }

    /// Misra–Gries: when the table is full, every count drops by the median and the
    /// zeros leave, so heavy clients stay and memory is bounded.
    fn count_client(&mut self, client: &str) {
        if client.is_empty() {
            return;
        }
        let key = crate::fasthash::hash_str(client);
        if let Some((_, n)) = self.clients.get_mut(&key) {
            *n += 1;
            return;
        }
        if self.clients.len() >= self.cfg.max_clients {
            let mut counts: Vec<u64> = self.clients.values().map(|(_, n)| *n).collect();
            let mid = counts.len() / 2;
            let median = *counts.select_nth_unstable(mid).1;
            self.clients.retain(|_, (_, n)| {
                *n = n.saturating_sub(median);
                *n > 0
            });
            self.clients_trimmed = true;
        }
        self.clients.insert(key, (client.into(), 1));
    }

    /// Learns merges from the current names and folds the endpoints they rename.
    pub fn learn(&mut self) {
        let added = self.merges.learn(self.endpoints.keys().map(String::as_str), self.cfg.min_siblings);
        if added == 0 {
            return;
        }
        self.merges_learned += added;
        let renames: Vec<(String, String)> =
            self.endpoints.keys().filter_map(|k| self.merges.rename(k).map(|n| (k.clone(), n))).collect();
        for (old, new) in renames {
            if let Some(e) = self.endpoints.remove(&old) {
                let target = self.endpoints.entry(new).or_default();
                self.streams -= usize::from(target.stream.is_some() && e.stream.is_some());
                merge(target, e, &mut self.histogram_budget);
            }
        }
    }
}

/// A response a shared cache could have served: a successful GET or HEAD.
fn cacheable(r: &Record) -> bool {
    matches!(r.method, "GET" | "HEAD") && matches!(r.status, 200 | 203 | 301 | 404 | 410) && !r.private()
}

fn add(e: &mut Endpoint, r: &Record, budget: &mut usize) {
    e.requests += 1;
    e.bytes += r.bytes;
    *e.status.entry(r.status).or_default() += 1;
    match r.status {
        500..=599 => e.server_errors += 1,
        400..=499 => e.client_errors += 1,
        _ => {}
    }
    if let Some(us) = r.latency_us() {
        e.latency.record(us, budget);
    }
    if r.set_cookie.is_some() || r.authorized.is_some() || !r.user.is_empty() {
        e.privacy_known += 1;
    }
    if r.private() {
        e.private += 1;
    }
}

fn merge(into: &mut Endpoint, e: Endpoint, budget: &mut usize) {
    into.requests += e.requests;
    into.server_errors += e.server_errors;
    into.client_errors += e.client_errors;
    into.bytes += e.bytes;
    into.private += e.private;
    into.privacy_known += e.privacy_known;
    for (s, n) in e.status {
        *into.status.entry(s).or_default() += n;
    }
    into.latency.absorb(e.latency, budget);
    match (&mut into.stream, e.stream) {
        (Some(t), Some(s)) => t.absorb(*s),
        (t @ None, s) => *t = s,
        (Some(_), None) => {}
    }
}

/// One request of a cache stream: seconds from the first record seen (`base`), shifted so
/// that earlier records (files given newest first, `access.log access.log.1`) stay
/// ordered; streams are sorted by time before simulation.
fn access(r: &Record, base: i64) -> Access {
    let t = r.time_s.map_or(TIME_SHIFT, |t| (t - base + TIME_SHIFT).clamp(0, i64::from(u32::MAX))) as u32;
    Access { key: key_hash(r.target.as_bytes()), t, size: r.bytes.min(u64::from(u32::MAX)) as u32 }
}
