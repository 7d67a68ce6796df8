//! `perfhound demo`: the whole loop on a real service built into perfhound — nothing to
//! install. Starts the demo service (perfhound-demo: HTTP over SQLite, OpenTelemetry),
//! audits it (perfhound-audit), and with `--fixed` audits the optimized version too and
//! writes the before/after report.

use super::audit::progress_mode;
use super::demo_compare;
use super::demo_complexity;
use crate::exit;
use anyhow::Context as _;
use clap::Args;
use perfhound_audit::config::{AuditConfig, TracesSection};
use perfhound_audit::receiver::Receiver;
use perfhound_audit::{output, Audit, Hooks};
use perfhound_demo::{DemoConfig, Mode};
use perfhound_load::output::Progress;
use perfhound_model::Run;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const EXAMPLES: &str = "Examples:
  perfhound demo                 audit the demo service with its planted bottlenecks → perfhound-demo/before/report.html
  perfhound demo --fixed         then audit the fixed version: before/after report → perfhound-demo/fixed/report.html
  perfhound demo --duration 5s --vus 4 --out /tmp/demo
  perfhound demo --capacity      max throughput under an SLO before/after the fix, what saturates first
  perfhound demo --fixed --profile   also profile the service with Linux perf (CPU Profile section)

The demo is a real HTTP service over an embedded SQLite database (150k orders), traced
with the OpenTelemetry Rust SDK into perfhound's own OTLP receiver. Its endpoints carry
seven planted bottlenecks: N+1 queries, an unindexed filter, serial downstream calls, an
uncompressed large response, a repeated computation without cache, row-at-a-time inserts,
and an O(n²) algorithm, found by fitting time = a·n^k (`perfhound complexity`).
Everything stays on 127.0.0.1. See docs/audit.md.

Exit codes: 0 done · 2 the demo could not run (e.g. output directory not writable).";

/// Audit a built-in demo service with planted bottlenecks (and, with --fixed, its fix).
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct DemoArgs {
    /// Also run the optimized service and write the before/after report.
    #[arg(long)]
    fixed: bool,
    /// Output directory (the SQLite database is kept there and reused).
    #[arg(long, default_value = "perfhound-demo")]
    out: PathBuf,
    /// Load duration of each phase.
    #[arg(short, long, default_value = "15s")]
    duration: String,
    /// Virtual users (closed model).
    #[arg(long, default_value_t = 8)]
    vus: u32,
    /// Instead of the audits: search the search endpoint's max throughput under an SLO,
    /// before and after its fix, with what saturated first (perfhound capacity).
    #[arg(long, conflicts_with = "fixed")]
    capacity: bool,
    /// Step length of the --capacity search.
    #[arg(long, default_value = "5s")]
    capacity_step: String,
    /// No progress output; only the summary.
    #[arg(short, long)]
    quiet: bool,
    /// Also capture a CPU profile with Linux perf during each load (perfhound's own process:
    /// the demo runs inside it); without perf, or where it is not permitted, a warning says why.
    #[arg(long)]
    profile: bool,
}

pub fn run(args: DemoArgs) -> i32 {
    match run_inner(&args) {
        Ok(code) => code,
        Err(e) => exit::fail(&e),
    }
}

fn run_inner(args: &DemoArgs) -> anyhow::Result<i32> {
    let duration = super::duration_flag("--duration", &args.duration)?;
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let db_path = args.out.join("demo.sqlite");
    let started = Instant::now();
    let say = |line: &str| {
        if !args.quiet {
            perfhound_term::eprint(&format!("perfhound demo: {line}\n"));
        }
    };
    say(&format!("preparing the demo database {} (seeded once, then reused)", db_path.display()));
    let seed = rt.block_on(async {
        let p = db_path.clone();
        tokio::task::spawn_blocking(move || perfhound_demo::prepare_database(&p)).await
    })??;
    let r = &seed.rows;
    say(&format!(
        "{} rows ({}), {} in {:.1}s",
        r.total(),
        describe_rows(r),
        if seed.seeded { "seeded" } else { "reused" },
        started.elapsed().as_secs_f64()
    ));
    if args.capacity {
        let step = super::duration_flag("--capacity-step", &args.capacity_step)?;
        super::demo_capacity::run(&rt, &args.out, &db_path, step, args.quiet)?;
        say(&format!("done in {:.0}s", started.elapsed().as_secs_f64()));
        return Ok(exit::OK);
    }
    let before = phase(&rt, args, Mode::Before, &db_path, duration, None)?;
    let mut last = before;
    if args.fixed {
        let baseline = last.audit.run.clone();
        let fixed = phase(&rt, args, Mode::Fixed, &db_path, duration, Some(baseline))?;
        perfhound_term::print(&demo_compare::render(&last.audit.run, &fixed.audit.run));
        println!(
            "\nbefore: {} (the planted bottlenecks, ranked, with evidence and fixes)",
            last.written.html.display()
        );
        last = fixed;
    }
    perfhound_term::print(&output::summary(&last.audit, &last.written, 8));
    if !args.fixed {
        println!("next: perfhound demo --fixed   (runs the optimized service and writes the before/after report)");
    }
    say(&format!("done in {:.0}s", started.elapsed().as_secs_f64()));
    Ok(exit::OK)
}

