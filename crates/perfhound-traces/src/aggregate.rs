//! Occurrences grouped across traces into findings, ranked by impact.
//!
//! A group is one rule × one key (query shape, URL template, pattern, endpoint) — × one
//! endpoint for rules whose fix is in each endpoint's code ([`Detector::per_endpoint`]). It keeps
//! counts, times, affected endpoints and a few example trace ids — never the spans — so
//! memory grows with the number of distinct problems, not with the number of traces.

use crate::config::Config;
use crate::describe;
use crate::detect::{self, Detector, Occurrence};
use crate::measure::Measure;
use perfhound_model::finding::fingerprint;
use perfhound_model::Rule;
use std::collections::HashMap;
use std::sync::Arc;

/// Distinct groups kept; further ones are counted in `dropped`.
pub const MAX_GROUPS: usize = 20_000;

/// Everything known about one problem across traces.
#[derive(Clone)]
pub struct Group {
    pub rule: &'static Rule,
    /// The rule's detector, which describes and judges the group.
    pub detector: &'static dyn Detector,
    pub key: Arc<str>,
    pub occurrences: u64,
    /// Distinct traces (occurrences in one trace are adjacent, so counting changes works).
    pub traces: u64,
    last_trace: Option<crate::span::TraceId>,
    /// Affected endpoints with occurrence counts, most frequent first when reported.
    pub endpoints: Vec<(Arc<str>, u64)>,
    pub services: Vec<Arc<str>>,
    pub calls: u64,
    pub max_calls: u64,
    pub total_us: u64,
    pub max_total_us: u64,
    pub saved_us: u64,
    pub bytes: u64,
    pub max_bytes: u64,
    pub examples: Vec<String>,
    pub example_spans: Vec<String>,
    pub location: Option<String>,
    pub strong: u64,
    pub weak: u64,
    pub note: Option<String>,
    pub tables: Arc<[String]>,
    /// Summed durations of the requests the occurrences happened in.
    pub request_us: u64,
    /// Summed projections at the round trip (see [`Occurrence::projected_total_us`]);
    /// for occurrences without one, their measured values.
    pub projected_total_us: u64,
    pub projected_saved_us: u64,
    /// Some occurrence was projected at the round trip.
    pub projected: bool,
    /// Every occurrence repeated a statement whose parameters were not recorded.
    pub params_unknown: bool,
    /// Some occurrence's repeats ran concurrently.
    pub concurrent: bool,
}

impl Group {
    fn new(o: &Occurrence, detector: &'static dyn Detector) -> Group {
        Group {
            rule: o.rule,
            detector,
            key: Arc::clone(&o.key),
            occurrences: 0,
            traces: 0,
            last_trace: None,
            endpoints: Vec::new(),
            services: Vec::new(),
            calls: 0,
            max_calls: 0,
            total_us: 0,
            max_total_us: 0,
            saved_us: 0,
            bytes: 0,
            max_bytes: 0,
            examples: Vec::new(),
            example_spans: Vec::new(),
            location: None,
            strong: 0,
            weak: 0,
            note: None,
            tables: Arc::clone(&o.tables),
            request_us: 0,
            projected_total_us: 0,
            projected_saved_us: 0,
            projected: false,
            params_unknown: true,
            concurrent: false,
        }
    }

    fn add(&mut self, o: &Occurrence, max_examples: usize) {
        self.occurrences += 1;
        if self.last_trace != Some(o.trace_id) {
            self.traces += 1;
            self.last_trace = Some(o.trace_id);
            if self.examples.len() < max_examples {
                self.examples.push(o.trace_id.to_string());
                if let Some(s) = o.spans.first() {
                    self.example_spans.push(crate::span::span_id_hex(*s));
                }
            }
        }
        match self.endpoints.iter().position(|(e, _)| *e == o.endpoint) {
            Some(i) => self.endpoints[i].1 += 1,
            None if self.endpoints.len() < 50 => self.endpoints.push((Arc::clone(&o.endpoint), 1)),
            None => {}
        }
        if !self.services.contains(&o.service) && self.services.len() < 20 {
            self.services.push(Arc::clone(&o.service));
        }
        self.calls += o.calls;
        self.max_calls = self.max_calls.max(o.calls);
        self.total_us += o.total_us;
        self.max_total_us = self.max_total_us.max(o.total_us);
        self.saved_us += o.saved_us;
        self.bytes += o.bytes;
        self.max_bytes = self.max_bytes.max(o.bytes);
        if self.location.is_none() {
            self.location.clone_from(&o.location);
        }
        if self.note.is_none() {
            self.note.clone_from(&o.note);
        }
        self.request_us += o.request_us;
        let projected = o.projected_total_us > 0;
        self.projected |= projected;
        self.projected_total_us += if projected { o.projected_total_us } else { o.total_us };
        self.projected_saved_us += if projected { o.projected_saved_us } else { o.saved_us };
        self.params_unknown &= o.params_unknown;
        self.concurrent |= o.concurrent;
        if o.weak {
            self.weak += 1;
        } else {
            self.strong += 1;
        }
    }

