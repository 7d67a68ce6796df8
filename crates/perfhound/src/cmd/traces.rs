//! `perfhound traces`: analyze trace files (OTLP JSON/protobuf, Jaeger, Zipkin) or receive
//! OTLP/HTTP live, and report N+1 queries, serial I/O and waste.

use super::FailOn;
use crate::exit;
use anyhow::{bail, Context as _};
use clap::Args;
use perfhound_model::{Finding, Run};
use perfhound_traces::output::{sarif, text};
use perfhound_traces::{Config, Engine, Format, Input, RunMeta};
use std::io::IsTerminal as _;
use std::path::PathBuf;

const EXAMPLES: &str = "Examples:
  perfhound traces traces.jsonl                      OTLP JSON (Collector file exporter), auto-detected
  perfhound traces export.pb jaeger.json zipkin.json several files, any supported format
  otel-cli … | perfhound traces -                    stdin
  perfhound traces traces.json --format json -o run.json --fail-on warning
  perfhound traces traces.json --format sarif > perfhound.sarif
  perfhound traces traces.json --set n_plus_one_db.min_repeats=3 --set slow_db.min_ms=200
  perfhound traces traces.json --rtt 2ms             project local calls at a 2 ms network round trip
  perfhound traces --listen                          OTLP/HTTP receiver on 127.0.0.1:4318 (Ctrl-C writes the run)
  perfhound traces --listen 127.0.0.1:4318 --out run.json
  perfhound traces traces.json --source ./src       findings get the Location of the loop/call site causing them

Formats: OTLP/JSON (documents or one per line, hex or base64 ids), OTLP/protobuf (one message or
length-prefixed), Jaeger JSON, Zipkin v2 JSON; gzip-compressed or not.
Exit codes: 0 ok · 1 findings at or above --fail-on · 2 usage or input error.
Thresholds and rules: docs/traces.md and `perfhound rules`.";

/// Analyze distributed traces.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct TracesArgs {
    /// Trace files (`-` for stdin). Without files and without --listen, stdin is read.
    inputs: Vec<PathBuf>,
    /// Receive OTLP/HTTP on this address instead of reading files (default 127.0.0.1:4318).
    #[arg(long, num_args = 0..=1, default_missing_value = "127.0.0.1:4318", value_name = "ADDR")]
    listen: Option<String>,
    /// Input format instead of auto-detection: otlp-json, otlp-jsonl, otlp-proto, otlp-proto-stream, jaeger, zipkin.
    #[arg(long, value_name = "FORMAT")]
    input_format: Option<String>,
    /// What to print on stdout at the end.
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
    /// Write the run (versioned JSON schema) to this file.
    #[arg(short = 'o', long = "out")]
    out: Option<PathBuf>,
    /// Detector thresholds (YAML), see docs/traces.md.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Override one threshold, e.g. `n_plus_one_db.min_repeats=3` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
    /// Network round trip projected onto calls faster than it (they ran against a local
    /// server; production pays one per call; never onto embedded SQLite), e.g. `500us`…
    /// `2ms`; `0` turns projection off. Default 1ms (`rtt_ms` in the config).
    #[arg(long, value_name = "DURATION", value_parser = super::parse_rtt)]
    rtt: Option<f64>,
    /// Exit 1 when a finding has at least this severity.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Largest accepted OTLP request body in live mode, in bytes.
    #[arg(long, default_value_t = 16 << 20)]
    max_body_bytes: usize,
    /// Endpoints shown in the text table.
    #[arg(long, default_value_t = 20)]
    max_endpoints: usize,
    /// The service's source directory (repeatable): each finding gets the location of the
    /// loop or call site that causes it (route handler → calls → query/request), and the
    /// static scan of the directory is merged in (docs/scan.md).
    #[arg(long = "source", value_name = "DIR")]
    source: Vec<PathBuf>,
    /// In live mode, do not print findings as they appear.
    #[arg(short = 'q', long)]
    quiet: bool,
    #[command(flatten)]
    store: super::store::StoreArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum OutputFormat {
    Text,
    Json,
    Sarif,
    None,
}

pub fn run(args: TracesArgs) -> i32 {
    match run_inner(args) {
        Ok(code) => code,
        Err(e) => exit::fail(&e),
    }
}

fn load_config(args: &TracesArgs) -> anyhow::Result<Config> {
    let base = match &args.config {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("--config: cannot read {}", path.display()))?;
            Config::from_yaml(&path.display().to_string(), &text)?
        }
        None => Config::default(),
    };
    let mut cfg = base.with_overrides(&args.sets)?;
    if let Some(ms) = args.rtt {
        cfg.rtt_ms = ms;
    }
    Ok(cfg)
}

