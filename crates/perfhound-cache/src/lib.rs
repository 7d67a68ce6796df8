//! perfhound's cache engine: a read-only diagnosis of a Redis server.
//!
//! [`analyze`] connects ([`client`]: plain or TLS, every command under a timeout, only
//! read-only commands can be sent), reads `INFO` ([`info`]: hit ratio, evictions, expired
//! keys, memory and fragmentation, clients, ops/s), `SLOWLOG GET` grouped by command shape
//! ([`slowlog`]) and samples keys with a bounded `SCAN` ([`sample`]: TTLs, sizes by key
//! template, LFU hot keys). The rules ([`rules`], `PH-REDIS001`…) judge those facts; the
//! result converts to the model's `Run` ([`to_model`]) or to text ([`render`]).
//!
//! `perfhound audit` uses [`snapshot`] before and after the load window and
//! [`to_model::window_run`] to make the window's hit ratio the report's Cache Hit Rate.
//!
//! The reply parser ([`resp`]) is fuzzed; key names and command arguments are input and
//! are cleaned of control characters wherever they are printed.

pub mod client;
pub mod error;
pub mod info;
pub mod render;
pub mod resp;
pub mod rules;
pub mod sample;
pub mod slowlog;
pub mod tls;
pub mod to_model;
pub mod url;

pub use error::CacheError;
pub use info::Stats;
pub use rules::Thresholds;
pub use url::RedisUrl;

use perfhound_model::Rule;
use perfhound_sql::engine::Diagnosis;
use std::time::Duration;

/// Every rule of the engine, for `perfhound rules`.
pub fn rules() -> Vec<Rule> {
    rules::RULES.to_vec()
}

/// What one analysis does.
#[derive(Clone, Debug)]
pub struct Config {
    /// `redis://…` or `rediss://…`.
    pub url: String,
    /// Connect, handshake and each command (or pipeline) time out after this long.
    pub timeout: Duration,
    /// `None`: no key sampling.
    pub sample: Option<sample::Budget>,
    /// `SLOWLOG GET` entries read.
    pub slowlog_entries: usize,
    pub thresholds: Thresholds,
}

impl Config {
    pub fn new(url: impl Into<String>) -> Config {
        Config {
            url: url.into(),
            timeout: Duration::from_secs(5),
            sample: Some(sample::Budget { keys: 10_000, time: Duration::from_secs(5) }),
            slowlog_entries: 128,
            thresholds: Thresholds::default(),
        }
    }
}

/// Everything one analysis found.
#[derive(Debug)]
pub struct Analysis {
    /// The URL with the password redacted.
    pub source: String,
    pub db: u32,
    pub stats: Stats,
    pub slowlog: Vec<slowlog::Group>,
    pub sample: Option<sample::Sample>,
    /// Findings, warnings and start/end (the engines' shared shape); its `metrics` stay
    /// empty: the server target carries the INFO values.
    pub diagnosis: Diagnosis,
}

/// Connects and diagnoses the server `cfg.url` names.
pub async fn analyze(cfg: &Config) -> Result<Analysis, CacheError> {
    let started_at = perfhound_model::rfc3339_now();
    let url = RedisUrl::parse(&cfg.url).map_err(CacheError::InvalidUrl)?;
    let mut c = client::Client::connect(&url, cfg.timeout).await?;
    // INFO first: sampling's PTTL/TYPE lookups count as keyspace hits.
    let stats = read_info(&mut c).await?;
    let mut warnings = Vec::new();
    let slowlog = read_slowlog(&mut c, cfg.slowlog_entries, &mut warnings).await?;
    let sample = match cfg.sample {
        Some(budget) => read_sample(&mut c, budget, &stats, url.db, &mut warnings).await?,
        None => None,
    };
    let source = url.redacted();
    let ctx =
        rules::Ctx { server: &source, stats: &stats, sample: sample.as_ref(), slowlog: &slowlog, t: &cfg.thresholds };
    let findings = rules::check(&ctx);
    let ended_at = perfhound_model::rfc3339_now();
    let diagnosis = Diagnosis { findings, metrics: Default::default(), warnings, started_at, ended_at };
    Ok(Analysis { source, db: url.db, stats, slowlog, sample, diagnosis })
}

/// `SLOWLOG GET n` grouped by shape; a denied command is a warning, not a failure.
async fn read_slowlog(
    c: &mut client::Client,
    n: usize,
    warnings: &mut Vec<String>,
) -> Result<Vec<slowlog::Group>, CacheError> {
    match c.command(&["SLOWLOG", "GET", &n.to_string()]).await {
        Ok(reply) => {
            let (entries, bad) = slowlog::entries(&reply);
            if bad > 0 {
                warnings.push(format!("{bad} slowlog entries could not be read and were skipped"));
            }
            Ok(slowlog::group(&entries))
        }
        Err(e @ CacheError::Command { .. }) => {
            warnings.push(format!("slowlog not read: {e}"));
            Ok(Vec::new())
        }
        Err(e) => Err(e),
    }
}

/// The key sample with what the output must say about it (a budget stopped it, keys left
/// out); an ACL without SCAN is a warning, and the rest of the diagnosis still stands.
async fn read_sample(
    c: &mut client::Client,
    budget: sample::Budget,
    stats: &Stats,
    db: u32,
    warnings: &mut Vec<String>,
) -> Result<Option<sample::Sample>, CacheError> {
    let s = match sample::sample(c, budget, stats.lfu()).await {
        Ok(s) => s,
        Err(e @ CacheError::Command { .. }) => {
            warnings.push(format!("keys not sampled: {e}"));
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    warnings.extend(sample_note(&s, stats, db));
    if let Some(e) = &s.first_error {
        warnings.push(format!("{} sampled keys could not be read and were left out; first error: {e}", s.unreadable));
    }
    Ok(Some(s))
}

/// `INFO` now: the counters `perfhound audit` takes before and after the load window.
pub async fn snapshot(url: &str, timeout: Duration) -> Result<Stats, CacheError> {
    let url = RedisUrl::parse(url).map_err(CacheError::InvalidUrl)?;
    let mut c = client::Client::connect(&url, timeout).await?;
    read_info(&mut c).await
}

async fn read_info(c: &mut client::Client) -> Result<Stats, CacheError> {
    // `all`: the default sections plus commandstats and latencystats.
    let reply = c.command(&["INFO", "all"]).await?;
    let text = reply
        .text()
        .ok_or_else(|| CacheError::Protocol { url: c.url.clone(), reason: "INFO did not return text".into() })?;
    Ok(Stats::parse(&text))
}

/// Says how much of the keyspace the sample covers when a budget stopped it.
fn sample_note(s: &sample::Sample, stats: &Stats, db: u32) -> Option<String> {
    let why = match s.stop {
        sample::Stop::Complete => return None,
        sample::Stop::KeyBudget => "the key budget (--sample-keys)",
        sample::Stop::TimeBudget => "the time budget (--sample-time)",
    };
    Some(format!(
        "key sampling stopped at {why}: {} keys sampled in database {db} ({} keys in all databases); \
         shares of memory are of the sample",
        s.keys, stats.keys
    ))
}
