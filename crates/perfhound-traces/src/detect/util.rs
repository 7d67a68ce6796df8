//! Small building blocks the detectors share: grouping siblings, measuring how sequential
//! a set of spans is, and filling an [`Occurrence`] from the spans involved.

use super::Occurrence;
use crate::trace::Trace;
use perfhound_model::Rule;
use std::sync::Arc;

/// Milliseconds (config) to microseconds (spans).
pub fn us(ms: f64) -> u64 {
    if ms.is_finite() && ms > 0.0 {
        (ms * 1000.0) as u64
    } else {
        0
    }
}

/// Sum of durations in µs.
pub fn total_us(t: &Trace, idx: &[usize]) -> u64 {
    idx.iter().map(|&i| t.nodes[i].span.duration_us()).sum()
}

pub fn max_us(t: &Trace, idx: &[usize]) -> u64 {
    idx.iter().map(|&i| t.nodes[i].span.duration_us()).max().unwrap_or(0)
}

/// Groups `idx` by classification key, in order of first appearance.
pub fn group_by_key(t: &Trace, idx: impl IntoIterator<Item = usize>) -> Vec<Vec<usize>> {
    let mut keys: Vec<u64> = Vec::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in idx {
        let k = t.nodes[i].class.key;
        match keys.iter().position(|&x| x == k) {
            Some(g) => groups[g].push(i),
            None => {
                keys.push(k);
                groups.push(vec![i]);
            }
        }
    }
    groups
}

/// Overlap tolerated between "sequential" spans: clocks of one process can disagree by a
/// few microseconds, and some instrumentations end a span just after the next one starts.
const OVERLAP_TOLERANCE_NS: u64 = 200_000;

/// Largest number of spans in `idx` that ran strictly one after another (greedy by end time).
pub fn sequential_count(t: &Trace, idx: &[usize]) -> usize {
    let mut by_end: Vec<(u64, u64)> = idx.iter().map(|&i| (t.nodes[i].span.end_ns, t.nodes[i].span.start_ns)).collect();
    by_end.sort_unstable();
    let mut last_end = 0u64;
    let mut n = 0;
    for (end, start) in by_end {
        if n == 0 || start.saturating_add(OVERLAP_TOLERANCE_NS) >= last_end {
            n += 1;
            last_end = end;
        }
    }
    n
}

/// True when span `b` starts after span `a` ends (within the tolerance).
pub fn follows(t: &Trace, a: usize, b: usize) -> bool {
    t.nodes[b].span.start_ns.saturating_add(OVERLAP_TOLERANCE_NS) >= t.nodes[a].span.end_ns
}

/// Largest number of spans of `idx` running at the same instant.
pub fn max_concurrency(t: &Trace, idx: &[usize]) -> usize {
    let mut edges: Vec<(u64, i32)> = Vec::with_capacity(idx.len() * 2);
    for &i in idx {
        let s = &t.nodes[i].span;
        edges.push((s.start_ns.saturating_add(OVERLAP_TOLERANCE_NS.min(s.duration_ns() / 2)), 1));
        edges.push((s.end_ns, -1));
    }
    edges.sort_unstable();
    let (mut cur, mut max) = (0i32, 0i32);
    for (_, d) in edges {
        cur += d;
        max = max.max(cur);
    }
    max.max(0) as usize
}

/// `file:line (function)` of the first span (or its parent) that has one.
pub fn location(t: &Trace, idx: &[usize]) -> Option<String> {
    idx.iter().find_map(|&i| {
        let n = &t.nodes[i];
        n.span.location().or_else(|| n.parent.and_then(|p| t.nodes[p].span.location()))
    })
}

/// An occurrence about the spans `idx` (the first one names key, endpoint and service).
pub fn occurrence(rule: &'static Rule, t: &Trace, idx: &[usize], key: Arc<str>) -> Occurrence {
    let first = &t.nodes[idx[0]];
    Occurrence {
        rule,
        key,
        endpoint: Arc::clone(&first.endpoint),
        service: Arc::clone(&first.span.service),
        trace_id: t.id,
        spans: idx.iter().take(3).map(|&i| t.nodes[i].span.span_id).collect(),
        calls: idx.len() as u64,
        total_us: total_us(t, idx),
        saved_us: 0,
        bytes: 0,
        location: location(t, idx),
        weak: false,
        note: None,
        tables: Arc::clone(&first.class.tables),
        request_us: t.nodes[first.entry].span.duration_us(),
        projected_total_us: 0,
        projected_saved_us: 0,
        params_unknown: false,
        concurrent: false,
    }
}

