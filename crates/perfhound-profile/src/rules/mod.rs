//! Findings from a profile: one file per rule (`PH-PROF001`…), each owning its doc,
//! thresholds, title, severity and fix. [`findings`] runs them all; [`rules`] lists them
//! for `perfhound rules`.
//!
//! Every finding names the frames that show it (and the callers that reached them) and
//! claims nothing else: a cost the profiler does not record (JSON encoding that V8 inlines
//! into its caller, a sleep a CPU-only profiler never samples) produces no finding.

mod gc_allocation;
mod hot_function;
mod lock_contention;
mod logging;
mod regex_compile;
mod serialization;
mod sleep;
pub mod stacks;

use crate::profile::Profile;
use perfhound_model::{Finding, Rule};

/// A profile rule.
pub trait ProfileRule: Sync {
    fn rule(&self) -> &'static Rule;
    /// The rule's findings on `cx`.
    fn check(&self, cx: &stacks::Context<'_>) -> Vec<Finding>;
}

/// Every rule, by code.
pub const RULES: [&dyn ProfileRule; 7] = [
    &hot_function::HotFunction,
    &serialization::Serialization,
    &regex_compile::RegexCompile,
    &logging::Logging,
    &gc_allocation::GcAllocation,
    &lock_contention::LockContention,
    &sleep::Sleep,
];

/// Every rule of the profile engine, ordered by code, for `perfhound rules`.
pub fn rules() -> Vec<Rule> {
    RULES.iter().map(|r| *r.rule()).collect()
}

/// Every finding of every rule on `profile`, most severe and largest share first.
pub fn findings(profile: &Profile) -> Vec<Finding> {
    let cx = stacks::Context::new(profile);
    let mut out: Vec<Finding> = RULES.iter().flat_map(|r| r.check(&cx)).collect();
    out.sort_by(|a, b| {
        let share = |f: &Finding| f.impact.share_of_total.unwrap_or(0.0);
        b.severity.cmp(&a.severity).then(share(b).total_cmp(&share(a))).then_with(|| a.rule.code.cmp(&b.rule.code))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_ordered_unique_and_well_formed() {
        let rules = rules();
        for (i, r) in rules.iter().enumerate() {
            assert_eq!(r.code, format!("PH-PROF{:03}", i + 1));
            assert!(r.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{}", r.name);
            assert!(!r.summary.is_empty() && !r.why.is_empty() && !r.fix.is_empty());
        }
    }
}
