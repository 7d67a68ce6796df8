//! `perfhound load`: quick mode (`URL`) or scenario mode (`scenario.yaml`).

use super::duration_flag;
use crate::exit;
use anyhow::{bail, Context as _};
use clap::Args;
use perfhound_load::engine::{self, EngineOptions};
use perfhound_load::output::{Progress, ProgressMode};
use perfhound_load::plan::{HttpOptions, Plan};
use perfhound_load::quick::QuickOptions;
use std::path::{Path, PathBuf};
use std::time::Duration;

const EXAMPLES: &str = "Examples:
  perfhound load http://127.0.0.1:8080/ -c 50 -d 30s              closed model, like wrk/oha
  perfhound load http://127.0.0.1:8080/ -r 500 -d 1m -c 100       open model at 500 req/s, like wrk2
  perfhound load http://127.0.0.1:8080/api -n 10000 -m POST -H 'Content-Type: application/json' -b '{\"a\":1}'
  perfhound load https://localhost:8443/ --http2 --insecure -d 10s
  perfhound load scenario.yaml --out run.json                     multi-step flows, checks, thresholds
  perfhound load http://127.0.0.1:8080/ -d 1m --serve --tag rev=2  live view in the browser; saved in the history
  perfhound load http://127.0.0.1:8080/ -d 30s --threshold 'p95 < 300ms' --watch-pid $(pgrep myserver)

Exit codes: 0 all thresholds passed · 1 a threshold was breached · 2 usage, config or connection error.
Only loopback targets (127.0.0.0/8, ::1) are loaded unless --allow-remote is given.";

/// Load-test an HTTP service.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct LoadArgs {
    /// A URL (quick mode) or a scenario YAML file (scenario mode).
    target: String,
    /// Concurrent connections (VUs) in quick mode.
    #[arg(short = 'c', long = "connections", default_value_t = 50)]
    connections: u64,
    /// How long to run, e.g. 30s, 2m, 1h.
    #[arg(short = 'd', long)]
    duration: Option<String>,
    /// Number of requests to send (instead of, or together with, -d).
    #[arg(short = 'n', long = "requests")]
    requests: Option<u64>,
    /// Requests per second (open model, latency measured from the intended send time).
    #[arg(short = 'r', long)]
    rate: Option<f64>,
    /// HTTP method.
    #[arg(short = 'm', long, default_value = "GET")]
    method: String,
    /// Request header `Name: value` (repeatable).
    #[arg(short = 'H', long = "header")]
    headers: Vec<String>,
    /// Request body.
    #[arg(short = 'b', long, conflicts_with = "body_file")]
    body: Option<String>,
    /// Read the request body from a file.
    #[arg(long)]
    body_file: Option<PathBuf>,
    /// Use HTTP/2 (h2c prior knowledge for http://, ALPN h2 for https://).
    #[arg(long)]
    http2: bool,
    /// Per-request timeout (whole response), e.g. 10s.
    #[arg(long, default_value = "30s")]
    timeout: String,
    /// TCP + TLS connect timeout.
    #[arg(long, default_value = "5s")]
    connect_timeout: String,
    /// Accept invalid TLS certificates (self-signed test servers).
    #[arg(short = 'k', long)]
    insecure: bool,
    /// Redirects followed per request (0 = do not follow).
    #[arg(long, default_value_t = 10)]
    max_redirects: u32,
    /// Threshold like 'p95 < 300ms', 'error_rate < 0.1%', 'rps > 100' (repeatable; quick mode).
    #[arg(long = "threshold")]
    thresholds: Vec<String>,
    /// Worker threads (default: CPU cores, at most one per connection).
    #[arg(long)]
    threads: Option<usize>,
    /// Sample this process's CPU% and RSS every second (the service under test).
    #[arg(long)]
    watch_pid: Option<u32>,
    /// Write the run (versioned JSON schema) to this file.
    #[arg(short = 'o', long = "out")]
    out: Option<PathBuf>,
    /// What to print on stdout at the end.
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
    /// No progress output.
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Seconds between progress lines when stderr is not a terminal (CI logs).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    progress_interval: u32,
    /// Allow targets that are not loopback addresses. Only load systems you are allowed to.
    #[arg(long)]
    allow_remote: bool,
    /// Do not check that targets are reachable before starting.
    #[arg(long)]
    no_preflight: bool,
    /// Absolute limit on the run's wall time, whatever the scenario says.
    #[arg(long, default_value = "1h")]
    hard_cap: String,
    /// Serve a live view (and the dashboard) while the load runs, on this loopback
    /// address [default: 127.0.0.1:0, a free port]; the URL is printed on stderr.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:0")]
    serve: Option<String>,
    #[command(flatten)]
    store: super::store::StoreArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum OutputFormat {
    Text,
    Json,
    None,
}