/// Wall-clock time covered by the spans `idx` (overlaps counted once), in µs.
pub fn union_us(t: &Trace, idx: &[usize]) -> u64 {
    let mut iv: Vec<(u64, u64)> = idx.iter().map(|&i| (t.nodes[i].span.start_ns, t.nodes[i].span.end_ns)).collect();
    iv.sort_unstable();
    let (mut total, mut cur) = (0u64, None::<(u64, u64)>);
    for (s, e) in iv {
        cur = match cur {
            Some((cs, ce)) if s <= ce => Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                total += ce.saturating_sub(cs);
                Some((s, e))
            }
            None => Some((s, e)),
        };
    }
    total += cur.map_or(0, |(s, e)| e.saturating_sub(s));
    total / 1_000
}

/// An occurrence for a group of repeats (one per item): the saving is what one batched
/// call would save — the repeats' wall-clock time minus the longest one — whether they
/// ran one after another or concurrently (then they are still N round trips). Repeats
/// faster than a network round trip are projected at `cfg.rtt_ms`.
pub fn repeats_occurrence(rule: &'static Rule, t: &Trace, g: &[usize], cfg: &crate::config::Config) -> Occurrence {
    let mut o = occurrence(rule, t, g, Arc::clone(&t.nodes[g[0]].class.label));
    let wall = union_us(t, g).min(o.total_us);
    o.saved_us = wall.saturating_sub(max_us(t, g));
    o.concurrent = sequential_count(t, g) * 5 < g.len() * 4;
    o.params_unknown = g.iter().all(|&i| t.nodes[i].class.params == 0);
    project_rtt(&mut o, t, g, cfg.rtt_ms);
    o
}

/// Databases that run inside the application's process: a call never crosses a network,
/// here or in production.
const EMBEDDED_DATABASES: &[&str] = &["sqlite", "duckdb"];

/// The call `i` goes to an embedded database (`db.system` = `sqlite`…).
pub fn is_embedded(t: &Trace, i: usize) -> bool {
    let system = t.nodes[i].span.attrs.db_system.as_deref().unwrap_or("");
    EMBEDDED_DATABASES.iter().any(|e| system.eq_ignore_ascii_case(e))
}

/// Projects the calls `calls` when they took less than a network round trip (a local
/// server) at `rtt_ms`: each pays one round trip more in production, and sequential ones
/// add them up. Calls to an embedded database (SQLite) are never projected: they pay no
/// round trip in production either.
pub fn project_rtt(o: &mut Occurrence, t: &Trace, calls: &[usize], rtt_ms: f64) {
    let (rtt, n) = (us(rtt_ms), o.calls);
    if rtt == 0 || n == 0 || o.concurrent || o.total_us / n >= rtt || calls.iter().any(|&i| is_embedded(t, i)) {
        return;
    }
    o.projected_total_us = o.total_us + n * rtt;
    o.projected_saved_us = o.saved_us + (n - 1) * rtt;
}

/// Parents with at least `min` children, for detectors that look at siblings.
pub fn parents_with(t: &Trace, min: usize) -> impl Iterator<Item = usize> + '_ {
    (0..t.nodes.len()).filter(move |&i| t.nodes[i].children.len() >= min)
}

/// N+1 groups under `parent`: unclaimed children accepted by `pred`, with one key,
/// repeated at least `min_repeats` times — one after another or concurrently —, taking
/// `min_total_ms` together, and not all with the very same known parameters (that is a
/// redundant call, not an N+1).
pub fn repeated_groups(
    t: &Trace,
    parent: usize,
    cfg: &crate::config::Repeats,
    claims: &super::Claims,
    pred: impl Fn(&crate::trace::Node) -> bool,
) -> Vec<Vec<usize>> {
    let min = cfg.min_repeats.max(2) as usize;
    let kids = t.nodes[parent].children.iter().copied().filter(|&i| !claims.is_claimed(i) && pred(&t.nodes[i]));
    group_by_key(t, kids)
        .into_iter()
        .filter(|g| g.len() >= min)
        .filter(|g| !same_parameters(t, g))
        .filter(|g| total_us(t, g) >= us(cfg.min_total_ms))
        .collect()
}

/// Every call's parameters are known and equal.
pub fn same_parameters(t: &Trace, idx: &[usize]) -> bool {
    let p0 = t.nodes[idx[0]].class.params;
    p0 != 0 && idx.iter().all(|&i| t.nodes[i].class.params == p0)
}

