//! A complete trace as a tree of classified spans, ready for the detectors.
//!
//! Children are ordered by start time. Each node knows its *entry*: the nearest ancestor
//! (or itself) where a service started handling work — a server or consumer span, or a
//! root/orphan — whose name is the endpoint findings and measurements are grouped by.
//! Broken input (missing parents, duplicate ids, parent cycles) yields a forest, never a
//! loop or a panic.

use crate::assemble::KeyMap;
use crate::classify::{Category, Class, Classifier};
use crate::span::{unnamed, Span, SpanKind, TraceId};
use perfhound_model::TargetKind;
use perfhound_sql::template_path;
use std::sync::Arc;

/// One span with its classification and tree links.
#[derive(Debug)]
pub struct Node {
    pub span: Span,
    pub class: Class,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// Index of this node's entry node.
    pub entry: usize,
    /// Endpoint name of the entry, e.g. `GET /users/{id}`.
    pub endpoint: Arc<str>,
}

#[derive(Debug)]
pub struct Trace {
    pub id: TraceId,
    /// Sorted by start time.
    pub nodes: Vec<Node>,
}

impl Trace {
    /// Builds the tree of `spans` (all of one trace).
    pub fn build(spans: Vec<Span>, cls: &mut Classifier) -> Trace {
        Trace::build_in(spans, cls, Vec::new())
    }

    /// [`Trace::build`] into `nodes` (cleared first): a caller building trace after trace
    /// hands back the previous trace's vector instead of allocating a new one each time.
    pub fn build_in(mut spans: Vec<Span>, cls: &mut Classifier, mut nodes: Vec<Node>) -> Trace {
        nodes.clear();
        spans.sort_by_key(|s| (s.start_ns, std::cmp::Reverse(s.end_ns)));
        let id = spans.first().map(|s| s.trace_id).unwrap_or_default();
        // Exporters retry: a span id seen twice is the same span sent twice.
        let mut index: KeyMap<usize> = KeyMap::with_capacity_and_hasher(spans.len(), Default::default());
        let mut kept = 0;
        spans.retain(|s| {
            let fresh = !index.contains_key(&s.span_id);
            if fresh {
                index.insert(s.span_id, kept);
                kept += 1;
            }
            fresh
        });
        nodes.extend(spans.into_iter().map(|span| Node {
            class: cls.classify(&span),
            span,
            parent: None,
            children: Vec::new(),
            entry: 0,
            endpoint: unnamed(),
        }));
        for i in 0..nodes.len() {
            let p = nodes[i].span.parent_id;
            if p != 0 {
                if let Some(&pi) = index.get(&p).filter(|&&pi| pi != i) {
                    nodes[i].parent = Some(pi);
                    nodes[pi].children.push(i);
                }
            }
        }
        demote_nested_calls(&mut nodes);
        assign_entries(&mut nodes);
        Trace { id, nodes }
    }

    /// Indices of entry nodes (one per service request handled in this trace).
    pub fn entries(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.nodes.len()).filter(|&i| self.nodes[i].entry == i)
    }

    /// Nodes under `entry` that belong to it (not to a deeper entry), in start order.
    pub fn owned_by(&self, entry: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.nodes.len()).filter(move |&i| self.nodes[i].entry == entry && i != entry)
    }

    /// What the work an entry node starts is, for the run's targets: the service's own
    /// endpoint (a root server/consumer span, or an entry nested in the same service), a
    /// downstream service's endpoint (an entry whose caller is another service), or
    /// background work (a root that is not a server/consumer span: a job, a worker thread
    /// whose trace context was lost).
    pub fn entry_kind(&self, entry: usize) -> TargetKind {
        let n = &self.nodes[entry];
        match n.parent {
            Some(p) if self.nodes[p].span.service != n.span.service => TargetKind::Downstream,
            Some(_) => TargetKind::Endpoint,
            None if is_service_root(n) => TargetKind::Endpoint,
            None => TargetKind::Background,
        }
    }

    /// Names every root entry (a request with no parent in this trace) and the nodes it
    /// owns `name`.
    pub fn rename_root_entries(&mut self, name: &Arc<str>) {
        for i in 0..self.nodes.len() {
            let entry = self.nodes[i].entry;
            if self.nodes[entry].parent.is_none() {
                self.nodes[i].endpoint = Arc::clone(name);
            }
        }
    }

    /// Duration of the trace: first start to last end, in microseconds.
    pub fn duration_us(&self) -> u64 {
        let start = self.nodes.iter().map(|n| n.span.start_ns).min().unwrap_or(0);
        let end = self.nodes.iter().map(|n| n.span.end_ns).max().unwrap_or(0);
        end.saturating_sub(start) / 1_000
    }
}