fn run_inner(args: TracesArgs) -> anyhow::Result<i32> {
    args.store.validate()?;
    let cfg = load_config(&args)?;
    let format = match args.input_format.as_deref() {
        Some(f) => Some(Format::parse(f).with_context(|| format!("--input-format {f}: unknown format"))?),
        None => None,
    };
    let meta = RunMeta {
        command: super::recorded_command(),
        started_at: perfhound_model::rfc3339_now(),
        ..Default::default()
    };
    let mut run = match &args.listen {
        Some(addr) => {
            if !args.inputs.is_empty() {
                bail!("--listen receives traces over HTTP; do not also pass files");
            }
            listen(addr, &args, cfg, meta)?
        }
        None => analyze_files(&args, cfg, format, meta)?,
    };
    for dir in &args.source {
        anyhow::ensure!(dir.exists(), "--source {}: no such directory", dir.display());
    }
    let joined = (!args.source.is_empty()).then(|| perfhound_audit::source::attach(&mut run, &args.source));
    run.redact_secrets();
    args.store.cite(&mut run);
    if let Some(path) = &args.out {
        super::check::write_file(path, &serde_json::to_vec_pretty(&run)?)?;
    }
    args.store.save("traces", &run);
    match args.format {
        OutputFormat::Text => perfhound_term::print(&text::render(&run, args.max_endpoints)),
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&run)?),
        OutputFormat::Sarif => {
            let mut rules = perfhound_traces::rules();
            rules.push(perfhound_logs::read_cache_opportunity::RULE);
            println!("{}", serde_json::to_string_pretty(&sarif::render(&run, &rules))?)
        }
        OutputFormat::None => {}
    }
    if let (Some(j), OutputFormat::Text) = (&joined, args.format) {
        perfhound_term::print(&format!(
            "\n  source: {} findings located, {} without a location; {} static findings merged, {} added\n",
            j.located, j.not_found, j.merged, j.added
        ));
    }
    if let (Some(path), OutputFormat::Text) = (&args.out, args.format) {
        perfhound_term::print(&format!("\n  run written to {}\n", path.display()));
    }
    Ok(exit_code(&run, args.fail_on))
}

fn exit_code(run: &Run, fail_on: Option<FailOn>) -> i32 {
    if super::fails_on(fail_on, run.findings.iter()) {
        exit::BREACHED
    } else {
        exit::OK
    }
}

fn analyze_files(args: &TracesArgs, cfg: Config, format: Option<Format>, mut meta: RunMeta) -> anyhow::Result<Run> {
    let paths: Vec<PathBuf> = if args.inputs.is_empty() { vec![PathBuf::from("-")] } else { args.inputs.clone() };
    let mut inputs = Vec::new();
    for p in &paths {
        if p.as_os_str() == "-" {
            if std::io::stdin().is_terminal() {
                bail!("no trace file given and stdin is a terminal: pass files, pipe traces in, or use --listen");
            }
            inputs.push(Input { name: "<stdin>".into(), reader: Box::new(std::io::stdin().lock()) });
        } else {
            let f = std::fs::File::open(p).with_context(|| format!("cannot open trace file {}", p.display()))?;
            inputs.push(Input { name: p.display().to_string(), reader: Box::new(f) });
        }
    }
    meta.sources = inputs.iter().map(|i| i.name.clone()).collect();
    let mut engine = Engine::new(cfg);
    let (reports, assembler) = perfhound_traces::analyze_inputs(&mut engine, inputs, format);
    if engine.counters.spans == 0 {
        if let Some(e) = reports.iter().flat_map(|r| r.errors.iter()).next() {
            bail!("no spans could be read: {e}");
        }
    }
    for r in &reports {
        for e in &r.errors {
            perfhound_term::eprint(&format!("warning: {e}\n"));
        }
    }
    let mut run = perfhound_traces::to_run(&engine, meta, &assembler.stats, &reports);
    run.findings
        .extend(perfhound_audit::read_cache::findings(&engine.measure, perfhound_audit::read_cache::Traffic::Recorded));
    Ok(run)
}

fn listen(addr: &str, args: &TracesArgs, cfg: Config, mut meta: RunMeta) -> anyhow::Result<Run> {
    let rt =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the async runtime")?;
    let quiet = args.quiet;
    let receiver_cfg = perfhound_server::ReceiverConfig { max_body_bytes: args.max_body_bytes, ..Default::default() };
    let on_finding = Box::new(move |f: &Finding| {
        if !quiet {
            perfhound_term::print(&format!("{}\n", perfhound_term::finding_line(f)));
        }
    });
    let state = perfhound_server::State::new(receiver_cfg, cfg, on_finding);
    let served = std::sync::Arc::clone(&state);
    rt.block_on(async move {
        let listener =
            tokio::net::TcpListener::bind(addr).await.with_context(|| format!("--listen {addr}: cannot bind"))?;
        let local = listener.local_addr()?;
        eprintln!(
            "perfhound traces: listening on http://{local} (OTLP/HTTP POST /v1/traces, protobuf or JSON; GET /metrics). Ctrl-C to stop and write the run."
        );
        perfhound_server::serve(listener, served, shutdown_signal()).await.context("the receiver failed")
    })?;
    meta.sources = vec![format!("OTLP/HTTP receiver on {addr}")];
    let mut run = state.finish(meta);
    run.findings
        .extend(state.with_measure(|m| {
            perfhound_audit::read_cache::findings(m, perfhound_audit::read_cache::Traffic::Recorded)
        }));
    Ok(run)
}

/// Ctrl-C or SIGTERM (shared by every command that serves until stopped).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
