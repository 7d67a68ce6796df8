//! `PH-PROF001 hot-function`
//!
//! **What it detects**: one function holding a large share of the profile in its own code
//! (self time: samples where it is the innermost frame).
//!
//! **Why it matters**: the seeds' first rule — profile to find the actual slowdown. A
//! function with a third of the CPU is where an algorithmic fix pays (the O(n²) loop of
//! seed 002 held 98 % of its endpoint); speeding up anything else cannot win more than
//! what is left.
//!
//! **Example**: `find_similar (recs.py:12)` holds 85 % self time of a py-spy profile,
//! called from `handle`: a nested loop over all products for each product.
//!
//! **Fix**: look at the function's loops and data structures first — nested loops over
//! the same collection (O(n²)) become a dict/set lookup or a sort; repeated work becomes
//! a cache or precomputation; then consider a native library or moving the work off the
//! request path. `perfhound profile --diff` shows the change after the fix.
//!
//! **Thresholds**: functions with `min_share` = 15 % self time or more (at most
//! `max_findings` = 3, heaviest first); critical from 50 %. A typical service spreads its
//! CPU over framework, I/O and many functions, none above a few percent; 15 % in one
//! function is a hotspot by any profiler's view. Runtime frames that other rules explain
//! (serialization, regex compilation, logging, allocation/GC, locks, sleep) and
//! placeholders without code (`[libc.so.6]`, `(program)`, `(idle)`, addresses) are left
//! to those rules or out.

use super::stacks::{finding, Context, Frames};
use super::{gc_allocation, lock_contention, logging, regex_compile, serialization, sleep, ProfileRule};
use perfhound_model::{Effort, Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-PROF001",
    name: "hot-function",
    severity: Severity::Warning,
    summary: "One function holds a large share of the CPU profile in its own code.",
    why: "It is where an algorithmic fix pays: speeding up anything else cannot win more than what is left.",
    fix: "Look at its loops and data structures first (nested loops over one collection become a dict/set lookup or a sort, repeated work a cache), then a native library or moving the work off the request path; check the change with perfhound profile --diff.",
};

const MIN_SHARE: f64 = 0.15;
const CRITICAL_SHARE: f64 = 0.50;
const MAX_FINDINGS: usize = 3;

/// Frames other rules explain.
const EXPLAINED: [&Frames; 6] = [
    &serialization::CATEGORY.frames,
    &regex_compile::CATEGORY.frames,
    &logging::CATEGORY.frames,
    &gc_allocation::CATEGORY.frames,
    &lock_contention::CATEGORY.frames,
    &sleep::CATEGORY.frames,
];

pub struct HotFunction;

impl ProfileRule for HotFunction {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let p = cx.profile;
        let ids: std::collections::HashMap<(&str, Option<&str>), u32> = (0..p.function_count() as u32)
            .map(|i| ((p.function(i).name.as_str(), p.function(i).file.as_deref()), i))
            .collect();
        let mut out = Vec::new();
        for h in cx.hotspots.iter().take_while(|h| h.self_share >= MIN_SHARE) {
            let id = ids[&(h.function.as_str(), h.file.as_deref())];
            if placeholder(&h.function) || EXPLAINED.iter().any(|f| f.matches(p.function(id))) {
                continue;
            }
            let callers = callers(cx, id);
            let mut title =
                format!("{} holds {:.0} % of the profile in its own code", h.function, h.self_share * 100.0);
            if let Some(at) = h.location() {
                title += &format!(" ({at})");
            }
            let mut f = finding(cx, &RULE, id, title, h.self_share, h.self_weight);
            f.severity = if h.self_share >= CRITICAL_SHARE { Severity::Critical } else { Severity::Warning };
            f.evidence.notes.push(format!(
                "self {:.1} %, total {:.1} % (with what it calls)",
                h.self_share * 100.0,
                h.total_share * 100.0
            ));
            if !callers.is_empty() {
                f.evidence.notes.push(format!("called from: {}", callers.join(", ")));
            }
            f.recommendation.effort = Some(Effort::MediumTerm);
            out.push(f);
            if out.len() == MAX_FINDINGS {
                break;
            }
        }
        out
    }
}

/// Frames with no code of their own to fix.
fn placeholder(name: &str) -> bool {
    name.starts_with('[') || name.starts_with("0x") || matches!(name, "(program)" | "(idle)" | "(root)" | "(anonymous)")
}

/// The callers of `id` (the frame below it where it is the leaf), heaviest first.
fn callers(cx: &Context<'_>, id: u32) -> Vec<String> {
    let mut by: std::collections::HashMap<u32, u64> = std::collections::HashMap::new();
    for (stack, w) in cx.profile.stacks() {
        let stack: Vec<u32> = stack.collect();
        if let [.., caller, leaf] = stack[..] {
            if leaf == id {
                *by.entry(caller).or_default() += w;
            }
        }
    }
    cx.ranked(&by, 3).into_iter().map(|(_, s)| s).collect()
}
