//! `perfhound check`: judge run files against a budget file; exit 0 pass, 1 breached, 2 error.

use crate::exit;
use anyhow::Context as _;
use clap::Args;
use perfhound_report::{check, evaluate, load_budgets, read_run, RunSet};
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "Examples:
  perfhound check --budget budgets.yaml run.json
  perfhound check --budget budgets.yaml shard-*.json --junit budgets.xml     one JUnit test case per budget line
  perfhound check --budget lighthouse-budget.json run.json                   Lighthouse budget.json
  perfhound check --budget targets.yaml run.json --format json | jq '.lines[] | select(.status == \"fail\")'

Budget files: perfhound YAML (budgets: [{target, p95, error_rate, rps, findings, ...}]), the
\"Performance Targets\" YAML (API Performance: {Response Time (p95): 300ms}) or Lighthouse
budget.json; see docs/budgets.md. Several run files are merged into one before judging.
With GITHUB_ACTIONS=true, failed lines are also printed as ::error annotations (on stderr
with --format json).

Exit codes: 0 every budget line passed · 1 a line failed (or had no data, with --strict) ·
2 usage error, unreadable run file or invalid budget file (the message names file:line:column).";

/// Check runs against performance budgets.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct CheckArgs {
    /// Run files written by perfhound commands (merged when several).
    #[arg(required = true)]
    runs: Vec<PathBuf>,
    /// The budget file (perfhound YAML, Performance Targets YAML or Lighthouse budget.json).
    #[arg(short = 'b', long)]
    budget: PathBuf,
    /// Also write the outcome as JUnit XML (one test case per budget line).
    #[arg(long)]
    junit: Option<PathBuf>,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Fail (exit 1) when a budget line had no data to judge.
    #[arg(long)]
    strict: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

pub fn run(args: CheckArgs) -> i32 {
    match run_inner(&args) {
        Ok(code) => code,
        Err(e) => exit::fail(&e),
    }
}

fn run_inner(args: &CheckArgs) -> anyhow::Result<i32> {
    let budgets = load_budgets(&args.budget)?;
    let runs = read_runs(&args.runs)?;
    let outcome = evaluate(&budgets, &runs);
    if let Some(path) = &args.junit {
        write_file(path, check::render_junit(&outcome).as_bytes())?;
    }
    match args.format {
        Format::Text => perfhound_term::print(&check::render_text(&outcome)),
        Format::Json => println!("{}", serde_json::to_string_pretty(&outcome)?),
    }
    if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
        // The runner reads workflow commands from both streams; keep JSON on stdout parseable.
        let annotations = check::render_annotations(&outcome);
        match args.format {
            Format::Text => perfhound_term::print(&annotations),
            Format::Json => perfhound_term::eprint(&annotations),
        }
    }
    Ok(if outcome.ok(args.strict) { exit::OK } else { exit::BREACHED })
}

/// Reads and merges run files; any unreadable file is an input error.
pub fn read_runs(paths: &[PathBuf]) -> anyhow::Result<RunSet> {
    let runs = paths.iter().map(|p| read_run(p)).collect::<Result<Vec<_>, _>>()?;
    Ok(RunSet::new(runs))
}

/// Writes through a temporary file so a reader never sees half a file.
pub fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    perfhound_report::write_file(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}
