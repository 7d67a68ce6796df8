//! perfhound's access-log engine: `perfhound logs`.
//!
//! Reads nginx/Apache `combined`/`common` logs, any nginx `log_format` (compiled once into
//! a matcher), and JSON lines (nginx `escape=json`, Caddy, Traefik, mapped fields), plain
//! or gzip, from files or stdin, in one streaming pass with bounded memory:
//!
//! - [`read`]: bounded line reading and gzip; [`format`]: the formats and detection;
//!   [`record`]/[`timefmt`]: the shared value grammars.
//! - [`endpoints`]: `METHOD /path/{id}` names, with learned merges for slugs;
//!   [`stats`]/[`latency`]: the accumulation under a memory budget (HDR histograms per
//!   endpoint while the budget lasts, reservoirs after).
//! - [`sim`]: cache simulation (exact LRU, SIEVE, SHARDS sampling); [`cache`]: what a
//!   cache would save per GET endpoint (and per read the traces repeat);
//!   [`cache_opportunity`] and [`read_cache_opportunity`]: the rules that report them.
//! - [`summary`]: the [`Analysis`]; [`to_model`]: the [`perfhound_model::Run`];
//!   [`render`]: text and Markdown.
//!
//! Malformed lines are counted and sampled (source, line number, why) — never fatal,
//! never silently dropped.

pub mod analyze;
pub mod cache;
pub mod cache_opportunity;
pub mod endpoints;
pub mod fasthash;
pub mod format;
pub mod latency;
pub mod read;
pub mod read_cache_opportunity;
pub mod record;
pub mod render;
pub mod sim;
pub mod stats;
pub mod summary;
pub mod synth;
pub mod timefmt;
pub mod to_model;

pub use analyze::{Analyzer, Malformed};
pub use format::LogFormat;
pub use read::Input;
pub use summary::Analysis;

/// Limits and simulation settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Distinct literal values at one path position before it becomes `{var}`.
    pub min_siblings: usize,
    /// Distinct endpoint names kept; later ones count under `(other endpoints)`.
    pub max_endpoints: usize,
    /// HDR histograms allocated (~190 KB each); later endpoints keep a reservoir sample.
    pub max_histograms: usize,
    /// Endpoints written to the run with their histograms.
    pub max_targets: usize,
    /// Distinct clients tracked for the top-clients table.
    pub max_clients: usize,
    /// Malformed lines quoted in the output.
    pub malformed_samples: usize,
    /// Endpoints with a cache stream, requests kept per stream (SHARDS beyond), and
    /// endpoints simulated.
    pub max_streams: usize,
    pub stream_budget: usize,
    pub simulate_endpoints: usize,
    /// The simulated grid.
    pub cache_sizes: Vec<u64>,
    pub cache_ttls: Vec<u32>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            min_siblings: endpoints::DEFAULT_MIN_SIBLINGS,
            max_endpoints: 20_000,
            max_histograms: 128,
            max_targets: 200,
            max_clients: 4_096,
            malformed_samples: 10,
            max_streams: 32,
            stream_budget: 32_768,
            simulate_endpoints: 16,
            cache_sizes: vec![1_000_000, 10_000_000, 50_000_000, 256_000_000],
            cache_ttls: vec![60, 300, 3_600],
        }
    }
}

/// Every rule this engine reports.
pub fn rules() -> Vec<perfhound_model::Rule> {
    vec![cache_opportunity::RULE, read_cache_opportunity::RULE]
}
