//! [`Extra`]: the typed names of the values engines report in [`Measurements::extra`]
//! beyond the common fields, and [`Extras`], the map that holds them.
//!
//! Producers write and consumers read through [`Extra`], so a misspelled key is a compile
//! error instead of a silently missing value. Names put units last, after the quantity
//! and before a statistic (`exec_time_ms_total`, `server_latency_ms_p95`). Names a run
//! file may carry from before the rename are read as their new name ([`Extra::parse`]
//! knows the aliases). A key perfhound does not know (a newer version, another tool) is
//! kept and written back unchanged.
//!
//! [`Measurements::extra`]: crate::Measurements::extra

use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

macro_rules! extras {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal $(| $alias:literal)* ,)*) => {
        /// A named extra measurement.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Extra {
            $( $(#[$doc])* $variant, )*
        }

        impl Extra {
            pub const ALL: &'static [Extra] = &[$(Extra::$variant),*];

            /// The key in run files.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Extra::$variant => $name,)*
                }
            }

            /// Older names read as this one.
            pub fn aliases(self) -> &'static [&'static str] {
                match self {
                    $(Extra::$variant => &[$($alias),*],)*
                }
            }
        }
    };
}

extras! {
    // Traces: the overall target.
    /// Spans read.
    Spans = "spans",
    /// Traces assembled.
    Traces = "traces",
    // Traces: per endpoint, shares of request time (fractions) and calls per request.
    DbShare = "db_share",
    HttpShare = "http_share",
    CacheShare = "cache_share",
    OwnShare = "own_share",
    DbCallsPerRequest = "db_calls_per_request",
    HttpCallsPerRequest = "http_calls_per_request",
    CacheCallsPerRequest = "cache_calls_per_request",
    /// Application cache hits and misses recorded by cache spans.
    CacheHits = "cache_hits",
    CacheMisses = "cache_misses",
    /// A cache server's keyspace counters (Redis `keyspace_hits`/`keyspace_misses`).
    CacheServerKeyspaceHits = "cache_server_keyspace_hits",
    CacheServerKeyspaceMisses = "cache_server_keyspace_misses",
    // A cache server's other INFO values (perfhound redis; audit.redis over the window).
    CacheServerEvictedKeys = "cache_server_evicted_keys",
    CacheServerExpiredKeys = "cache_server_expired_keys",
    CacheServerUsedMemoryBytes = "cache_server_used_memory_bytes",
    CacheServerMaxMemoryBytes = "cache_server_max_memory_bytes",
    /// RSS / used memory.
    CacheServerFragmentationRatio = "cache_server_fragmentation_ratio",
    CacheServerConnectedClients = "cache_server_connected_clients",
    CacheServerBlockedClients = "cache_server_blocked_clients",
    CacheServerOpsPerSec = "cache_server_ops_per_sec",
    CacheServerKeys = "cache_server_keys",
    CacheServerKeysWithExpiry = "cache_server_keys_with_expiry",
    /// Keys and their bytes (`MEMORY USAGE`) in a bounded `SCAN` sample.
    CacheServerKeysSampled = "cache_server_keys_sampled",
    CacheServerSampledBytes = "cache_server_sampled_bytes",
    // A cache key template (`session:{uuid}`) in the sample.
    KeyMemoryBytes = "key_memory_bytes",
    /// Share (fraction) of the sampled memory.
    KeyMemoryShare = "key_memory_share",
    KeyMaxBytes = "key_max_bytes",
    KeysWithoutTtl = "keys_without_ttl",
    // Databases: per statement.
    Calls = "calls",
    ExecTimeMsTotal = "exec_time_ms_total" | "total_exec_time_ms",
    ExecTimeMsMean = "exec_time_ms_mean" | "mean_exec_time_ms",
    ExecTimeMsMin = "exec_time_ms_min" | "min_exec_time_ms",
    ExecTimeMsMax = "exec_time_ms_max" | "max_exec_time_ms",
    ExecTimeMsStddev = "exec_time_ms_stddev" | "stddev_exec_time_ms",
    /// Redis `latencystats` per command.
    ExecTimeMsP99 = "exec_time_ms_p99",
    Rows = "rows",
    /// Cache hits / lookups (fraction); judged by `Metric::CacheHitRatio`.
    CacheHitRatio = "cache_hit_ratio",
    /// SQLite: one execution timed on the copy, before and after the suggested index.
    MeasuredTimeMs = "measured_time_ms",
    MeasuredTimeMsWithIndex = "measured_time_ms_with_index" | "measured_time_with_index_ms",
    FullScans = "full_scans",
    // Databases: the overall target.
    Statements = "statements",
    StatsWindowS = "stats_window_s",
    StatementsCacheHitRatio = "statements_cache_hit_ratio",
    StatementsBlocksRead = "statements_blocks_read",
    IndexSuggestions = "index_suggestions",
    StatementsExplained = "statements_explained",
    CandidateIndexesTested = "candidate_indexes_tested",
    TimeSavedSPerDay = "time_saved_s_per_day" | "time_saved_per_day_s",
    // Database health checks.
    IdleInTransaction = "idle_in_transaction",
    MaxSequenceUsedRatio = "max_sequence_used_ratio",
    TableCacheHitRatio = "table_cache_hit_ratio",
    IndexCacheHitRatio = "index_cache_hit_ratio",
    LongRunningQueries = "long_running_queries",
    BlockedQueries = "blocked_queries",
    XidAge = "xid_age",
    Connections = "connections",
    MaxConnections = "max_connections",
    ConnectionsRatio = "connections_ratio",
    PageSizeBytes = "page_size_bytes",
    DatabaseBytes = "database_bytes",
    FreelistBytes = "freelist_bytes",
    FreelistRatio = "freelist_ratio",
    JournalModeWal = "journal_mode_wal",
    Tables = "tables",
    Indexes = "indexes",
    // Audits: the same target seen by the server (traces) or the database.
    ServerLatencyMsP50 = "server_latency_ms_p50" | "server_p50_ms",
    ServerLatencyMsP95 = "server_latency_ms_p95" | "server_p95_ms",
    ServerLatencyMsP99 = "server_latency_ms_p99" | "server_p99_ms",
    ServerRequests = "server_requests",
    DbLatencyMsP50 = "db_latency_ms_p50" | "db_p50_ms",
    DbLatencyMsP95 = "db_latency_ms_p95" | "db_p95_ms",
    DbLatencyMsP99 = "db_latency_ms_p99" | "db_p99_ms",
    DbRequests = "db_requests",
    // Web timings (Lighthouse audits) in milliseconds, and scores.
    FirstContentfulPaintMs = "first_contentful_paint_ms" | "first-contentful-paint",
    LargestContentfulPaintMs = "largest_contentful_paint_ms" | "largest-contentful-paint",
    FirstMeaningfulPaintMs = "first_meaningful_paint_ms" | "first-meaningful-paint",
    InteractiveMs = "interactive_ms" | "interactive",
    SpeedIndexMs = "speed_index_ms" | "speed-index",
    TotalBlockingTimeMs = "total_blocking_time_ms" | "total-blocking-time",
    MaxPotentialFidMs = "max_potential_fid_ms" | "max-potential-fid",
    /// Unitless.
    CumulativeLayoutShift = "cumulative_layout_shift" | "cumulative-layout-shift",
    /// 0–100.
    PerformanceScore = "performance_score" | "performance-score",
}

