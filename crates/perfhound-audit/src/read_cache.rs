//! What a cache would save on the reads the traces repeat across requests: the
//! [`perfhound_traces::reads`] streams (a statement with its parameters, a downstream GET)
//! replayed in time order through `perfhound-logs`' cache simulation, reported by
//! [`perfhound_logs::read_cache_opportunity`] with the measured span latencies. Used by
//! `perfhound audit` (the receiver's traces) and `perfhound traces`.

use perfhound_logs::cache::evaluate_reads;
use perfhound_logs::read_cache_opportunity::{finding, ReadSite};
use perfhound_model::Finding;
use perfhound_traces::measure::Measure;
use perfhound_traces::reads::ReadStream;

/// The result size assumed when a span does not record it (database reads never do).
pub const UNKNOWN_SIZE: u32 = 1_024;

/// Whose traffic the traces show, which decides how far a simulated hit ratio can be
/// trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Traffic {
    /// perfhound's own load (an audit): the keys repeat because the scenario repeats its
    /// URLs, not necessarily because users would, so a finding stays `info` and says so.
    OwnLoad,
    /// Traces from elsewhere (a file, a live service): the key mix is the service's own.
    Recorded,
}

/// Said on every finding from [`Traffic::OwnLoad`].
pub const OWN_LOAD_NOTE: &str = "the hit ratio comes from perfhound's own load, whose scenario repeats the same URLs and parameters: check it against production traffic (`perfhound logs` on the access log, or `perfhound traces` on production traces) before adding the cache";

/// One finding per read template a cache would pay for, most executed first.
pub fn findings(m: &Measure, traffic: Traffic) -> Vec<Finding> {
    let cfg = perfhound_logs::Config::default();
    let total_us = match m.service_overall.latency.sum_us {
        0 => m.overall.latency.sum_us,
        n => n,
    } as f64;
    let mut streams: Vec<&ReadStream> = m.reads.streams.values().collect();
    streams.sort_by(|a, b| b.seen.cmp(&a.seen).then_with(|| a.label.cmp(&b.label)));
    let mut found: Vec<Finding> =
        streams.into_iter().take(cfg.simulate_endpoints).filter_map(|s| one(s, &cfg, total_us)).collect();
    if traffic == Traffic::OwnLoad {
        for f in &mut found {
            f.severity = perfhound_model::Severity::Info;
            f.evidence.notes.push(OWN_LOAD_NOTE.into());
        }
    }
    found
}

fn one(s: &ReadStream, cfg: &perfhound_logs::Config, total_us: f64) -> Option<Finding> {
    let mut reads = s.reads.clone();
    reads.sort_by_key(|r| r.start_ns);
    let first = reads.first()?.start_ns;
    let keys: Vec<[u8; 8]> = reads.iter().map(|r| r.key.to_le_bytes()).collect();
    let replay = reads.iter().zip(&keys).map(|(r, k)| {
        let t = u32::try_from((r.start_ns - first) / 1_000_000_000).unwrap_or(u32::MAX);
        let size = if r.size == 0 { UNKNOWN_SIZE } else { r.size };
        (&k[..], t, size, u64::from(r.us))
    });
    let result = evaluate_reads(&s.label, replay, s.private, cfg)?;
    let endpoint = s.main_caller().map_or("(unknown endpoint)", |e| e.as_ref());
    let callers: Vec<String> = s.callers.iter().map(|(e, _)| e.to_string()).collect();
    finding(&result, ReadSite { label: &s.label, endpoint, callers: &callers }, total_us)
}
