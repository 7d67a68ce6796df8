//! The database side of an audit window: statistics before the load, analysis after.
//!
//! PostgreSQL: `pg_stat_statements` is snapshotted before the load, and the analysis
//! (top statements, N+1, HypoPG index advice, health checks) runs on the difference, so
//! only what the load caused is reported. SQLite: there are no server statistics; the
//! statements are the ones the service's traces recorded during the window (with their
//! call counts and times), explained and advised on a copy of the database file.

use crate::error::AuditError;
use perfhound_model::Run;

/// A statement seen in the traces during the window (literals redacted).
#[derive(Clone, Debug, PartialEq)]
pub struct SeenStatement {
    pub sql: String,
    pub calls: u64,
    pub total_us: u64,
    /// The endpoint (load request name, when tied) that ran it most.
    pub endpoint: Option<String>,
}

/// Ties database findings to the endpoint that runs their statement: the finding's target
/// becomes that endpoint (like trace findings) and the statement stays in the evidence.
pub fn tie_to_endpoints(run: &mut Run, seen: &[SeenStatement]) {
    let by_shape: Vec<(u64, &str)> = seen
        .iter()
        .filter_map(|s| Some((perfhound_sql::fingerprint(&s.sql, "").shape.hash, s.endpoint.as_deref()?)))
        .collect();
    for f in &mut run.findings {
        let Some(query) = f.evidence.query.as_deref() else { continue };
        let hash = perfhound_sql::fingerprint(query, "").shape.hash;
        if let Some((_, endpoint)) = by_shape.iter().find(|(h, _)| *h == hash) {
            f.evidence.notes.push(format!("statement: {}", f.target));
            f.target = endpoint.to_string();
        }
    }
}

/// A database being watched over the window.
pub enum Watch {
    Postgres { cfg: Box<perfhound_db::Config>, warning: Option<String> },
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
        let mut cfg = perfhound_db::Config::new(url);
        let rt = runtime(url)?;
        let mut warning = None;
        match rt.block_on(perfhound_db::snapshot(&cfg)) {
            Ok(s) => cfg.baseline = Some(s),
            // Without pg_stat_statements the analysis still runs its health checks and says why.
            Err(
                e @ (perfhound_db::DbError::ExtensionMissing { .. }
                | perfhound_db::DbError::InsufficientPrivilege { .. }),
            ) => {
                warning = Some(format!("statements over the load window not available: {e}"));
            }
            Err(e) => return Err(AuditError::Database { url: redact(url), message: e.to_string() }),
        }
        Ok(Watch::Postgres { cfg: Box::new(cfg), warning })
    }

    /// Analyzes the window; `traces` supplies the statements SQLite cannot.
    /// `seen` are the statements the traces recorded; `window_s` is the length of the
    /// load window (statement rates per day).
    pub fn analyze(self, seen: Vec<SeenStatement>, command: Vec<String>, window_s: f64) -> Result<Run, AuditError> {
        match self {
            Watch::Postgres { cfg, warning } => {
                let mut run = postgres(&cfg, command)?;
                run.warnings.extend(warning);
                Ok(run)
            }
            Watch::Sqlite { url, path } => sqlite(&url, &path, seen, command, window_s),
        }
    }
}

fn runtime(url: &str) -> Result<tokio::runtime::Runtime, AuditError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AuditError::Database { url: redact(url), message: e.to_string() })
}

fn postgres(cfg: &perfhound_db::Config, command: Vec<String>) -> Result<Run, AuditError> {
    let rt = runtime(&cfg.url)?;
    let analysis = rt
        .block_on(perfhound_db::analyze(cfg))
        .map_err(|e| AuditError::Database { url: redact(&cfg.url), message: e.to_string() })?;
    Ok(perfhound_db::to_model::to_run(&analysis, command, cfg.top, cfg.show_literals))
}

fn sqlite(
    url: &str,
    path: &std::path::Path,
    seen: Vec<SeenStatement>,
    command: Vec<String>,
    window_s: f64,
) -> Result<Run, AuditError> {
    let mut cfg = perfhound_sqlite::SqliteConfig::new(path);
    cfg.statements =
        seen.into_iter().map(|s| perfhound_sqlite::StatementStat::new(s.sql, s.calls, s.total_us)).collect();
    cfg.window_s = Some(window_s.max(1.0));
    let analysis = perfhound_sqlite::analyze(&cfg)
        .map_err(|e| AuditError::Database { url: url.to_string(), message: e.to_string() })?;
    Ok(perfhound_sqlite::to_model::to_run(&analysis, command))
}

fn redact(url: &str) -> String {
    perfhound_db::session::redact_url(url)
}
