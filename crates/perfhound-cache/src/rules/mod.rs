//! The Redis rules, one file each (`PH-REDIS001`…): each owns its doc, title, severity
//! logic and fix, and judges the facts in a [`Ctx`] purely (tests feed them directly).

use crate::info::Stats;
use crate::sample::Sample;
use crate::slowlog::Group;
use perfhound_model::{Finding, Rule};

pub mod big_key;
pub mod evictions;
pub mod fragmentation;
pub mod hit_ratio;
pub mod memory_limit;
pub mod no_ttl;
pub mod slow_command;

/// Every rule, in code order.
pub const RULES: [Rule; 7] = [
    hit_ratio::RULE,
    evictions::RULE,
    no_ttl::RULE,
    big_key::RULE,
    slow_command::RULE,
    fragmentation::RULE,
    memory_limit::RULE,
];

/// Thresholds, calibrated for a developer's machine and CI (see each rule's doc).
#[derive(Clone, Debug)]
pub struct Thresholds {
    /// The seeds' target: "Cache hit ratio > 80 %".
    pub min_hit_ratio: f64,
    /// Lookups needed before the hit ratio is judged.
    pub min_lookups: u64,
    /// A single key at least this big.
    pub big_key_bytes: u64,
    /// Keys of one template needed before its TTLs are judged.
    pub min_template_keys: u64,
    /// Slowlog groups whose slowest entry took at least this long.
    pub slow_command_us: u64,
    pub fragmentation_ratio: f64,
    /// RSS above used memory needed before fragmentation matters.
    pub fragmentation_min_bytes: u64,
    pub memory_limit_ratio: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            min_hit_ratio: 0.8,
            min_lookups: 100,
            big_key_bytes: 1 << 20,
            min_template_keys: 10,
            slow_command_us: 10_000,
            fragmentation_ratio: 1.5,
            fragmentation_min_bytes: 100 << 20,
            memory_limit_ratio: 0.9,
        }
    }
}

/// What the rules judge.
pub struct Ctx<'a> {
    /// The server name findings are about (the redacted URL).
    pub server: &'a str,
    pub stats: &'a Stats,
    pub sample: Option<&'a Sample>,
    pub slowlog: &'a [Group],
    pub t: &'a Thresholds,
}

/// Runs every rule.
pub fn check(ctx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(hit_ratio::check(ctx));
    out.extend(evictions::check(ctx));
    out.extend(no_ttl::check(ctx));
    out.extend(big_key::check(ctx));
    out.extend(slow_command::check(ctx));
    out.extend(fragmentation::check(ctx));
    out.extend(memory_limit::check(ctx));
    out
}

#[cfg(test)]
pub(crate) mod fixture {
    use super::*;

    /// A context over `stats` with default thresholds and nothing else.
    pub fn ctx<'a>(stats: &'a Stats, sample: Option<&'a Sample>, slowlog: &'a [Group], t: &'a Thresholds) -> Ctx<'a> {
        Ctx { server: "redis://127.0.0.1:6379/0", stats, sample, slowlog, t }
    }
}