struct Phase {
    audit: Audit,
    written: output::Written,
}

/// Starts the demo in `mode`, audits it for `duration`, writes `<out>/<mode>/`.
fn phase(
    rt: &tokio::runtime::Runtime,
    args: &DemoArgs,
    mode: Mode,
    db_path: &Path,
    duration: Duration,
    baseline: Option<Run>,
) -> anyhow::Result<Phase> {
    let traces = TracesSection {
        listen: "127.0.0.1:0".into(),
        settle: Duration::from_secs(3),
        propagate: true,
        detectors: perfhound_traces::Config::from_yaml("demo thresholds", perfhound_demo::TRACES_CONFIG_YAML)?,
    };
    let receiver = Receiver::start(&traces.listen, traces.detectors.clone())?;
    let mut demo_cfg = DemoConfig::new(mode, db_path);
    demo_cfg.otlp_endpoint = Some(receiver.traces_url());
    let server = rt.block_on(perfhound_demo::start(demo_cfg)).context("the demo service could not start")?;
    let base = server.base_url();
    if !args.quiet {
        eprintln!("perfhound demo: [{}] service on {base}, traces → {}", mode.as_str(), receiver.traces_url());
    }
    let scenario = perfhound_demo::scenario_yaml(&base, duration.as_secs().max(1), args.vus);
    let file = args.out.join(format!("{}-scenario.yaml", mode.as_str()));
    std::fs::write(&file, &scenario).with_context(|| format!("cannot write {}", file.display()))?;
    let plan =
        perfhound_load::scenario::parse_scenario(&file, &scenario, &|_| None).map_err(|e| anyhow::anyhow!("{e}"))?;
    let cfg = AuditConfig {
        file,
        plan,
        title: Some(format!("perfhound demo — {} ", mode.as_str())),
        traces: Some(traces),
        db: Some(format!("sqlite://{}", db_path.display())),
        redis: None,
        budgets: None,
        out_dir: args.out.join(mode.as_str()),
        fail_on: None,
        source: Vec::new(),
        store: None,
        profile: args.profile.then(|| perfhound_audit::profile::ProfileSection {
            method: perfhound_audit::profile::Method::Perf { frequency: 99 },
            pid: Some(std::process::id()),
            seconds: None,
        }),
    };
    let mut progress = Progress::new(progress_mode(args.quiet));
    let quiet = args.quiet;
    let tag = mode.as_str();
    let mut status = |line: &str| {
        if !quiet {
            perfhound_term::eprint(&format!("perfhound demo: [{tag}] {line}\n"));
        }
    };
    let mut hooks = Hooks::new(&mut progress, &mut status);
    hooks.receiver = Some(receiver);
    hooks.after_load = Some(Box::new(|| rt.block_on(server.shutdown()).is_ok()));
    let mut audit = perfhound_audit::run(&cfg, hooks, super::recorded_command())?;
    if !args.quiet {
        eprintln!("perfhound demo: [{tag}] fitting time = a·n^k on {}", demo_complexity::ENDPOINT);
    }
    demo_complexity::measure(rt, mode, db_path, &mut audit.run, cfg.profile.as_ref())?;
    let title = cfg.title.as_deref();
    let written = output::write(&cfg.out_dir, &audit, title, baseline)?;
    Ok(Phase { audit, written })
}

fn describe_rows(r: &perfhound_demo::RowCounts) -> String {
    format!("{} users, {} products, {} orders, {} order items", r.users, r.products, r.orders, r.order_items)
}
