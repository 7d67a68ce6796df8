//! perfhound's PostgreSQL engine: what the database spends its time on, which indexes
//! would change that (proven, not guessed), and what is unhealthy.
//!
//! [`analyze`] runs the whole diagnosis from a [`Config`]:
//! - **statements** from `pg_stat_statements` (this database, top-level only, perfhound's
//!   own filtered out; optionally the delta since a [`snapshot`]), a PostgreSQL log
//!   ([`pglog`]: stderr or csvlog) or a `--sql` file, grouped by the shared `perfhound-sql`
//!   fingerprint; top lists by total time, mean time and calls; the `slow-query` and
//!   `n-plus-one-query` rules ([`statements`]);
//! - **generic-plan EXPLAIN** of parameterized statements without executing them
//!   ([`explain`]);
//! - the **index advisor** on a dedicated session with HypoPG ([`advisor`]): candidate
//!   columns from WHERE/JOIN/ORDER BY/GROUP BY/DISTINCT ([`perfhound_sql::usage`]), single and two-column
//!   hypothetical indexes, partial and covering variants, ranked by time saved per day,
//!   with the exact `CREATE INDEX CONCURRENTLY`; heuristic, low-confidence advice without
//!   HypoPG;
//! - **health checks** with PgHero parity, one rule per file ([`checks`]).
//!
//! Safety: sessions are read-only with a statement and lock timeout, over TLS with libpq's
//! `sslmode` semantics ([`session`]); nothing
//! is ever `EXPLAIN ANALYZE`d; credentials are never printed and literals are redacted
//! unless asked ([`sqltext`]). The result converts to the model's `Run` ([`to_model`]).

pub mod advisor;
pub mod catalog;
pub mod checks;
pub mod config;
pub mod error;
pub mod explain;
pub mod pglog;
pub mod render;
pub mod session;
pub mod sqltext;
pub mod statements;
pub mod to_model;

pub use config::{AdvisorConfig, Config, Thresholds};
pub use error::DbError;
pub use statements::window::StatementSnapshot;

use advisor::Advice;
use catalog::Catalog;
use perfhound_model::Rule;
use perfhound_sql::engine::Diagnosis;
use session::{Mode, ServerInfo};
use statements::StatementSet;

/// Every rule of the engine, for `perfhound rules`.
pub fn rules() -> Vec<Rule> {
    let mut r = vec![advisor::rule::RULE, statements::slow_query::RULE, statements::n_plus_one::RULE];
    r.extend(checks::RULES);
    r
}

/// Everything one analysis found.
#[derive(Debug)]
pub struct Analysis {
    pub server: ServerInfo,
    /// The connection string with the password redacted.
    pub source: String,
    pub statements: StatementSet,
    pub advice: Option<Advice>,
    pub catalog: Catalog,
    /// Findings, database-level measurements (cache hit ratios, connections…), warnings.
    pub diagnosis: Diagnosis,
}

/// Captures pg_stat_statements' counters now, to analyze only what runs after it: put the
/// snapshot in [`Config::baseline`] and [`analyze`] reports the delta (`perfhound audit`
/// takes one before its load test).
pub async fn snapshot(cfg: &Config) -> Result<StatementSnapshot, DbError> {
    let client = session::connect(&cfg.url, Mode::ReadOnly, &cfg.limits).await?;
    let server = ServerInfo::fetch(&client).await?;
    statements::window::capture(&client, &server).await
}

/// Runs the diagnosis. Errors only when nothing useful can be done (cannot connect,
/// unreadable input file); a missing extension or a failed check becomes a warning.
pub async fn analyze(cfg: &Config) -> Result<Analysis, DbError> {
    let started_at = perfhound_model::rfc3339_now();
    let mut warnings = Vec::new();
    // Input files are read first: a bad file is reported before anything is sent.
    let from_file = read_input_file(cfg, &mut warnings)?;
    let client = session::connect(&cfg.url, Mode::ReadOnly, &cfg.limits).await?;
    let server = ServerInfo::fetch(&client).await?;
    let statements = match from_file {
        Some(set) => set,
        None => read_pg_stat_statements(cfg, &client, &server, &mut warnings).await?,
    };
    if statements.hidden > 0 {
        warnings.push(format!(
            "{} statements of other roles are hidden from {}: `GRANT pg_read_all_stats TO {};` to analyze them",
            statements.hidden, server.user, server.user
        ));
    }
    let catalog = Catalog::load(&client).await?;
    let mut findings = Vec::new();
    findings.extend(statements::slow_query::findings(&statements, &cfg.thresholds, cfg.show_literals));
    findings.extend(statements::n_plus_one::findings(&statements, &cfg.thresholds, cfg.show_literals));
    let advice = if cfg.advisor.enabled && !statements.statements.is_empty() {
        if !server.has_extension("hypopg") {
            warnings.push(format!(
                "HypoPG is not installed: index suggestions are heuristic and unverified (low confidence). To enable: {}",
                server.how_to_enable("hypopg")
            ));
        }
        // A dedicated session: hypothetical indexes live in the backend that made them.
        let advisor_client = session::connect(&cfg.url, Mode::ReadOnly, &cfg.limits).await?;
        if server.superuser {
            let _ = advisor_client.batch_execute("SET pg_stat_statements.track = 'none'").await;
        }
        let advice = advisor::advise(&advisor_client, &server, &catalog, &statements, &cfg.advisor).await?;
        findings.extend(advisor::rule::findings(&advice, &statements, cfg.show_literals));
        if !advice.unexplainable.is_empty() {
            warnings.push(format!(
                "{} statement(s) could not be explained (see the JSON output)",
                advice.unexplainable.len()
            ));
        }
        Some(advice)
    } else {
        None
    };
    let mut metrics = perfhound_model::Extras::default();
    if cfg.checks {
        let ctx = checks::Ctx {
            client: &client,
            server: &server,
            catalog: &catalog,
            t: &cfg.thresholds,
            show_literals: cfg.show_literals,
        };
        let health = checks::run_all(&ctx).await;
        findings.extend(health.findings);
        metrics = health.metrics;
        warnings.extend(health.warnings);
    }
    Ok(Analysis {
        source: session::redact_url(&cfg.url),
        server,
        statements,
        advice,
        catalog,
        diagnosis: Diagnosis { findings, metrics, warnings, started_at, ended_at: perfhound_model::rfc3339_now() },
    })
}

/// The statements of a `--sql` file or a log, when one is given.
fn read_input_file(cfg: &Config, warnings: &mut Vec<String>) -> Result<Option<StatementSet>, DbError> {
    if let Some(path) = &cfg.sql_file {
        return statements::from_file(path).map(Some);
    }
    let Some(path) = &cfg.log_file else { return Ok(None) };
    let log = pglog::read_file(std::path::Path::new(path))?;
    warnings.extend(log.warnings);
    Ok(Some(log.statements))
}

/// pg_stat_statements, skipped with a warning when it is missing or not readable.
async fn read_pg_stat_statements(
    cfg: &Config,
    client: &tokio_postgres::Client,
    server: &ServerInfo,
    warnings: &mut Vec<String>,
) -> Result<StatementSet, DbError> {
    let read = statements::from_pg_stat_statements(client, server, cfg.max_statements, cfg.baseline.as_ref());
    match read.await {
        Ok(s) => Ok(s),
        Err(e @ (DbError::ExtensionMissing { .. } | DbError::InsufficientPrivilege { .. })) => {
            warnings.push(format!("statement analysis skipped: {e}"));
            Ok(StatementSet::default())
        }
        Err(e) => Err(e),
    }
}
