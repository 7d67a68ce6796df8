//! `perfhound audit`: load + traces + database in one window, one run, one report.
//! Wiring only: the orchestration is perfhound-audit.

use super::FailOn;
use crate::exit;
use anyhow::Context as _;
use clap::Args;
use perfhound_audit::{config, output, Hooks};
use perfhound_load::output::{Progress, ProgressMode};
use perfhound_model::Severity;
use std::path::PathBuf;

const EXAMPLES: &str = "Examples:
  perfhound init                                    write a commented starter perfhound.yaml
  perfhound audit perfhound.yaml                    load + traces + database → perfhound-audit/report.html
  perfhound audit perfhound.yaml --baseline perfhound-audit/run.json --out after
                                                    after a fix: the before/after report
  perfhound audit perfhound.yaml --fail-on critical   gate CI on findings as well as budgets
  perfhound audit perfhound.yaml --serve --tag env=ci  a live view while it runs; the run is saved with a tag

The config is a scenario file (docs/scenario.md) with an `audit:` section and `budgets:`
(docs/audit.md). During the load perfhound listens for OTLP/HTTP traces (point the
service's exporter at it) and sends a W3C traceparent with every request, so the traces
are tied to the scenario's request names. With `audit.db` (postgres://… or sqlite://path)
the database is analyzed over the same window.

Exit codes: 0 ok · 1 a budget failed or a finding at or above --fail-on ·
2 bad config, unreachable target or database, unwritable output.";

/// Load-test, collect traces and database statistics, analyze and report, in one run.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct AuditArgs {
    /// The audit config (a scenario file with an `audit:` section); see `perfhound init`.
    #[arg(default_value = "perfhound.yaml")]
    config: PathBuf,
    /// A previous audit's run.json: the report becomes a before/after comparison.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Output directory (default: `audit.out` of the config, else perfhound-audit/).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also exit 1 when a finding of this severity or worse is present.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// No progress output; only the summary.
    #[arg(short, long)]
    quiet: bool,
    /// Network round trip projected onto traced calls faster than it (a local database or
    /// cache answers in 0.1 ms; production pays a round trip per call). Default 1ms, or
    /// `audit.traces.thresholds.rtt_ms`; `0` turns projection off.
    #[arg(long, value_name = "DURATION", value_parser = super::parse_rtt)]
    rtt: Option<f64>,
    /// Serve a live view (and the dashboard) while the load runs, on this loopback
    /// address [default: 127.0.0.1:0, a free port]; the URL is printed on stderr.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:0")]
    serve: Option<String>,
    #[command(flatten)]
    store: super::store::StoreArgs,
}

pub fn run(args: AuditArgs) -> i32 {
    match run_inner(&args) {
        Ok(code) => code,
        Err(e) => exit::fail(&e),
    }
}

fn run_inner(args: &AuditArgs) -> anyhow::Result<i32> {
    args.store.validate()?;
    let env = |name: &str| std::env::var(name).ok();
    let mut cfg = config::load(&args.config, &env)?;
    if let (Some(ms), Some(traces)) = (args.rtt, cfg.traces.as_mut()) {
        traces.detectors.rtt_ms = ms;
    }
    let baseline = args.baseline.as_deref().map(output::read_baseline).transpose()?;
    let mut progress = Progress::new(progress_mode(args.quiet));
    let quiet = args.quiet;
    let mut status = |line: &str| {
        if !quiet {
            perfhound_term::eprint(&format!("perfhound audit: {line}\n"));
        }
    };
    let mut store = args.store.clone();
    if store.store.is_none() {
        store.store = cfg.store.clone();
    }
    let live =
        args.serve.as_deref().map(|addr| super::live::start("audit", addr, store.store.as_deref())).transpose()?;
    let label = args.config.display().to_string();
    let mut observer = super::live::LiveObserver::new(&mut progress, live, &label);
    let hooks = Hooks::new(&mut observer, &mut status);
    let mut audit = perfhound_audit::run(&cfg, hooks, super::recorded_command())?;
    observer.finished();
    store.cite(&mut audit.run);
    progress.finish();
    if let (Some(p), Some(path)) = (audit.profile.as_mut(), &args.baseline) {
        p.baseline = output::baseline_profile(path);
    }
    let dir = args.out.clone().unwrap_or_else(|| cfg.out_dir.clone());
    let learned_from = baseline.clone();
    let written = output::write(&dir, &audit, cfg.title.as_deref(), baseline).context("writing the audit")?;
    store.save("audit", &audit.run);
    if let Some(before) = &learned_from {
        for line in store.learn(before, &audit.run) {
            perfhound_term::print(&format!("{line}\n"));
        }
    }
    perfhound_term::print(&output::summary(&audit, &written, 10));
    let fail_on = args.fail_on.map(FailOn::severity).or(cfg.fail_on);
    Ok(exit_code(&audit, fail_on))
}

/// 1 when a budget failed or a finding reaches `fail_on`.
pub fn exit_code(audit: &perfhound_audit::Audit, fail_on: Option<Severity>) -> i32 {
    let budget_failed = audit.budgets.as_ref().is_some_and(|b| b.failed > 0);
    let finding_failed = fail_on.is_some_and(|min| audit.run.findings.iter().any(|f| f.severity >= min));
    if budget_failed || finding_failed {
        exit::BREACHED
    } else {
        exit::OK
    }
}

pub fn progress_mode(quiet: bool) -> ProgressMode {
    ProgressMode::choose(quiet, 2)
}
