//! `perfhound capacity`: the maximum throughput under an SLO, the knee, what saturates
//! first (with `--watch-pid`, `--db`, `--traces-listen`), stress/recovery and soak.

use super::duration_flag;
use crate::exit;
use anyhow::bail;
use clap::Args;
use perfhound_capacity::watch::Watchers;
use perfhound_capacity::{CapacityConfig, HoldConfig, Search, SoakConfig};
use perfhound_load::plan::{HttpOptions, Plan};
use perfhound_load::quick::QuickOptions;
use std::path::{Path, PathBuf};
use std::time::Duration;

const EXAMPLES: &str = "Examples:
  perfhound capacity http://127.0.0.1:8080/api/orders --slo 'p99 < 500ms' --slo 'error_rate < 1%'
  perfhound capacity scenario.yaml --slo 'p95 < 300ms' --start-rate 50 --max-rate 2000 --step 15s
  perfhound capacity http://127.0.0.1:8080/ --slo 'p99 < 200ms' --watch-pid $(pgrep myserver) \\
      --db postgres://app@127.0.0.1/app --traces-listen 127.0.0.1:4318 --out capacity.json
  perfhound capacity http://127.0.0.1:8080/ --slo 'p99 < 200ms' --require 500    exit 1 below 500 req/s
  perfhound capacity http://127.0.0.1:8080/ --slo 'p99 < 200ms' --hold 1.5 --hold-for 30s   stress + recovery
  perfhound capacity http://127.0.0.1:8080/ --soak 30m --soak-rate 100 --watch-pid $(pgrep myserver) \
      --memory-limit 2GB --fail-on warning                                       leak check

The search runs steps of constant arrival rate (open model), rising by --step-factor from
--start-rate until a step breaks the SLO, completes fewer requests than offered or fails, then
bisects between the last good and the first bad rate. Each step's evidence: offered vs achieved
rate, p50/p99 (from the intended send time), errors, dropped arrivals. When perfhound itself is
the limit (its CPU, its VUs) it says so and does not blame the service. Ctrl-C keeps the
finished steps. Rates are iterations per second (one request each for a URL).

Exit codes: 0 done · 1 max throughput under the SLO below --require, or a finding at
--fail-on (a leak) · 2 usage, config or connection error.
Only loopback targets (127.0.0.0/8, ::1) are loaded unless --allow-remote is given.";

