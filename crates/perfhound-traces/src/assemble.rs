//! Groups a stream of spans into traces, and decides when a trace is complete.
//!
//! Spans of one trace arrive in any order and spread over many batches (each service
//! exports on its own schedule). A trace is handed on when nothing new arrived for it for
//! a while: `idle_complete` ticks when it has a root and every parent is present,
//! `idle_incomplete` ticks otherwise. A tick is whatever the caller counts — spans read for
//! files (so results do not depend on disk speed), milliseconds for the live receiver.
//! Memory is bounded by the traces in flight: beyond `max_traces` the least recently
//! touched trace is handed on early, and a trace keeps at most `max_spans_per_trace`.

use crate::span::{Span, TraceId};
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasherDefault;

/// When traces are considered complete, and how many may be in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AssemblerConfig {
    pub idle_complete: u64,
    pub idle_incomplete: u64,
    pub max_traces: usize,
    pub max_spans_per_trace: usize,
}

impl AssemblerConfig {
    /// For files: ticks are spans read.
    pub const FILE: AssemblerConfig = AssemblerConfig {
        idle_complete: 20_000,
        idle_incomplete: 200_000,
        max_traces: 50_000,
        max_spans_per_trace: 100_000,
    };
    /// For the live receiver: ticks are milliseconds.
    pub const LIVE: AssemblerConfig = AssemblerConfig {
        idle_complete: 3_000,
        idle_incomplete: 30_000,
        max_traces: 50_000,
        max_spans_per_trace: 100_000,
    };
}

/// Counters for the run's warnings and `/metrics`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AssemblerStats {
    pub spans: u64,
    pub traces: u64,
    /// Traces handed on before they went idle because too many were in flight.
    pub traces_forced: u64,
    /// Spans dropped because their trace exceeded `max_spans_per_trace`.
    pub spans_dropped: u64,
}

pub use perfhound_sql::hash::{IdHasher, KeyMap};

type IdMap<V> = HashMap<TraceId, V, BuildHasherDefault<IdHasher>>;

struct Pending {
    spans: Vec<Span>,
    last: u64,
    has_root: bool,
}

/// The trace buffer.
pub struct Assembler {
    cfg: AssemblerConfig,
    traces: IdMap<Pending>,
    /// `(tick, id)` in touch order; stale entries (trace touched again later) are skipped.
    touched: VecDeque<(u64, TraceId)>,
    /// Traces past `idle_complete` that were incomplete: waiting for `idle_incomplete`.
    waiting: VecDeque<(u64, TraceId)>,
    pub stats: AssemblerStats,
    pushes: u64,
}

impl Assembler {
    pub fn new(cfg: AssemblerConfig) -> Self {
        Assembler {
            cfg,
            traces: IdMap::default(),
            touched: VecDeque::new(),
            waiting: VecDeque::new(),
            stats: AssemblerStats::default(),
            pushes: 0,
        }
    }

    /// Traces currently buffered.
    pub fn in_flight(&self) -> usize {
        self.traces.len()
    }

    /// Adds a span at time `now`; completed traces are passed to `done`.
    pub fn push(&mut self, span: Span, now: u64, done: &mut impl FnMut(Vec<Span>)) {
        self.stats.spans += 1;
        let id = span.trace_id;
        let is_root = span.parent_id == 0;
        let entry = self.traces.entry(id).or_insert_with(|| Pending { spans: Vec::new(), last: now, has_root: false });
        if entry.spans.len() >= self.cfg.max_spans_per_trace {
            self.stats.spans_dropped += 1;
        } else {
            entry.spans.push(span);
        }
        entry.has_root |= is_root;
        let new_tick = entry.last != now || entry.spans.len() == 1;
        entry.last = now;
        if new_tick {
            self.touched.push_back((now, id));
        }
        while self.traces.len() > self.cfg.max_traces {
            if !self.evict_oldest(done) {
                break;
            }
        }
        self.pushes += 1;
        if self.pushes % 256 == 0 {
            self.expire(now, done);
        }
    }

