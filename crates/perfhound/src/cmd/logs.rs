//! `perfhound logs`: access logs → per-endpoint percentiles, rates, status mix, top
//! clients, and what a cache would save. Wiring only: the engine is perfhound-logs.

use super::FailOn;
use crate::exit;
use anyhow::{bail, Context as _};
use clap::Args;
use perfhound_logs::{Analyzer, Config, Input, LogFormat};
use std::io::IsTerminal as _;
use std::path::PathBuf;

const EXAMPLES: &str = "Examples:
  perfhound logs /var/log/nginx/access.log                    format detected (combined, common, JSON lines…)
  perfhound logs access.log access.log.1 access.log.2.gz      several files, gzip or not
  zcat access.log.*.gz | perfhound logs -                     stdin
  perfhound logs access.log --log-format '$remote_addr [$time_local] \"$request\" $status $body_bytes_sent $request_time \"$upstream_response_time\"'
  perfhound logs caddy.json                                   Caddy, Traefik, nginx escape=json: detected
  perfhound logs alb.jsonl --log-format json --field path=request_url --field duration=target_processing_time:s
  perfhound logs access.log --format json -o logs.json --fail-on warning
  perfhound logs access.log --format md > logs.md

--log-format: combined, common, main, json, or an nginx log_format string (`$var`, `${var}`).
Latency comes from $request_time, else $upstream_response_time (lists `a, b : c` summed).
--field NAME=KEY[:unit] maps JSON keys: method, path, request, status, bytes, time, duration,
upstream, client, user, set_cookie, credentials (units s, ms, us, ns; default s).
Malformed lines are counted and quoted (file:line: why), never fatal.
Exit codes: 0 ok · 1 a finding at or above --fail-on · 2 usage or input error.
Docs: docs/logs.md.";

/// Analyze access logs.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct LogsArgs {
    /// Access-log files (`-` for stdin; gzip detected). Without files, stdin is read.
    inputs: Vec<PathBuf>,
    /// combined, common, main, json, or an nginx log_format string; detected by default.
    #[arg(long, value_name = "FORMAT")]
    log_format: Option<String>,
    /// JSON lines: map a field to a key, e.g. `status=elb_status_code` (repeatable).
    #[arg(long = "field", value_name = "NAME=KEY[:unit]")]
    fields: Vec<String>,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
    /// Write the run (versioned JSON schema) to this file.
    #[arg(short = 'o', long = "out")]
    out: Option<PathBuf>,
    /// Exit 1 when a finding has at least this severity.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Endpoints shown in the text table.
    #[arg(long, default_value_t = 20)]
    max_endpoints: usize,
    /// Distinct values at one path position before it is merged into `{var}`.
    #[arg(long, default_value_t = perfhound_logs::endpoints::DEFAULT_MIN_SIBLINGS)]
    merge_after: usize,
    /// Simulated cache sizes in MB (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "1,10,50,256")]
    cache_sizes_mb: Vec<u64>,
    /// Simulated TTLs (comma-separated durations: 30s, 5m, 1h).
    #[arg(long, value_delimiter = ',', default_value = "1m,5m,1h")]
    cache_ttls: Vec<String>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum OutputFormat {
    Text,
    Json,
    Md,
    None,
}

pub fn run(args: LogsArgs) -> i32 {
    match run_inner(args) {
        Ok(code) => code,
        Err(e) => exit::fail(&e),
    }
}

fn config(args: &LogsArgs) -> anyhow::Result<Config> {
    let mut cfg = Config { min_siblings: args.merge_after.max(2), ..Config::default() };
    if args.cache_sizes_mb.is_empty() || args.cache_sizes_mb.contains(&0) {
        bail!("--cache-sizes-mb: give sizes in MB above 0, e.g. 1,10,50");
    }
    cfg.cache_sizes = args.cache_sizes_mb.iter().map(|mb| mb.saturating_mul(1_000_000)).collect();
    cfg.cache_ttls = Vec::new();
    for t in &args.cache_ttls {
        let d = super::duration_flag("--cache-ttls", t)?;
        if d.as_secs() == 0 {
            bail!("--cache-ttls `{t}`: a TTL of at least 1s");
        }
        cfg.cache_ttls.push(u32::try_from(d.as_secs()).unwrap_or(u32::MAX));
    }
    Ok(cfg)
}

fn inputs(args: &LogsArgs) -> anyhow::Result<Vec<Input>> {
    let paths: Vec<PathBuf> = if args.inputs.is_empty() { vec![PathBuf::from("-")] } else { args.inputs.clone() };
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            if std::io::stdin().is_terminal() {
                bail!("no log file given and stdin is a terminal: pass files or pipe a log in");
            }
            out.push(Input { name: "<stdin>".into(), reader: Box::new(std::io::stdin()) });
        } else {
            let f = std::fs::File::open(&p).with_context(|| format!("cannot open access log {}", p.display()))?;
            out.push(Input { name: p.display().to_string(), reader: Box::new(f) });
        }
    }
    Ok(out)
}

fn run_inner(args: LogsArgs) -> anyhow::Result<i32> {
    let cfg = config(&args)?;
    perfhound_logs::format::JsonFormat::new(&args.fields).map_err(anyhow::Error::msg)?;
    let format = match &args.log_format {
        Some(spec) => Some(LogFormat::from_flag(spec, &args.fields).map_err(|e| anyhow::anyhow!("--log-format: {e}"))?),
        None => None,
    };
    let started_at = perfhound_model::rfc3339_now();
    let mut analyzer = Analyzer::new(cfg, format, args.fields.clone());
    for input in inputs(&args)? {
        analyzer.read(input);
    }
    let analysis = analyzer.finish();
    if analysis.requests == 0 && analysis.counts.lines > 0 {
        let why = analysis.samples.first().map_or(String::new(), |m| format!(" (line {}: {})", m.line, m.why));
        bail!(
            "none of the {} lines could be read as {}{why}; pass --log-format with the server's log_format",
            analysis.counts.lines,
            analysis.format
        );
    }
    let mut run = perfhound_logs::to_model::to_run(&analysis, super::recorded_command(), started_at);
    run.redact_secrets();
    if let Some(path) = &args.out {
        super::check::write_file(path, &serde_json::to_vec_pretty(&run)?)?;
    }
    match args.format {
        OutputFormat::Text => perfhound_term::print(&perfhound_logs::render::text(&analysis, args.max_endpoints)),
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&run)?),
        OutputFormat::Md => perfhound_term::print(&perfhound_logs::render::markdown(&analysis, args.max_endpoints)),
        OutputFormat::None => {}
    }
    if let (Some(path), OutputFormat::Text) = (&args.out, args.format) {
        perfhound_term::print(&format!("\n  run written to {}\n", path.display()));
    }
    Ok(if super::fails_on(args.fail_on, run.findings.iter()) { exit::BREACHED } else { exit::OK })
}
