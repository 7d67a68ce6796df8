//! `perfhound db sqlite://…`: SQLite diagnosis — EXPLAIN QUERY PLAN of the statements,
//! the index advisor verified by building and timing indexes on a copy, health checks.
//! Wiring only: the engine is perfhound-sqlite. `perfhound db` hands over here when its
//! URL starts with `sqlite:` (`sqlite:///abs/path.db`, `sqlite://relative.db`, `sqlite:app.db`).

use crate::exit;
use anyhow::{bail, Context as _};
use perfhound_model::Severity;
use perfhound_sqlite::{analyze, path_from_url, SqliteConfig};
use std::path::PathBuf;

/// The `perfhound db` flags that mean something for a SQLite file.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `sqlite:…` URL.
    pub url: String,
    /// Statements to analyze (one per `;`).
    pub sql: Option<PathBuf>,
    /// Suggest an index when the measured time drops by at least this many percent.
    pub min_cost_drop: f64,
    pub no_advisor: bool,
    pub no_checks: bool,
    pub show_literals: bool,
    /// Interrupt any statement perfhound runs after this long (`10s`, `500ms`, `2m`).
    pub statement_timeout: String,
    /// Print the run as JSON instead of the text summary.
    pub json: bool,
    pub out: Option<PathBuf>,
    /// Exit 1 when a finding has at least this severity.
    pub fail_on: Option<Severity>,
    /// Not supported for SQLite: refused with a usage error.
    pub apply: bool,
    pub store: super::store::StoreArgs,
}

/// The `sqlite:` URL to analyze: the argument, else `$DATABASE_URL`; `None` when neither is one.
pub fn sqlite_url(arg: Option<&str>) -> Option<String> {
    match arg {
        Some(u) => perfhound_sqlite::is_sqlite_url(u).then(|| u.to_string()),
        None => std::env::var("DATABASE_URL").ok().filter(|u| perfhound_sqlite::is_sqlite_url(u)),
    }
}

pub fn run(o: Options) -> i32 {
    match run_inner(&o) {
        Ok(code) => code,
        Err(e) => exit::fail(&e),
    }
}

fn config(o: &Options) -> anyhow::Result<SqliteConfig> {
    if o.apply {
        bail!(
            "--apply is not supported for SQLite: run the suggested CREATE INDEX IF NOT EXISTS statements \
             with the application stopped or idle (building an index locks writes)"
        );
    }
    if !(0.0..=100.0).contains(&o.min_cost_drop) {
        bail!("--min-cost-drop must be a percentage between 0 and 100");
    }
    let mut cfg = SqliteConfig::new(path_from_url(&o.url)?);
    cfg.sql_file = o.sql.clone();
    cfg.min_time_drop = o.min_cost_drop / 100.0;
    cfg.advisor = !o.no_advisor;
    cfg.checks = !o.no_checks;
    cfg.show_literals = o.show_literals;
    if !o.statement_timeout.is_empty() {
        cfg.limits.statement_timeout = super::duration_flag("--statement-timeout", &o.statement_timeout)?;
        // Waiting for another connection's lock is part of a statement too.
        cfg.limits.busy_timeout = cfg.limits.busy_timeout.min(cfg.limits.statement_timeout);
    }
    Ok(cfg)
}

fn run_inner(o: &Options) -> anyhow::Result<i32> {
    let cfg = config(o)?;
    let analysis = analyze(&cfg)?;
    let mut run = perfhound_sqlite::to_model::to_run(&analysis, super::recorded_command());
    run.redact_secrets();
    o.store.cite(&mut run);
    let json = serde_json::to_string_pretty(&run).context("serializing the run")?;
    if let Some(path) = &o.out {
        super::check::write_file(path, json.as_bytes())?;
    }
    o.store.save("db", &run);
    if o.json {
        println!("{json}");
    } else {
        perfhound_term::print(&perfhound_sqlite::render::text(&analysis, cfg.show_literals));
    }
    let breached = o.fail_on.is_some_and(|t| analysis.diagnosis.findings.iter().any(|f| f.severity >= t));
    Ok(if breached { exit::BREACHED } else { exit::OK })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn only_sqlite_urls_are_taken() {
        assert_eq!(sqlite_url(Some("sqlite:///x.db")).as_deref(), Some("sqlite:///x.db"));
        assert_eq!(sqlite_url(Some("postgres://u@h/db")), None);
    }

    #[test]
    fn flags_map_to_the_engine_config() {
        let o = Options {
            url: "sqlite://data/app.db".into(),
            min_cost_drop: 80.0,
            statement_timeout: "500ms".into(),
            no_checks: true,
            ..Default::default()
        };
        let cfg = config(&o).unwrap();
        assert_eq!(cfg.path, PathBuf::from("data/app.db"));
        assert_eq!((cfg.min_time_drop, cfg.checks, cfg.advisor), (0.8, false, true));
        assert_eq!(cfg.limits.statement_timeout, Duration::from_millis(500));
        assert_eq!(cfg.limits.busy_timeout, Duration::from_millis(500));
        assert!(config(&Options { apply: true, ..o.clone() }).unwrap_err().to_string().contains("not supported"));
        assert!(config(&Options { min_cost_drop: 120.0, ..o }).is_err());
    }
}