    /// Hands on every trace that has been idle long enough at time `now`.
    pub fn expire(&mut self, now: u64, done: &mut impl FnMut(Vec<Span>)) {
        while let Some(&(tick, id)) = self.touched.front() {
            if now.saturating_sub(tick) < self.cfg.idle_complete {
                break;
            }
            self.touched.pop_front();
            let Some(p) = self.traces.get(&id) else { continue };
            if p.last != tick {
                continue; // touched again later; a newer entry exists
            }
            if is_complete(p) {
                self.finish(id, done);
            } else {
                self.waiting.push_back((tick, id));
            }
        }
        while let Some(&(tick, id)) = self.waiting.front() {
            if now.saturating_sub(tick) < self.cfg.idle_incomplete {
                break;
            }
            self.waiting.pop_front();
            if self.traces.get(&id).is_some_and(|p| p.last == tick) {
                self.finish(id, done);
            }
        }
    }

    /// Hands on every buffered trace (end of input or shutdown).
    pub fn flush_all(&mut self, done: &mut impl FnMut(Vec<Span>)) {
        // Oldest first, so output order follows input order.
        let mut order: Vec<(u64, TraceId)> = self.traces.iter().map(|(id, p)| (p.last, *id)).collect();
        order.sort_unstable();
        for (_, id) in order {
            self.finish(id, done);
        }
        self.touched.clear();
        self.waiting.clear();
    }

    fn evict_oldest(&mut self, done: &mut impl FnMut(Vec<Span>)) -> bool {
        while let Some((tick, id)) = self.touched.pop_front() {
            if self.traces.get(&id).is_some_and(|p| p.last == tick) {
                self.stats.traces_forced += 1;
                self.finish(id, done);
                return true;
            }
        }
        false
    }

    fn finish(&mut self, id: TraceId, done: &mut impl FnMut(Vec<Span>)) {
        if let Some(p) = self.traces.remove(&id) {
            self.stats.traces += 1;
            done(p.spans);
        }
    }
}

/// A root is present and every other span's parent is in the trace.
fn is_complete(p: &Pending) -> bool {
    if !p.has_root {
        return false;
    }
    let mut ids: Vec<u64> = p.spans.iter().map(|s| s.span_id).collect();
    ids.sort_unstable();
    p.spans.iter().all(|s| s.parent_id == 0 || ids.binary_search(&s.parent_id).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::empty_span;
    use std::sync::Arc;

    fn span(trace: u8, id: u64, parent: u64) -> Span {
        let mut s = empty_span(Arc::from("svc"));
        s.trace_id = TraceId([trace; 16]);
        s.span_id = id;
        s.parent_id = parent;
        s
    }

    fn cfg() -> AssemblerConfig {
        AssemblerConfig { idle_complete: 10, idle_incomplete: 100, max_traces: 3, max_spans_per_trace: 5 }
    }

    #[test]
    fn complete_traces_leave_after_short_idle_incomplete_after_long() {
        let mut a = Assembler::new(cfg());
        let mut out: Vec<Vec<Span>> = Vec::new();
        let mut done = |t: Vec<Span>| out.push(t);
        a.push(span(1, 2, 1), 0, &mut done);
        a.push(span(1, 1, 0), 1, &mut done);
        a.push(span(2, 5, 4), 2, &mut done); // parent 4 never arrives
        a.expire(11, &mut done);
        assert_eq!(a.in_flight(), 1);
        a.expire(50, &mut done);
        assert_eq!(a.in_flight(), 1);
        a.expire(102, &mut done);
        assert_eq!(a.in_flight(), 0);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].len(), 2);
    }

    #[test]
    fn late_span_keeps_trace_open_and_caps_hold() {
        let mut a = Assembler::new(cfg());
        let mut n = 0usize;
        let mut done = |_t: Vec<Span>| n += 1;
        a.push(span(1, 1, 0), 0, &mut done);
        a.push(span(1, 2, 1), 9, &mut done);
        a.expire(12, &mut done);
        assert_eq!(a.in_flight(), 1, "touched at 9, not idle at 12");
        for t in 2..=5 {
            a.push(span(t, 1, 0), 20 + u64::from(t), &mut done);
        }
        assert_eq!(a.in_flight(), 3);
        assert_eq!(a.stats.traces_forced, 2);
        for id in 10..20 {
            a.push(span(9, id, 0), 30, &mut done);
        }
        assert_eq!(a.stats.spans_dropped, 5);
        a.flush_all(&mut done);
        assert_eq!(n, 6);
    }
}
