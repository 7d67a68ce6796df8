//! `perfhound db`: PostgreSQL diagnosis — top statements, N+1 signatures, the HypoPG
//! index advisor and PgHero-style health checks. Wiring only: the engine is perfhound-db.

use super::FailOn;
use crate::exit;
use anyhow::{bail, Context as _};
use clap::Args;
use perfhound_db::{analyze, Config};
use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::PathBuf;

const EXAMPLES: &str = "Examples:
  perfhound db postgres://app@127.0.0.1:5432/shop                 statements, index advice, health checks
  perfhound db postgres://app@db/shop --format json --out db.json  the run (versioned schema) for report/check
  perfhound db postgres://app@db/shop --sql queries.sql            advise on these statements instead of pg_stat_statements
  perfhound db postgres://app@db/shop --log postgresql.log         statements from a server log (stderr, .csv or .json)
  perfhound db 'postgres://app@db.example/shop?sslmode=verify-full&sslrootcert=ca.pem'   TLS, server verified
  perfhound db postgres://app@db/shop --min-cost-drop 80 --no-checks
  perfhound db postgres://admin@db/shop --apply                    create the suggested indexes concurrently (asks first)

The session is read-only (default_transaction_read_only, statement_timeout, lock_timeout)
unless --apply is given. Needs pg_stat_statements (statements; or --log with
log_min_duration_statement = 0) and HypoPG (verified index advice; without it suggestions
are heuristic). TLS follows libpq: sslmode=disable|allow|prefer (default)|require|
verify-ca|verify-full, sslrootcert=FILE|system, or PGSSLMODE/PGSSLROOTCERT. Passwords are
never printed.
Exit codes: 0 ok · 1 a finding at or above --fail-on · 2 usage, input or connection error.";

/// Diagnose a PostgreSQL database.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct DbArgs {
    /// Connection string (postgres://user@host:port/db or 'host=… dbname=…'); default $DATABASE_URL.
    url: Option<String>,
    /// Analyze the statements in this SQL file instead of pg_stat_statements.
    #[arg(long, conflicts_with = "log")]
    sql: Option<PathBuf>,
    /// Analyze the statements of this PostgreSQL log instead of pg_stat_statements: stderr
    /// format with any log_line_prefix, csvlog (.csv) or jsonlog (.json); needs
    /// log_min_duration_statement = 0 (or a threshold).
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Length of each top list (total time, mean time, calls).
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Read at most this many statements from pg_stat_statements (by total time).
    #[arg(long, default_value_t = 1000)]
    max_statements: usize,
    /// Suggest an index when the estimated cost drops by at least this many percent.
    #[arg(long, default_value_t = 50.0)]
    min_cost_drop: f64,
    /// Skip the index advisor.
    #[arg(long)]
    no_advisor: bool,
    /// Skip the health checks.
    #[arg(long)]
    no_checks: bool,
    /// Show query literals (statements from --sql or --log) instead of $n placeholders.
    #[arg(long)]
    show_literals: bool,
    /// statement_timeout of the read-only session, e.g. 10s, 500ms.
    #[arg(long, default_value = "10s")]
    statement_timeout: String,
    /// Report queries running longer than this: seconds, or a duration like 2m.
    #[arg(long, default_value = "60")]
    long_running_s: String,
    /// Create the suggested indexes with CREATE INDEX CONCURRENTLY (asks for confirmation).
    #[arg(long)]
    apply: bool,
    /// With --apply: do not ask.
    #[arg(long, requires = "apply")]
    yes: bool,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write the run (versioned JSON schema) to this file.
    #[arg(short = 'o', long = "out")]
    out: Option<PathBuf>,
    /// Exit 1 when a finding has at least this severity.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    #[command(flatten)]
    store: super::store::StoreArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

