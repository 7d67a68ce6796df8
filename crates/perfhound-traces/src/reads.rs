//! [`Reads`]: every execution of a repeatable read across all traces — a SQL read with
//! known parameters, a GET of a URL (what [`redundant_call::candidate`] accepts) — by
//! template, with its start, latency and response size, in bounded memory.
//!
//! The redundant-call rule sees a read repeated *within* one request; these streams show
//! it repeated *across* requests, which is what a shared cache would serve. The engine
//! only collects: the cache simulation runs in `perfhound-logs` and the layer above
//! (`perfhound-audit`) turns the streams into findings.
//!
//! [`redundant_call::candidate`]: crate::detect::redundant_call::candidate

use crate::assemble::KeyMap;
use crate::classify::Category;
use crate::detect::redundant_call::candidate;
use crate::trace::{Node, Trace};
use perfhound_sql::lexer::fnv1a;
use std::sync::Arc;

/// Read templates tracked; reads of later templates are counted in `dropped_templates`.
pub const MAX_TEMPLATES: usize = 64;
/// Reads kept per template (24 bytes each); later ones are counted, not kept.
pub const MAX_READS: usize = 16_384;
/// Calling endpoints kept per template.
const MAX_CALLERS: usize = 8;

/// One execution of a read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Read {
    /// Identity of the statement *and* its parameters (or of the URL): equal keys return
    /// the same data.
    pub key: u64,
    pub start_ns: u64,
    pub us: u32,
    /// Response bytes when the span records them, else 0.
    pub size: u32,
}

/// The executions of one read template (`SELECT … WHERE id = ?`, `GET http://host/x/{id}`).
#[derive(Clone, Debug, PartialEq)]
pub struct ReadStream {
    pub label: Arc<str>,
    pub category: Category,
    /// In arrival order (traces complete out of order: sort by `start_ns` before replay).
    pub reads: Vec<Read>,
    /// Executions seen (more than `reads.len()` once [`MAX_READS`] is reached).
    pub seen: u64,
    /// Executions serving a request with credentials or a response that set a cookie.
    pub private: u64,
    /// Endpoints issuing the read, with their counts (the first [`MAX_CALLERS`]).
    pub callers: Vec<(Arc<str>, u64)>,
}

impl ReadStream {
    /// The endpoint issuing most of the reads.
    pub fn main_caller(&self) -> Option<&Arc<str>> {
        self.callers.iter().max_by_key(|(_, n)| *n).map(|(e, _)| e)
    }
}

/// Every repeatable read of the traces so far, by template key.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reads {
    pub streams: KeyMap<ReadStream>,
    pub dropped_templates: u64,
}

impl Reads {
    pub fn observe(&mut self, t: &Trace) {
        for n in &t.nodes {
            if candidate(n) && !n.span.error {
                self.add(n, private(t, n));
            }
        }
    }

    fn add(&mut self, n: &Node, private: bool) {
        let c = &n.class;
        if !self.streams.contains_key(&c.key) && self.streams.len() >= MAX_TEMPLATES {
            self.dropped_templates += 1;
            return;
        }
        let s = self.streams.entry(c.key).or_insert_with(|| ReadStream {
            label: Arc::clone(&c.label),
            category: c.category,
            reads: Vec::new(),
            seen: 0,
            private: 0,
            callers: Vec::new(),
        });
        s.seen += 1;
        s.private += u64::from(private);
        if s.reads.len() < MAX_READS {
            let size = n.span.attrs.response_size.unwrap_or(0);
            s.reads.push(Read {
                key: fnv1a(c.key, &c.params.to_le_bytes()),
                start_ns: n.span.start_ns,
                us: u32::try_from(n.span.duration_us()).unwrap_or(u32::MAX),
                size: u32::try_from(size).unwrap_or(u32::MAX),
            });
        }
        match s.callers.iter().position(|(e, _)| *e == n.endpoint) {
            Some(i) => s.callers[i].1 += 1,
            None if s.callers.len() < MAX_CALLERS => s.callers.push((Arc::clone(&n.endpoint), 1)),
            None => {}
        }
    }
}

/// Whether the read serves a per-user request: the read itself or any request above it
/// (its entry, that entry's caller's entry, … up to the root) carried credentials or set
/// a cookie.
fn private(t: &Trace, n: &Node) -> bool {
    if n.span.attrs.private {
        return true;
    }
    let mut i = n.entry;
    for _ in 0..t.nodes.len() {
        if t.nodes[i].span.attrs.private {
            return true;
        }
        match t.nodes[i].parent {
            Some(p) if t.nodes[p].entry != i => i = t.nodes[p].entry,
            _ => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Classifier;
    use crate::span::{empty_span, SpanKind, TraceId};

    fn span(id: u64, parent: u64, kind: SpanKind, start_ms: u64, ms: u64) -> crate::span::Span {
        let mut s = empty_span(Arc::from("shop"));
        s.trace_id = TraceId([1; 16]);
        (s.span_id, s.parent_id, s.kind) = (id, parent, kind);
        (s.start_ns, s.end_ns) = (start_ms * 1_000_000, (start_ms + ms) * 1_000_000);
        s
    }

    fn request(private: bool, product: u32) -> Trace {
        let mut root = span(1, 0, SpanKind::Server, 0, 40);
        root.name = "GET /products/{id}".into();
        root.attrs.http_method = Some("GET".into());
        root.attrs.http_route = Some("/products/{id}".into());
        root.attrs.private = private;
        let mut q = span(2, 1, SpanKind::Client, 1, 30);
        q.attrs.db_system = Some("postgresql".into());
        q.attrs.db_statement = Some(format!("SELECT * FROM products WHERE id = {product}").into());
        let mut write = span(3, 1, SpanKind::Client, 32, 2);
        write.attrs.db_system = Some("postgresql".into());
        write.attrs.db_statement = Some(format!("UPDATE products SET views = views + 1 WHERE id = {product}").into());
        Trace::build(vec![root, q, write], &mut Classifier::default())
    }

    #[test]
    fn reads_across_requests_by_template_with_privacy() {
        let mut r = Reads::default();
        for i in 0..10 {
            r.observe(&request(i == 0, i % 3));
        }
        assert_eq!(r.streams.len(), 1, "the write is not a read: {:?}", r.streams);
        let s = r.streams.values().next().unwrap();
        assert!(s.label.starts_with("SELECT"), "{}", s.label);
        assert_eq!((s.seen, s.reads.len(), s.private), (10, 10, 1));
        let keys: std::collections::HashSet<u64> = s.reads.iter().map(|r| r.key).collect();
        assert_eq!(keys.len(), 3, "one key per parameter value");
        assert_eq!((s.reads[0].us, s.reads[0].size), (30_000, 0));
        assert_eq!(s.main_caller().map(|e| e.as_ref()), Some("GET /products/{id}"));
    }
}