/// Two instrumentations of one call (an ORM span around a driver span, `requests` around
/// `urllib3`) nest a call inside a call of the same kind: only the outer one is the call,
/// the inner one becomes internal so nothing is counted twice.
fn demote_nested_calls(nodes: &mut [Node]) {
    for i in 0..nodes.len() {
        let Some(p) = nodes[i].parent else { continue };
        let cat = nodes[i].class.category;
        if cat.is_io() && nodes[p].class.category == cat {
            nodes[i].class.category = Category::Internal;
        }
    }
}

fn is_entry(n: &Node) -> bool {
    n.parent.is_none() || n.class.category == Category::Entry
}

/// Walks the forest from its roots, giving every node its entry; nodes caught in parent
/// cycles are cut loose and become roots.
fn assign_entries(nodes: &mut [Node]) {
    let mut visited = vec![false; nodes.len()];
    let mut stack: Vec<usize> = Vec::new();
    let mut names: Vec<Option<Arc<str>>> = vec![None; nodes.len()];
    let mut start = 0;
    loop {
        while start < nodes.len() && (visited[start] || nodes[start].parent.is_some()) {
            start += 1;
        }
        let root = if start < nodes.len() {
            start
        } else if let Some(orphan) = (0..nodes.len()).find(|&i| !visited[i]) {
            // Part of a cycle: detach it from its parent.
            if let Some(p) = nodes[orphan].parent.take() {
                nodes[p].children.retain(|&c| c != orphan);
            }
            orphan
        } else {
            return;
        };
        stack.push(root);
        while let Some(i) = stack.pop() {
            visited[i] = true;
            let entry = if is_entry(&nodes[i]) { i } else { nodes[nodes[i].parent.unwrap_or(i)].entry };
            nodes[i].entry = entry;
            let name = Arc::clone(names[entry].get_or_insert_with(|| entry_name(&nodes[entry])));
            nodes[i].endpoint = name;
            for k in 0..nodes[i].children.len() {
                let c = nodes[i].children[k];
                if !visited[c] {
                    stack.push(c);
                }
            }
        }
    }
}

/// A root span where the service itself starts handling work.
fn is_service_root(n: &Node) -> bool {
    n.span.kind.is_entry() || (n.span.kind == SpanKind::Unspecified && n.span.attrs.http_route.is_some())
}

/// The name an entry's work is grouped by. A root call (a worker thread's HTTP call or
/// query whose request context was lost) is named by what it calls — `GET
/// http://host/poll`, its SQL — so it never passes for one of the service's endpoints.
fn entry_name(n: &Node) -> Arc<str> {
    if n.parent.is_none() && !is_service_root(n) && n.class.category.is_io() {
        return Arc::clone(&n.class.label);
    }
    endpoint_name(&n.span)
}

/// `GET /users/{id}` from the route (or the templated path), else the span name. A route
/// always starts with `/`, as the request's path does.
pub fn endpoint_name(s: &Span) -> Arc<str> {
    let a = &s.attrs;
    if let Some(method) = a.http_method.as_deref() {
        let path = match (a.http_route.as_deref(), a.http_target.as_deref(), a.url.as_deref()) {
            // Django records its route without the leading slash (`api/orders/`).
            (Some(r), _, _) if !r.starts_with('/') => Some(format!("/{r}")),
            (Some(r), _, _) => Some(r.to_string()),
            (None, Some(t), _) => Some(template_path(t.split('?').next().unwrap_or(t))),
            (None, None, Some(u)) => Some(template_path(path_of(u))),
            _ => None,
        };
        if let Some(p) = path {
            return Arc::from(format!("{} {p}", method.to_ascii_uppercase()));
        }
    }
    Arc::from(&*s.name)
}

fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r.find('/').map_or("/", |i| &r[i..]));
    rest.split('?').next().unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::empty_span;

    fn span(id: u64, parent: u64, start: u64, kind: SpanKind) -> Span {
        let mut s = empty_span(Arc::from("svc"));
        s.span_id = id;
        s.parent_id = parent;
        s.start_ns = start;
        s.end_ns = start + 10;
        s.kind = kind;
        s.name = format!("op{id}").into();
        s
    }

    #[test]
    fn entries_and_endpoints() {
        let mut root = span(1, 0, 0, SpanKind::Server);
        root.attrs.http_method = Some("get".into());
        root.attrs.http_target = Some("/users/42?x=1".into());
        let spans = vec![
            span(3, 2, 3, SpanKind::Server),
            root,
            span(2, 1, 1, SpanKind::Client),
            span(4, 3, 4, SpanKind::Internal),
        ];
        let t = Trace::build(spans, &mut Classifier::default());
        assert_eq!(t.nodes[0].span.span_id, 1);
        assert_eq!(&*t.nodes[1].endpoint, "GET /users/{id}");
        assert_eq!(t.entries().count(), 2);
        assert_eq!(&*t.nodes[3].endpoint, "op3");
        assert_eq!(t.owned_by(0).count(), 1);
    }

    #[test]
    fn a_route_without_its_leading_slash_gets_one() {
        let mut s = span(1, 0, 0, SpanKind::Server);
        s.attrs.http_method = Some("GET".into());
        for (route, name) in [("api/orders/", "GET /api/orders/"), ("", "GET /"), ("/users/:id", "GET /users/:id")] {
            s.attrs.http_route = Some(route.into());
            assert_eq!(&*endpoint_name(&s), name);
        }
    }

    #[test]
    fn entry_kinds() {
        let mut downstream = span(3, 2, 2, SpanKind::Server);
        downstream.service = Arc::from("users");
        let mut orphan_call = span(4, 0, 5, SpanKind::Client);
        orphan_call.attrs.http_method = Some("GET".into());
        orphan_call.attrs.url = Some("http://queue:9000/poll".into());
        let spans = vec![
            span(1, 0, 0, SpanKind::Server),
            span(2, 1, 1, SpanKind::Client),
            downstream,
            orphan_call,
            span(5, 1, 6, SpanKind::Consumer),
        ];
        let t = Trace::build(spans, &mut Classifier::default());
        let kind_of = |id: u64| t.entry_kind(t.nodes.iter().position(|n| n.span.span_id == id).unwrap());
        assert_eq!(kind_of(1), TargetKind::Endpoint);
        assert_eq!(kind_of(3), TargetKind::Downstream, "server span called by another service");
        assert_eq!(kind_of(4), TargetKind::Background, "root client span from a worker thread");
        let orphan = t.nodes.iter().find(|n| n.span.span_id == 4).unwrap();
        assert_eq!(&*orphan.endpoint, &*orphan.class.label, "named by what it calls, not as an endpoint");
        assert!(orphan.endpoint.contains("queue:9000"), "{}", orphan.endpoint);
        assert_eq!(kind_of(5), TargetKind::Endpoint, "entry nested in the same service");
    }

    #[test]
    fn nested_instrumentation_counts_once() {
        let mut outer = span(2, 1, 1, SpanKind::Client);
        outer.attrs.db_statement = Some("SELECT * FROM t WHERE id = 1".into());
        let mut inner = span(3, 2, 2, SpanKind::Client);
        inner.attrs.db_statement = Some("SELECT * FROM t WHERE id = 1".into());
        let t = Trace::build(vec![span(1, 0, 0, SpanKind::Server), outer, inner], &mut Classifier::default());
        assert_eq!(t.nodes[1].class.category, Category::Db);
        assert_eq!(t.nodes[2].class.category, Category::Internal);
    }

    #[test]
    fn duplicate_spans_are_dropped() {
        let spans =
            vec![span(1, 0, 0, SpanKind::Server), span(2, 1, 1, SpanKind::Client), span(2, 1, 1, SpanKind::Client)];
        let t = Trace::build(spans, &mut Classifier::default());
        assert_eq!(t.nodes.len(), 2);
        assert_eq!(t.nodes[0].children, vec![1]);
    }

    #[test]
    fn cycles_and_orphans_do_not_loop() {
        let spans = vec![
            span(1, 2, 0, SpanKind::Internal),
            span(2, 1, 1, SpanKind::Internal),
            span(3, 99, 2, SpanKind::Internal),
        ];
        let t = Trace::build(spans, &mut Classifier::default());
        assert_eq!(t.nodes.len(), 3);
        assert!(t.entries().count() >= 2);
    }
}