/// Find the maximum throughput under an SLO, the knee and what saturates first.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct CapacityArgs {
    /// A URL or a scenario YAML file (its executors are replaced by the search's rates).
    target: String,
    /// Service level objective, e.g. 'p99 < 500ms', 'error_rate < 1%' (repeatable).
    #[arg(long = "slo", default_values_t = ["p99 < 500ms".to_string(), "error_rate < 1%".to_string()])]
    slo: Vec<String>,
    /// First step's rate (iterations per second).
    #[arg(long, default_value_t = 10.0)]
    start_rate: f64,
    /// No step above this rate.
    #[arg(long, default_value_t = 10_000.0)]
    max_rate: f64,
    /// Each ramp step multiplies the rate by this.
    #[arg(long, default_value_t = 1.5)]
    step_factor: f64,
    /// Length of each step.
    #[arg(long, default_value = "10s")]
    step: String,
    /// The whole search stops starting steps after this.
    #[arg(long, default_value = "5m")]
    max_time: String,
    /// Stop refining when the bracket is narrower than this fraction of the rate.
    #[arg(long, default_value_t = 0.05)]
    precision: f64,
    /// Most VUs (connections) in a step.
    #[arg(long, default_value_t = 1000)]
    max_vus: u64,
    /// Per-request timeout (also how long a step may drain).
    #[arg(long, default_value = "10s")]
    timeout: String,
    /// HTTP method (URL mode).
    #[arg(short = 'm', long, default_value = "GET")]
    method: String,
    /// Request header `Name: value` (repeatable; URL mode).
    #[arg(short = 'H', long = "header")]
    headers: Vec<String>,
    /// Sample this process's CPU% and RSS in every step (the service under test).
    #[arg(long)]
    watch_pid: Option<u32>,
    /// PostgreSQL URL: connections vs max_connections and waits sampled in every step.
    #[arg(long)]
    db: Option<String>,
    /// Open an OTLP/HTTP receiver here; the service's statements are timed per step.
    #[arg(long)]
    traces_listen: Option<String>,
    /// After the search, hold this multiple of the max sustainable rate (stress), then drop
    /// to half of it and time the recovery, e.g. --hold 1.5.
    #[arg(long)]
    hold: Option<f64>,
    /// How long the hold lasts.
    #[arg(long, default_value = "20s")]
    hold_for: String,
    /// How long the recovery after the hold is watched.
    #[arg(long, default_value = "30s")]
    recovery_for: String,
    /// Instead of a search: one steady run this long (e.g. 30m) at --soak-rate; the
    /// --watch-pid process's RSS, open files and threads are fitted against time.
    #[arg(long, requires = "watch_pid")]
    soak: Option<String>,
    /// The soak's rate (iterations per second).
    #[arg(long, default_value_t = 50.0)]
    soak_rate: f64,
    /// Soak samples before this are not fitted (caches filling, pools growing).
    #[arg(long, default_value = "1m")]
    warmup: String,
    /// Memory limit of the service (e.g. 2GB, 512MiB): a growing RSS gets the time to reach it.
    #[arg(long)]
    memory_limit: Option<String>,
    /// Also exit 1 on findings this severe (a leak found by --soak).
    #[arg(long, value_enum)]
    fail_on: Option<super::FailOn>,
    /// Exit 1 when the maximum throughput under the SLO is below this (req/s).
    #[arg(long)]
    require: Option<f64>,
    /// Worker threads of the generator (default: CPU cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Write the run (schema + load.capacity) to this file.
    #[arg(short = 'o', long = "out")]
    out: Option<PathBuf>,
    /// What to print on stdout at the end.
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
    /// No per-step lines.
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Accept invalid TLS certificates (self-signed test servers).
    #[arg(short = 'k', long)]
    insecure: bool,
    /// Allow targets that are not loopback addresses. Only load systems you are allowed to.
    #[arg(long)]
    allow_remote: bool,
    #[command(flatten)]
    store: super::store::StoreArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum OutputFormat {
    Text,
    Json,
}

pub fn run(args: CapacityArgs) -> i32 {
    match run_inner(args) {
        Ok(code) => code,
        Err(e) => exit::fail(&e),
    }
}

fn run_inner(args: CapacityArgs) -> anyhow::Result<i32> {
    args.store.validate()?;
    let cfg = config(&args)?;
    if let Some(pid) = args.watch_pid {
        if perfhound_load::resources::cpu_seconds(pid).is_none() {
            bail!(
                "--watch-pid {pid}: no such process (or /proc is not readable); pass the PID of the service under test"
            );
        }
    }
    let mut watchers = Watchers::start(cfg.db.as_deref(), cfg.traces_listen.as_deref())?;
    if let Some(s) = &watchers.spans {
        perfhound_term::eprint(&format!("OTLP receiver on {} (point the service's exporter here)\n", s.traces_url()));
    }
    let quiet = args.quiet;
    let mut on_step = |s: &perfhound_model::CapacityStep| {
        if !quiet {
            perfhound_term::eprint(&perfhound_capacity::output::step_line(s));
        }
    };
    let outcome = match &cfg.soak {
        Some(soak) => perfhound_capacity::run_soak(&cfg, soak, super::recorded_command())?,
        None => perfhound_capacity::run(&cfg, &mut watchers, &mut on_step, super::recorded_command())?,
    };
    let mut run = outcome.run;
    run.redact_secrets();
    args.store.save("capacity", &run);
    if let Some(path) = &args.out {
        super::check::write_file(path, &serde_json::to_vec_pretty(&run)?)?;
    }
    let section = run.load.as_ref().and_then(|l| l.capacity.as_deref());
    match args.format {
        OutputFormat::Text => {
            if let Some(c) = section {
                perfhound_term::print(&perfhound_capacity::output::summary(c));
            }
            for f in &run.findings {
                perfhound_term::print(&format!("  {}\n", perfhound_term::finding_line(f)));
            }
            if let Some(path) = &args.out {
                perfhound_term::print(&format!("\n  run written to {}\n", path.display()));
            }
        }
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&run)?),
    }
    let max = section.and_then(|c| c.max_sustainable_rps).unwrap_or(0.0);
    let below = args.require.is_some_and(|r| max < r);
    let fails = super::fails_on(args.fail_on, run.findings.iter());
    Ok(if below || fails { exit::BREACHED } else { exit::OK })
}