impl Extra {
    /// The extra a run-file key names, under its current name or an older alias.
    pub fn parse(key: &str) -> Option<Extra> {
        Extra::ALL.iter().copied().find(|e| e.as_str() == key || e.aliases().contains(&key))
    }
}

impl std::fmt::Display for Extra {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Extra measurements by name: typed access through [`Extra`]; keys perfhound does not
/// know are kept as they were read.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Extras(BTreeMap<String, f64>);

impl Extras {
    pub fn get(&self, key: Extra) -> Option<f64> {
        self.0.get(key.as_str()).copied()
    }

    pub fn insert(&mut self, key: Extra, value: f64) {
        self.0.insert(key.as_str().to_string(), value);
    }

    /// Sets `key` unless it already has a value.
    pub fn insert_if_absent(&mut self, key: Extra, value: f64) {
        self.0.entry(key.as_str().to_string()).or_insert(value);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Every value by its run-file key, known or not (for merging and rendering).
    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.0.iter().map(|(k, v)| (k.as_str(), *v))
    }

    /// Copies every value of `other` (known or not): later values win.
    pub fn extend_from(&mut self, other: &Extras) {
        self.0.extend(other.0.iter().map(|(k, v)| (k.clone(), *v)));
    }

    /// Copies the values of `other` this map does not have yet.
    pub fn fill_from(&mut self, other: &Extras) {
        for (k, v) in &other.0 {
            self.0.entry(k.clone()).or_insert(*v);
        }
    }
}

impl FromIterator<(Extra, f64)> for Extras {
    fn from_iter<I: IntoIterator<Item = (Extra, f64)>>(iter: I) -> Self {
        let mut e = Extras::default();
        for (k, v) in iter {
            e.insert(k, v);
        }
        e
    }
}

impl Extend<(Extra, f64)> for Extras {
    fn extend<I: IntoIterator<Item = (Extra, f64)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<'de> Deserialize<'de> for Extras {
    /// Reads the map and renames older keys to their current name.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = BTreeMap::<String, f64>::deserialize(d)?;
        let map = raw
            .into_iter()
            .map(|(k, v)| match Extra::parse(&k) {
                Some(e) => (e.as_str().to_string(), v),
                None => (k, v),
            })
            .collect();
        Ok(Extras(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_parse_back() {
        for e in Extra::ALL {
            assert_eq!(Extra::parse(e.as_str()), Some(*e), "{e}");
            for a in e.aliases() {
                assert_eq!(Extra::parse(a), Some(*e), "{a}");
            }
        }
        let mut names: Vec<&str> =
            Extra::ALL.iter().flat_map(|e| std::iter::once(e.as_str()).chain(e.aliases().iter().copied())).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "a name or alias is used twice");
    }

    #[test]
    fn old_keys_are_read_under_their_new_name_and_unknown_keys_kept() {
        let e: Extras =
            serde_json::from_str(r#"{"total_exec_time_ms": 5, "server_p95_ms": 2, "vendor_thing": 1}"#).unwrap();
        assert_eq!(e.get(Extra::ExecTimeMsTotal), Some(5.0));
        assert_eq!(e.get(Extra::ServerLatencyMsP95), Some(2.0));
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"exec_time_ms_total":5.0,"server_latency_ms_p95":2.0,"vendor_thing":1.0}"#
        );
    }
}
