//! The cache side of an audit window: Redis `INFO` right before and right after the load.
//!
//! The difference of the two snapshots is what the load caused: its keyspace hits and
//! misses become the run's cache server target (`redis host:port/db`), which the report
//! shows as the **Cache Hit Rate**, with the window's evictions and expired keys; the
//! counter rules (`PH-REDIS001` hit ratio, `PH-REDIS002` evictions, memory) judge the
//! window. Other clients of the same server during the window are counted too: the
//! report says the counters are the server's.

use crate::error::AuditError;
use perfhound_model::Run;
use std::time::{Duration, Instant};

/// Connect and command timeout of the snapshots.
const TIMEOUT: Duration = Duration::from_secs(5);

/// A Redis server watched over the window.
pub struct CacheWatch {
    url: String,
    source: String,
    before: perfhound_cache::Stats,
    started: Instant,
}

impl CacheWatch {
    /// Takes the first snapshot; a wrong URL or password fails before any request is sent.
    pub fn begin(url: &str) -> Result<CacheWatch, AuditError> {
        let source = perfhound_cache::RedisUrl::parse(url).map_or_else(|_| "redis".to_string(), |u| u.redacted());
        let before = snapshot(url, &source)?;
        Ok(CacheWatch { url: url.to_string(), source, before, started: Instant::now() })
    }

    /// Takes the second snapshot: the window's run.
    pub fn end(self, command: Vec<String>) -> Result<Run, AuditError> {
        let elapsed = self.started.elapsed().as_secs_f64();
        let after = snapshot(&self.url, &self.source)?;
        Ok(perfhound_cache::to_model::window_run(&self.source, &self.before, &after, elapsed, command))
    }
}

fn snapshot(url: &str, source: &str) -> Result<perfhound_cache::Stats, AuditError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AuditError::Cache { url: source.to_string(), message: e.to_string() })?;
    rt.block_on(perfhound_cache::snapshot(url, TIMEOUT))
        .map_err(|e| AuditError::Cache { url: source.to_string(), message: e.to_string() })
}