pub fn run(args: LoadArgs) -> i32 {
    match run_inner(args) {
        Ok(code) => code,
        Err(e) => exit::fail(&e),
    }
}

fn is_scenario(target: &str) -> bool {
    let lower = target.to_ascii_lowercase();
    !lower.starts_with("http://")
        && !lower.starts_with("https://")
        && (lower.ends_with(".yaml") || lower.ends_with(".yml") || Path::new(target).is_file())
}

fn run_inner(args: LoadArgs) -> anyhow::Result<i32> {
    args.store.validate()?;
    let plan = build_plan(&args)?;
    let mode = ProgressMode::choose(args.quiet, args.progress_interval);
    let mut progress = Progress::new(mode);
    let opts = EngineOptions { threads: args.threads, watch_pid: args.watch_pid, skip_preflight: args.no_preflight };
    if let Some(pid) = args.watch_pid {
        if perfhound_load::resources::cpu_seconds(pid).is_none() {
            bail!(
                "--watch-pid {pid}: no such process (or /proc is not readable); pass the PID of the service under test"
            );
        }
    }
    let live =
        args.serve.as_deref().map(|addr| super::live::start("load", addr, args.store.store.as_deref())).transpose()?;
    let mut observer = super::live::LiveObserver::new(&mut progress, live, &args.target);
    let result = engine::run(plan, &opts, &mut observer).context("the load run could not start")?;
    observer.finished();
    progress.finish();
    let mut run = perfhound_load::to_model::to_run(&result, super::recorded_command());
    run.redact_secrets();
    args.store.cite(&mut run);
    if let Some(path) = &args.out {
        super::check::write_file(path, &serde_json::to_vec_pretty(&run)?)?;
    }
    args.store.save("load", &run);
    match args.format {
        OutputFormat::Text => perfhound_term::print(&perfhound_load::output::summary(&run)),
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&run)?),
        OutputFormat::None => {}
    }
    if let Some(path) = &args.out {
        if args.format == OutputFormat::Text {
            perfhound_term::print(&format!("\n  run written to {}\n", path.display()));
        }
    }
    let breached = run.budget_results.iter().any(|b| !b.passed);
    Ok(if breached { exit::BREACHED } else { exit::OK })
}

fn build_plan(args: &LoadArgs) -> anyhow::Result<Plan> {
    let http = HttpOptions {
        http2: args.http2,
        insecure: args.insecure,
        connect_timeout: duration_flag("--connect-timeout", &args.connect_timeout)?,
        request_timeout: duration_flag("--timeout", &args.timeout)?,
        max_redirects: args.max_redirects,
        allow_remote: args.allow_remote,
        traceparent: None,
    };
    let hard_cap = duration_flag("--hard-cap", &args.hard_cap)?;
    if is_scenario(&args.target) {
        let quick_only = [
            (args.duration.is_some(), "-d/--duration"),
            (args.requests.is_some(), "-n/--requests"),
            (args.rate.is_some(), "-r/--rate"),
            (args.body.is_some() || args.body_file.is_some(), "-b/--body"),
            (!args.headers.is_empty(), "-H/--header"),
            (!args.thresholds.is_empty(), "--threshold"),
        ];
        if let Some((_, flag)) = quick_only.iter().find(|(set, _)| *set) {
            bail!("{flag} applies to quick mode (a URL); in scenario mode set it in {} instead", args.target);
        }
        let env = |name: &str| std::env::var(name).ok();
        let mut plan = perfhound_load::scenario::load_scenario(Path::new(&args.target), &env)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        // Flags override the file only where the user gave them explicitly.
        plan.http.allow_remote |= args.allow_remote;
        plan.http.insecure |= args.insecure;
        plan.http.http2 |= args.http2;
        plan.hard_cap = plan.hard_cap.min(hard_cap);
        return Ok(plan);
    }
    let duration = args.duration.as_deref().map(|d| duration_flag("-d/--duration", d)).transpose()?;
    let body = match (&args.body, &args.body_file) {
        (Some(b), _) => Some(bytes::Bytes::from(b.clone().into_bytes())),
        (None, Some(path)) => Some(bytes::Bytes::from(
            std::fs::read(path).with_context(|| format!("--body-file: cannot read {}", path.display()))?,
        )),
        (None, None) => None,
    };
    let (headers, method) = super::request_flags(&args.headers, &args.method)?;
    let opts = QuickOptions {
        url: args.target.clone(),
        connections: args.connections,
        duration,
        requests: args.requests,
        rate: args.rate,
        method,
        headers,
        body,
        http,
        thresholds: args.thresholds.clone(),
        hard_cap: Some(hard_cap),
        max_duration: hard_cap.min(Duration::from_secs(600)),
    };
    perfhound_load::quick::plan(opts).map_err(|e| anyhow::anyhow!("{e}"))
}
