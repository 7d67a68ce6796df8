//! `perfhound compare A B`: two runs (store ids, run files, or `branch:NAME`) compared per
//! endpoint and metric with significance and effect size; findings new/fixed/persisting.

use super::compare_render as render;
use crate::exit;
use anyhow::Context as _;
use clap::Args;
use perfhound_model::Run;
use perfhound_store::compare::{self, Config};
use perfhound_store::Store;
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "Examples:
  perfhound compare 3f2a91c0 8be41d77                  two saved runs (ids or id prefixes, see `perfhound history`)
  perfhound compare before/run.json after/run.json     two run files
  perfhound compare --baseline branch:main             the newest saved run against main's newest
  perfhound compare run.json --baseline branch:main --format md >> \"$GITHUB_STEP_SUMMARY\"
  perfhound compare A B --tolerance 10% --format junit --out compare.xml

A metric regresses when it is worse by more than --tolerance and its test is significant
(p < --alpha): Mann–Whitney U over the two HDR histograms for p50 and mean, the share of
requests above the baseline's p95/p99 for the tail. The effect size is Cliff's delta.

Exit codes: 0 no significant regression · 1 a significant regression beyond the tolerance ·
2 a run cannot be found or read.";

/// Compare two runs: what got slower, with significance; findings new, fixed, persisting.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct CompareArgs {
    /// Runs: `BASELINE CURRENT`, or `CURRENT` with --baseline, or none with --baseline
    /// (the newest saved run). Each is a run file, a saved run id (prefix) or `branch:NAME`.
    #[arg(num_args = 0..=2)]
    runs: Vec<String>,
    /// The baseline: a run file, a saved run id, or `branch:NAME` (that branch's newest run).
    #[arg(long)]
    baseline: Option<String>,
    /// Smallest relative change counted as a regression, e.g. 5%, 10%, 0.1.
    #[arg(long, default_value = "5%", value_parser = parse_fraction)]
    tolerance: f64,
    /// Largest p-value counted as significant.
    #[arg(long, default_value_t = 0.01)]
    alpha: f64,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write the output to this file instead of stdout.
    #[arg(short = 'o', long = "out")]
    out: Option<PathBuf>,
    /// Run store: a SQLite file or a postgres://… URL [default: $PERFHOUND_STORE, else
    /// .perfhound/history.db in the project].
    #[arg(long, value_name = "PATH|URL")]
    store: Option<String>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Md,
    Json,
    Junit,
}

fn parse_fraction(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let value = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|v| v / 100.0),
        None => t.parse::<f64>(),
    }
    .map_err(|_| format!("`{text}`: expected a percentage like 5% or a fraction like 0.05"))?;
    if (0.0..10.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("`{text}`: a tolerance between 0% and 1000%"))
    }
}

pub fn run(args: CompareArgs) -> i32 {
    match run_inner(&args) {
        Ok(code) => code,
        Err(e) => exit::fail(&e),
    }
}

fn run_inner(args: &CompareArgs) -> anyhow::Result<i32> {
    if !(args.alpha > 0.0 && args.alpha < 1.0) {
        anyhow::bail!("--alpha {}: a probability between 0 and 1, e.g. 0.01", args.alpha);
    }
    let mut store = None;
    let (baseline, current) = match (args.runs.as_slice(), &args.baseline) {
        ([a, b], None) => {
            let current = resolve(b, "", &mut store, args)?;
            (resolve(a, &current.id, &mut store, args)?, current)
        }
        ([b], Some(a)) => {
            let current = resolve(b, "", &mut store, args)?;
            (resolve(a, &current.id, &mut store, args)?, current)
        }
        ([], Some(a)) => {
            let current = newest(&mut store, args)?;
            (resolve(a, &current.id, &mut store, args)?, current)
        }
        ([_, _], Some(_)) => anyhow::bail!("give two runs, or one run and --baseline, not both"),
        _ => anyhow::bail!("give two runs to compare (BASELINE CURRENT), or --baseline with at most one run"),
    };
    let cfg = Config { tolerance: args.tolerance, alpha: args.alpha };
    let comparison = compare::compare(&baseline, &current, &cfg);
    let text = match args.format {
        Format::Text => render::text(&comparison),
        Format::Md => render::markdown(&comparison),
        Format::Json => serde_json::to_string_pretty(&comparison)? + "\n",
        Format::Junit => render::junit(&comparison),
    };
    match &args.out {
        Some(path) => super::check::write_file(path, text.as_bytes())?,
        None if args.format == Format::Text => perfhound_term::print(&text),
        None => print!("{text}"),
    }
    Ok(if comparison.regressions > 0 { exit::BREACHED } else { exit::OK })
}

fn open<'a>(store: &'a mut Option<Store>, args: &CompareArgs) -> anyhow::Result<&'a mut Store> {
    if store.is_none() {
        *store = Some(super::store::open(args.store.as_deref())?);
    }
    Ok(store.as_mut().expect("opened above"))
}

/// A run file, `branch:NAME` (its newest run other than `current`), or a saved run id (prefix).
fn resolve(spec: &str, current: &str, store: &mut Option<Store>, args: &CompareArgs) -> anyhow::Result<Run> {
    if Path::new(spec).is_file() {
        return Ok(perfhound_report::read_run(Path::new(spec))?);
    }
    let s = open(store, args)?;
    let id = match spec.strip_prefix("branch:") {
        Some(branch) => s.latest_on_branch(branch, current)?.with_context(|| {
            format!("no saved run on branch `{branch}`: run perfhound on that branch first (`perfhound history` lists runs)")
        })?,
        None => spec.to_string(),
    };
    Ok(s.run(&id)?)
}

fn newest(store: &mut Option<Store>, args: &CompareArgs) -> anyhow::Result<Run> {
    let s = open(store, args)?;
    let rows = s.list(&perfhound_store::Filter { limit: 1, ..Default::default() })?;
    let row = rows.last().context("the run store is empty: run a load, traces or audit first")?;
    Ok(s.run(&row.id)?)
}
