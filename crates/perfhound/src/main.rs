//! `perfhound`: the command-line front end. Wiring only — every analysis lives in a
//! library crate; this binary parses flags, calls engines, writes files and maps
//! outcomes to exit codes (0 ok, 1 threshold/budget breached, 2 usage/input error).

mod cmd;
mod exit;

use clap::{Parser, Subcommand};

/// mimalloc instead of the system allocator: trace ingest allocates per span and per
/// trace, and spends ~10 % less CPU with it (docs/benchmarks.md, "traces").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Find why your service is slow, prove the fix, and gate CI on performance budgets.
#[derive(Parser, Debug)]
#[command(name = "perfhound", version, about, long_about = None, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 ok · 1 threshold or budget breached · 2 usage, config, input or connection error.\n\
Docs: README.md and docs/ in the perfhound repository."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Audit a built-in demo service with planted bottlenecks; --fixed shows before/after.
    Demo(cmd::demo::DemoArgs),
    /// Load-test with traces and database statistics collected in one window; one report.
    Audit(cmd::audit::AuditArgs),
    /// Write a commented starter config for `perfhound audit`.
    Init(cmd::init::InitArgs),
    /// Find the maximum throughput under an SLO, the knee, what saturates first, leaks.
    Capacity(Box<cmd::capacity::CapacityArgs>),
    /// Load-test an HTTP service: quick mode (URL) or scenario mode (YAML file).
    Load(Box<cmd::load::LoadArgs>),
    /// Find N+1 queries, serial I/O and waste in traces: OTLP/Jaeger/Zipkin files or live OTLP.
    Traces(Box<cmd::traces::TracesArgs>),
    /// Access logs: per-endpoint percentiles, rates, status mix, and what a cache would save.
    Logs(Box<cmd::logs::LogsArgs>),
    /// Diagnose PostgreSQL or SQLite: top statements, N+1, verified index advice, health checks.
    Db(Box<cmd::db::DbArgs>),
    /// Performance anti-patterns in Python/JS/TS source: N+1 loops, O(n²), blocking async, leaks.
    Scan(cmd::scan::ScanArgs),
    /// How a request's time grows with a size parameter: fits time = a·n^k.
    Complexity(Box<cmd::complexity::ComplexityArgs>),
    /// Diagnose Redis (read-only): hit ratio, evictions, slowlog, keys without TTL, big and hot keys.
    Redis(Box<cmd::redis::RedisArgs>),
    /// Where the CPU goes: functions ranked by self and total time from CPU profiles.
    Profile(cmd::profile::ProfileArgs),
    /// Write the Performance Analysis Report (Markdown, self-contained HTML or JSON) of runs.
    Report(cmd::report::ReportArgs),
    /// Check runs against performance budgets: pass/fail table, JUnit, CI annotations.
    Check(cmd::check::CheckArgs),
    /// List the rules perfhound's detectors and checks report.
    Rules(cmd::rules::RulesArgs),
    /// Saved runs, a metric's trend with change points, regressions by commit.
    History(Box<cmd::history::HistoryArgs>),
    /// Compare two runs: significant regressions per endpoint and metric, findings new/fixed.
    Compare(Box<cmd::compare::CompareArgs>),
    /// Serve the history dashboard (trends, change points, compare, live view), OTLP and /metrics.
    Serve(cmd::serve::ServeArgs),
    /// Fixes perfhound learned (finding fixed + measured improvement), cited by the same rule.
    Learned(cmd::learned::LearnedArgs),
}

fn main() {
    exit::install_broken_pipe_handler();
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Load(args) => cmd::load::run(*args),
        Command::Capacity(args) => cmd::capacity::run(*args),
        Command::Rules(args) => cmd::rules::run(args),
        Command::Traces(args) => cmd::traces::run(*args),
        Command::Report(args) => cmd::report::run(args),
        Command::Profile(args) => cmd::profile::run(args),
        Command::Scan(args) => cmd::scan::run(args),
        Command::Complexity(args) => cmd::complexity::run(*args),
        Command::Check(args) => cmd::check::run(args),
        Command::Db(args) => cmd::db::run(*args),
        Command::Logs(args) => cmd::logs::run(*args),
        Command::Redis(args) => cmd::redis::run(*args),
        Command::Audit(args) => cmd::audit::run(args),
        Command::Init(args) => cmd::init::run(args),
        Command::Demo(args) => cmd::demo::run(args),
        Command::History(args) => cmd::history::run(*args),
        Command::Compare(args) => cmd::compare::run(*args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Learned(args) => cmd::learned::run(args),
    };
    std::process::exit(code);
}
