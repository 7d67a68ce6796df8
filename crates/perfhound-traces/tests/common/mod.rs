//! A tiny trace builder for tests: spans with realistic attributes, times in milliseconds.

#![allow(dead_code)]

use perfhound_traces::span::{empty_span, Attrs, Span, SpanKind, TraceId};
use std::sync::Arc;

pub struct TraceBuilder {
    pub spans: Vec<Span>,
    trace: TraceId,
    next: u64,
    service: Arc<str>,
}

fn ns(ms: f64) -> u64 {
    (ms * 1_000_000.0) as u64 + 1_700_000_000_000_000_000
}

impl TraceBuilder {
    pub fn new(seed: u8) -> Self {
        let mut id = [seed; 16];
        id[0] = 0xab;
        TraceBuilder { spans: Vec::new(), trace: TraceId(id), next: 1, service: Arc::from("shop") }
    }

    pub fn span(
        &mut self,
        parent: u64,
        name: &str,
        kind: SpanKind,
        start_ms: f64,
        dur_ms: f64,
        f: impl FnOnce(&mut Attrs),
    ) -> u64 {
        let id = self.next;
        self.next += 1;
        let mut s = empty_span(Arc::clone(&self.service));
        s.trace_id = self.trace;
        s.span_id = id;
        s.parent_id = parent;
        s.name = name.into();
        s.kind = kind;
        s.start_ns = ns(start_ms);
        s.end_ns = ns(start_ms + dur_ms);
        f(&mut s.attrs);
        self.spans.push(s);
        id
    }

    /// An HTTP server span (the request).
    pub fn server(&mut self, route: &str, dur_ms: f64) -> u64 {
        let (method, path) = route.split_once(' ').unwrap_or(("GET", route));
        let (m, p) = (method.to_string(), path.to_string());
        self.span(0, route, SpanKind::Server, 0.0, dur_ms, |a| {
            a.http_method = Some(m.into());
            a.http_route = Some(p.into());
            a.status_code = Some(200);
        })
    }

    pub fn internal(&mut self, parent: u64, name: &str, start_ms: f64, dur_ms: f64) -> u64 {
        self.span(parent, name, SpanKind::Internal, start_ms, dur_ms, |_| {})
    }

    pub fn db(&mut self, parent: u64, sql: &str, start_ms: f64, dur_ms: f64) -> u64 {
        let sql = sql.to_string();
        let name = sql.split_whitespace().next().unwrap_or("query").to_string();
        self.span(parent, &name, SpanKind::Client, start_ms, dur_ms, |a| {
            a.db_system = Some("postgresql".into());
            a.db_statement = Some(sql.into());
        })
    }

    pub fn redis(&mut self, parent: u64, cmd: &str, start_ms: f64, dur_ms: f64) -> u64 {
        let cmd = cmd.to_string();
        self.span(parent, "redis", SpanKind::Client, start_ms, dur_ms, |a| {
            a.db_system = Some("redis".into());
            a.db_statement = Some(cmd.into());
        })
    }

    pub fn http(&mut self, parent: u64, method: &str, url: &str, start_ms: f64, dur_ms: f64) -> u64 {
        let (m, u) = (method.to_string(), url.to_string());
        self.span(parent, method, SpanKind::Client, start_ms, dur_ms, |a| {
            a.http_method = Some(m.into());
            a.url = Some(u.into());
            a.status_code = Some(200);
        })
    }

    /// `n` calls made by `f(i, start)` one after another, each `dur` long, from `start`.
    pub fn serial(&mut self, n: usize, start: f64, dur: f64, gap: f64, mut f: impl FnMut(&mut Self, usize, f64)) {
        for i in 0..n {
            f(self, i, start + i as f64 * (dur + gap));
        }
    }
}
