//! `perfhound history`: the saved runs, one metric's series with its change points, and
//! the regressions of every endpoint named by the commit where they began.

use crate::exit;
use anyhow::Context as _;
use clap::Args;
use perfhound_model::Metric;
use perfhound_store::trend::{self, Regression, Trend};
use perfhound_store::{Filter, RunRow};

const EXAMPLES: &str = "Examples:
  perfhound history                                       the saved runs, oldest first
  perfhound history --branch main --tag env=ci --limit 20
  perfhound history --metric p95 --endpoint 'GET /api/orders'   a sparkline with change points (│)
  perfhound history --metric p95 --endpoint 'GET /api/orders' --format json
  perfhound history --regressions --branch main           where p50/p95/p99 moved, and at which commit
  perfhound history --store postgres://perf@127.0.0.1/perfhound
  perfhound history --series-file p95.txt --format json   change points of any series (one number per line)

Exit codes: 0 ok · 1 with --regressions and --fail-on-regression, a regression was found ·
2 the store cannot be opened (or was written by a newer perfhound).";

/// List saved runs, show a metric's trend, or find regressions.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct HistoryArgs {
    /// Only runs that measured a target whose name contains this text.
    #[arg(long)]
    target: Option<String>,
    /// Only runs made on this git branch.
    #[arg(long)]
    branch: Option<String>,
    /// Only runs with this tag (repeatable: every tag must match).
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    tags: Vec<String>,
    /// Only runs of this command (load, traces, db, audit).
    #[arg(long)]
    command: Option<String>,
    /// At most this many of the most recent runs (0 = all).
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// Show this metric's series (p50, p95, p99, mean, rps, error_rate, requests).
    #[arg(long)]
    metric: Option<String>,
    /// The target of --metric (default: the target measured in most runs).
    #[arg(long)]
    endpoint: Option<String>,
    /// Change points that made p50/p95/p99 worse, per target, with the commit.
    #[arg(long, conflicts_with = "metric")]
    regressions: bool,
    /// Change points of a series from a file (one number per line; `#` comments and blank
    /// lines skipped) instead of the store, e.g. values exported from another tool.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["metric", "regressions"])]
    series_file: Option<std::path::PathBuf>,
    /// With --regressions: exit 1 when one is found.
    #[arg(long, requires = "regressions")]
    fail_on_regression: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Run store: a SQLite file or a postgres://… URL [default: $PERFHOUND_STORE, else
    /// .perfhound/history.db in the project].
    #[arg(long, value_name = "PATH|URL")]
    store: Option<String>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

pub fn run(args: HistoryArgs) -> i32 {
    match run_inner(&args) {
        Ok(code) => code,
        Err(e) => exit::fail(&e),
    }
}

fn filter(args: &HistoryArgs) -> anyhow::Result<Filter> {
    let tags = perfhound_store::meta::parse_tags(&args.tags).map_err(anyhow::Error::msg)?;
    Ok(Filter {
        target: args.target.clone(),
        branch: args.branch.clone(),
        command: args.command.clone(),
        tags: tags.into_iter().collect(),
        limit: args.limit,
    })
}

fn run_inner(args: &HistoryArgs) -> anyhow::Result<i32> {
    if let Some(path) = &args.series_file {
        return series_file(path, args.format);
    }
    let filter = filter(args)?;
    let metric = args.metric.as_deref().map(series_metric).transpose()?;
    let mut store = super::store::open(args.store.as_deref())?;
    if args.regressions {
        let found = trend::regressions(&mut store, &filter)?;
        match args.format {
            Format::Text => perfhound_term::print(&regressions_text(&found)),
            Format::Json => println!("{}", serde_json::to_string_pretty(&found)?),
        }
        return Ok(if args.fail_on_regression && !found.is_empty() { exit::BREACHED } else { exit::OK });
    }
    if let Some(metric) = metric {
        let target = match &args.endpoint {
            Some(t) => t.clone(),
            None => store.series_targets(metric, &filter)?.into_iter().next().context(
                "no saved run has this metric yet: run a load, traces or audit first (`perfhound history` lists runs)",
            )?,
        };
        let t = trend::trend(&mut store, &target, metric, &filter)?;
        match args.format {
            Format::Text => perfhound_term::print(&trend_text(&t, metric)),
            Format::Json => println!("{}", serde_json::to_string_pretty(&t)?),
        }
        return Ok(exit::OK);
    }
    let rows = store.list(&filter)?;
    match args.format {
        Format::Text => perfhound_term::print(&list_text(&rows, &store.location().describe())),
        Format::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
    }
    Ok(exit::OK)
}

fn series_metric(name: &str) -> anyhow::Result<Metric> {
    let names: Vec<&str> = perfhound_store::record::SERIES_METRICS.iter().map(|m| m.as_str()).collect();
    Metric::parse(name)
        .filter(|m| perfhound_store::record::SERIES_METRICS.contains(m))
        .with_context(|| format!("--metric `{name}`: the store keeps series of {}", names.join(", ")))
}

fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}

