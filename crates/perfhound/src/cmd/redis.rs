//! `perfhound redis`: a read-only Redis diagnosis — hit ratio, evictions, memory, slowlog
//! by command shape, keys without TTL, big and hot keys by key template. Wiring only: the
//! engine is perfhound-cache.

use super::FailOn;
use crate::exit;
use anyhow::{bail, Context as _};
use clap::Args;
use perfhound_cache::{analyze, sample::Budget, Config};
use std::path::PathBuf;

const EXAMPLES: &str = "Examples:
  perfhound redis redis://127.0.0.1:6379                         INFO, slowlog, key sample
  perfhound redis redis://:password@cache:6379/2 --format json --out redis.json
  perfhound redis 'rediss://cache.example:6380?cacert=ca.pem'    TLS, server verified against ca.pem
  perfhound redis 'rediss://127.0.0.1:6380?insecure=true'        TLS without verification (local test server)
  perfhound redis redis://127.0.0.1 --sample-keys 100000 --sample-time 30s
  perfhound redis redis://127.0.0.1 --no-sample --fail-on warning

Only read-only commands are sent (INFO, SLOWLOG GET, SCAN, PTTL, TYPE, MEMORY USAGE,
OBJECT FREQ), each under --timeout. Key sampling stops at --sample-keys keys or after
--sample-time, whichever comes first; hot keys need an LFU maxmemory-policy. Passwords are
never printed.
Exit codes: 0 ok · 1 a finding at or above --fail-on · 2 usage or connection error.";

/// Diagnose a Redis server.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct RedisArgs {
    /// redis://[user:password@]host[:port][/db] or rediss://… (TLS); default $REDIS_URL.
    url: Option<String>,
    /// Timeout of the connection and of each command, e.g. 5s, 500ms.
    #[arg(long, default_value = "5s")]
    timeout: String,
    /// Most keys to sample with SCAN.
    #[arg(long, default_value_t = 10_000)]
    sample_keys: usize,
    /// Longest time to spend sampling keys.
    #[arg(long, default_value = "5s")]
    sample_time: String,
    /// Do not sample keys (INFO and SLOWLOG only).
    #[arg(long)]
    no_sample: bool,
    /// SLOWLOG entries to read.
    #[arg(long, default_value_t = 128)]
    slowlog: usize,
    /// Report slowlog command shapes whose slowest entry took at least this long.
    #[arg(long, default_value = "10ms")]
    slow_command: String,
    /// Report single keys of at least this many bytes.
    #[arg(long, default_value_t = 1 << 20)]
    big_key_bytes: u64,
    /// Length of each list (slowlog shapes, key templates, biggest and hottest keys).
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write the run (versioned JSON schema) to this file.
    #[arg(short = 'o', long = "out")]
    out: Option<PathBuf>,
    /// Exit 1 when a finding has at least this severity.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    /// The Performance Analysis Report of this run, in Markdown.
    Md,
}

pub fn run(args: RedisArgs) -> i32 {
    match run_inner(args) {
        Ok(code) => code,
        Err(e) => exit::fail(&e),
    }
}

fn config(args: &RedisArgs) -> anyhow::Result<Config> {
    let url = match &args.url {
        Some(u) => u.clone(),
        None => std::env::var("REDIS_URL").context("no Redis URL: pass redis://host:port or set REDIS_URL")?,
    };
    if let Err(e) = perfhound_cache::RedisUrl::parse(&url) {
        bail!("{}: {e}", perfhound_model::redact::text(&url));
    }
    let mut cfg = Config::new(url);
    cfg.timeout = super::duration_flag("--timeout", &args.timeout)?;
    if cfg.timeout.is_zero() {
        bail!("--timeout must be above zero");
    }
    let time = super::duration_flag("--sample-time", &args.sample_time)?;
    cfg.sample = (!args.no_sample && args.sample_keys > 0).then_some(Budget { keys: args.sample_keys, time });
    cfg.slowlog_entries = args.slowlog;
    let slow = super::duration_flag("--slow-command", &args.slow_command)?;
    cfg.thresholds.slow_command_us = slow.as_micros() as u64;
    cfg.thresholds.big_key_bytes = args.big_key_bytes.max(1);
    Ok(cfg)
}

fn run_inner(args: RedisArgs) -> anyhow::Result<i32> {
    let cfg = config(&args)?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the runtime")?;
    let analysis = rt.block_on(analyze(&cfg))?;
    let top = args.top.max(1);
    let mut run = perfhound_cache::to_model::to_run(&analysis, super::recorded_command(), top);
    run.redact_secrets();
    let json = serde_json::to_string_pretty(&run).context("serializing the run")?;
    if let Some(path) = &args.out {
        super::check::write_file(path, json.as_bytes())?;
    }
    match args.format {
        Format::Text => perfhound_term::print(&perfhound_cache::render::text(&analysis, top)),
        Format::Json => println!("{json}"),
        Format::Md => {
            let runs = perfhound_report::RunSet::new(vec![run]);
            let report = perfhound_report::build_report(&runs, &perfhound_report::ReportOptions::default());
            perfhound_term::print(&perfhound_report::render::markdown::render(&report));
        }
    }
    let breached = super::fails_on(args.fail_on, analysis.diagnosis.findings.iter());
    Ok(if breached { exit::BREACHED } else { exit::OK })
}
