//! `perfhound complexity URL`: how a request's time grows with a size parameter.

use super::{duration_flag, FailOn};
use crate::exit;
use clap::Args;
use perfhound_load::complexity::{self, ComplexityOptions, Sizes};
use perfhound_load::engine::EngineOptions;
use perfhound_load::output::{Progress, ProgressMode};
use perfhound_load::plan::HttpOptions;
use perfhound_load::quick::QuickOptions;
use perfhound_model::Run;
use perfhound_term::human;
use std::fmt::Write as _;
use std::path::PathBuf;

const EXAMPLES: &str = "Examples:
  perfhound complexity 'http://127.0.0.1:8080/api/similar?items={{ n }}'
  perfhound complexity 'http://127.0.0.1:8080/api/sort' -m POST -b '{\"count\": {{ n }}}' --sizes n=1000..64000x4
  perfhound complexity 'http://127.0.0.1:8080/search?q=a&limit={{ n }}' --sizes n=10,100,1000 -n 15 --out run.json

The request is sent with {{ n }} replaced by each size (default n=100..1600x2: 100, 200,
400, 800, 1600), each size -n times, interleaved, by one connection; the fit of
time = a·n^k gives k with a 95 % interval: ~0 constant, ~1 linear, ~2 quadratic.
Superlinear growth is a PH-CPLX001 finding. See docs/profile.md, \"Complexity mode\".

Exit codes: 0 ok · 1 a finding at or above --fail-on · 2 usage, connection or a failing size.";

/// Fit time = a·n^k for a request whose size parameter is `{{ n }}`.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct ComplexityArgs {
    /// The URL, with `{{ n }}` where the size goes (or put it in the body).
    url: String,
    /// Sizes: `n=FROM..TOxFACTOR` (geometric) or `n=A,B,C`.
    #[arg(long, default_value = complexity::DEFAULT_SIZES)]
    sizes: String,
    /// Samples per size (the median of each size is fitted).
    #[arg(short = 'n', long = "samples", default_value_t = 9, value_parser = clap::value_parser!(u64).range(3..=1000))]
    samples: u64,
    /// Wall-time limit of the whole series; sizes not reached are left out of the fit.
    #[arg(short = 'd', long, default_value = "2m")]
    duration: String,
    /// HTTP method.
    #[arg(short = 'm', long, default_value = "GET")]
    method: String,
    /// Request header `Name: value` (repeatable).
    #[arg(short = 'H', long = "header")]
    headers: Vec<String>,
    /// The request's name in the run and the finding (default: `METHOD /path?with={n}`).
    #[arg(long)]
    name: Option<String>,
    /// Request body; may carry `{{ n }}`.
    #[arg(short = 'b', long)]
    body: Option<String>,
    /// Per-request timeout.
    #[arg(long, default_value = "30s")]
    timeout: String,
    /// Allow targets that are not loopback addresses. Only load systems you are allowed to.
    #[arg(long)]
    allow_remote: bool,
    /// Write the run (with the fit and its points) to this file.
    #[arg(short = 'o', long = "out")]
    out: Option<PathBuf>,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
    /// Exit 1 when a finding is at least this severe.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// No progress output.
    #[arg(short = 'q', long)]
    quiet: bool,
    #[command(flatten)]
    store: super::store::StoreArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum OutputFormat {
    Text,
    Json,
}

pub fn run(args: ComplexityArgs) -> i32 {
    match run_inner(&args) {
        Ok(code) => code,
        Err(e) => exit::fail(&e),
    }
}

fn run_inner(args: &ComplexityArgs) -> anyhow::Result<i32> {
    args.store.validate()?;
    let opts = options(args)?;
    let mut progress = Progress::new(ProgressMode::choose(args.quiet, 5));
    let engine = EngineOptions { threads: Some(1), watch_pid: None, skip_preflight: false };
    let mut run = complexity::measure(&opts, &engine, &mut progress, super::recorded_command())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    progress.finish();
    run.redact_secrets();
    args.store.save("complexity", &run);
    if let Some(path) = &args.out {
        super::check::write_file(path, &serde_json::to_vec_pretty(&run)?)?;
    }
    match args.format {
        OutputFormat::Text => perfhound_term::print(&text(&run)),
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&run)?),
    }
    if let (Some(path), OutputFormat::Text) = (&args.out, args.format) {
        perfhound_term::print(&format!("\n  run written to {}\n", path.display()));
    }
    Ok(if super::fails_on(args.fail_on, run.findings.iter()) { exit::BREACHED } else { exit::OK })
}

fn options(args: &ComplexityArgs) -> anyhow::Result<ComplexityOptions> {
    let sizes = Sizes::parse(&args.sizes).map_err(|e| anyhow::anyhow!("--sizes `{}`: {e}", args.sizes))?;
    let duration = duration_flag("-d/--duration", &args.duration)?;
    let http = HttpOptions {
        request_timeout: duration_flag("--timeout", &args.timeout)?,
        allow_remote: args.allow_remote,
        ..HttpOptions::default()
    };
    let (headers, method) = super::request_flags(&args.headers, &args.method)?;
    let request = QuickOptions {
        url: args.url.clone(),
        connections: 1,
        duration: Some(duration),
        requests: Some(args.samples),
        rate: None,
        method,
        headers,
        body: None,
        http,
        thresholds: Vec::new(),
        hard_cap: Some(duration + std::time::Duration::from_secs(30)),
        max_duration: duration,
    };
    Ok(ComplexityOptions { request, body_text: args.body.clone(), sizes, name: args.name.clone() })
}

/// The points, the fit and the findings, for a terminal.
fn text(run: &Run) -> String {
    let mut out = String::new();
    for fit in &run.complexity {
        let _ = writeln!(out, "\nperfhound complexity — {}\n", fit.target);
        for p in &fit.points {
            let _ = writeln!(
                out,
                "  {}={:<8} median {:>10}  ({} samples)",
                fit.parameter,
                p.n,
                human::duration_us(p.median_us as f64),
                p.samples
            );
        }
        let _ = writeln!(out, "\n  {}", fit.headline());
    }
    for f in &run.findings {
        let _ = writeln!(out, "  {}", perfhound_term::finding_line(f));
    }
    for w in &run.warnings {
        let _ = writeln!(out, "  warning: {w}");
    }
    out
}