pub fn run(args: DbArgs) -> i32 {
    if let Err(e) = args.store.validate() {
        return exit::fail(&e);
    }
    if let Some(url) = super::db_sqlite::sqlite_url(args.url.as_deref()) {
        return super::db_sqlite::run(super::db_sqlite::Options {
            url,
            sql: args.sql.clone(),
            min_cost_drop: args.min_cost_drop,
            no_advisor: args.no_advisor,
            no_checks: args.no_checks,
            show_literals: args.show_literals,
            statement_timeout: args.statement_timeout.clone(),
            json: args.format == Format::Json,
            out: args.out.clone(),
            fail_on: args.fail_on.map(FailOn::severity),
            apply: args.apply,
            store: args.store.clone(),
        });
    }
    match run_inner(args) {
        Ok(code) => code,
        Err(e) => exit::fail(&e),
    }
}

fn config(args: &DbArgs) -> anyhow::Result<Config> {
    let url = match &args.url {
        Some(u) => u.clone(),
        None => std::env::var("DATABASE_URL").context("no connection string: pass one or set DATABASE_URL")?,
    };
    if !(0.0..=100.0).contains(&args.min_cost_drop) {
        bail!("--min-cost-drop must be a percentage between 0 and 100");
    }
    let mut cfg = Config::new(url);
    cfg.sql_file = args.sql.as_ref().map(|p| p.display().to_string());
    cfg.log_file = args.log.as_ref().map(|p| p.display().to_string());
    cfg.top = args.top.max(1);
    cfg.max_statements = args.max_statements.max(1);
    cfg.show_literals = args.show_literals;
    cfg.checks = !args.no_checks;
    cfg.advisor.enabled = !args.no_advisor;
    cfg.advisor.min_cost_drop = args.min_cost_drop / 100.0;
    cfg.limits.statement_timeout = super::duration_flag("--statement-timeout", &args.statement_timeout)?;
    cfg.thresholds.long_running_s = super::duration_flag("--long-running-s", &args.long_running_s)?.as_secs_f64();
    Ok(cfg)
}

fn run_inner(args: DbArgs) -> anyhow::Result<i32> {
    let cfg = config(&args)?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the runtime")?;
    let analysis = rt.block_on(analyze(&cfg))?;
    let mut run = perfhound_db::to_model::to_run(&analysis, super::recorded_command(), cfg.top, cfg.show_literals);
    run.redact_secrets();
    args.store.cite(&mut run);
    let json = serde_json::to_string_pretty(&run).context("serializing the run")?;
    if let Some(path) = &args.out {
        super::check::write_file(path, json.as_bytes())?;
    }
    args.store.save("db", &run);
    match args.format {
        Format::Text => perfhound_term::print(&perfhound_db::render::text(&analysis, cfg.top, cfg.show_literals)),
        Format::Json => println!("{json}"),
    }
    if args.apply {
        apply(&args, &cfg, &analysis, &rt)?;
    }
    let breached = super::fails_on(args.fail_on, analysis.diagnosis.findings.iter());
    Ok(if breached { exit::BREACHED } else { exit::OK })
}

fn apply(args: &DbArgs, cfg: &Config, a: &perfhound_db::Analysis, rt: &tokio::runtime::Runtime) -> anyhow::Result<()> {
    let Some(advice) = a.advice.as_ref().filter(|adv| !adv.suggestions.is_empty()) else {
        eprintln!("--apply: no index to create");
        return Ok(());
    };
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            bail!("--apply needs confirmation: run in a terminal or pass --yes");
        }
        perfhound_term::eprint(&format!(
            "Create {} index(es) concurrently in database {}? [y/N] ",
            advice.suggestions.len(),
            a.server.database
        ));
        std::io::stderr().flush().ok();
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer).context("reading the answer")?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            eprintln!("nothing created");
            return Ok(());
        }
    }
    let applied = rt.block_on(perfhound_db::advisor::apply::apply(
        &cfg.url,
        &cfg.limits,
        a.server.version_num,
        &advice.suggestions,
        &a.statements,
    ))?;
    for r in applied {
        match &r.error {
            Some(e) => perfhound_term::eprint(&format!("not created: {} ({e})\n", r.index)),
            None => {
                perfhound_term::eprint(&format!("created {}\n", r.index));
                for (_, before, now) in &r.remeasured {
                    let now = now.map_or("not measurable".to_string(), |n| format!("{n:.1}"));
                    eprintln!("  re-measured: estimated cost {before:.1} → {now}");
                }
            }
        }
    }
    Ok(())
}