    /// The endpoint with the most occurrences.
    pub fn primary_endpoint(&self) -> &str {
        self.endpoints.iter().max_by_key(|(_, n)| *n).map_or("", |(e, _)| e)
    }

    /// Stable across runs and shards: rule, service and key (and endpoint, for a rule
    /// whose groups are per endpoint).
    pub fn fingerprint(&self) -> String {
        let service = self.services.first().map_or("", |s| s);
        if self.detector.per_endpoint() {
            fingerprint(&[self.rule.code, service, &self.key, self.primary_endpoint()])
        } else {
            fingerprint(&[self.rule.code, service, &self.key])
        }
    }
}

/// Rule code, key, and the endpoint for a rule grouped per endpoint.
type GroupKey = (&'static str, Arc<str>, Option<Arc<str>>);

/// All groups.
#[derive(Default)]
pub struct Aggregator {
    index: HashMap<GroupKey, usize>,
    pub groups: Vec<Group>,
    announced: Vec<bool>,
    pub dropped: u64,
}

impl Aggregator {
    pub fn add(&mut self, o: &Occurrence, max_examples: usize) {
        let Some(detector) = detect::owner(o.rule) else {
            debug_assert!(false, "{} has no registered detector", o.rule.code);
            self.dropped += 1;
            return;
        };
        let endpoint = detector.per_endpoint().then(|| Arc::clone(&o.endpoint));
        let key = (o.rule.code, Arc::clone(&o.key), endpoint);
        let idx = match self.index.get(&key) {
            Some(&i) => i,
            None if self.groups.len() >= MAX_GROUPS => {
                self.dropped += 1;
                return;
            }
            None => {
                self.groups.push(Group::new(o, detector));
                self.announced.push(false);
                self.index.insert(key, self.groups.len() - 1);
                self.groups.len() - 1
            }
        };
        self.groups[idx].add(o, max_examples);
    }

    /// A group is reported when one occurrence is strong, or weak ones recur in enough
    /// requests, and in a large enough share of their endpoint's requests (the rule's
    /// [`detect::Detector::recurrence`]) — and the rule still finds it relevant in the
    /// light of everything measured ([`detect::Detector::relevant`]).
    pub fn reportable(&self, g: &Group, m: &Measure, cfg: &Config) -> bool {
        let rule = g.detector;
        let recurs = g.strong > 0 || {
            let r = rule.recurrence(cfg);
            let requests = m.requests_of(g.primary_endpoint()).max(1);
            g.traces >= r.min_requests && g.traces as f64 / requests as f64 >= r.min_share
        };
        recurs && rule.relevant(g, &detect::Context { endpoint: g.primary_endpoint(), measure: m, cfg })
    }

    /// Reportable groups ranked by impact: time saved, then bytes, then occurrences.
    pub fn ranked(&self, m: &Measure, cfg: &Config) -> Vec<&Group> {
        let mut out: Vec<&Group> = self.groups.iter().filter(|g| self.reportable(g, m, cfg)).collect();
        out.sort_by(|a, b| {
            b.saved_us
                .cmp(&a.saved_us)
                .then(b.bytes.cmp(&a.bytes))
                .then(b.occurrences.cmp(&a.occurrences))
                .then(a.key.cmp(&b.key))
        });
        out
    }

    /// Groups that became reportable since the last call (for the live receiver).
    pub fn take_new(&mut self, m: &Measure, cfg: &Config) -> Vec<perfhound_model::Finding> {
        let mut out = Vec::new();
        for i in 0..self.groups.len() {
            if !self.announced[i] && self.reportable(&self.groups[i], m, cfg) {
                self.announced[i] = true;
                out.push(describe::finding(&self.groups[i], m, cfg));
            }
        }
        out
    }
}
