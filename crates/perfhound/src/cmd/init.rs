//! `perfhound init`: a commented starter audit config.

use crate::exit;
use anyhow::{bail, Context as _};
use clap::Args;
use std::path::PathBuf;

const EXAMPLES: &str = "Examples:
  perfhound init                                   perfhound.yaml for http://127.0.0.1:8080
  perfhound init --url http://127.0.0.1:3000 --db postgres://app@127.0.0.1/shop
  perfhound init -o audit/shop.yaml --force

Then: perfhound audit perfhound.yaml   (docs/audit.md explains every field)
Exit codes: 0 written · 2 the file exists (use --force) or cannot be written.";

/// Write a commented starter config for `perfhound audit`.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct InitArgs {
    /// Base URL of the service to audit (loopback).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Database to analyze during the load: postgres://… or sqlite://path.
    #[arg(long)]
    db: Option<String>,
    /// Where to write the config.
    #[arg(short, long, default_value = "perfhound.yaml")]
    output: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    force: bool,
}

pub fn run(args: InitArgs) -> i32 {
    match run_inner(&args) {
        Ok(()) => exit::OK,
        Err(e) => exit::fail(&e),
    }
}

fn run_inner(args: &InitArgs) -> anyhow::Result<()> {
    if args.output.exists() && !args.force {
        bail!("{} already exists; pass --force to overwrite it, or -o to write elsewhere", args.output.display());
    }
    let text = starter(&args.url, args.db.as_deref());
    std::fs::write(&args.output, text).with_context(|| format!("cannot write {}", args.output.display()))?;
    perfhound_term::eprint(&format!(
        "wrote {}; edit the flow, then run: perfhound audit {}\n",
        args.output.display(),
        args.output.display()
    ));
    Ok(())
}

/// The starter config text (also parsed by the tests, so it always stays valid).
pub fn starter(url: &str, db: Option<&str>) -> String {
    let db_line = match db {
        Some(d) => format!("  db: {d}\n"),
        None => "  # db: postgres://app@127.0.0.1:5432/shop     # or sqlite://shop.db, or $DATABASE_URL\n".to_string(),
    };
    format!(
        r#"# yaml-language-server: $schema=https://perfhound.invalid/schema/scenario.schema.json
# perfhound audit config. Run it with:  perfhound audit perfhound.yaml
# The load part is a scenario file (docs/scenario.md); `audit:` and `budgets:` are read by
# `perfhound audit` only (docs/audit.md).

base_url: {url}

scenarios:
  browse:
    executor: constant-vus      # closed model; use constant-arrival-rate for a fixed req/s
    vus: 10
    duration: 30s
    flow:
      - name: GET /              # name requests like your routes: traces are tied to these names
        get: /
        check: {{status: 200}}
      # - name: GET /api/orders/{{id}}
      #   get: /api/orders/42
      - think: 100ms

audit:
  title: Performance audit
  traces:
    # Point the service's OpenTelemetry exporter here during the audit:
    #   OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
    listen: 127.0.0.1:4318
    settle: 5s                   # longest wait for the last spans after the load
    # thresholds: {{slow_db: {{min_ms: 100}}, consecutive_http: {{min_saved_ms: 200}}}}
{db_line}  # redis: redis://127.0.0.1:6379   # or $REDIS_URL: the load window's Cache Hit Rate from INFO
  out: perfhound-audit           # run.json, report.html, report.md
  # fail_on: critical            # also exit 1 on findings this severe
  # profile:                     # a CPU profile of the service during the load (docs/profile.md)
  #   command: py-spy record --pid {{pid}} --duration {{seconds}} --format raw --nonblocking --output {{out}}
  #   pid: $APP_PID                # or pprof: http://127.0.0.1:6060/debug/pprof/profile, or perf: true

budgets:
  - target: overall
    p95: 500ms
    error_rate: 1%
"#
    )
}
