//! `perfhound report`: the Performance Analysis Report of one or more runs, as Markdown,
//! one self-contained HTML file, or JSON.

use super::check::{read_runs, write_file};
use super::FailOn;
use crate::exit;
use anyhow::bail;
use clap::Args;
use perfhound_report::{build_report, evaluate, load_budgets, render, ReportOptions};
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "Examples:
  perfhound report run.json -o report.html                    one self-contained file, charts inline
  perfhound report run.json -o report.md                      Markdown for a pull request or wiki
  perfhound report after.json --baseline before.json -o report.html     before/after, regressions marked
  perfhound report load.json traces.json --budget budgets.yaml -o report.md   several runs, budgets as targets
  perfhound report run.json --format json | jq .summary

The format comes from the -o extension (.md, .html/.htm, .json) unless --format is given;
without -o the report is printed (Markdown by default). How the status, the ranking and the
regression verdicts are computed: docs/report.md.

Exit codes: 0 report written · 1 a --budget line failed, or a finding at or above --fail-on ·
2 usage error, unreadable run or budget file.";

/// Write the Performance Analysis Report.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct ReportArgs {
    /// Run files written by perfhound commands (merged when several).
    #[arg(required = true)]
    runs: Vec<PathBuf>,
    /// Write the report to this file (format from the extension).
    #[arg(short = 'o', long = "out")]
    out: Option<PathBuf>,
    /// Output format (default: from the -o extension, else md).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Run files of the "before" state to compare with (repeatable).
    #[arg(long)]
    baseline: Vec<PathBuf>,
    /// Judge the runs against this budget file and show limits in the metrics table.
    #[arg(long)]
    budget: Option<PathBuf>,
    /// Report title.
    #[arg(long)]
    title: Option<String>,
    /// Exit 1 when a finding of this severity or worse is present.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Md,
    Html,
    Json,
}

pub fn run(args: ReportArgs) -> i32 {
    match run_inner(&args) {
        Ok(code) => code,
        Err(e) => exit::fail(&e),
    }
}

fn run_inner(args: &ReportArgs) -> anyhow::Result<i32> {
    let format = choose_format(args.format, args.out.as_deref())?;
    let runs = read_runs(&args.runs)?;
    let baseline = if args.baseline.is_empty() { None } else { Some(read_runs(&args.baseline)?) };
    let budgets = match &args.budget {
        Some(path) => Some(evaluate(&load_budgets(path)?, &runs)),
        None => None,
    };
    let options = ReportOptions { title: args.title.clone(), baseline, budgets, profile: None };
    let report = build_report(&runs, &options);
    let text = match format {
        Format::Md => render::markdown::render(&report),
        Format::Html => render::html::render(&report),
        Format::Json => render::json(&report),
    };
    match &args.out {
        Some(path) => {
            write_file(path, text.as_bytes())?;
            perfhound_term::eprint(&format!(
                "report written to {} ({})\n",
                path.display(),
                report.summary.status.label()
            ));
        }
        None => perfhound_term::print(&text),
    }
    let budget_failed = report.budgets.as_ref().is_some_and(|b| b.failed > 0);
    let finding_failed = super::fails_on(args.fail_on, report.bottlenecks.iter().map(|b| &b.finding));
    Ok(if budget_failed || finding_failed { exit::BREACHED } else { exit::OK })
}

fn choose_format(flag: Option<Format>, out: Option<&Path>) -> anyhow::Result<Format> {
    if let Some(f) = flag {
        return Ok(f);
    }
    let Some(path) = out else { return Ok(Format::Md) };
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    Ok(match ext.as_str() {
        "md" | "markdown" => Format::Md,
        "html" | "htm" => Format::Html,
        "json" => Format::Json,
        _ => bail!(
            "-o {}: cannot tell the format from the extension; use .md, .html or .json, or pass --format",
            path.display()
        ),
    })
}