fn list_text(rows: &[RunRow], location: &str) -> String {
    if rows.is_empty() {
        return format!("No saved runs in {location}: load, traces, db and audit save every run they make.\n");
    }
    let mut out = format!("{} runs in {location}\n\n", rows.len());
    out.push_str(&format!(
        "  {:>4}  {:<12}  {:<20}  {:<7}  {:<16}  {:<7}  {:>8}  tags\n",
        "#", "id", "started", "command", "branch", "commit", "findings"
    ));
    for r in rows {
        let tags: Vec<String> = r.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        out.push_str(&format!(
            "  {:>4}  {:<12}  {:<20}  {:<7}  {:<16}  {:<7}  {:>8}  {}\n",
            r.seq,
            perfhound_term::clip(&r.id, 12),
            perfhound_term::clip(&r.started_at, 20),
            r.command,
            perfhound_term::clip(&r.git_branch, 16),
            short(&r.git_commit),
            r.findings,
            perfhound_term::one_line(&tags.join(" ")),
        ));
    }
    out
}

fn trend_text(t: &Trend, metric: Metric) -> String {
    let values: Vec<f64> = t.points.iter().map(|p| p.value).collect();
    let marks: Vec<usize> = t.change_points.iter().map(|c| c.index).collect();
    let fmt = |v: f64| perfhound_term::human::metric_value(metric, Some(v));
    let mut out = format!("{} {} over {} runs\n\n", perfhound_term::one_line(&t.target), metric.as_str(), values.len());
    out.push_str(&format!("  {}\n", spark(&values, &marks)));
    if let (Some(first), Some(last)) = (values.first(), values.last()) {
        out.push_str(&format!("  first {}  last {}\n", fmt(*first), fmt(*last)));
    }
    for c in &t.change_points {
        let p = &t.points[c.index];
        out.push_str(&format!(
            "  change at run #{} ({}, commit {}): {} → {} ({:+.1}%, effect δ={:.2}, p={:.3})\n",
            p.seq,
            perfhound_term::clip(&p.started_at, 20),
            short(&p.git_commit),
            fmt(c.mean_before),
            fmt(c.mean_after),
            c.change * 100.0,
            c.effect_size,
            c.p_value
        ));
    }
    out
}

fn regressions_text(found: &[Regression]) -> String {
    if found.is_empty() {
        return "No regressions: no latency series moved up by 5 % or more with significance.\n".into();
    }
    let mut out = format!("{} regressions\n\n", found.len());
    for r in found {
        let metric = Metric::parse(r.metric).unwrap_or(Metric::P50);
        let fmt = |v: f64| perfhound_term::human::metric_value(metric, Some(v));
        out.push_str(&format!(
            "  {} {} {:+.1}% ({} → {}) since commit {} (run {}, {}), effect δ={:.2}, p={:.3}\n",
            perfhound_term::one_line(&r.target),
            r.metric,
            r.change.change * 100.0,
            fmt(r.change.mean_before),
            fmt(r.change.mean_after),
            if r.git_commit.is_empty() { "?" } else { short(&r.git_commit) },
            perfhound_term::clip(&r.run_id, 12),
            perfhound_term::clip(&r.started_at, 20),
            r.change.effect_size,
            r.change.p_value
        ));
    }
    out
}

/// `--series-file`: the file's values with their change points, like `--metric`.
fn series_file(path: &std::path::Path, format: Format) -> anyhow::Result<i32> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("--series-file {}: cannot read", path.display()))?;
    let mut values = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let v: f64 =
            line.parse().ok().filter(|v: &f64| v.is_finite()).with_context(|| {
                format!("{}:{}: `{line}` is not a number (one value per line)", path.display(), i + 1)
            })?;
        values.push(v);
    }
    let change_points = perfhound_store::changepoint::detect(&values, &Default::default());
    match format {
        Format::Json => {
            let doc = serde_json::json!({ "values": values, "change_points": change_points });
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
        Format::Text => {
            let marks: Vec<usize> = change_points.iter().map(|c| c.index).collect();
            let mut out = format!("{} values\n\n  {}\n", values.len(), spark(&values, &marks));
            for c in &change_points {
                out.push_str(&format!(
                    "  change at value {} (line order): {:.4} → {:.4} ({:+.1}%, effect δ={:.2}, p={:.3})\n",
                    c.index + 1,
                    c.mean_before,
                    c.mean_after,
                    c.change * 100.0,
                    c.effect_size,
                    c.p_value
                ));
            }
            perfhound_term::print(&out);
        }
    }
    Ok(exit::OK)
}

/// Widest sparkline printed: longer series show their most recent values.
const SPARK_WIDTH: usize = 120;

fn spark(values: &[f64], marks: &[usize]) -> String {
    let skip = values.len().saturating_sub(SPARK_WIDTH);
    let shown: Vec<usize> = marks.iter().filter(|m| **m >= skip).map(|m| m - skip).collect();
    let line = perfhound_term::sparkline(&values[skip..], &shown);
    if skip > 0 {
        format!("{line}  (the last {SPARK_WIDTH} of {})", values.len())
    } else {
        line
    }
}