fn config(args: &CapacityArgs) -> anyhow::Result<CapacityConfig> {
    let search = Search {
        start_rps: args.start_rate,
        max_rps: args.max_rate,
        factor: args.step_factor,
        step: duration_flag("--step", &args.step)?,
        max_time: duration_flag("--max-time", &args.max_time)?,
        precision: args.precision,
        max_vus: args.max_vus,
        timeout: duration_flag("--timeout", &args.timeout)?,
        ..Search::default()
    };
    search.validate()?;
    if !(args.precision > 0.0 && args.precision < 1.0) {
        bail!("--precision must be between 0 and 1 (e.g. 0.05 for 5 %)");
    }
    Ok(CapacityConfig {
        plan: plan(args)?,
        slo: perfhound_capacity::config::parse_slo(&args.slo)?,
        search,
        watch_pid: args.watch_pid,
        db: args.db.clone(),
        traces_listen: args.traces_listen.clone(),
        hold: hold(args)?,
        soak: soak(args)?,
        threads: args.threads,
    })
}

fn hold(args: &CapacityArgs) -> anyhow::Result<Option<HoldConfig>> {
    let Some(factor) = args.hold else { return Ok(None) };
    if !(factor > 1.0 && factor <= 10.0) {
        bail!("--hold {factor}: give a multiple of the max sustainable rate above 1 and at most 10 (e.g. 1.5)");
    }
    Ok(Some(HoldConfig {
        factor,
        duration: duration_flag("--hold-for", &args.hold_for)?,
        recovery: duration_flag("--recovery-for", &args.recovery_for)?,
        recovery_share: 0.5,
    }))
}

fn soak(args: &CapacityArgs) -> anyhow::Result<Option<SoakConfig>> {
    let Some(d) = &args.soak else { return Ok(None) };
    if !(args.soak_rate > 0.0 && args.soak_rate.is_finite()) {
        bail!("--soak-rate must be a positive number of requests per second");
    }
    let memory_limit_bytes = args
        .memory_limit
        .as_deref()
        .map(|m| {
            perfhound_model::metric::parse_value(perfhound_model::MetricKind::Size, m)
                .map(|b| b as u64)
                .map_err(|e| anyhow::anyhow!("--memory-limit `{m}`: {e}"))
        })
        .transpose()?;
    Ok(Some(SoakConfig {
        rps: args.soak_rate,
        duration: duration_flag("--soak", d)?,
        warmup: duration_flag("--warmup", &args.warmup)?,
        memory_limit_bytes,
    }))
}

fn is_url(target: &str) -> bool {
    let lower = target.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

fn plan(args: &CapacityArgs) -> anyhow::Result<Plan> {
    let http = HttpOptions { insecure: args.insecure, allow_remote: args.allow_remote, ..HttpOptions::default() };
    if !is_url(&args.target) {
        if !args.headers.is_empty() {
            bail!("-H/--header applies to a URL; in scenario mode set headers in {} instead", args.target);
        }
        let env = |name: &str| std::env::var(name).ok();
        let mut plan = perfhound_load::scenario::load_scenario(Path::new(&args.target), &env)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        plan.http.allow_remote |= args.allow_remote;
        plan.http.insecure |= args.insecure;
        return Ok(plan);
    }
    let (headers, method) = super::request_flags(&args.headers, &args.method)?;
    let opts = QuickOptions {
        url: args.target.clone(),
        connections: 1,
        duration: Some(Duration::from_secs(1)),
        requests: None,
        rate: Some(1.0),
        method,
        headers,
        body: None,
        http,
        thresholds: Vec::new(),
        hard_cap: None,
        max_duration: Duration::from_secs(600),
    };
    perfhound_load::quick::plan(opts).map_err(|e| anyhow::anyhow!("{e}"))
}