/// Runs of children of `parent` accepted by `accept` that executed strictly one after
/// another with gaps of at most `max_gap_us`, outside transactions, with no other work
/// between them. Overlapping (parallel) calls, claimed spans, other I/O, code that takes
/// longer than the gap and BEGIN … COMMIT blocks (one connection: cannot be parallelized)
/// break a run; unrelated spans (see [`unrelated`]) do not.
pub fn serial_runs(
    t: &Trace,
    parent: usize,
    claims: &super::Claims,
    max_gap_us: u64,
    accept: impl Fn(&crate::trace::Node) -> bool,
) -> Vec<Vec<usize>> {
    use crate::classify::Op;
    let mut runs = Vec::new();
    let (mut run, mut outer): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
    let mut in_tx = false;
    for &i in &t.nodes[parent].children {
        let n = &t.nodes[i];
        let call = effective_call(t, i, &accept).filter(|&c| !claims.is_claimed(c) && !claims.is_claimed(i));
        if call.is_none() && outer.last().is_some_and(|&last| unrelated(t, i, last, max_gap_us)) {
            continue;
        }
        let Some(call) = call.filter(|_| !in_tx) else {
            match n.class.op {
                Op::Begin => in_tx = true,
                Op::Commit | Op::Rollback => in_tx = false,
                _ => {}
            }
            runs.push(std::mem::take(&mut run));
            outer.clear();
            continue;
        };
        if let Some(&last) = outer.last() {
            let gap = n.span.start_ns.saturating_sub(t.nodes[last].span.end_ns) / 1_000;
            if !follows(t, last, i) || gap > max_gap_us {
                runs.push(std::mem::take(&mut run));
                outer.clear();
            }
        }
        run.push(call);
        outer.push(i);
    }
    runs.push(run);
    runs.retain(|r| r.len() >= 2);
    runs
}

/// A sibling that does not separate two calls of a run: a fetch of a static resource
/// (script, style sheet, image, font), or a span without I/O below it (logging, metrics,
/// a template fragment) that either ran while the previous call was in flight or took no
/// longer than the allowed gap.
fn unrelated(t: &Trace, i: usize, last_call: usize, max_gap_us: u64) -> bool {
    let n = &t.nodes[i];
    if n.class.category == crate::classify::Category::Http && is_static_resource(&n.class.label) {
        return true;
    }
    if n.class.category.is_io() || n.class.category == crate::classify::Category::Entry {
        return false;
    }
    if descendants(t, i).any(|d| t.nodes[d].class.category.is_io()) {
        return false;
    }
    n.span.start_ns < t.nodes[last_call].span.end_ns || n.span.duration_us() <= max_gap_us
}

/// `GET http://host/static/app.js?v=3` and the like: a file a browser or CDN serves.
pub fn is_static_resource(label: &str) -> bool {
    const EXT: &[&str] = &[
        ".js", ".mjs", ".css", ".map", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".ico", ".woff",
        ".woff2", ".ttf", ".otf",
    ];
    let path = label.split(['?', '#']).next().unwrap_or("").to_ascii_lowercase();
    EXT.iter().any(|e| path.ends_with(e))
}

/// The accepted call a child stands for: itself, or the only call inside a thin wrapper
/// (a repository or client method span that is ≥ 80 % that call).
fn effective_call(t: &Trace, i: usize, accept: &impl Fn(&crate::trace::Node) -> bool) -> Option<usize> {
    let n = &t.nodes[i];
    if accept(n) {
        return Some(i);
    }
    if n.class.category.is_io() || n.class.category == crate::classify::Category::Entry {
        return None;
    }
    let c = single_io(t, i)?;
    let thin = t.nodes[c].span.duration_ns() * 10 >= n.span.duration_ns() * 8;
    (thin && accept(&t.nodes[c])).then_some(c)
}

/// The only I/O call under `w`, if there is exactly one.
pub fn single_io(t: &Trace, w: usize) -> Option<usize> {
    let mut calls = descendants(t, w).filter(|&d| t.nodes[d].class.category.is_io());
    let first = calls.next()?;
    calls.next().is_none().then_some(first)
}

/// Every node below `i` (not `i` itself), depth first.
pub fn descendants(t: &Trace, i: usize) -> impl Iterator<Item = usize> + '_ {
    let mut stack = vec![i];
    std::iter::from_fn(move || {
        let n = stack.pop()?;
        stack.extend(t.nodes[n].children.iter().rev().copied());
        Some(n)
    })
    .skip(1)
}

/// Labels of `idx` joined for a finding key (each label shortened).
pub fn joined_labels(t: &Trace, idx: &[usize]) -> String {
    let parts: Vec<String> = idx
        .iter()
        .map(|&i| {
            let l = &*t.nodes[i].class.label;
            match l.char_indices().nth(80) {
                Some((cut, _)) => format!("{}…", &l[..cut]),
                None => l.to_string(),
            }
        })
        .collect();
    parts.join(" ; ")
}

/// True when the group shows in `min_share` of its endpoint's requests — or when the
/// endpoint has fewer than `min_requests` requests, too few to tell a rare path (a pool
/// warming up, a cache miss) from the endpoint's behaviour.
pub fn recurs_enough(g: &crate::aggregate::Group, cx: &super::Context, min_requests: u64, min_share: f64) -> bool {
    let requests = cx.measure.requests_of(g.primary_endpoint());
    requests < min_requests || g.traces as f64 / requests as f64 >= min_share
}
